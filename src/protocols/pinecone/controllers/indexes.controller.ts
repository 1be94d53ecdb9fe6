import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../../config/app-config';
import { ConfigureIndexDto, CreateIndexDto, CreateIndexForModelDto } from '../dto/index.dto';
import { indexModel } from '../index.mapper';
import { PineconeIndexesService } from '../pinecone-indexes.service';
import { publicBaseUrl } from '../public-url';
import { PineconeApiVersionGuard } from '../api-version.guard';

/** Pinecone's control plane: `controllerHostUrl` is the gateway's base URL. */
@ApiTags('Pinecone control plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes')
export class PineconeIndexesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indexes: PineconeIndexesService,
  ) {}

  @ApiOperation({ summary: 'Create an index' })
  @ApiResponse({ status: 201, description: 'The index', schema: { $ref: getSchemaPath('PineconeIndex') } })
  @ApiResponse({ status: 409, description: 'An index of that name exists' })
  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateIndexDto, @Req() req: FastifyRequest) {
    return indexModel(
      await this.indexes.create(body as unknown as Record<string, unknown>, apiVersionOf(req)),
      publicBaseUrl(this.config, req),
    );
  }

  @ApiOperation({
    summary: 'Create an index with integrated embedding',
    description:
      'Its records are upserted and searched as text, embedded by the model the operator mapped (docs/inference.md)',
  })
  @ApiResponse({ status: 201, description: 'The index', schema: { $ref: getSchemaPath('PineconeIndex') } })
  @ApiResponse({
    status: 400,
    description: 'A model the operator did not map, or a dimension or metric it does not take',
  })
  @ApiResponse({ status: 409, description: 'An index of that name exists' })
  @Post('create-for-model')
  @HttpCode(201)
  async createForModel(@Body() body: CreateIndexForModelDto, @Req() req: FastifyRequest) {
    return indexModel(
      await this.indexes.createForModel(body as unknown as Record<string, unknown>),
      publicBaseUrl(this.config, req),
    );
  }

  @ApiOperation({ summary: 'List indexes' })
  @ApiResponse({
    status: 200,
    description: 'The indexes',
    schema: {
      type: 'object',
      properties: { indexes: { type: 'array', items: { $ref: getSchemaPath('PineconeIndex') } } },
    },
  })
  @Get()
  async list(@Req() req: FastifyRequest) {
    const base = publicBaseUrl(this.config, req);
    return { indexes: (await this.indexes.list()).map((c) => indexModel(c, base)) };
  }

  @ApiOperation({ summary: 'Describe an index' })
  @ApiParam({ name: 'name', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'The index', schema: { $ref: getSchemaPath('PineconeIndex') } })
  @ApiResponse({ status: 404, description: 'No such index' })
  @Get(':name')
  async describe(@Param('name') name: string, @Req() req: FastifyRequest) {
    return indexModel(await this.indexes.get(name), publicBaseUrl(this.config, req));
  }

  @ApiOperation({ summary: 'Configure an index', description: 'Deletion protection, tags and read capacity' })
  @ApiParam({ name: 'name', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'The index', schema: { $ref: getSchemaPath('PineconeIndex') } })
  @ApiResponse({ status: 404, description: 'No such index' })
  @Patch(':name')
  async configure(@Param('name') name: string, @Body() body: ConfigureIndexDto, @Req() req: FastifyRequest) {
    return indexModel(await this.indexes.configure(name, body), publicBaseUrl(this.config, req));
  }

  /** 202 with an empty body, as Pinecone answers. */
  @ApiOperation({ summary: 'Delete an index' })
  @ApiParam({ name: 'name', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 202, description: 'Deleted (empty body)' })
  @ApiResponse({ status: 403, description: 'Deletion protection is enabled' })
  @ApiResponse({ status: 404, description: 'No such index' })
  @Delete(':name')
  @HttpCode(202)
  async delete(@Param('name') name: string): Promise<void> {
    await this.indexes.delete(name);
  }
}

/** The API version a client sent (`X-Pinecone-Api-Version`), which decides what a document schema may declare. */
function apiVersionOf(req: FastifyRequest): string | undefined {
  const value = req.headers['x-pinecone-api-version'];
  return typeof value === 'string' ? value : undefined;
}
