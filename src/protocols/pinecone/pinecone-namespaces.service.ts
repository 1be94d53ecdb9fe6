import { Injectable } from '@nestjs/common';
import { NamespacesService } from '../../core/records/namespaces.service';
import { storedNamespace, wireNamespace } from './index-names';
import { decodeToken, encodeToken, limitParam } from './pagination-token';
import { PineconeIndexesService } from './pinecone-indexes.service';

/** The namespaces API (2025-04 and later): namespaces appear on first upsert or by create. */
@Injectable()
export class PineconeNamespacesService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly namespaces: NamespacesService,
  ) {}

  async list(index: string, prefix?: string, limit?: string, token?: string) {
    const collection = await this.indexes.get(index);
    const size = limitParam(limit, 100, 1000);
    const { page, total } = await this.namespaces.list(
      this.indexes.scope,
      collection.id,
      prefix ?? '',
      decodeToken(token),
      size + 1,
    );
    const shown = page.slice(0, size);
    return {
      namespaces: shown.map((n) => ({ name: wireNamespace(n.name), record_count: n.records })),
      ...(page.length > size ? { pagination: { next: encodeToken(shown[shown.length - 1].name) } } : {}),
      total_count: total,
    };
  }

  async create(index: string, name: string) {
    const collection = await this.indexes.get(index);
    const created = await this.namespaces.create(this.indexes.scope, collection.id, storedNamespace(name));
    return { name: wireNamespace(created.name), record_count: created.records };
  }

  async describe(index: string, namespace: string) {
    const collection = await this.indexes.get(index);
    const found = await this.namespaces.describe(this.indexes.scope, collection.id, storedNamespace(namespace));
    return { name: wireNamespace(found.name), record_count: found.records };
  }

  async delete(index: string, namespace: string): Promise<Record<string, never>> {
    const collection = await this.indexes.get(index);
    await this.namespaces.delete(this.indexes.scope, collection.id, storedNamespace(namespace));
    return {};
  }
}
