import { Injectable } from '@nestjs/common';
import { InferenceService } from '../../inference/inference.service';
import { isObject } from '../json-guards';
import { pineconeExtras } from './index-spec';
import { wireNamespace } from './index-names';
import { inputTypeOf, type IndexEmbed } from './integrated-embed';
import { PineconeDataError } from './pinecone-error';
import { PineconeIndexesService } from './pinecone-indexes.service';
import { MAX_RERANK_DOCUMENTS } from './pinecone-inference.service';
import { PineconeVectorsService, type QueryRequest } from './pinecone-vectors.service';
import { checkId, planScore, type WireVector } from './vectors.mapper';
import type { Include } from '../../core/records/record.model';
import type { PlanNode } from '../../core/search/plan';
import { SearchPlanExecutor } from '../../core/search/plan-executor';

/** A search's hits carry their metadata (Pinecone's fields), never their values. */
const METADATA: Include = { embeddings: false, sparse: false, metadatas: true, documents: false, uris: false };

/** Records one upsert_records call takes, as Pinecone limits integrated upserts. */
export const MAX_RECORDS_PER_UPSERT = 96;
const MAX_TOP_K = 10_000;

export interface SearchHit {
  _id: string;
  _score: number;
  fields: Record<string, unknown>;
}

export interface SearchAnswer {
  result: { hits: SearchHit[] };
  namespace: string;
  usage: { read_units: number; embed_total_tokens?: number; rerank_units?: number };
}

const invalid = (message: string) => PineconeDataError.invalid(message);

function integrated(index: string, embed: IndexEmbed | null): IndexEmbed {
  if (!embed)
    throw invalid(
      `Index ${index} has no integrated embedding: upsert and query vectors, or create it with create-for-model`,
    );
  return embed;
}

/**
 * Pinecone's records API (upsert_records, search_records) over an integrated index: the text of
 * the field the index maps is embedded by the operator's provider first, then written or searched
 * as vectors are, so a provider that fails writes nothing.
 */
@Injectable()
export class PineconeRecordsService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly vectors: PineconeVectorsService,
    private readonly inference: InferenceService,
    private readonly plans: SearchPlanExecutor,
  ) {}

  async upsert(index: string, namespace: string, body: unknown): Promise<void> {
    const collection = await this.indexes.resolve(index);
    const embed = integrated(index, pineconeExtras(collection).embed);
    const records = Array.isArray(body) ? body : isObject(body) ? [body] : null;
    if (!records || records.length === 0)
      throw invalid('The body must hold records: JSON objects, one a line (NDJSON), each with an _id');
    if (records.length > MAX_RECORDS_PER_UPSERT)
      throw invalid(`At most ${MAX_RECORDS_PER_UPSERT} records per upsert, got ${records.length}`);
    const field = embed.field_map.text;
    const parsed = records.map((r, k) => {
      if (!isObject(r)) throw invalid(`Record ${k} must be a JSON object`);
      const { _id, id, ...fields } = r;
      const recordId = checkId(_id ?? id);
      const text = fields[field];
      if (typeof text !== 'string' || text.trim() === '')
        throw invalid(`Record ${recordId}: the field ${field} must hold the text to embed`);
      return { id: recordId, text, metadata: fields };
    });
    const embedded = await this.inference.embed(
      embed.model,
      parsed.map((p) => p.text),
      inputTypeOf(embed.write_parameters, 'passage'),
    );
    const vectors: WireVector[] = parsed.map((p, k) =>
      embedded.vectorType === 'dense'
        ? { id: p.id, values: embedded.vectors[k], metadata: p.metadata }
        : { id: p.id, sparseValues: embedded.vectors[k], metadata: p.metadata },
    );
    await this.vectors.upsert(index, namespace, vectors);
  }

  async search(index: string, namespace: string, body: unknown): Promise<SearchAnswer> {
    if (!isObject(body) || !isObject(body.query)) throw invalid('query must be an object');
    const query = body.query;
    const topK = query.top_k;
    if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K)
      throw invalid(`query.top_k must be an integer from 1 to ${MAX_TOP_K}`);
    const sources = (['inputs', 'vector', 'id'] as const).filter((k) => query[k] !== undefined && query[k] !== null);
    if (sources.length !== 1) throw invalid('query needs exactly one of inputs, vector or id');
    if (query.match_terms !== undefined && query.match_terms !== null)
      throw invalid(
        'query.match_terms is not supported by vecgate: it needs pinecone-sparse-english-v0, which vecgate does not run',
      );
    const fields = fieldsOf(body.fields);
    const rerank = rerankOf(body.rerank);
    // Every hit goes to the reranking model: as many as /rerank takes in one call, no more.
    if (rerank && topK > MAX_RERANK_DOCUMENTS)
      throw invalid(
        `query.top_k may be at most ${MAX_RERANK_DOCUMENTS} with rerank (every hit is reranked), got ${topK}`,
      );
    // Refused before any text is embedded: the model needs a query whatever the search finds.
    if (rerank && rerank.query === undefined && sources[0] !== 'inputs')
      throw invalid('rerank.query is required when the search is not by inputs.text');
    const collection = await this.indexes.resolve(index);
    const embed = pineconeExtras(collection).embed;
    const request: QueryRequest = { topK, includeMetadata: true };
    if (query.filter !== undefined && query.filter !== null) {
      if (!isObject(query.filter)) throw invalid('query.filter must be an object');
      request.filter = query.filter;
    }
    let queryText: string | undefined;
    let embedTokens: number | undefined;
    if (sources[0] === 'inputs') {
      const model = integrated(index, embed);
      if (!isObject(query.inputs) || typeof query.inputs.text !== 'string' || query.inputs.text.trim() === '')
        throw invalid('query.inputs must be {"text": "<the text to search with>"}');
      queryText = query.inputs.text;
      const embedded = await this.inference.embed(
        model.model,
        [queryText],
        inputTypeOf(model.read_parameters, 'query'),
      );
      embedTokens = embedded.tokens;
      if (embedded.vectorType === 'dense') request.vector = embedded.vectors[0];
      else request.sparseVector = embedded.vectors[0] as unknown as Record<string, unknown>;
    } else if (sources[0] === 'vector') {
      const v = query.vector;
      if (!isObject(v)) throw invalid('query.vector must be {"values", "sparse_values", "sparse_indices"}');
      if (v.values !== undefined) {
        if (!Array.isArray(v.values)) throw invalid('query.vector.values must be an array of numbers');
        request.vector = v.values;
      }
      if (v.sparse_values !== undefined || v.sparse_indices !== undefined)
        request.sparseVector = { indices: v.sparse_indices, values: v.sparse_values };
    } else {
      if (typeof query.id !== 'string') throw invalid('query.id must be a string');
      request.id = query.id;
    }
    const planned = await this.vectors.plan(index, namespace, request);
    let hits: SearchHit[] = [];
    if (planned.node) {
      const { collection, node } = planned;
      // The model scores the search's hits, then keeps its top_n (all of them by default).
      const plan: PlanNode = rerank
        ? {
            kind: 'rerank',
            model: rerank.model,
            query: rerank.query ?? queryText ?? '',
            rankFields: rerank.rankFields,
            inputs: [node],
            // There are at most top_k hits to keep: a larger top_n keeps them all.
            limit: Math.min(rerank.topN ?? topK, topK),
            offset: 0,
            threshold: null,
          }
        : node;
      const points = await this.plans.run(this.indexes.scope, collection.id, plan, METADATA, planned.namespace);
      hits = points.map((p) => ({ _id: p.id, _score: planScore(collection, p), fields: p.record?.metadata ?? {} }));
    }
    const rerankUnits = rerank && hits.length > 0 ? 1 : undefined;
    return {
      result: { hits: hits.map((h) => ({ ...h, fields: selected(h.fields, fields) })) },
      // The namespace that served the search: an alias's target when the request named an alias.
      namespace: wireNamespace(planned.namespace),
      usage: {
        read_units: 1,
        ...(embedTokens !== undefined ? { embed_total_tokens: embedTokens } : {}),
        ...(rerankUnits !== undefined ? { rerank_units: rerankUnits } : {}),
      },
    };
  }
}

function fieldsOf(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((f) => typeof f === 'string'))
    throw invalid('fields must be an array of field names');
  return value as string[];
}

function selected(all: Record<string, unknown>, fields: string[] | null): Record<string, unknown> {
  if (!fields) return all;
  return Object.fromEntries(fields.filter((f) => Object.hasOwn(all, f)).map((f) => [f, all[f]]));
}

interface RerankRequest {
  model: string;
  rankFields: string[];
  topN: number | null;
  query: string | undefined;
}

function rerankOf(value: unknown): RerankRequest | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw invalid('rerank must be an object');
  if (typeof value.model !== 'string' || value.model === '') throw invalid('rerank.model must be a model name');
  const rankFields = value.rank_fields;
  if (!Array.isArray(rankFields) || rankFields.length === 0 || !rankFields.every((f) => typeof f === 'string'))
    throw invalid('rerank.rank_fields must name at least one field');
  const topN = value.top_n;
  if (topN !== undefined && topN !== null && (typeof topN !== 'number' || !Number.isInteger(topN) || topN < 1))
    throw invalid('rerank.top_n must be a positive integer');
  if (value.query !== undefined && value.query !== null && typeof value.query !== 'string')
    throw invalid('rerank.query must be a string');
  return {
    model: value.model,
    rankFields: rankFields as string[],
    topN: (topN as number | undefined) ?? null,
    query: (value.query as string | null | undefined) ?? undefined,
  };
}
