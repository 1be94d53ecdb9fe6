import { Inject, Injectable, Optional } from '@nestjs/common';
import type { CollectionRef, Metric } from '../collections/collection.model';
import { InvalidArgumentError } from '../errors';
import { and, type FilterNode } from '../filters/filter-ast';
import type { Include, StoredRecord } from '../records/record.model';
import { RecordsService } from '../records/records.service';
import { DEFAULT_NAMESPACE, type Scope } from '../scope';
import { fuse } from './fusion';
import { checkPlan, MAX_RESULTS } from './plan-budget';
import { groupPoints, type Group, type GroupLookup, type Grouping } from './groups';
import type { PlanNode, Retriever, Scored, PlanWindow } from './plan';
import type { HybridSearch } from './search.model';
import { SearchService } from './search.service';
import { RERANKER, rankText, type Reranker } from './reranker';

/** Inner nodes hand ids and scores up, no columns: only the top node's points are shown. */
const NO_COLUMNS: Include = { embeddings: false, metadatas: false, documents: false, uris: false };

/** The plan's score from pgvector's operator value: a similarity for cosine and inner product, the distance for the others. */
function scoreOf(metric: Metric, raw: number): number {
  if (metric === 'cosine') return 1 - raw;
  if (metric === 'ip') return -raw;
  return raw;
}

/** Whether a larger score is better: all but the distances of l2 and l1 (dense searches only). */
function higherIsBetter(metric: Metric, retriever: Retriever): boolean {
  return (retriever.kind !== 'dense' && retriever.kind !== 'multi') || metric === 'cosine' || metric === 'ip';
}

/**
 * Runs a search plan (plan.ts) over one collection: inputs first, each a list of ids and scores,
 * then the node over them, searches through RecordsService (the search policy and tuner decide
 * exact or walk, as for every search). The top node's points come with the columns `include` asks.
 */
@Injectable()
export class SearchPlanExecutor {
  constructor(
    private readonly records: RecordsService,
    private readonly rankSearches: SearchService,
    @Optional() @Inject(RERANKER) private readonly reranker?: Reranker,
  ) {}

  /** The plan's top node's points, best first; the plan is checked against the budget (plan-budget.ts) before anything runs. */
  run(scope: Scope, collectionId: CollectionRef, plan: PlanNode, include: Include, namespace = DEFAULT_NAMESPACE) {
    checkPlan(plan);
    return this.node(scope, collectionId, plan, include, namespace);
  }

  /**
   * Rank expressions (Chroma's Search API): each search's knn lists, arithmetic, grouping and page
   * compiled whole into one statement (SearchService, rank-sql.ts) rather than run node by node;
   * its knn lists share the plans' budget (MAX_RESULTS, MAX_SEARCHES) and the search policy.
   */
  ranked(scope: Scope, collectionId: string, searches: HybridSearch[], namespace = DEFAULT_NAMESPACE) {
    return this.rankSearches.search(scope, collectionId, searches, namespace);
  }

  /**
   * The plan's top node's points grouped by a metadata value (groups.ts), read with their metadata
   * whatever `include` says; with `lookup`, each group gets its record of another collection.
   */
  async groups(
    scope: Scope,
    collectionId: CollectionRef,
    plan: PlanNode,
    grouping: Grouping,
    include: Include,
    { namespace = DEFAULT_NAMESPACE, lookup }: { namespace?: string; lookup?: GroupLookup } = {},
  ): Promise<Group[]> {
    const points = await this.run(scope, collectionId, plan, { ...include, metadatas: true }, namespace);
    const groups = groupPoints(points, grouping);
    if (lookup) await this.lookUp(scope, groups, lookup);
    return groups;
  }

  /** Reads each group's lookup record, all of them in one read. */
  private async lookUp(scope: Scope, groups: Group[], lookup: GroupLookup): Promise<void> {
    const byId = new Map<string, Group[]>();
    for (const g of groups) {
      const id = lookup.idOf(g.value);
      if (id !== null) byId.set(id, [...(byId.get(id) ?? []), g]);
    }
    if (byId.size === 0) return;
    const records = await this.records.find(scope, lookup.collectionId, {
      filter: { kind: 'idIn', ids: [...byId.keys()] },
      include: lookup.include,
      limit: null,
      offset: 0,
    });
    for (const r of records) for (const g of byId.get(r.id) ?? []) g.lookup = r;
  }

  private async node(
    scope: Scope,
    collectionId: CollectionRef,
    node: PlanNode,
    include: Include,
    namespace: string,
  ): Promise<Scored[]> {
    const list = await this.list(scope, collectionId, node, include, namespace);
    if (node.whole && list.length >= node.limit)
      throw new InvalidArgumentError(
        `limit + offset may be at most ${MAX_RESULTS}: more points than that match, and a larger limit is taken only when fewer do`,
      );
    return list;
  }

  private async list(
    scope: Scope,
    collectionId: CollectionRef,
    node: PlanNode,
    include: Include,
    namespace: string,
  ): Promise<Scored[]> {
    if (node.kind === 'rerank') return this.reranked(scope, collectionId, node, include, namespace);
    const lists: Scored[][] = [];
    for (const input of node.inputs) lists.push(await this.node(scope, collectionId, input, NO_COLUMNS, namespace));
    if (node.kind === 'fuse') {
      const kept = fuse(lists, node.fusion).filter((s) => node.threshold === null || s.score >= node.threshold);
      return this.withColumns(
        scope,
        collectionId,
        kept.slice(node.offset, node.offset + node.limit),
        include,
        namespace,
      );
    }
    // Over inputs, a search scores their points only.
    const filter =
      lists.length > 0
        ? and(node.filter, { kind: 'idIn', ids: [...new Set(lists.flat().map((s) => s.id))] })
        : node.filter;
    const search = { ...node, filter };
    if (node.mmr === null) return this.scored(scope, collectionId, search, include, namespace);
    if (node.retriever.kind !== 'dense') throw new InvalidArgumentError('vecgate applies mmr to dense vectors only');
    // MMR: the candidates nearest first, then the picks past the offset, each with its query score.
    const want = node.limit + node.offset;
    const size = Math.max(node.mmr.candidates, want);
    const pool = await this.scored(scope, collectionId, { ...search, limit: size, offset: 0 }, include, namespace);
    const chosen = await this.records.diversify(
      scope,
      collectionId,
      {
        ids: pool.map((p) => p.id),
        query: node.retriever.vector,
        diversity: node.mmr.diversity,
        n: want,
        using: node.retriever.using,
      },
      namespace,
    );
    return chosen.slice(node.offset).map((i) => pool[i]);
  }

  /** A rerank node: its input's points, read with their metadata for the model's texts, in the model's order. */
  private async reranked(
    scope: Scope,
    collectionId: CollectionRef,
    node: Extract<PlanNode, { kind: 'rerank' }>,
    include: Include,
    namespace: string,
  ): Promise<Scored[]> {
    if (!this.reranker) throw new InvalidArgumentError('This gateway has no reranking models');
    const points = await this.node(scope, collectionId, node.inputs[0], { ...include, metadatas: true }, namespace);
    if (points.length === 0 || node.limit === 0) return [];
    const { scores } = await this.reranker.rerank(
      node.model,
      node.query,
      points.map((p) => rankText(p.record?.metadata, node.rankFields)),
    );
    return points
      .map((p, k) => ({ ...p, score: scores[k], record: include.metadatas ? p.record : withoutMetadata(p.record) }))
      .sort((a, b) => b.score - a.score)
      .filter((p) => node.threshold === null || p.score >= node.threshold)
      .slice(node.offset, node.offset + node.limit);
  }

  /** One search's best `limit` after `offset`, scored as plan.ts says, with the columns `include` asks. */
  private async scored(
    scope: Scope,
    collectionId: CollectionRef,
    s: { retriever: Retriever; filter: FilterNode } & PlanWindow,
    include: Include,
    namespace: string,
  ): Promise<Scored[]> {
    const n = s.limit + s.offset;
    if (s.limit === 0) return [];
    const { retriever } = s;
    if (retriever.kind === 'scroll') {
      const found = await this.records.find(
        scope,
        collectionId,
        { filter: s.filter, include, limit: n, offset: 0, afterId: null },
        namespace,
      );
      return found.slice(s.offset).map((r) => ({ id: r.id, score: 0, record: r }));
    }
    if (retriever.kind === 'sample') {
      // limit + offset drawn, the first `offset` of them left out (as Qdrant pages a random draw).
      const drawn = await this.records.drawRandom(scope, collectionId, { filter: s.filter, include, n }, namespace);
      return drawn.slice(s.offset).map((r) => ({ id: r.id, score: 0, record: r }));
    }
    if (retriever.kind === 'ordered') {
      const found = await this.records.findOrdered(
        scope,
        collectionId,
        { filter: s.filter, include, limit: n, orderBy: retriever.orderBy },
        namespace,
      );
      return found.slice(s.offset).map((r) => ({
        id: r.id,
        score: typeof r.orderValue === 'number' ? r.orderValue : 0,
        record: r,
        orderValue: r.orderValue,
      }));
    }
    if (retriever.kind === 'text') {
      const found = await this.records.textSearch(
        scope,
        collectionId,
        { query: retriever.query, n, filter: s.filter, include },
        namespace,
      );
      return found
        .map((r) => ({ id: r.id, score: r.score, record: r }))
        .filter((r) => s.threshold === null || r.score >= s.threshold)
        .slice(s.offset);
    }
    if (retriever.kind === 'scoredBy') {
      const { list } = await this.records.scoredBy(
        scope,
        collectionId,
        { vectors: retriever.vectors, score: retriever.score, n, filter: s.filter, include, using: retriever.using },
        namespace,
      );
      return list
        .map((r) => ({ id: r.id, score: r.score, record: r }))
        .filter((r) => s.threshold === null || r.score >= s.threshold)
        .slice(s.offset);
    }
    if (retriever.kind === 'multiScoredBy') {
      const { list } = await this.records.multiScoredBy(
        scope,
        collectionId,
        {
          examples: retriever.examples,
          score: retriever.score,
          using: retriever.using,
          n,
          filter: s.filter,
          include,
        },
        namespace,
      );
      return list
        .map((r) => ({ id: r.id, score: r.score, record: r }))
        .filter((r) => s.threshold === null || r.score >= s.threshold)
        .slice(s.offset);
    }
    if (retriever.kind === 'multi') {
      const { metric, list } = await this.records.maxSim(
        scope,
        collectionId,
        {
          tokens: retriever.tokens,
          using: retriever.using,
          n,
          filter: s.filter,
          include,
          exact: retriever.exact,
          candidates: retriever.candidates,
        },
        namespace,
      );
      const higher = higherIsBetter(metric, retriever);
      return list
        .map((r) => ({ id: r.id, score: r.score, record: r }))
        .filter((r) => s.threshold === null || (higher ? r.score >= s.threshold : r.score <= s.threshold))
        .slice(s.offset);
    }
    const sparse = retriever.kind === 'sparse';
    const unmatched = retriever.kind === 'sparse' && !!retriever.unmatched;
    const { collection, lists } = await this.records.nearest(
      scope,
      collectionId,
      {
        vectors: retriever.kind === 'dense' ? [retriever.vector] : retriever.dense ? [retriever.dense] : [],
        sparse: retriever.kind === 'sparse' ? retriever.text : undefined,
        n,
        filter: s.filter,
        include,
        using: retriever.using,
        idf: retriever.kind === 'sparse' && retriever.idf,
        idfCorpus: retriever.kind === 'sparse' ? retriever.idfCorpus : undefined,
      },
      namespace,
    );
    // Seen through a named vector, the collection has that vector's metric.
    const metric = collection.metric;
    const higher = higherIsBetter(metric, retriever);
    // A point without the vector (deleted from it) sorts last with no distance: it is not a match.
    return (lists[0] ?? [])
      .filter((r) => r.distance !== null && (!sparse || unmatched || r.distance !== 0))
      .map((r) => ({ id: r.id, score: sparse ? -r.distance! : scoreOf(metric, r.distance!), record: r }))
      .filter((r) => s.threshold === null || (higher ? r.score >= s.threshold : r.score <= s.threshold))
      .slice(s.offset);
  }

  /** Fused points with the columns `include` asks, read by id (fusion carries ids and scores only). */
  private async withColumns(
    scope: Scope,
    collectionId: CollectionRef,
    list: Scored[],
    include: Include,
    namespace: string,
  ): Promise<Scored[]> {
    const wantsColumns = include.embeddings || include.sparse || include.metadatas || include.vectors;
    if (!wantsColumns || list.length === 0) return list.map((s) => ({ ...s, record: { id: s.id } }));
    const byId = new Map<string, StoredRecord>();
    const found = await this.records.find(
      scope,
      collectionId,
      { filter: { kind: 'idIn', ids: list.map((s) => s.id) }, include, limit: null, offset: 0 },
      namespace,
    );
    for (const r of found) byId.set(r.id, r);
    return list.map((s) => ({ ...s, record: byId.get(s.id) ?? { id: s.id } }));
  }
}

/** A record without its metadata: read for the reranking model's texts, not asked for by the caller. */
function withoutMetadata(record: StoredRecord | undefined): StoredRecord | undefined {
  if (!record) return record;
  const { metadata: _unused, ...rest } = record;
  return rest;
}
