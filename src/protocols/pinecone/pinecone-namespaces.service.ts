import { Injectable } from '@nestjs/common';
import { NamespacesService } from '../../core/records/namespaces.service';
import { storedNamespace, wireNamespace } from './index-names';
import { decodeToken, encodeToken, limitParam } from './pagination-token';
import { PineconeIndexesService } from './pinecone-indexes.service';
import { pineconeExtras } from './index-spec';
import { filterableKeys, indexFilterable, metadataSchema } from './metadata-schema';
import type { Collection } from '../../core/collections/collection.model';
import type { NamespaceCount } from '../../core/records/namespaces.service';

/**
 * A NamespaceDescription: its metadata schema, its own or else its index's, when either names keys
 * (without one every key is indexed and Pinecone shows none).
 */
function describe(collection: Collection, n: NamespaceCount, apiVersion?: string) {
  const keys = n.filterable ?? indexFilterable(pineconeExtras(collection).schema_fields);
  // From 2026-07 the counts are 64-bit integers written as decimal strings, and the size is shown.
  const strings = apiVersion !== undefined && apiVersion >= '2026-07';
  return {
    name: wireNamespace(n.name),
    record_count: strings ? String(n.records) : n.records,
    ...(strings ? { size_bytes: String(n.bytes ?? 0) } : {}),
    ...(keys ? { schema: metadataSchema(keys), indexed_fields: { fields: keys } } : {}),
  };
}

/** The namespaces API (2025-04 and later): namespaces appear on first upsert or by create. */
@Injectable()
export class PineconeNamespacesService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly namespaces: NamespacesService,
  ) {}

  async list(index: string, prefix?: string, limit?: string, token?: string, apiVersion?: string) {
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
      namespaces: shown.map((n) => describe(collection, n, apiVersion)),
      ...(page.length > size ? { pagination: { next: encodeToken(shown[shown.length - 1].name) } } : {}),
      total_count: total,
    };
  }

  /** An empty namespace; with a schema, only its keys are indexed for filters in it. */
  async create(index: string, name: string, schema?: unknown, apiVersion?: string) {
    const collection = await this.indexes.get(index);
    const keys = schema === undefined || schema === null ? null : filterableKeys(schema, false);
    if (keys) await this.indexes.markNamespaceSchemas(collection);
    const created = await this.namespaces.create(this.indexes.scope, collection.id, storedNamespace(name), keys);
    return describe(collection, created, apiVersion);
  }

  async describe(index: string, namespace: string, apiVersion?: string) {
    const collection = await this.indexes.get(index);
    return describe(
      collection,
      await this.namespaces.describe(this.indexes.scope, collection.id, storedNamespace(namespace)),
      apiVersion,
    );
  }

  async delete(index: string, namespace: string): Promise<Record<string, never>> {
    const collection = await this.indexes.get(index);
    await this.namespaces.delete(this.indexes.scope, collection.id, storedNamespace(namespace));
    return {};
  }
}
