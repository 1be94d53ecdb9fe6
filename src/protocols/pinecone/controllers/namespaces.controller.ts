import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { NamespacesService } from '../../../records/namespaces.service';
import { CreateNamespaceDto } from '../dto/vectors.dto';
import { storedNamespace, wireNamespace } from '../index-names';
import { decodeToken, encodeToken, limitParam } from '../pagination-token';
import { PineconeIndexesService } from '../pinecone-indexes.service';

/** The namespaces API (2025-04 and later): namespaces appear on first upsert or by create. */
@Controller('indexes/:index/namespaces')
export class PineconeNamespacesController {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly namespaces: NamespacesService,
  ) {}

  @Get()
  async list(@Param('index') index: string, @Query('prefix') prefix?: string, @Query('limit') limit?: string, @Query('paginationToken') token?: string) {
    const collection = await this.indexes.get(index);
    const size = limitParam(limit, 100, 1000);
    const { page, total } = await this.namespaces.list(this.indexes.scope, collection.id, prefix ?? '', decodeToken(token), size + 1);
    const shown = page.slice(0, size);
    return {
      namespaces: shown.map((n) => ({ name: wireNamespace(n.name), record_count: n.records })),
      ...(page.length > size ? { pagination: { next: encodeToken(shown[shown.length - 1].name) } } : {}),
      total_count: total,
    };
  }

  @Post()
  @HttpCode(201)
  async create(@Param('index') index: string, @Body() body: CreateNamespaceDto) {
    const collection = await this.indexes.get(index);
    const created = await this.namespaces.create(this.indexes.scope, collection.id, storedNamespace(body.name));
    return { name: wireNamespace(created.name), record_count: created.records };
  }

  @Get(':namespace')
  async describe(@Param('index') index: string, @Param('namespace') namespace: string) {
    const collection = await this.indexes.get(index);
    const found = await this.namespaces.describe(this.indexes.scope, collection.id, storedNamespace(namespace));
    return { name: wireNamespace(found.name), record_count: found.records };
  }

  @Delete(':namespace')
  @HttpCode(202)
  async delete(@Param('index') index: string, @Param('namespace') namespace: string) {
    const collection = await this.indexes.get(index);
    await this.namespaces.delete(this.indexes.scope, collection.id, storedNamespace(namespace));
    return {};
  }
}
