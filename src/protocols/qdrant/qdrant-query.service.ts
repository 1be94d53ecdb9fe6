import { Injectable } from '@nestjs/common';
import type { Collection } from '../../core/collections/collection.model';
import { and, not, type FilterNode } from '../../core/filters/filter-ast';
import { DenseVector } from '../../core/records/dense-vector';
import { MAX_QUERY_TOKENS, shortestFloat32 } from '../../core/records/multivector';
import { checkPairwiseWork } from '../../core/records/pairwise-work';
import type { SparseText, StoredRecord } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import { InferenceService } from '../../inference/inference.service';
import { isObject, type JsonObject } from '../json-guards';
import { pointId, showId } from './point-ids';
import { QdrantCollectionsService } from './qdrant-collections.service';
import { aliased, onlyFields, unsigned } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { parseQdrantFilter, payloadKey } from './qdrant-filter.parser';
import { orderByOf } from './order-by';
import { layoutOf, resolveVector, type QdrantLayout, type VectorRef } from './qdrant-layout';
import type { Fusion } from '../../core/search/fusion';
import type { MmrSettings, PlanNode, Retriever, Scored } from '../../core/search/plan';
import { SearchPlanExecutor } from '../../core/search/plan-executor';
import type { ScoreNode } from '../../core/search/similarity-score';
import { QdrantDocuments } from './qdrant-inference';
import { QdrantBm25 } from './qdrant-bm25';
import {
  denseFor,
  multiFor,
  includeFor,
  payloadSelector,
  selectPayload,
  shownRecord,
  shownVectors,
  sparseFor,
  vectorSelector,
  type PayloadSelector,
  type VectorSelector,
} from './qdrant-points.mapper';
import { checkRequestWork } from './request-work';
import {
  checkBatchStrict,
  checkFullScan,
  checkGroupsStrict,
  checkMatrixStrict,
  checkQueryStrict,
  checkSearchStrict,
  checkTimeout,
  enabledStrictMode,
  filterCost,
  legacyRecommendCost,
  queryCost,
  takeTokens,
} from './strict-mode';

/** The read cost of a legacy discover: its target and context pairs' vectors, with its filter's conditions. */
function discoverCost(body: JsonObject): number {
  return (
    (body.target === undefined || body.target === null ? 0 : 1) +
    2 * (Array.isArray(body.context) ? body.context.length : 0) +
    filterCost(body.filter)
  );
}
import {
  MAX_CONTEXT_PAIRS,
  MAX_EXAMPLES,
  MAX_INPUTS as MAX_PREFETCHES,
  MAX_MMR_CANDIDATES,
  MAX_RESULTS,
  MAX_SEARCHES,
} from '../../core/search/plan-budget';

/** The most points a search matrix samples (each is compared with each). */
const MAX_MATRIX_SAMPLE = 1_000;
const MAX_BATCH = 100;
/** Qdrant's default k of Reciprocal Rank Fusion (lib/segment reciprocal_rank_fusion.rs). */
const DEFAULT_RRF_K = 2;

/**
 * A query vector for one of the collection's vectors: its default dense or sparse one, or the
 * named vector `using` names (a VectorField of the core).
 */
type Query = (
  | { dense: DenseVector }
  | { sparse: SparseText }
  | { score: ScoredBy }
  | { multi: DenseVector[] }
  | { multiScore: MultiScoredBy }
) & {
  using?: string;
};

/** A query scored over each point's similarities to several vectors: discover, context, recommend's other strategies. */
interface ScoredBy {
  vectors: DenseVector[];
  node: ScoreNode;
}

/** The same through a multivector: each example a multivector (its tokens), each similarity its MaxSim. */
interface MultiScoredBy {
  examples: DenseVector[][];
  node: ScoreNode;
}

/** An example of recommend, discover or context: a dense vector, or a multivector's tokens. */
type Example = DenseVector | DenseVector[];

/** Qdrant's margin of a context pair (f32::EPSILON): a point exactly between its two examples still loses. */
const CONTEXT_MARGIN = 1.1920929e-7;

const similarity = (vector: number): ScoreNode => ({ kind: 'similarity', vector });

/** The score a context pair adds (Qdrant's loss_by): 0 when the point is nearer the positive, below 0 the nearer the negative. */
function contextLoss(positive: number, negative: number): ScoreNode {
  const difference: ScoreNode = {
    kind: 'sub',
    left: { kind: 'sub', left: similarity(positive), right: similarity(negative) },
    right: { kind: 'value', value: CONTEXT_MARGIN },
  };
  return { kind: 'sigmoid', operand: { kind: 'min', terms: [difference, { kind: 'value', value: 0 }] } };
}

/** One search as Qdrant's requests describe it, once parsed. */
interface Search {
  query: Query;
  /** Its `params` (SearchParams), checked: a multivector search takes `exact` and `hnsw_ef`. */
  params?: unknown;
  filter: FilterNode;
  limit: number;
  offset: number;
  threshold: number | null;
  /** A limit past the budget, cut to it (limitWithin). */
  whole?: boolean;
}

/** Qdrant's words for prefetches without a query over them to merge their points. */
const NO_MERGING_QUERY = "A query is needed to merge the prefetches. Can't have prefetches without defining a query.";

/**
 * A prefetch as parsed, its nested ones too: every part of a request is checked (fields, bounds,
 * fusion, MMR) before anything is read. Its query stays as sent: reading it may read points (an
 * id's vector, recommend's examples), which `resolve` does before any search runs.
 */
interface PrefetchPlan {
  /** Its own filter and every outer one. */
  filter: FilterNode;
  limit: number;
  /** A limit past the budget, cut to it (limitWithin). */
  whole?: boolean;
  threshold: number | null;
  query: unknown;
  using: unknown;
  params: unknown;
  lookupFrom: unknown;
  mmr: MmrSettings | null;
  /** Set when its query fuses its nested prefetches' lists. */
  fusion: Fusion | null;
  inner: PrefetchPlan[];
}

/** Whether the sparse vector a query searches (the first one, or the named one) was declared with `modifier: idf`. */
function idfModified(layout: QdrantLayout, using: string | undefined): boolean {
  if (using === undefined) return layout.sparse?.modifier === 'idf';
  return layout.namedParams[using]?.modifier === 'idf';
}

/**
 * A search's `params.idf`: `"global"` (the default) or `{corpus: filter}`, the points whose
 * statistics weigh a sparse query's terms, whatever the search's own filter keeps. Refused, as
 * Qdrant refuses it, on a search through any vector but a sparse one with `modifier: idf`.
 */
function idfParams(layout: QdrantLayout, query: Query, params: unknown): { corpus?: FilterNode } {
  const idf = isObject(params) ? params.idf : undefined;
  if (idf === undefined || idf === null) return {};
  if (!('sparse' in query) || !idfModified(layout, query.using))
    throw QdrantHttpError.badRequest(
      `Validation failed: search param \`idf\` requires a sparse vector with the \`idf\` modifier, which vector ${JSON.stringify(query.using ?? ('sparse' in query ? layout.sparse?.name : layout.dense) ?? '')} is not`,
    );
  if (idf === 'global') return {};
  if (!isObject(idf) || idf.corpus === undefined)
    throw QdrantHttpError.format('params.idf: data did not match any variant of untagged enum IdfParams');
  onlyFields(idf, ['corpus'], 'params.idf');
  return { corpus: parseQdrantFilter(idf.corpus, layout, 'params.idf.corpus') };
}

/**
 * The core's retriever for a parsed query (the plan's leaf). A multivector search takes its
 * `params`: `exact`, and `hnsw_ef` as the nearest tokens each query token contributes.
 */
function retrieverOf(layout: QdrantLayout, query: Query, params?: unknown): Retriever {
  const idf = idfParams(layout, query, params);
  if ('dense' in query) return { kind: 'dense', vector: query.dense, using: query.using };
  if ('multi' in query) {
    const p = isObject(params) ? params : {};
    const ef = typeof p.hnsw_ef === 'number' && p.hnsw_ef > 0 ? Math.min(Math.trunc(p.hnsw_ef), 1000) : undefined;
    return {
      kind: 'multi',
      tokens: query.multi,
      using: query.using ?? '',
      ...(p.exact === true ? { exact: true } : {}),
      ...(ef !== undefined ? { candidates: ef } : {}),
    };
  }
  if ('sparse' in query)
    return {
      kind: 'sparse',
      text: query.sparse.text,
      using: query.using,
      idf: idfModified(layout, query.using),
      ...(idf.corpus === undefined ? {} : { idfCorpus: idf.corpus }),
    };
  if ('multiScore' in query)
    return {
      kind: 'multiScoredBy',
      examples: query.multiScore.examples,
      score: query.multiScore.node,
      using: query.using ?? '',
    };
  return { kind: 'scoredBy', vectors: query.score.vectors, score: query.score.node, using: query.using };
}

/** The examples of a multivector score or average hold at most one query's tokens together (they are its query tokens). */
function checkExampleTokens(examples: DenseVector[][]): void {
  const tokens = examples.reduce((sum, e) => sum + e.length, 0);
  if (tokens > MAX_QUERY_TOKENS)
    throw QdrantHttpError.badRequest(
      `the examples of a query through a multivector hold at most ${MAX_QUERY_TOKENS} token vectors together, these ${tokens}`,
    );
}

/**
 * Qdrant's check of a query's request (CollectionQueryRequest::validation, once the points it
 * names are read): a fusion query with a vector named in `using`.
 */
function checkFusionUsing(query: unknown, using: unknown): void {
  if (isObject(query) && 'fusion' in query && typeof using === 'string' && using !== '')
    throw QdrantHttpError.badRequest("Fusion queries cannot be combined with the 'using' field.");
}

/**
 * A query's (or prefetch's) fields, as onlyFields checks them; a body that also combines fusion
 * with `using` gets Qdrant's words for that instead, since Qdrant ignores the unknown field and
 * refuses the combination (its own tests send such a body, with a `vector` field).
 */
function queryFields(body: JsonObject, fields: readonly string[], where: string): JsonObject {
  try {
    return onlyFields(body, fields, where);
  } catch (err) {
    checkFusionUsing(body.query, body.using);
    throw err;
  }
}

/**
 * The retriever of a query that reads no vector: `order_by` (points by a payload key) or `sample`
 * (drawn at random), at the top of a request, over its prefetches or in one; undefined for any
 * other query.
 */
function filterOnlyRetriever(q: unknown, at: string): Retriever | undefined {
  if (isObject(q) && 'sample' in q) {
    onlyFields(q, FIELDS.SampleQuery, at);
    if (q.sample !== 'random') throw QdrantHttpError.format('sample: unknown variant, expected random');
    return { kind: 'sample' };
  }
  if (isObject(q) && 'order_by' in q) {
    onlyFields(q, FIELDS.OrderByQuery, at);
    return { kind: 'ordered', orderBy: orderByOf(q.order_by) };
  }
  return undefined;
}

/**
 * A query's limit within the plans' budget (MAX_RESULTS, with its offset). A larger one (Qdrant's
 * own tests ask for u64::MAX) is cut to the budget and marked `whole`: the core then refuses the
 * list if it fills the cut limit, and otherwise it holds every point the larger limit would have.
 * An offset past half the budget leaves too little to be worth it: a 400 at once.
 */
function limitWithin(limit: number, offset: number, what: string): { limit: number; whole?: true } {
  if (limit + offset <= MAX_RESULTS) return { limit };
  if (offset > MAX_RESULTS / 2) throw QdrantHttpError.badRequest(`${what} may be at most ${MAX_RESULTS}`);
  return { limit: MAX_RESULTS - offset, whole: true };
}

/** A prefetch's `whole` mark (limitWithin), for its plan node. */
const windowOf = (plan: { whole?: boolean }) => (plan.whole ? { whole: true } : {});

/** MMR weighs dense similarities only: refused before anything runs. */
function checkMmr(mmr: MmrSettings | null, query: Query): void {
  if (mmr !== null && !('dense' in query))
    throw QdrantHttpError.badRequest('vecgate applies mmr to dense vectors only');
}

function threshold(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw QdrantHttpError.format('score_threshold must be a number');
  return value;
}

/** A request's `params` (Qdrant's SearchParams): accepted and not applied, its fields checked all the same. */
function searchParams(value: unknown, at: string): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) throw QdrantHttpError.format(`${at} must be an object`);
  onlyFields(value, FIELDS.SearchParams, at);
}

function isPointId(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string';
}

/** A query's own words, for one of its many forms. */
interface Shown {
  payload: PayloadSelector;
  vector: VectorSelector;
}

/** A request parsed into the core's plan, with what its answer shows. */
interface Planned {
  node: PlanNode;
  shown: Shown;
}

/**
 * Qdrant's searches: the Query API (a vector, a point id, nearest, recommend, fusion of
 * prefetches) and the legacy search and recommend routes. Each request is parsed whole, the points
 * it refers to are read, and the core runs it as one search plan (SearchPlanExecutor: the tuned
 * HNSW walk or an exact scan, as for every protocol, fusion and MMR); this renders the points.
 */
@Injectable()
export class QdrantQueryService {
  constructor(
    private readonly collections: QdrantCollectionsService,
    private readonly records: RecordsService,
    private readonly inference: InferenceService,
    private readonly bm25: QdrantBm25,
    private readonly plans: SearchPlanExecutor,
  ) {}

  private get scope() {
    return this.collections.scope;
  }

  /** Strict mode's full-scan check (checkFullScan) over this collection's vectors and payload indexes. */
  private checkFullScan(c: Collection, body: JsonObject, strict: JsonObject): void {
    const layout = layoutOf(c);
    checkFullScan(body, strict, layout.settings, layout.payloadIndexes, (using) => {
      const ref = resolveVector(c, layout, using);
      const own = ref?.field ? layout.namedParams[ref.field.name] : layout.vectorParams;
      return { sparse: ref?.kind === 'sparse', hnsw: own?.hnsw_config };
    });
  }

  /** The collection's strict mode when enabled, the request's `timeout` checked against it. */
  private strict(c: Collection, timeout: unknown): JsonObject | null {
    const strict = enabledStrictMode(layoutOf(c).settings);
    checkTimeout(timeout, strict);
    return strict;
  }

  /**
   * The Documents of Query API requests (their queries, examples and prefetches), embedded as
   * queries in one go and put in place as vectors before the requests are parsed.
   */
  private async embedDocuments(c: Collection, bodies: unknown[]): Promise<void> {
    const documents = new QdrantDocuments(this.inference, c, layoutOf(c), 'query', this.bm25);
    bodies.forEach((body, i) => documents.query(body, bodies.length > 1 ? `searches[${i}].` : ''));
    await documents.embed();
  }

  /** POST points/query. */
  async query(name: string, body: JsonObject, timeout?: unknown) {
    queryFields(body, FIELDS.QueryRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) {
      checkQueryStrict(body, strict);
      this.checkFullScan(c, body, strict);
    }
    takeTokens(c.id, strict, 'Read', queryCost(body));
    await this.embedDocuments(c, [body]);
    return { points: await this.queryIn(c, body) };
  }

  /**
   * POST points/query/groups: the best `limit` groups of points sharing a value of `group_by`, each
   * with its best `group_size` points, groups in the order of their best point. Drawn from the best
   * `limit` × `group_size` × 4 matches (at most 10,000): a group whose points all rank below those
   * is not seen.
   */
  async queryGroups(name: string, body: JsonObject, timeout?: unknown) {
    queryFields(body, FIELDS.QueryGroupsRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkGroupsStrict(body, strict, layoutOf(c).payloadIndexes);
    takeTokens(c.id, strict, 'Read', queryCost(body));
    await this.embedDocuments(c, [body]);
    return this.grouped(c, body, (candidates) =>
      this.planQuery(c, { ...body, limit: candidates, offset: 0, with_payload: true }),
    );
  }

  /** POST points/search/groups (legacy): a search's matches grouped as query/groups groups them. */
  async searchGroups(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.SearchGroupsRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkGroupsStrict(body, strict, layoutOf(c).payloadIndexes);
    takeTokens(c.id, strict, 'Read', 1 + filterCost(body.filter));
    return this.grouped(c, body, async (candidates) =>
      this.planLegacySearch(c, { ...body, limit: candidates, offset: 0, with_payload: true }),
    );
  }

  /** POST points/recommend/groups (legacy). */
  async recommendGroups(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.RecommendGroupsRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkGroupsStrict(body, strict, layoutOf(c).payloadIndexes);
    takeTokens(c.id, strict, 'Read', legacyRecommendCost(body));
    return this.grouped(c, body, (candidates) =>
      this.planLegacyRecommend(c, { ...body, limit: candidates, offset: 0, with_payload: true }),
    );
  }

  /**
   * Groups the points of the plan `plan` makes for its best `candidates` (the core's grouping),
   * and with `with_lookup` gives each group the point of another collection whose id is the
   * group's value.
   */
  private async grouped(c: Collection, body: JsonObject, plan: (candidates: number) => Promise<Planned>) {
    const key = payloadKey(body.group_by, 'group_by');
    const path = Array.isArray(key) ? key : [key];
    const groupSize = unsigned(body.group_size, 'group_size', 3);
    const limit = unsigned(body.limit, 'limit', 10);
    if (groupSize < 1 || limit < 1) throw QdrantHttpError.format('group_size and limit must be at least 1');
    const candidates = Math.min(MAX_RESULTS, Math.max(100, limit * groupSize * 4));
    const lookup = body.with_lookup === undefined || body.with_lookup === null ? null : this.lookupOf(body.with_lookup);
    const { node, shown } = await plan(candidates);
    const layout = layoutOf(c);
    const grouping = { path, size: groupSize, groups: limit };
    const include = includeFor(layout, shown.payload, shown.vector);
    // Each hit shows the payload the request asks for (its search read all of it, to group by).
    const hitShown = { ...shown, payload: payloadSelector(body.with_payload, false) };
    // The lookup collection, read before the search runs: a missing one is a 404 that costs none.
    let from: { id: string; layout: QdrantLayout; payload: PayloadSelector; vector: VectorSelector } | null = null;
    if (lookup) {
      const other = await this.collections.get(lookup.collection);
      from = { id: other.id, layout: layoutOf(other), payload: lookup.payload, vector: lookup.vector };
    }
    const groups = await this.plans.groups(this.scope, c.id, node, grouping, include, {
      lookup: from
        ? { collectionId: from.id, include: includeFor(from.layout, from.payload, from.vector), idOf: lookupId }
        : undefined,
    });
    return {
      groups: groups.map((g) => ({
        id: g.value,
        hits: g.points.map((p) => this.shownPoint(p, layout, hitShown)),
        ...(from && g.lookup ? { lookup: shownRecord(g.lookup, from.layout, from.payload, from.vector) } : {}),
      })),
    };
  }

  /** with_lookup: a collection's name, or `{collection, with_payload, with_vectors}`. */
  private lookupOf(value: unknown): { collection: string; payload: PayloadSelector; vector: VectorSelector } {
    if (typeof value === 'string') return { collection: value, payload: true, vector: false };
    if (!isObject(value) || typeof value.collection !== 'string')
      throw QdrantHttpError.format('with_lookup must be a collection name or {collection, with_payload, with_vectors}');
    onlyFields(value, FIELDS.WithLookup, 'with_lookup');
    return {
      collection: value.collection,
      payload: payloadSelector(value.with_payload, true),
      vector: vectorSelector(aliased(value, 'with_vectors', 'with_vector'), false),
    };
  }

  /**
   * POST points/search/matrix/pairs and /offsets: `sample` random matching points, and for each its
   * `limit` nearest among them (itself left out), scored as searches are.
   */
  async matrix(name: string, body: JsonObject, shape: 'pairs' | 'offsets', timeout?: unknown) {
    onlyFields(body, FIELDS.SearchMatrixRequest, 'the body');
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkMatrixStrict(body, strict);
    takeTokens(c.id, strict, 'Read', 1 + filterCost(body.filter));
    const layout = layoutOf(c);
    const sample = unsigned(body.sample, 'sample', 10);
    const limit = unsigned(body.limit, 'limit', 3);
    if (sample > MAX_MATRIX_SAMPLE) throw QdrantHttpError.badRequest(`sample may be at most ${MAX_MATRIX_SAMPLE}`);
    const using = body.using === undefined || body.using === null ? '' : body.using;
    const ref = typeof using === 'string' ? resolveVector(c, layout, using) : null;
    if (ref?.kind !== 'dense') throw QdrantHttpError.wrongInput(`Not existing vector name error: ${String(using)}`);
    const { collection, ids, pairs } = await this.records.searchMatrix(this.scope, c.id, {
      filter: parseQdrantFilter(body.filter, layout),
      sample,
      limit: Math.min(limit, Math.max(0, sample - 1)),
      using: ref.field?.name,
    });
    // Similarity is higher for closer vectors; Qdrant reports distances for Euclid and Manhattan,
    // as the float32 it computes, written as serde writes one (1.4063001, not 1.4063000679016113).
    const shownScore = (s: number) =>
      shortestFloat32(collection.metric === 'l2' || collection.metric === 'l1' ? -s : s);
    if (shape === 'pairs')
      return { pairs: pairs.map((p) => ({ a: showId(p.a), b: showId(p.b), score: shownScore(p.similarity) })) };
    const at = new Map(ids.map((id, i) => [id, i]));
    return {
      offsets_row: pairs.map((p) => at.get(p.a)!),
      offsets_col: pairs.map((p) => at.get(p.b)!),
      scores: pairs.map((p) => shownScore(p.similarity)),
      ids: ids.map(showId),
    };
  }

  async queryBatch(name: string, body: JsonObject, timeout?: unknown) {
    return this.batch(
      name,
      body,
      FIELDS.QueryRequest,
      {
        timeout,
        check: (s, strict, c) => {
          checkQueryStrict(s, strict);
          this.checkFullScan(c, s, strict);
        },
        cost: queryCost,
      },
      async (c, s) => ({ points: await this.queryIn(c, s) }),
      (c, searches) => this.embedDocuments(c, searches),
    );
  }

  /** POST points/search (legacy): `vector` as a list, or `{name, vector}`. */
  async search(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.SearchRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkSearchStrict(body, strict);
    takeTokens(c.id, strict, 'Read', 1 + filterCost(body.filter));
    return this.legacySearch(c, body);
  }

  async searchBatch(name: string, body: JsonObject, timeout?: unknown) {
    const cost = (s: JsonObject) => 1 + filterCost(s.filter);
    return this.batch(name, body, FIELDS.SearchRequest, { timeout, check: checkSearchStrict, cost }, (c, s) =>
      this.legacySearch(c, s),
    );
  }

  /** POST points/recommend (legacy): positive and negative examples, the average_vector strategy. */
  async recommend(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.RecommendRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkSearchStrict(body, strict);
    takeTokens(c.id, strict, 'Read', legacyRecommendCost(body));
    return this.legacyRecommend(c, body);
  }

  async recommendBatch(name: string, body: JsonObject, timeout?: unknown) {
    const strictness = { timeout, check: checkSearchStrict, cost: legacyRecommendCost };
    return this.batch(name, body, FIELDS.RecommendRequest, strictness, (c, s) => this.legacyRecommend(c, s));
  }

  /**
   * A batch route: each of `searches` (each with the fields of its request) answered in turn, in
   * one answer, after `prepare` has seen them all.
   */
  private async batch<T>(
    name: string,
    body: JsonObject,
    fields: readonly string[],
    strictness: {
      timeout: unknown;
      check: (search: JsonObject, strict: JsonObject, c: Collection) => void;
      cost: (search: JsonObject) => number;
    },
    one: (c: Collection, search: JsonObject) => Promise<T>,
    prepare?: (c: Collection, searches: unknown[]) => Promise<void>,
  ) {
    onlyFields(body, FIELDS.Searches, 'the body');
    if (!Array.isArray(body.searches)) throw QdrantHttpError.format('searches must be a list');
    if (body.searches.length > MAX_BATCH)
      throw QdrantHttpError.badRequest(`a batch may hold at most ${MAX_BATCH} searches`);
    const searches = body.searches.map((s, i) => {
      if (!isObject(s)) throw QdrantHttpError.format(`searches[${i}] must be an object`);
      return fields === FIELDS.QueryRequest
        ? queryFields(s, fields, `searches[${i}]`)
        : onlyFields(s, fields, `searches[${i}]`);
    });
    checkRequestWork(searches);
    const c = await this.collections.get(name);
    const strict = this.strict(c, strictness.timeout);
    if (strict) {
      checkBatchStrict(searches.length, strict);
      for (const s of searches) strictness.check(s, strict, c);
    }
    takeTokens(
      c.id,
      strict,
      'Read',
      searches.map(strictness.cost).reduce((a, b) => a + b, 0),
    );
    await prepare?.(c, searches);
    const out: T[] = [];
    for (const s of searches) out.push(await one(c, s));
    return out;
  }

  private async legacySearch(c: Collection, body: JsonObject) {
    return this.render(c, this.planLegacySearch(c, body));
  }

  private planLegacySearch(c: Collection, body: JsonObject): Planned {
    const layout = layoutOf(c);
    let using: unknown = undefined;
    let vector = body.vector;
    if (isObject(vector) && 'name' in vector) {
      onlyFields(vector, FIELDS.NamedVector, 'vector');
      using = vector.name;
      vector = 'vector' in vector ? vector.vector : vector;
    }
    const query = this.vectorQuery(c, layout, vector, using, 'vector');
    const shown = {
      payload: payloadSelector(body.with_payload, false),
      vector: vectorSelector(aliased(body, 'with_vector', 'with_vectors'), false),
    };
    return this.planned(layout, this.searchOf(body, layout, query, 10), shown);
  }

  /** POST points/discover (legacy): `target` and `context` pairs, or `context` alone. */
  async discover(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.DiscoverRequest, 'the body');
    checkRequestWork([body]);
    const c = await this.collections.get(name);
    const strict = this.strict(c, timeout);
    if (strict) checkSearchStrict(body, strict);
    takeTokens(c.id, strict, 'Read', discoverCost(body));
    return this.legacyDiscover(c, body);
  }

  async discoverBatch(name: string, body: JsonObject, timeout?: unknown) {
    const strictness = { timeout, check: checkSearchStrict, cost: discoverCost };
    return this.batch(name, body, FIELDS.DiscoverRequest, strictness, (c, s) => this.legacyDiscover(c, s));
  }

  private legacyDiscover(c: Collection, body: JsonObject) {
    const target = body.target === null ? undefined : body.target;
    return this.render(
      c,
      this.legacyByExamples(c, body, (layout, using) =>
        this.discoverQuery(c, layout, target, body.context, using, body.lookup_from),
      ),
    );
  }

  private legacyRecommend(c: Collection, body: JsonObject) {
    return this.render(c, this.planLegacyRecommend(c, body));
  }

  private planLegacyRecommend(c: Collection, body: JsonObject) {
    return this.legacyByExamples(c, body, (layout, using) =>
      this.recommendQuery(c, layout, body, using, body.lookup_from, 'legacy'),
    );
  }

  /** A legacy route whose query is made from examples (recommend, discover): their points left out of the answer. */
  private async legacyByExamples(
    c: Collection,
    body: JsonObject,
    parse: (layout: QdrantLayout, using: string | undefined) => Promise<{ query: Query; exclude: FilterNode }>,
  ): Promise<Planned> {
    const layout = layoutOf(c);
    const { query, exclude } = await parse(layout, typeof body.using === 'string' ? body.using : undefined);
    const search = this.searchOf(body, layout, query, 10);
    search.filter = and(search.filter, exclude);
    const shown = {
      payload: payloadSelector(body.with_payload, false),
      vector: vectorSelector(aliased(body, 'with_vector', 'with_vectors'), false),
    };
    return this.planned(layout, search, shown);
  }

  private searchOf(body: JsonObject, layout: QdrantLayout, query: Query, defaultLimit: number): Search {
    searchParams(body.params, 'params');
    const limit = unsigned(aliased(body, 'limit', 'top'), 'limit', defaultLimit);
    const offset = unsigned(body.offset, 'offset', 0);
    if (limit + offset > MAX_RESULTS) throw QdrantHttpError.badRequest(`limit + offset may be at most ${MAX_RESULTS}`);
    return {
      query,
      params: body.params,
      filter: parseQdrantFilter(body.filter, layout),
      limit,
      offset,
      threshold: threshold(body.score_threshold),
    };
  }

  /** The Query API: one request, maybe nesting prefetches. */
  private async queryIn(c: Collection, body: JsonObject): Promise<JsonObject[]> {
    return this.render(c, await this.planQuery(c, body));
  }

  /** A Query API request as the core's plan, and what its answer shows. */
  private async planQuery(c: Collection, body: JsonObject): Promise<Planned> {
    const layout = layoutOf(c);
    // A lookup_from collection must exist, whether or not the query names a point in it (Qdrant's 404).
    await this.lookupExists(body.lookup_from);
    searchParams(body.params, 'params');
    const shown = {
      payload: payloadSelector(body.with_payload, false),
      vector: vectorSelector(aliased(body, 'with_vector', 'with_vectors'), false),
    };
    const asked = unsigned(body.limit, 'limit', 10);
    // Qdrant validates the request it builds (QueryRequestInternal): a limit of 0 is its 422.
    if (asked === 0) throw QdrantHttpError.validation('internal.limit', 'value 0 invalid, must be 1 or larger');
    const offset = unsigned(body.offset, 'offset', 0);
    const { limit, whole } = limitWithin(asked, offset, 'limit + offset');
    const filter = parseQdrantFilter(body.filter, layout);
    const th = threshold(body.score_threshold);
    const prefetches =
      body.prefetch === undefined || body.prefetch === null
        ? []
        : Array.isArray(body.prefetch)
          ? body.prefetch
          : [body.prefetch];
    let q = body.query;
    if (isObject(q) && 'nearest' in q) onlyFields(q, FIELDS.NearestQuery, 'query');
    const mmr = isObject(q) && 'nearest' in q && q.mmr !== undefined && q.mmr !== null ? q.mmr : null;
    if (isObject(q) && 'nearest' in q) q = q.nearest;
    if (prefetches.length > MAX_PREFETCHES) throw QdrantHttpError.badRequest(`at most ${MAX_PREFETCHES} prefetches`);
    // Every part checked first, then run: a fault deep in the last prefetch costs no search.
    const budget = { searches: MAX_SEARCHES };
    const plans = prefetches.map((p, i) => {
      if (!isObject(p)) throw QdrantHttpError.format(`prefetch[${i}] must be an object`);
      return this.parsePrefetch(c, layout, p, filter, 1, budget, `prefetch[${i}]`);
    });
    const mmrPlan = mmr === null ? null : this.parseMmr(c, limit + offset, body.using, mmr, 'query.mmr');
    const fusion = prefetches.length > 0 && mmr === null ? this.fusionOf(q, prefetches.length) : null;
    // The points the request refers to are read next, then the core runs the whole plan.
    const inputs: PlanNode[] = [];
    for (const plan of plans) inputs.push(await this.resolve(c, layout, plan));
    checkFusionUsing(q, body.using);
    if (mmrPlan !== null || prefetches.length > 0) {
      const window = { limit, offset, threshold: th, ...(whole ? { whole } : {}) };
      if (fusion) return { node: { kind: 'fuse', fusion, inputs, ...window }, shown };
      if (prefetches.length > 0 && (q === undefined || q === null)) throw QdrantHttpError.badRequest(NO_MERGING_QUERY);
      // order_by or sample over prefetches: their points ordered by the key, or drawn at random.
      const over = mmrPlan === null ? filterOnlyRetriever(q, 'query') : undefined;
      if (over) {
        if (th !== null && over.kind === 'ordered')
          throw QdrantHttpError.badRequest("Can't use score_threshold with an order_by query.");
        const node: PlanNode = {
          kind: 'search',
          retriever: over,
          filter,
          mmr: null,
          inputs,
          ...window,
          threshold: null,
        };
        return { node, shown };
      }
      const { query, exclude } = await this.parseQuery(c, layout, q, body.using, body.lookup_from);
      checkMmr(mmrPlan, query);
      const retriever = retrieverOf(layout, query, body.params);
      const node: PlanNode = {
        kind: 'search',
        retriever,
        filter: and(filter, exclude),
        mmr: mmrPlan,
        inputs,
        ...window,
      };
      return { node, shown };
    }
    // Filter only: points in id order (a query without a query), drawn at random, or by a payload key.
    const filterOnly: Retriever | undefined =
      q === undefined || q === null ? { kind: 'scroll' } : filterOnlyRetriever(q, 'query');
    if (filterOnly) {
      // A score threshold means nothing to points scored 0 (or by their order value): Qdrant refuses
      // it without a query and with order_by, and a random draw ignores it.
      if (th !== null && filterOnly.kind === 'scroll')
        throw QdrantHttpError.badRequest(
          "A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
        );
      if (th !== null && filterOnly.kind === 'ordered')
        throw QdrantHttpError.badRequest("Can't use score_threshold with an order_by query.");
      const node: PlanNode = {
        kind: 'search',
        retriever: filterOnly,
        filter,
        mmr: null,
        inputs: [],
        limit,
        offset,
        threshold: null,
        ...(whole ? { whole } : {}),
      };
      return { node, shown };
    }
    const { query, exclude } = await this.parseQuery(c, layout, q, body.using, body.lookup_from);
    return this.planned(
      layout,
      {
        query,
        filter: and(filter, exclude),
        limit,
        offset,
        threshold: th,
        params: body.params,
        ...(whole ? { whole } : {}),
      },
      shown,
    );
  }

  /** A prefetch and its nested ones, checked (fields, bounds, fusion, MMR), before any runs. */
  private parsePrefetch(
    c: Collection,
    layout: QdrantLayout,
    p: JsonObject,
    outer: FilterNode,
    depth: number,
    budget: { searches: number },
    at: string,
  ): PrefetchPlan {
    if (depth > 4) throw QdrantHttpError.badRequest('prefetches may nest at most 4 deep');
    if (--budget.searches < 0)
      throw QdrantHttpError.badRequest(`a query may run at most ${MAX_SEARCHES} searches, its prefetches included`);
    queryFields(p, FIELDS.Prefetch, at);
    searchParams(p.params, `${at}.params`);
    const filter = and(outer, parseQdrantFilter(p.filter, layout, `${at}.filter`));
    const { limit, whole } = limitWithin(unsigned(p.limit, 'prefetch.limit', 10), 0, 'prefetch.limit');
    const nested =
      p.prefetch === undefined || p.prefetch === null ? [] : Array.isArray(p.prefetch) ? p.prefetch : [p.prefetch];
    let q = p.query;
    let mmr: unknown = null;
    if (isObject(q) && 'nearest' in q) {
      onlyFields(q, FIELDS.NearestQuery, `${at}.query`);
      if (q.mmr !== undefined && q.mmr !== null) mmr = q.mmr;
      q = q.nearest;
    }
    const th = threshold(p.score_threshold);
    const inner = nested.map((ip, i) => {
      if (!isObject(ip)) throw QdrantHttpError.format(`${at}.prefetch[${i}] must be an object`);
      return this.parsePrefetch(c, layout, ip, filter, depth + 1, budget, `${at}.prefetch[${i}]`);
    });
    const fusion = inner.length > 0 && mmr === null ? this.fusionOf(q, inner.length) : null;
    if (inner.length > 0 && (q === undefined || q === null)) throw QdrantHttpError.badRequest(NO_MERGING_QUERY);
    return {
      filter,
      limit,
      ...(whole ? { whole } : {}),
      threshold: th,
      query: q,
      using: p.using,
      params: p.params,
      lookupFrom: p.lookup_from,
      mmr: mmr === null ? null : this.parseMmr(c, limit, p.using, mmr, `${at}.query.mmr`),
      fusion,
      inner,
    };
  }

  private async lookupExists(lookupFrom: unknown): Promise<void> {
    if (isObject(lookupFrom) && typeof lookupFrom.collection === 'string')
      await this.lookupCollection(lookupFrom.collection);
  }

  /** The collection `lookup_from` names; a missing one is Qdrant's 404 in its lookup words. */
  private async lookupCollection(name: string): Promise<Collection> {
    try {
      return await this.collections.get(name);
    } catch (err) {
      if (err instanceof QdrantHttpError && err.status === 404)
        throw QdrantHttpError.notFound(`Collection ${name} not found`);
      throw err;
    }
  }

  /** A prefetch as the core's plan node: the points its queries refer to read, its filter and the outer ones applied. */
  private async resolve(c: Collection, layout: QdrantLayout, plan: PrefetchPlan): Promise<PlanNode> {
    await this.lookupExists(plan.lookupFrom);
    const inputs: PlanNode[] = [];
    for (const inner of plan.inner) inputs.push(await this.resolve(c, layout, inner));
    checkFusionUsing(plan.query, plan.using);
    // A fused prefetch keeps its best `limit` (its score_threshold applies to searches only).
    if (plan.fusion)
      return {
        kind: 'fuse',
        fusion: plan.fusion,
        inputs,
        limit: plan.limit,
        offset: 0,
        threshold: null,
        ...windowOf(plan),
      };
    // Without a query, a prefetch's points are its first `limit` in id order, as a query without one lists them.
    if (plan.query === undefined || plan.query === null)
      return {
        kind: 'search',
        retriever: { kind: 'scroll' },
        filter: plan.filter,
        mmr: null,
        inputs,
        limit: plan.limit,
        ...windowOf(plan),
        offset: 0,
        threshold: null,
      };
    // order_by or sample in a prefetch: its points (or its nested prefetches') by the key, or at random.
    const filterOnly = plan.mmr === null ? filterOnlyRetriever(plan.query, 'prefetch.query') : undefined;
    if (filterOnly)
      return {
        kind: 'search',
        retriever: filterOnly,
        filter: plan.filter,
        mmr: null,
        inputs,
        limit: plan.limit,
        ...windowOf(plan),
        offset: 0,
        threshold: null,
      };
    const { query, exclude } = await this.parseQuery(c, layout, plan.query, plan.using, plan.lookupFrom);
    checkMmr(plan.mmr, query);
    return {
      kind: 'search',
      retriever: retrieverOf(layout, query, plan.params),
      filter: and(plan.filter, exclude),
      mmr: plan.mmr,
      inputs,
      limit: plan.limit,
      ...windowOf(plan),
      offset: 0,
      threshold: plan.threshold,
    };
  }

  /**
   * MMR's settings, checked against what it would weigh: `want` points chosen (limit and offset)
   * among `candidates_limit` (at least `want`), each compared with each through `using`'s vector.
   */
  private parseMmr(c: Collection, want: number, using: unknown, mmr: unknown, at: string): MmrSettings {
    if (!isObject(mmr)) throw QdrantHttpError.format(`${at} must be an object`);
    onlyFields(mmr, FIELDS.Mmr, at);
    const diversity = mmr.diversity === undefined || mmr.diversity === null ? 0.5 : mmr.diversity;
    if (typeof diversity !== 'number' || diversity < 0 || diversity > 1)
      throw QdrantHttpError.format(`${at}.diversity must be a number from 0 to 1`);
    const candidates = unsigned(mmr.candidates_limit, `${at}.candidates_limit`, want);
    if (Math.max(candidates, want) > MAX_MMR_CANDIDATES)
      throw QdrantHttpError.badRequest(
        `an mmr query weighs at most ${MAX_MMR_CANDIDATES} candidates (candidates_limit, and limit + offset)`,
      );
    const field = typeof using === 'string' ? c.vectors.find((f) => f.name === using) : undefined;
    const size = Math.max(candidates, want);
    checkPairwiseWork(size, size, (field ?? c).dimension ?? 1);
    return { diversity, candidates };
  }

  /** The fusion a query asks for over `lists` prefetches (the core's combiner, in Qdrant's words), or null when it is no fusion. */
  private fusionOf(q: unknown, lists: number): Fusion | null {
    if (isObject(q) && typeof q.fusion === 'string') {
      onlyFields(q, FIELDS.FusionQuery, 'query');
      if (q.fusion === 'rrf') return { kind: 'rrf', k: DEFAULT_RRF_K, weights: null };
      if (q.fusion === 'dbsf') return { kind: 'dbsf' };
      throw QdrantHttpError.format(`fusion: unknown variant ${JSON.stringify(q.fusion)}, expected rrf or dbsf`);
    }
    if (!isObject(q) || !isObject(q.rrf)) return null;
    onlyFields(q, FIELDS.RrfQuery, 'query');
    onlyFields(q.rrf, FIELDS.Rrf, 'query.rrf');
    const k = unsigned(q.rrf.k, 'rrf.k', DEFAULT_RRF_K);
    let weights: number[] | null = null;
    if (Array.isArray(q.rrf.weights)) {
      if (q.rrf.weights.length !== lists || !q.rrf.weights.every((w) => typeof w === 'number' && w >= 0))
        throw QdrantHttpError.format('rrf.weights must hold one non-negative number per prefetch');
      weights = q.rrf.weights as number[];
    }
    return { kind: 'rrf', k, weights };
  }

  /** A query for `using`: a vector, a point id (its vector; the point itself left out), or recommend. */
  private async parseQuery(
    c: Collection,
    layout: QdrantLayout,
    q: unknown,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<{ query: Query; exclude: FilterNode }> {
    if (isPointId(q)) {
      const id = pointId(q, 'query');
      const vector = this.aimed(c, layout, await this.vectorOfPoint(c, layout, id, using, lookupFrom), using);
      const sameCollection = lookupFrom === undefined || lookupFrom === null;
      return { query: vector, exclude: sameCollection ? not({ kind: 'idIn', ids: [id] }) : { kind: 'all' } };
    }
    if (isObject(q) && 'recommend' in q) {
      onlyFields(q, FIELDS.RecommendQuery, 'query');
      if (!isObject(q.recommend)) throw QdrantHttpError.format('recommend must be an object');
      onlyFields(q.recommend, FIELDS.RecommendInput, 'query.recommend');
      return this.recommendQuery(c, layout, q.recommend, using, lookupFrom, 'query');
    }
    if (isObject(q) && 'discover' in q) {
      onlyFields(q, FIELDS.DiscoverQuery, 'query');
      if (!isObject(q.discover)) throw QdrantHttpError.format('discover must be {target, context}');
      onlyFields(q.discover, FIELDS.DiscoverInput, 'query.discover');
      return this.discoverQuery(c, layout, q.discover.target, q.discover.context, using, lookupFrom);
    }
    if (isObject(q) && 'context' in q) {
      onlyFields(q, FIELDS.ContextQuery, 'query');
      return this.discoverQuery(c, layout, undefined, q.context, using, lookupFrom);
    }
    if (isObject(q) && 'relevance_feedback' in q) {
      onlyFields(q, FIELDS.RelevanceFeedbackQuery, 'query');
      return this.feedbackQuery(c, layout, q.relevance_feedback, using, lookupFrom);
    }
    for (const unsupported of ['formula', 'fusion', 'rrf'])
      if (isObject(q) && unsupported in q)
        throw QdrantHttpError.badRequest(
          unsupported === 'formula'
            ? 'vecgate does not answer formula queries yet'
            : 'a fusion query needs prefetches to fuse',
        );
    return { query: this.vectorQuery(c, layout, q, using, 'query'), exclude: { kind: 'all' } };
  }

  /**
   * An example of recommend, discover or context: a point id (its vector `using` names) or a
   * vector, dense or (through a multivector) a multivector, one dense vector being one of one token.
   */
  private async example(
    c: Collection,
    layout: QdrantLayout,
    e: unknown,
    field: string,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<{ vector: Example; id?: string }> {
    const of = (v: Query): Example => {
      if ('dense' in v) return v.dense;
      if ('multi' in v) return v.multi;
      throw QdrantHttpError.badRequest(`${field}: vecgate scores examples of dense vectors and multivectors only`);
    };
    if (isPointId(e)) {
      const id = pointId(e, field);
      return { vector: of(await this.vectorOfPoint(c, layout, id, using, lookupFrom)), id };
    }
    // An empty example is refused once the query runs, not by validation (Qdrant's 400, not its 422).
    if (Array.isArray(e) && e.length === 0) {
      const ref = this.target(c, layout, using, 'dense');
      const dimension = (ref.field ?? c).dimension;
      throw QdrantHttpError.wrongInput(`Vector dimension error: expected dim: ${dimension ?? 0}, got 0`);
    }
    return { vector: of(this.vectorQuery(c, layout, e, using, field)) };
  }

  private async examples(
    c: Collection,
    layout: QdrantLayout,
    list: unknown,
    field: string,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<{ vectors: Example[]; ids: string[] }> {
    if (list === undefined || list === null) return { vectors: [], ids: [] };
    if (!Array.isArray(list)) throw QdrantHttpError.format(`${field} must be a list`);
    if (list.length > MAX_EXAMPLES)
      throw QdrantHttpError.badRequest(`${field} may hold at most ${MAX_EXAMPLES} examples`);
    const vectors: Example[] = [];
    const ids: string[] = [];
    for (const [i, e] of list.entries()) {
      const x = await this.example(c, layout, e, `${field}[${i}]`, using, lookupFrom);
      vectors.push(x.vector);
      if (x.id) ids.push(x.id);
    }
    return { vectors, ids };
  }

  /** Example points are left out of the answer, unless they came from another collection (lookup_from). */
  private leaveOut(ids: string[], lookupFrom: unknown): FilterNode {
    const same = lookupFrom === undefined || lookupFrom === null;
    return same && ids.length > 0 ? not({ kind: 'idIn', ids }) : { kind: 'all' };
  }

  /**
   * discover (a target and context pairs) or context (pairs alone), scored as Qdrant scores them:
   * discover by how many pairs the point is on the positive side of (each −1, 0 or 1), ties by the
   * scaled sigmoid of its similarity to the target; context by the sum of the pairs' losses.
   */
  private async discoverQuery(
    c: Collection,
    layout: QdrantLayout,
    target: unknown,
    context: unknown,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<{ query: Query; exclude: FilterNode }> {
    const pairs = context === undefined || context === null ? [] : Array.isArray(context) ? context : [context];
    if (pairs.length > MAX_CONTEXT_PAIRS)
      throw QdrantHttpError.badRequest(`context may hold at most ${MAX_CONTEXT_PAIRS} pairs`);
    const vectors: Example[] = [];
    const ids: string[] = [];
    const add = async (e: unknown, field: string) => {
      const x = await this.example(c, layout, e, field, using, lookupFrom);
      vectors.push(x.vector);
      if (x.id) ids.push(x.id);
      return vectors.length - 1;
    };
    const discover = target !== undefined;
    const at = discover ? await add(target, 'discover.target') : -1;
    const terms: ScoreNode[] = [];
    for (const [i, pair] of pairs.entries()) {
      if (!isObject(pair) || pair.positive === undefined || pair.negative === undefined)
        throw QdrantHttpError.format(`context[${i}] must be {positive, negative}`);
      onlyFields(pair, FIELDS.ContextPair, `context[${i}]`);
      const positive = await add(pair.positive, `context[${i}].positive`);
      const negative = await add(pair.negative, `context[${i}].negative`);
      terms.push(
        discover
          ? { kind: 'compare', left: similarity(positive), right: similarity(negative) }
          : contextLoss(positive, negative),
      );
    }
    if (!discover && terms.length === 0) throw QdrantHttpError.badRequest('a context query needs at least one pair');
    if (discover) terms.push({ kind: 'sigmoid', scaled: true, operand: similarity(at) });
    return {
      query: this.aimedScore(c, layout, { vectors, node: { kind: 'sum', terms } }, using),
      exclude: this.leaveOut(ids, lookupFrom),
    };
  }

  /**
   * relevance_feedback with the naive strategy, scored as Qdrant's FeedbackQuery scores:
   * a × similarity(target) + Σ over pairs of examples whose feedback scores differ (the higher
   * the positive) of (difference^b × c) × (similarity(positive) − similarity(negative)). That sum
   * is linear in the similarities, so each example enters once, with the weight of its pairs.
   * Checked whole (Qdrant's validation) before any example is read.
   */
  private async feedbackQuery(
    c: Collection,
    layout: QdrantLayout,
    r: unknown,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<{ query: Query; exclude: FilterNode }> {
    const at = 'query.relevance_feedback';
    if (!isObject(r)) throw QdrantHttpError.format(`${at}: invalid type, expected struct RelevanceFeedbackInput`);
    onlyFields(r, FIELDS.RelevanceFeedbackInput, at);
    for (const field of ['target', 'feedback', 'strategy'])
      if (r[field] === undefined) throw QdrantHttpError.format(`${at}: missing field \`${field}\``);
    if (!Array.isArray(r.feedback)) throw QdrantHttpError.format(`${at}.feedback: invalid type, expected a sequence`);
    if (r.feedback.length > MAX_EXAMPLES)
      throw QdrantHttpError.badRequest(`${at}.feedback may hold at most ${MAX_EXAMPLES} examples`);
    const items = r.feedback.map((item, i) => {
      if (!isObject(item) || item.example === undefined || typeof item.score !== 'number' || !isFinite(item.score))
        throw QdrantHttpError.format(`${at}.feedback[${i}] must be {example, score}`);
      onlyFields(item, FIELDS.FeedbackItem, `${at}.feedback[${i}]`);
      return { example: item.example, score: Math.fround(item.score) };
    });
    const strategy = r.strategy;
    if (!isObject(strategy) || !isObject(strategy.naive))
      throw QdrantHttpError.format(`${at}.strategy: data did not match any variant of untagged enum FeedbackStrategy`);
    onlyFields(strategy, FIELDS.NaiveFeedbackStrategy, `${at}.strategy`);
    onlyFields(strategy.naive, FIELDS.NaiveFeedbackStrategyParams, `${at}.strategy.naive`);
    const coefficient = (name: 'a' | 'b' | 'c') => {
      const x = (strategy.naive as JsonObject)[name];
      if (typeof x !== 'number' || !isFinite(x))
        throw QdrantHttpError.format(`${at}.strategy.naive.${name} must be a number`);
      return Math.fround(x);
    };
    const [a, b, cc] = [coefficient('a'), coefficient('b'), coefficient('c')];
    if (b < 0)
      throw QdrantHttpError.validation(
        `internal.${at}.strategy.naive.b`,
        `value ${Number.isInteger(b) ? b.toFixed(1) : b} invalid, must be 0.0 or larger`,
      );
    if (items.length === 0) throw QdrantHttpError.validation(`internal.${at}`, 'feedback elements must be non-empty');
    const vectors: Example[] = [];
    const ids: string[] = [];
    const add = async (e: unknown, field: string) => {
      const x = await this.example(c, layout, e, field, using, lookupFrom);
      vectors.push(x.vector);
      if (x.id) ids.push(x.id);
      return vectors.length - 1;
    };
    const target = await add(r.target, `${at}.target`);
    const examples: number[] = [];
    for (const [i, item] of items.entries()) examples.push(await add(item.example, `${at}.feedback[${i}].example`));
    // Each ordered pair whose confidence (the difference of feedback scores) is above 0 weighs
    // confidence^b × c, added to its positive's similarity and taken from its negative's.
    const weights = new Array<number>(vectors.length).fill(0);
    for (const [i, positive] of items.entries())
      for (const [j, negative] of items.entries()) {
        const confidence = Math.fround(positive.score - negative.score);
        if (i === j || !(confidence > 0)) continue;
        const weight = Math.fround(Math.fround(Math.pow(confidence, b)) * cc);
        weights[examples[i]] += weight;
        weights[examples[j]] -= weight;
      }
    const terms: ScoreNode[] = [{ kind: 'scale', factor: a, operand: similarity(target) }];
    for (const v of examples)
      if (weights[v] !== 0 && Number.isFinite(weights[v]))
        terms.push({ kind: 'scale', factor: weights[v], operand: similarity(v) });
      else if (!Number.isFinite(weights[v]))
        throw QdrantHttpError.badRequest(`${at}: the strategy's weights overflow for these feedback scores`);
    // Only the vectors a term reads are searched with: an example without pairs weighs nothing.
    const used = [target, ...examples.filter((v) => weights[v] !== 0)];
    const position = new Map(used.map((v, i) => [v, i]));
    const renumbered: ScoreNode[] = terms.map((t) =>
      t.kind === 'scale' && t.operand.kind === 'similarity'
        ? { ...t, operand: similarity(position.get(t.operand.vector)!) }
        : t,
    );
    return {
      query: this.aimedScore(
        c,
        layout,
        { vectors: used.map((v) => vectors[v]), node: { kind: 'sum', terms: renumbered } },
        using,
      ),
      exclude: this.leaveOut(ids, lookupFrom),
    };
  }

  /**
   * A scored query searched against the dense vector `using` names here: through a multivector,
   * each example's similarity is its MaxSim (a dense example a multivector of one token).
   */
  private aimedScore(
    c: Collection,
    layout: QdrantLayout,
    score: { vectors: Example[]; node: ScoreNode },
    using: unknown,
  ): Query {
    const ref = this.target(c, layout, using, 'dense');
    if (ref.field?.multivector) {
      const examples = score.vectors.map((v) => (Array.isArray(v) ? v : [v]));
      checkExampleTokens(examples);
      return { multiScore: { examples, node: score.node }, using: ref.field.name };
    }
    const vectors = score.vectors.map((v) => {
      if (Array.isArray(v)) throw QdrantHttpError.wrongInput('Wrong usage of multi vectors');
      return v;
    });
    return ref.field
      ? { score: { vectors, node: score.node }, using: ref.field.name }
      : { score: { vectors, node: score.node } };
  }

  /**
   * recommend: average_vector (the mean of the positives, pushed away from the mean of the
   * negatives, searched as a vector), best_score (the best similarity to a positive, as a scaled
   * sigmoid, or below zero when a negative is nearer) or sum_scores (similarities to the positives
   * less those to the negatives), as Qdrant computes them.
   */
  private async recommendQuery(
    c: Collection,
    layout: QdrantLayout,
    r: JsonObject,
    using: unknown,
    lookupFrom: unknown,
    api: 'query' | 'legacy',
  ): Promise<{ query: Query; exclude: FilterNode }> {
    const strategy = r.strategy ?? 'average_vector';
    if (strategy !== 'average_vector' && strategy !== 'best_score' && strategy !== 'sum_scores')
      throw QdrantHttpError.format(
        `strategy: unknown variant ${JSON.stringify(strategy)}, expected one of average_vector, best_score, sum_scores`,
      );
    const positive = await this.examples(c, layout, r.positive, 'positive', using, lookupFrom);
    const negative = await this.examples(c, layout, r.negative, 'negative', using, lookupFrom);
    const none = positive.vectors.length === 0 && negative.vectors.length === 0;
    // Qdrant's words: the Query API validates RecommendInput (its 422), the legacy route checks the strategy.
    if (api === 'query') {
      if (none)
        throw QdrantHttpError.validation(
          'internal.query.positives, negatives',
          'At least one positive or negative vector/id must be provided',
        );
      if (positive.vectors.length === 0 && strategy === 'average_vector')
        throw QdrantHttpError.wrongInput('Positive vectors should not be empty with `average` strategy');
    } else if (positive.vectors.length === 0 && strategy === 'average_vector')
      throw QdrantHttpError.badRequest('At least one positive vector ID required with this strategy');
    else if (none)
      throw QdrantHttpError.badRequest('At least one positive or negative vector ID required with this strategy');
    const exclude = this.leaveOut([...positive.ids, ...negative.ids], lookupFrom);
    if (strategy !== 'average_vector') {
      if (positive.vectors.length + negative.vectors.length > MAX_EXAMPLES)
        throw QdrantHttpError.badRequest(`positive and negative may hold at most ${MAX_EXAMPLES} examples together`);
      const vectors = [...positive.vectors, ...negative.vectors];
      const pos = positive.vectors.map((_, i) => similarity(i));
      const neg = negative.vectors.map((_, i) => similarity(positive.vectors.length + i));
      let node: ScoreNode;
      if (strategy === 'sum_scores')
        node = { kind: 'sub', left: { kind: 'sum', terms: pos }, right: { kind: 'sum', terms: neg } };
      else {
        const best = (terms: ScoreNode[]): ScoreNode => ({
          kind: 'sigmoid',
          scaled: true,
          operand: { kind: 'max', terms },
        });
        const below = (terms: ScoreNode[]): ScoreNode => ({
          kind: 'sub',
          left: { kind: 'value', value: 0 },
          right: best(terms),
        });
        node =
          neg.length === 0
            ? best(pos)
            : pos.length === 0
              ? below(neg)
              : {
                  kind: 'ifGreater',
                  left: { kind: 'max', terms: pos },
                  right: { kind: 'max', terms: neg },
                  then: best(pos),
                  otherwise: below(neg),
                };
      }
      return { query: this.aimedScore(c, layout, { vectors, node }, using), exclude };
    }
    const ref = this.target(c, layout, using, 'dense');
    if (ref.field?.multivector) {
      // Qdrant's average of multivectors (avg_vector_for_recommendation): the positives' tokens
      // together, then each negative token negated, searched by MaxSim as one multivector.
      const tokens = (e: Example) => (Array.isArray(e) ? e : [e]);
      const multi = [
        ...positive.vectors.flatMap(tokens),
        ...negative.vectors.flatMap(tokens).map((t) => DenseVector.fromNumbers(Array.from(t.values, (x) => -x))),
      ];
      checkExampleTokens([multi]);
      return { query: { multi, using: ref.field.name }, exclude };
    }
    const dense = (vs: Example[]) =>
      vs.map((v) => {
        if (Array.isArray(v)) throw QdrantHttpError.wrongInput('Wrong usage of multi vectors');
        return v.values;
      });
    const mean = (vs: Float32Array[]) => {
      const out = new Array<number>(vs[0].length).fill(0);
      for (const v of vs) v.forEach((x, i) => (out[i] += x / vs.length));
      return out;
    };
    const pos = mean(dense(positive.vectors));
    const target =
      negative.vectors.length === 0
        ? pos
        : (() => {
            const neg = mean(dense(negative.vectors));
            return pos.map((p, i) => p + (p - neg[i]));
          })();
    return { query: this.aimed(c, layout, { dense: DenseVector.fromNumbers(target) }, using), exclude };
  }

  /** The vector of the collection `using` names (the unnamed one when none is given), or a 400 in Qdrant's words. */
  private target(c: Collection, layout: QdrantLayout, using: unknown, kind: 'dense' | 'sparse'): VectorRef {
    const name = using === undefined || using === null ? '' : using;
    if (typeof name !== 'string') throw QdrantHttpError.format('using must be a vector name');
    const ref = resolveVector(c, layout, name);
    if (ref?.kind !== kind) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${name}`);
    return ref;
  }

  /** A query vector read elsewhere (a point, a mean), searched against the vector `using` names here. */
  private aimed(c: Collection, layout: QdrantLayout, query: Query, using: unknown): Query {
    const ref = this.target(c, layout, using, 'sparse' in query ? 'sparse' : 'dense');
    const { using: _elsewhere, ...vector } = query;
    return ref.field ? { ...vector, using: ref.field.name } : vector;
  }

  private vectorQuery(c: Collection, layout: QdrantLayout, v: unknown, using: unknown, field: string): Query {
    if (isObject(v) && 'indices' in v) {
      const ref = this.target(c, layout, using, 'sparse');
      return { sparse: sparseFor(v, field), ...(ref.field ? { using: ref.field.name } : {}) };
    }
    const ref = this.target(c, layout, using, 'dense');
    if (ref.field?.multivector)
      return { multi: [...multiFor(ref.field, layout, v, field, MAX_QUERY_TOKENS).tokens], using: ref.field.name };
    // Normalized as stored vectors are: the Cosine distance does not depend on the length, and a zero query has no direction.
    if (ref.field) return { dense: denseFor(ref.field, v, field), using: ref.field.name };
    return { dense: denseFor(c, v, field) };
  }

  /** The stored vector `using` names of a point, here or in `lookup_from`'s collection. */
  private async vectorOfPoint(
    c: Collection,
    layout: QdrantLayout,
    id: string,
    using: unknown,
    lookupFrom: unknown,
  ): Promise<Query> {
    let from = c;
    let fromLayout = layout;
    let name = using;
    const looked = lookupFrom !== undefined && lookupFrom !== null;
    if (looked) {
      if (!isObject(lookupFrom) || typeof lookupFrom.collection !== 'string')
        throw QdrantHttpError.format('lookup_from must be {collection, vector?}');
      onlyFields(lookupFrom, FIELDS.LookupLocation, 'lookup_from');
      from = await this.lookupCollection(lookupFrom.collection);
      fromLayout = layoutOf(from);
      if (lookupFrom.vector !== undefined) name = lookupFrom.vector;
    }
    const wanted = name === undefined || name === null ? '' : name;
    if (typeof wanted !== 'string') throw QdrantHttpError.format('lookup_from.vector must be a string');
    const ref = resolveVector(from, fromLayout, wanted);
    // `using` is checked against the collection before this; lookup_from's vector is not: Qdrant
    // reads the point first (404 when it has none), and a name its collection lacks is then a 400.
    if (!ref && looked) {
      const held = await this.records.countMatching(this.scope, from.id, { kind: 'idIn', ids: [id] });
      if (held === 0) throw QdrantHttpError.notFound(`No point with id ${showId(id)} found`);
    }
    if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${wanted}`);
    const sparse = ref.kind === 'sparse';
    const [r] = await this.records.find(this.scope, from.id, {
      filter: { kind: 'idIn', ids: [id] },
      include: {
        embeddings: !sparse && !ref.field,
        sparse: sparse && !ref.field,
        vectors: !!ref.field,
        metadatas: false,
        documents: false,
        uris: false,
      },
      limit: 1,
      offset: 0,
    });
    if (!r) throw QdrantHttpError.notFound(`No point with id ${showId(id)} found`);
    const stored = ref.field ? r.vectors?.[ref.field.name] : sparse ? r.sparse : r.embedding;
    // Qdrant's words for a point that lacks the vector a query takes from it (its vector_not_found_error).
    if (!stored) throw QdrantHttpError.notFound(`Vector with name ${JSON.stringify(wanted)} for point not found`);
    if (ref.field?.multivector)
      return {
        multi: (JSON.parse(stored) as number[][]).map((t) => DenseVector.fromNumbers(t)),
        using: ref.field.name,
      };
    return sparse ? { sparse: { text: stored } } : { dense: DenseVector.fromText(stored) };
  }

  /** One search as a plan of one node. */
  private planned(layout: QdrantLayout, s: Search, shown: Shown): Planned {
    const { query, params, ...window } = s;
    return {
      node: { kind: 'search', retriever: retrieverOf(layout, query, params), mmr: null, inputs: [], ...window },
      shown,
    };
  }

  /** The core's answer to a plan, as Qdrant's points (scores as plan.ts defines them, which are Qdrant's). */
  private async render(c: Collection, planned: Planned | Promise<Planned>): Promise<JsonObject[]> {
    const { node, shown } = await planned;
    const layout = layoutOf(c);
    const found = await this.plans.run(this.scope, c.id, node, includeFor(layout, shown.payload, shown.vector));
    return found.map((f) => this.shownPoint(f, layout, shown));
  }

  private shownPoint(f: Scored, layout: QdrantLayout, shown: Shown): JsonObject {
    const point = this.point(f.id, f.score, f.record ?? { id: f.id }, layout, shown);
    return f.orderValue === undefined ? point : { ...point, order_value: f.orderValue as JsonObject[string] };
  }

  private point(id: string, score: number, r: StoredRecord, layout: QdrantLayout, shown: Shown): JsonObject {
    // Qdrant scores in float32 and serde writes the fewest digits that read back the same.
    const out: JsonObject = { id: showId(id), version: 0, score: shortestFloat32(score) };
    const payload = selectPayload(r.metadata, shown.payload);
    if (payload !== undefined) out.payload = payload;
    const vector = shownVectors(r, layout, shown.vector);
    if (vector !== undefined) out.vector = vector;
    return out;
  }
}

/** The point id a group's value names, if it is one (a word names none). */
function lookupId(value: string | number): string | null {
  try {
    return pointId(value, 'group id');
  } catch {
    return null;
  }
}
