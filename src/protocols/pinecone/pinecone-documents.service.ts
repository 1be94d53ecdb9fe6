import { Injectable } from '@nestjs/common';
import type { Collection } from '../../core/collections/collection.model';
import { ALL, type FilterNode } from '../../core/filters/filter-ast';
import type { RecordOperation } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import { SearchPlanExecutor } from '../../core/search/plan-executor';
import { InferenceService } from '../../inference/inference.service';
import { isObject } from '../json-guards';
import { embedDocuments, embeddedRetriever } from './document-embedding';
import {
  checkSelection,
  documentPatch,
  documentSchema,
  documentToRecord,
  fieldSelection,
  includeFor,
  MAX_DOCUMENTS_PER_REQUEST,
  recordToDocument,
  checkDocumentId,
  checkRequestBytes,
} from './document.mapper';
import { MAX_DOCUMENT_TOP_K, scoreByRetriever, textFieldNamed } from './document-search.parser';
import { isEmbedField, type DocumentFields } from './document-schema';
import { wireNamespace } from './index-names';
import { decodeToken, encodeToken } from './pagination-token';
import { PineconeControlError } from './pinecone-error';
import { isEmptyFilter, parsePineconeFilter } from './pinecone-filter.parser';
import { PineconeIndexesService } from './pinecone-indexes.service';
import { PineconeNamespaceAliasesService } from './pinecone-namespace-aliases.service';

const invalid = (message: string) => PineconeControlError.invalid(message);

const MAX_FETCH_LIMIT = 10_000;
const DEFAULT_FETCH_LIMIT = 100;
const MAX_LIST_LIMIT = 100;
const MAX_PREFIX_BYTES = 512;

function integer(value: unknown, what: string, min: number, max: number, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalid(`${what} must be an integer from ${min} to ${max}`);
  return value;
}

function body(value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw invalid('The request body must be a JSON object');
  return value;
}

/** Exactly one of the keys is given (false and null count as not given). */
function exactlyOne(b: Record<string, unknown>, keys: string[], what: string): string {
  const given = keys.filter((k) => b[k] !== undefined && b[k] !== null && b[k] !== false);
  if (given.length !== 1) throw invalid(`${what} takes exactly one of ${keys.join(', ')}`);
  return given[0];
}

function ids(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_DOCUMENTS_PER_REQUEST)
    throw invalid(`ids must hold 1 to ${MAX_DOCUMENTS_PER_REQUEST} document ids`);
  return value.map((id, k) => checkDocumentId(id, `ids[${k}]`));
}

/**
 * Pinecone's Documents API (2026-07) over a document index: documents are records whose schema
 * fields are checked against the index's declarations; searches run as plans in the core (BM25
 * over its text fields, or a vector search). Every call is one transaction.
 */
@Injectable()
export class PineconeDocumentsService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly records: RecordsService,
    private readonly plans: SearchPlanExecutor,
    private readonly aliases: PineconeNamespaceAliasesService,
    private readonly inference: InferenceService,
  ) {}

  private get scope() {
    return this.indexes.scope;
  }

  private async index(name: string): Promise<{ collection: Collection; schema: DocumentFields }> {
    const collection = await this.indexes.resolve(name);
    return { collection, schema: documentSchema(collection) };
  }

  /** The index a read works on, with the namespace that serves `requested` (an alias's target). */
  private async read(
    name: string,
    requested: string,
  ): Promise<{ collection: Collection; schema: DocumentFields; namespace: string }> {
    const { collection, namespace } = await this.indexes.resolveRead(name, requested);
    return { collection, schema: documentSchema(collection), namespace };
  }

  /** A filter of metadata and, in a search, text-match operators on full-text fields. */
  private filter(collection: Collection, raw: unknown, search: boolean): FilterNode {
    if (raw === undefined || raw === null) return ALL;
    if (!isObject(raw)) throw invalid('filter must be a JSON object');
    return parsePineconeFilter(raw, search ? { textField: (key) => textFieldNamed(collection, key) } : {});
  }

  async upsert(index: string, namespace: string, raw: unknown) {
    const { collection, schema } = await this.index(index);
    const documents = body(raw).documents;
    if (!Array.isArray(documents) || documents.length === 0 || documents.length > MAX_DOCUMENTS_PER_REQUEST)
      throw invalid(`documents must hold 1 to ${MAX_DOCUMENTS_PER_REQUEST} documents`);
    checkRequestBytes(documents);
    const writes = documents.map((d, k) => documentToRecord(collection, schema, d, `documents[${k}]`));
    // Texts are embedded before the transaction: a provider that fails writes nothing.
    const tokens = await embedDocuments(this.inference, schema, writes);
    await this.records.write(
      this.scope,
      collection.id,
      'replace',
      writes.map((w) => w.record),
      namespace,
    );
    return { upserted_count: writes.length, ...writeUsage(tokens) };
  }

  async search(index: string, requested: string, raw: unknown) {
    const { collection, schema, namespace } = await this.read(index, requested);
    const b = body(raw);
    const topK = b.top_k;
    if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_DOCUMENT_TOP_K)
      throw invalid(`top_k must be an integer from 1 to ${MAX_DOCUMENT_TOP_K}`);
    const scoreBy = scoreByRetriever(collection, schema, b.score_by);
    const selection = fieldSelection(b.include_fields, 'none');
    checkSelection(schema, selection);
    const filter = this.filter(collection, b.filter, true);
    // An embed or sparse_embed clause's query is embedded with its field's model once the request is checked.
    const { retriever, tokens } =
      'embed' in scoreBy
        ? await embeddedRetriever(this.inference, scoreBy.embed)
        : { retriever: scoreBy.retriever, tokens: null };
    const points = await this.plans.run(
      this.scope,
      collection,
      { kind: 'search', retriever, filter, mmr: null, inputs: [], limit: topK, offset: 0, threshold: null },
      includeFor(schema, selection),
      namespace,
    );
    return {
      matches: points.map((p) => {
        const { _id, ...fields } = recordToDocument(schema, p.record ?? { id: p.id }, selection);
        return { _id, _score: Number.isFinite(p.score) ? score(collection, retriever.kind, p.score) : null, ...fields };
      }),
      namespace: wireNamespace(namespace),
      usage: {
        read_units: Math.max(1, Math.ceil(points.length / 10)),
        ...(tokens !== null ? { embed_total_tokens: tokens } : {}),
      },
    };
  }

  async fetch(index: string, requested: string, raw: unknown) {
    const { collection, schema, namespace } = await this.read(index, requested);
    const b = body(raw);
    if ((b.ids === undefined || b.ids === null) && (b.filter === undefined || b.filter === null))
      throw invalid(
        "No 'ids' or 'filter' provided in the document fetch request. Provide at least one document ID in 'ids', or a metadata filter in 'filter'.",
      );
    const by = exactlyOne(b, ['ids', 'filter'], 'A document fetch');
    const limit = integer(b.limit, 'limit', 1, MAX_FETCH_LIMIT, DEFAULT_FETCH_LIMIT);
    const selection = fieldSelection(b.include_fields, 'all');
    checkSelection(schema, selection);
    const include = includeFor(schema, selection);
    const usage = { read_units: 1 };
    if (by === 'ids') {
      if (b.pagination_token !== undefined && b.pagination_token !== null)
        throw invalid('pagination_token applies to a fetch by filter only');
      const found = await this.records.find(
        this.scope,
        collection,
        { filter: { kind: 'idIn', ids: ids(b.ids) }, include, limit: null, offset: 0 },
        namespace,
      );
      return { documents: byId(schema, found, selection), namespace: wireNamespace(namespace), usage };
    }
    if (isEmptyFilter(b.filter)) throw invalid('filter must not be empty');
    const page = await this.records.find(
      this.scope,
      collection,
      {
        filter: this.filter(collection, b.filter, false),
        include,
        limit: limit + 1,
        offset: 0,
        afterId: decodeToken(b.pagination_token),
      },
      namespace,
    );
    const shown = page.slice(0, limit);
    return {
      documents: byId(schema, shown, selection),
      namespace: wireNamespace(namespace),
      ...(page.length > limit ? { pagination: { next: encodeToken(shown[shown.length - 1].id) } } : {}),
      usage,
    };
  }

  async list(index: string, requested: string, raw: unknown) {
    const { collection, namespace } = await this.read(index, requested);
    const b = raw === undefined || raw === null ? {} : body(raw);
    const prefix = b.prefix ?? '';
    if (
      typeof prefix !== 'string' ||
      Buffer.byteLength(prefix, 'utf8') > MAX_PREFIX_BYTES ||
      ![...prefix].every((c) => c <= '\x7f')
    )
      throw invalid(`prefix must be an ASCII string of at most ${MAX_PREFIX_BYTES} bytes`);
    const limit = integer(b.limit, 'limit', 1, MAX_LIST_LIMIT, MAX_LIST_LIMIT);
    const found = await this.records.listIds(
      this.scope,
      collection,
      namespace,
      prefix,
      decodeToken(b.pagination_token),
      limit + 1,
    );
    const shown = found.slice(0, limit);
    return {
      documents: shown.map((_id) => ({ _id })),
      namespace: wireNamespace(namespace),
      ...(found.length > limit ? { pagination: { next: encodeToken(shown[shown.length - 1]) } } : {}),
      usage: { read_units: 1 },
    };
  }

  async delete(index: string, namespace: string, raw: unknown) {
    const { collection } = await this.index(index);
    await this.aliases.refuseWriteToAlias(collection, namespace, 'documents');
    const b = body(raw);
    const by = exactlyOne(b, ['ids', 'filter', 'delete_all'], 'A document delete');
    if (by === 'delete_all' && b.delete_all !== true) throw invalid('delete_all must be true or false');
    if (by === 'filter' && isEmptyFilter(b.filter)) throw invalid('filter must not be empty; use delete_all');
    const filter: FilterNode =
      by === 'ids'
        ? { kind: 'idIn', ids: ids(b.ids) }
        : by === 'filter'
          ? this.filter(collection, b.filter, false)
          : ALL;
    const deleted = await this.records.delete(this.scope, collection.id, filter, null, namespace);
    return by === 'filter' ? { matched_records: deleted } : {};
  }

  async update(index: string, namespace: string, raw: unknown) {
    const { collection, schema } = await this.index(index);
    await this.aliases.refuseWriteToAlias(collection, namespace, 'documents');
    const b = body(raw);
    const byFilter = ['filter', 'set_fields', 'remove_fields'].some((k) => b[k] !== undefined && b[k] !== null);
    if (b.documents !== undefined && byFilter)
      throw invalid('An update takes either documents, or filter with set_fields / remove_fields, not both');
    if (!byFilter) {
      const documents = b.documents;
      if (!Array.isArray(documents) || documents.length === 0 || documents.length > MAX_DOCUMENTS_PER_REQUEST)
        throw invalid(`documents must hold 1 to ${MAX_DOCUMENTS_PER_REQUEST} documents`);
      checkRequestBytes(documents);
      const patches = documents.map((d, k) => documentPatch(collection, schema, d, k));
      const tokens = await embedDocuments(this.inference, schema, patches);
      const operations: RecordOperation[] = patches.flatMap((p): RecordOperation[] => [
        { kind: 'write', mode: 'update', records: [p.record] },
        ...(p.clearDense || p.clearSparse
          ? [
              {
                kind: 'clearVectors' as const,
                filter: { kind: 'idIn' as const, ids: [p.record.id] },
                dense: p.clearDense,
                sparse: p.clearSparse,
              },
            ]
          : []),
      ]);
      await this.records.batch(this.scope, collection.id, operations, namespace);
      return writeUsage(tokens);
    }
    if (b.filter === undefined || b.filter === null || isEmptyFilter(b.filter))
      throw invalid('An update by filter needs a non-empty filter');
    const filter = this.filter(collection, b.filter, false);
    const patch = documentPatch(
      collection,
      schema,
      { _id: 'update', ...(isObject(b.set_fields) ? b.set_fields : {}), _remove_fields: b.remove_fields ?? [] },
      0,
    );
    if (b.set_fields !== undefined && b.set_fields !== null && !isObject(b.set_fields))
      throw invalid('set_fields must be an object');
    const embedding = Object.keys(isObject(b.set_fields) ? b.set_fields : {}).find(
      (name) => Object.hasOwn(schema, name) && isEmbedField(schema[name]),
    );
    if (embedding !== undefined)
      throw invalid(
        `An update by filter cannot set ${embedding}, a field with integrated embedding; update its documents by id`,
      );
    const { record } = patch;
    if (record.embedding || record.sparse) throw invalid('An update by filter cannot set vector fields');
    const edits: RecordOperation[] = [];
    const set = Object.entries(record.metadata ?? {}).filter(([, v]) => v !== null);
    const unset = Object.entries(record.metadata ?? {}).filter(([, v]) => v === null);
    if (set.length === 0 && unset.length === 0 && !patch.clearDense && !patch.clearSparse)
      throw invalid('An update by filter needs set_fields or remove_fields');
    // The first operation counts the matches; every later one changes the same records.
    edits.push({ kind: 'editMetadata', filter, edit: { kind: 'merge', patch: Object.fromEntries(set) } });
    if (unset.length > 0)
      edits.push({ kind: 'editMetadata', filter, edit: { kind: 'unset', paths: unset.map(([k]) => [k]) } });
    if (patch.clearDense || patch.clearSparse)
      edits.push({ kind: 'clearVectors', filter, dense: patch.clearDense, sparse: patch.clearSparse });
    const [matched] = await this.records.batch(this.scope, collection.id, edits, namespace);
    return { matched_records: matched };
  }
}

/** A write's usage: present only when it embedded text, as Pinecone's DocumentWriteUsage. */
function writeUsage(tokens: number | null): { usage?: { embed_total_tokens: number } } {
  return tokens === null ? {} : { usage: { embed_total_tokens: tokens } };
}

/** Documents keyed by id, as own properties (an id `__proto__` included). */
function byId(
  schema: DocumentFields,
  records: Parameters<typeof recordToDocument>[1][],
  selection: ReturnType<typeof fieldSelection>,
) {
  return Object.fromEntries(records.map((r) => [r.id, recordToDocument(schema, r, selection)]));
}

/** A match's `_score`: BM25 and sparse as scored; a dense field's as the vectors API scores it. */
function score(collection: Collection, kind: string, value: number): number {
  if (kind !== 'dense') return value;
  return collection.metric === 'l2' ? value * value : value;
}
