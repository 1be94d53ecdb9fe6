import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { ConfigureIndexDto, CreateIndexDto } from '../dto/index.dto';
import { indexModel } from '../index.mapper';
import { PineconeIndexesService } from '../pinecone-indexes.service';
import { publicBaseUrl } from '../public-url';

/** Pinecone's control plane: `controllerHostUrl` is the gateway's base URL. */
@Controller('indexes')
export class PineconeIndexesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indexes: PineconeIndexesService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateIndexDto, @Req() req: Request) {
    return indexModel(await this.indexes.create(body as unknown as Record<string, unknown>), publicBaseUrl(this.config, req));
  }

  @Get()
  async list(@Req() req: Request) {
    const base = publicBaseUrl(this.config, req);
    return { indexes: (await this.indexes.list()).map((c) => indexModel(c, base)) };
  }

  @Get(':name')
  async describe(@Param('name') name: string, @Req() req: Request) {
    return indexModel(await this.indexes.get(name), publicBaseUrl(this.config, req));
  }

  @Patch(':name')
  async configure(@Param('name') name: string, @Body() body: ConfigureIndexDto, @Req() req: Request) {
    return indexModel(await this.indexes.configure(name, body), publicBaseUrl(this.config, req));
  }

  /** 202 with an empty body, as Pinecone answers. */
  @Delete(':name')
  @HttpCode(202)
  async delete(@Param('name') name: string): Promise<void> {
    await this.indexes.delete(name);
  }
}
