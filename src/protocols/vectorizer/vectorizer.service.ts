import { Inject, Injectable } from '@nestjs/common';
import { Collection, DEFAULT_INDEX, Metric } from '../../core/collections/collection.model';
import { CollectionsService } from '../../core/collections/collections.service';
import { InvalidArgumentError, NotFoundError } from '../../core/errors';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { defaultScope } from '../default-scope';
import { ALL, FilterNode } from '../../core/filters/filter-ast';
import { Include, RecordWrite, StoredRecord } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import { VectorizerHttpError } from './vectorizer-error';
import { searchHit, denseVector } from './vectors.mapper';
import { Scope } from '../../core/scope';

const ALL_FIELDS: Include = { embeddings: true, metadatas: true, documents: false, uris: false };

export interface SearchRequest {
  vector: unknown;
  limit: number;
  threshold?: number;
  filter?: FilterNode;
  withVector?: boolean;
  withPayload?: boolean;
  offset?: number;
}

/**
 * Vectorizer's collections and vectors over the neutral core. A collection lives in the default
 * tenant/database, so Chroma and Pinecone clients see the same records; payload is metadata.
 */
/** Qdrant's own bound on a collection name (1 to 255 characters), for both of this protocol's APIs. */
const MAX_COLLECTION_NAME = 255;

@Injectable()
export class VectorizerService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly collections: CollectionsService,
    private readonly records: RecordsService,
  ) {}

  /** The request's tenant and database: its API key's, or the configured default. */
  get scope(): Scope {
    return defaultScope(this.config);
  }

  async get(name: string): Promise<Collection> {
    try {
      return await this.collections.getByNameCached(this.scope, name);
    } catch (err) {
      if (err instanceof NotFoundError) throw VectorizerHttpError.collectionNotFound(name);
      throw err;
    }
  }

  list(): Promise<Collection[]> {
    return this.collections.list(this.scope, null, 0);
  }

  count(collection: Collection): Promise<number> {
    return this.records.count(this.scope, collection.id);
  }

  create(name: string, dimension: number, metric: Metric): Promise<Collection> {
    if (name.trim() === '')
      throw new VectorizerHttpError(
        400,
        'invalid_configuration',
        'Invalid configuration: collection name cannot be empty',
      );
    if (name.length > MAX_COLLECTION_NAME)
      throw new VectorizerHttpError(
        400,
        'invalid_configuration',
        `Invalid configuration: collection name is ${name.length} characters long; at most ${MAX_COLLECTION_NAME} are allowed`,
      );
    return this.collections.create(
      this.scope,
      {
        name,
        dimension,
        metric,
        index: { ...DEFAULT_INDEX },
        metadata: null,
        // Marks the collection as made through Vectorizer (the web console names each collection's protocol).
        extras: { vectorizer: {} },
        schema: null,
      },
      false,
    );
  }

  async delete(name: string): Promise<void> {
    await this.get(name);
    await this.collections.deleteByName(this.scope, name);
  }

  /** Writes (inserts or replaces) a batch; an unknown collection is created with the batch's dimension, as the server does. */
  async insert(name: string, records: RecordWrite[], autoCreate: boolean): Promise<Collection> {
    // Checked before a collection is created for the batch, so a refused batch leaves nothing behind.
    const dimension = records[0]?.embedding?.dimension;
    if (records.some((r) => r.embedding?.dimension !== dimension))
      throw new InvalidArgumentError('Inconsistent dimensions in provided embeddings');
    let collection: Collection;
    try {
      collection = await this.get(name);
    } catch (err) {
      if (!autoCreate || !(err instanceof VectorizerHttpError) || records.length === 0) throw err;
      collection = await this.collections.create(
        this.scope,
        {
          name,
          dimension: records[0].embedding!.dimension,
          metric: 'cosine',
          index: { ...DEFAULT_INDEX },
          metadata: null,
          extras: { vectorizer: {} },
          schema: null,
        },
        true,
      );
    }
    await this.records.write(this.scope, collection.id, 'replace', records);
    return collection;
  }

  /** Overwrites the vectors and payloads sent on existing ids; returns the ids that exist. */
  async update(name: string, records: RecordWrite[]): Promise<Set<string>> {
    const collection = await this.get(name);
    const existing = await this.existingIds(
      collection,
      records.map((r) => r.id),
    );
    await this.records.write(
      this.scope,
      collection.id,
      'overwrite',
      records.filter((r) => existing.has(r.id)),
    );
    return existing;
  }

  async existingIds(collection: Collection, ids: string[]): Promise<Set<string>> {
    const found = await this.records.find(this.scope, collection.id, {
      filter: { kind: 'idIn', ids },
      include: { embeddings: false, metadatas: false, documents: false, uris: false },
      limit: null,
      offset: 0,
    });
    return new Set(found.map((r) => r.id));
  }

  async page(
    name: string,
    limit: number,
    offset: number,
  ): Promise<{ collection: Collection; vectors: StoredRecord[]; total: number }> {
    const collection = await this.get(name);
    const vectors = await this.records.find(this.scope, collection.id, {
      filter: ALL,
      include: ALL_FIELDS,
      limit,
      offset,
    });
    return { collection, vectors, total: await this.count(collection) };
  }

  /** Keyset pages in id order starting at `from` (inclusive), for the Qdrant scroll route. */
  async scroll(name: string, filter: FilterNode, limit: number, from: string | null): Promise<StoredRecord[]> {
    const collection = await this.get(name);
    return this.records.find(this.scope, collection.id, {
      filter,
      include: ALL_FIELDS,
      limit,
      offset: 0,
      afterId: from,
      fromIdInclusive: true,
    });
  }

  async fetch(name: string, ids: string[]): Promise<StoredRecord[]> {
    const collection = await this.get(name);
    return this.records.find(this.scope, collection.id, {
      filter: { kind: 'idIn', ids },
      include: ALL_FIELDS,
      limit: null,
      offset: 0,
    });
  }

  async countMatching(name: string, filter: FilterNode): Promise<number> {
    const collection = await this.get(name);
    return filter.kind === 'all'
      ? this.count(collection)
      : this.records.countMatching(this.scope, collection.id, filter);
  }

  /** Deletes what matches; returns the collection's size before and the ids deleted. */
  async deleteWhere(name: string, filter: FilterNode): Promise<{ scanned: number; deleted: string[] }> {
    const collection = await this.get(name);
    const scanned = await this.count(collection);
    return { scanned, deleted: await this.records.deleteReturningIds(this.scope, collection.id, filter) };
  }

  /**
   * The `limit` best matches with score ≥ threshold. Unlike Vectorizer, which filters after its
   * search and so returns fewer, the filter is applied inside the search.
   */
  async search(name: string, req: SearchRequest) {
    const collection = await this.get(name);
    const vector = denseVector(req.vector, 'vector');
    if (collection.dimension !== null && vector.dimension !== collection.dimension) {
      throw VectorizerHttpError.validation(
        'vector',
        `vector dimension ${vector.dimension} does not match collection dimension ${collection.dimension}`,
      );
    }
    const offset = req.offset ?? 0;
    if (req.limit === 0) return { collection, hits: [] };
    const include: Include = {
      embeddings: req.withVector ?? true,
      metadatas: req.withPayload ?? true,
      documents: false,
      uris: false,
    };
    const { lists } = await this.records.nearest(this.scope, collection.id, {
      vectors: [vector],
      n: req.limit + offset,
      filter: req.filter ?? ALL,
      include,
    });
    const hits = (lists[0] ?? []).slice(offset).map((n) => searchHit(collection, n));
    return { collection, hits: req.threshold === undefined ? hits : hits.filter((h) => h.score >= req.threshold!) };
  }
}
