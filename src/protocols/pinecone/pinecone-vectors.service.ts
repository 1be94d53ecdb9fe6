import { Injectable } from '@nestjs/common';
import { Collection } from '../../core/collections/collection.model';
import { ALL, FilterNode } from '../../core/filters/filter-ast';
import { DenseVector } from '../../core/records/dense-vector';
import { Include, RecordWrite, StoredRecord } from '../../core/records/record.model';
import { NamespacesService } from '../../core/records/namespaces.service';
import { RecordsService } from '../../core/records/records.service';
import type { PlanNode, Retriever } from '../../core/search/plan';
import { SearchPlanExecutor } from '../../core/search/plan-executor';
import { isEmptyFilter, parsePineconeFilter } from './pinecone-filter.parser';
import { indexFilterable, outsideSchemaAbsent } from './metadata-schema';
import { pineconeExtras } from './index-spec';
import { PineconeDataError } from './pinecone-error';
import { PineconeIndexesService } from './pinecone-indexes.service';
import { PineconeNamespaceAliasesService } from './pinecone-namespace-aliases.service';
import {
  checkDimension,
  checkId,
  checkMetadata,
  checkNonZero,
  denseVector,
  pointToWire,
  MAX_METADATA_BYTES,
  recordFromVector,
  sparseText,
  vectorToWire,
} from './vectors.mapper';

const WITH_VALUES: Include = { embeddings: true, sparse: true, metadatas: true, documents: false, uris: false };

export interface QueryRequest {
  topK: number;
  vector?: unknown[];
  id?: string;
  sparseVector?: Record<string, unknown>;
  filter?: Record<string, unknown>;
  includeValues?: boolean;
  includeMetadata?: boolean;
}

/**
 * Pinecone's data plane over the neutral records service. Namespaces arrive already normalised;
 * a read names the namespace that served it (an alias's target), and an update or delete through
 * an alias is refused.
 */
@Injectable()
export class PineconeVectorsService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly records: RecordsService,
    private readonly namespaces: NamespacesService,
    private readonly plans: SearchPlanExecutor,
    private readonly aliases: PineconeNamespaceAliasesService,
  ) {}

  private get scope() {
    return this.indexes.scope;
  }

  /** An index the vector operations serve: a document index takes the Documents API only (stats and namespaces stay open). */
  private async resolve(index: string): Promise<Collection> {
    return servedByVectors(index, await this.indexes.resolve(index));
  }

  /** As resolve, for a read: with the namespace that serves `requested` (an alias's target), in one statement. */
  private async resolveRead(index: string, requested: string): Promise<{ collection: Collection; namespace: string }> {
    const read = await this.indexes.resolveRead(index, requested);
    servedByVectors(index, read.collection);
    return read;
  }

  async upsert(index: string, namespace: string, vectors: unknown[]): Promise<number> {
    const collection = await this.resolve(index);
    const records = vectors.map((v, k) => recordFromVector(collection, v, k));
    await this.records.write(this.scope, collection.id, 'replace', records, namespace);
    return records.length;
  }

  async query(index: string, namespace: string, q: QueryRequest) {
    const planned = await this.plan(index, namespace, q);
    if (!planned.node) return { matches: [], namespace: planned.namespace };
    const include: Include = {
      embeddings: !!q.includeValues,
      sparse: !!q.includeValues,
      metadatas: !!q.includeMetadata,
      documents: false,
      uris: false,
    };
    const points = await this.plans.run(this.scope, planned.collection, planned.node, include, planned.namespace);
    return {
      matches: points.map((p) => pointToWire(planned.collection, p, !!q.includeValues, !!q.includeMetadata)),
      namespace: planned.namespace,
    };
  }

  /**
   * A query parsed into a search plan, the vector of a query by id read first, with the namespace
   * that serves it (an alias's target); no plan when that id is not in the namespace (no matches).
   * records_search builds on it (a rerank above it).
   */
  async plan(
    index: string,
    requested: string,
    q: QueryRequest,
  ): Promise<{ collection: Collection; namespace: string; node: PlanNode | null }> {
    const { collection, namespace } = await this.resolveRead(index, requested);
    const sparseIndex = pineconeExtras(collection).vector_type === 'sparse';
    if (q.vector !== undefined && q.id !== undefined)
      throw PineconeDataError.invalid('Provide either vector or id, not both');
    let dense: DenseVector | undefined =
      q.vector !== undefined && q.vector.length > 0 ? denseVector(q.vector, 'vector') : undefined;
    let sparse = q.sparseVector !== undefined ? sparseText(q.sparseVector, 'sparseVector').text : undefined;
    if (q.id !== undefined) {
      const [source] = await this.records.find(
        this.scope,
        collection,
        { filter: { kind: 'idIn', ids: [checkId(q.id)] }, include: WITH_VALUES, limit: 1, offset: 0 },
        namespace,
      );
      if (!source) return { collection, namespace, node: null };
      if (source.embedding) dense = DenseVector.fromText(source.embedding);
      if (source.sparse && sparseIndex) sparse = source.sparse;
    }
    if (dense) checkDimension(collection, dense);
    if (dense && collection.metric === 'cosine' && dense.isZero()) {
      throw PineconeDataError.invalid('The query vector must contain at least one non-zero value for a cosine index');
    }
    if (sparseIndex) {
      if (dense) throw PineconeDataError.invalid('A sparse index is queried with sparseVector, not vector');
      if (!sparse) throw PineconeDataError.invalid('A sparse index needs a sparseVector (or an id) to query');
    } else {
      if (!dense) throw PineconeDataError.invalid('A dense index needs a vector (or an id) to query');
      if (sparse && collection.metric !== 'ip')
        throw PineconeDataError.invalid('Hybrid (sparse + dense) queries need an index with the dotproduct metric');
    }
    const filter = q.filter === undefined ? ALL : await this.filterOf(collection, namespace, q.filter);
    // Pinecone lists records that share no term with a sparse query too (score 0).
    const retriever: Retriever =
      sparse !== undefined
        ? { kind: 'sparse', text: sparse, idf: false, dense, unmatched: true }
        : { kind: 'dense', vector: dense! };
    return {
      collection,
      namespace,
      node: { kind: 'search', retriever, filter, mmr: null, inputs: [], limit: q.topK, offset: 0, threshold: null },
    };
  }

  async fetch(
    index: string,
    requested: string,
    ids: string[],
  ): Promise<{ vectors: Record<string, unknown>; namespace: string }> {
    const { collection, namespace } = await this.resolveRead(index, requested);
    ids.forEach((id) => checkId(id));
    const found = await this.records.find(
      this.scope,
      collection,
      { filter: { kind: 'idIn', ids }, include: WITH_VALUES, limit: null, offset: 0 },
      namespace,
    );
    return { vectors: byId(found), namespace };
  }

  /** One page of records matching a filter, in id order; `next` is the last id when more may follow. */
  async fetchByMetadata(index: string, requested: string, filter: unknown, limit: number, after: string | null) {
    const { collection, namespace } = await this.resolveRead(index, requested);
    if (isEmptyFilter(filter)) throw PineconeDataError.invalid('fetch_by_metadata needs a non-empty filter');
    const page = await this.records.find(
      this.scope,
      collection,
      {
        filter: await this.filterOf(collection, namespace, filter),
        include: WITH_VALUES,
        limit: limit + 1,
        offset: 0,
        afterId: after,
      },
      namespace,
    );
    const more = page.length > limit;
    const shown = page.slice(0, limit);
    return { vectors: byId(shown), next: more ? shown[shown.length - 1].id : null, namespace };
  }

  async list(
    index: string,
    requested: string,
    prefix: string,
    limit: number,
    after: string | null,
  ): Promise<{ ids: string[]; next: string | null; namespace: string }> {
    const { collection, namespace } = await this.resolveRead(index, requested);
    const ids = await this.records.listIds(this.scope, collection, namespace, prefix, after, limit + 1);
    const more = ids.length > limit;
    const shown = ids.slice(0, limit);
    return { ids: shown, next: more ? shown[shown.length - 1] : null, namespace };
  }

  /** By id: overwrite values / sparse values, merge setMetadata. By filter: merge setMetadata into every match. */
  async update(
    index: string,
    namespace: string,
    u: {
      id?: string;
      values?: unknown[];
      sparseValues?: Record<string, unknown>;
      setMetadata?: Record<string, unknown>;
      filter?: Record<string, unknown>;
      dryRun?: boolean;
    },
  ): Promise<number> {
    const collection = await this.resolve(index);
    await this.aliases.refuseWriteToAlias(collection, namespace, 'vectors');
    const metadata = checkMetadata(u.setMetadata, 'setMetadata');
    if (u.id !== undefined && u.filter !== undefined)
      throw PineconeDataError.invalid('Update takes either an id or a filter, not both');
    if (u.filter !== undefined) {
      if (u.values !== undefined || u.sparseValues !== undefined)
        throw PineconeDataError.invalid('An update by filter can only set metadata');
      if (!metadata) throw PineconeDataError.invalid('An update by filter needs setMetadata');
      if (isEmptyFilter(u.filter)) throw PineconeDataError.invalid('An update by filter needs a non-empty filter');
      const filter = await this.filterOf(collection, namespace, u.filter);
      await this.checkMergedMetadata(collection, namespace, filter, metadata);
      return this.records.patchMetadata(this.scope, collection.id, namespace, filter, metadata, !!u.dryRun);
    }
    if (u.id === undefined) throw PineconeDataError.invalid('Update needs an id or a filter');
    const record: RecordWrite = { id: checkId(u.id) };
    const sparseIndex = pineconeExtras(collection).vector_type === 'sparse';
    if (u.values !== undefined && u.values.length > 0) {
      if (sparseIndex) throw PineconeDataError.invalid('A sparse index takes sparseValues, not values');
      record.embedding = denseVector(u.values, 'values');
      checkDimension(collection, record.embedding);
      checkNonZero(record.embedding, record.id);
    }
    if (u.sparseValues !== undefined) {
      if (!sparseIndex && collection.metric !== 'ip')
        throw PineconeDataError.invalid('Sparse values are supported only for indexes using the dotproduct metric');
      record.sparse = sparseText(u.sparseValues, 'sparseValues');
    }
    if (metadata) {
      await this.checkMergedMetadata(collection, namespace, { kind: 'idIn', ids: [record.id] }, metadata);
      record.metadata = metadata;
    }
    return this.records.write(this.scope, collection.id, 'update', [record], namespace);
  }

  /** Metadata stays within 40 KB per record after a merge, not only in what is sent. */
  private async checkMergedMetadata(
    collection: Collection,
    namespace: string,
    filter: FilterNode,
    patch: Record<string, unknown>,
  ): Promise<void> {
    const largest = await this.records.largestMergedMetadata(this.scope, collection.id, namespace, filter, patch);
    if (largest > MAX_METADATA_BYTES) {
      throw PineconeDataError.invalid(
        `Metadata would grow to ${largest} bytes, at most ${MAX_METADATA_BYTES} are allowed per record`,
      );
    }
  }

  async delete(
    index: string,
    namespace: string,
    d: { ids?: string[]; deleteAll?: boolean; filter?: Record<string, unknown> },
  ): Promise<void> {
    const collection = await this.resolve(index);
    await this.aliases.refuseWriteToAlias(collection, namespace, 'vectors');
    const given = [d.ids !== undefined, d.deleteAll === true, d.filter !== undefined].filter(Boolean).length;
    if (given !== 1) throw PineconeDataError.invalid('Delete takes exactly one of ids, deleteAll or filter');
    let filter: FilterNode;
    if (d.ids !== undefined) {
      if (d.ids.length === 0) throw PineconeDataError.invalid('ids must not be empty');
      d.ids.forEach((id) => checkId(id));
      filter = { kind: 'idIn', ids: d.ids };
    } else if (d.filter !== undefined) {
      if (isEmptyFilter(d.filter))
        throw PineconeDataError.invalid(
          'Delete by filter needs a non-empty filter; use deleteAll to empty a namespace',
        );
      filter = await this.filterOf(collection, namespace, d.filter);
    } else {
      filter = ALL;
    }
    await this.records.delete(this.scope, collection.id, filter, null, namespace);
  }

  async stats(
    index: string,
    filter: Record<string, unknown> | undefined,
  ): Promise<{ collection: Collection; namespaces: { name: string; records: number }[] }> {
    const collection = await this.indexes.resolve(index);
    // Across namespaces: the index's metadata schema applies, not a namespace's own.
    const parsed = filter === undefined || isEmptyFilter(filter) ? ALL : await this.filterOf(collection, null, filter);
    return this.namespaces.stats(this.scope, collection.id, parsed);
  }

  /**
   * A request's filter, as an index that holds only its schema's metadata keys evaluates it (a key
   * left out is absent from every record). The namespace's own schema wins over the index's; it is
   * looked up only on an index where some namespace has one. No namespace: the index's schema.
   */
  private async filterOf(collection: Collection, namespace: string | null, raw: unknown): Promise<FilterNode> {
    const filter = parsePineconeFilter(raw);
    const extras = pineconeExtras(collection);
    const fromIndex = indexFilterable(extras.schema_fields);
    const keys =
      extras.namespace_schemas && namespace !== null
        ? await this.namespaces.filterableKeys(collection.id, namespace, fromIndex)
        : fromIndex;
    return keys ? outsideSchemaAbsent(filter, new Set(keys)) : filter;
  }
}

/**
 * Records keyed by id. Built with Object.fromEntries, which defines each key as an own property:
 * assigning `out[id]` would set the object's prototype for the id `__proto__` and leave the
 * record out of the answer.
 */
function byId(records: StoredRecord[]): Record<string, unknown> {
  return Object.fromEntries(records.map((r) => [r.id, vectorToWire(r)]));
}

/** A document index takes the Documents API only (stats and namespaces stay open). */
function servedByVectors(index: string, collection: Collection): Collection {
  if (pineconeExtras(collection).documents)
    throw PineconeDataError.invalid(
      `This index has a document schema, so writes must go through the documents API: use /namespaces/{namespace}/documents/upsert, /search, /fetch, /update, /list and /delete for index ${index}`,
    );
  return collection;
}
