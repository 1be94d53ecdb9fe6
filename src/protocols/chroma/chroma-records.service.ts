import type { TrafficRecall } from '../../core/collections/recall-samples.repository';
import { Injectable } from '@nestjs/common';
import { CollectionsService } from '../../core/collections/collections.service';
import { IndexBuilder } from '../../core/indexing/index-builder';
import type { WriteMode } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import type { Scope } from '../../core/scope';
import type { ModelSettings } from '../../inference/inference.service';
import { ChromaHttpError } from './chroma-error';
import { ChromaInferenceService, namesAModel, unmappedForWrite } from './chroma-inference.service';
import { validateCollectionId } from './chroma-names';
import { NOT_EMBEDDINGS } from './embeddings';
import { checkFilterIndexes, sparseKeyOf } from './collection-schema';
import type {
  DeleteRecordsDto,
  GetRecordsDto,
  QueryRecordsDto,
  RecordSetDto,
  SearchRecordsDto,
} from './dto/records.dto';
import { SearchPlanExecutor } from '../../core/search/plan-executor';
import { parseSearchRequest } from './search.parser';
import { searchResponse } from './search.mapper';
import {
  DEFAULT_GET_INCLUDE,
  DEFAULT_QUERY_INCLUDE,
  filterFrom,
  getResponse,
  EMBEDDINGS_REQUIRED,
  indexSparseKey,
  lacksEmbeddings,
  parseInclude,
  queryResponse,
  queryVectors,
  recordsFromPayload,
} from './records.mapper';

/** Chroma's record routes: each request parsed into the neutral model, run by the core, answered in Chroma's shape. */
@Injectable()
export class ChromaRecordsService {
  constructor(
    private readonly records: RecordsService,
    private readonly indexing: IndexBuilder,
    private readonly collections: CollectionsService,
    private readonly searches: SearchPlanExecutor,
    private readonly inference: ChromaInferenceService,
  ) {}

  /**
   * The filter of a get, query or delete, refused before it runs when it names a key whose index
   * the collection's schema disabled (the catalog row comes from the cache the call reads anyway).
   */
  private async filterOf(
    scope: Scope,
    collectionId: string,
    body: { ids?: string[] | null; where?: unknown; where_document?: unknown },
  ) {
    // Parsed first: a malformed filter is that error, whatever the schema says.
    const filter = filterFrom(body);
    if ((body.where ?? null) !== null || (body.where_document ?? null) !== null) {
      checkFilterIndexes(await this.collections.getCached(scope, collectionId), body.where, body.where_document);
    }
    return filter;
  }

  /**
   * add (mode add), upsert (merge) and update (update). Records without embeddings are embedded
   * from their documents when the collection's embedding function is mapped, and sparse vectors
   * computed when its sparse index's is: all before the write, which then runs as any other.
   */
  async write(scope: Scope, id: string, body: RecordSetDto, mode: WriteMode): Promise<Record<string, never>> {
    const collectionId = validateCollectionId(id);
    const lacking = lacksEmbeddings(body, mode);
    // Parsed first (a malformed payload is that error); records may lack embeddings until checked below.
    const records = recordsFromPayload(body, mode, lacking);
    const collection =
      lacking || body.metadatas || body.documents ? await this.collections.getCached(scope, collectionId) : null;
    let dense: ModelSettings | null = null;
    if (lacking && collection) {
      const resolved = this.inference.denseFunction(collection);
      dense = resolved.model;
      if (!dense) {
        const ef = (collection.extras as { embedding_function?: unknown }).embedding_function;
        if (mode !== 'update' && namesAModel(resolved, ef)) throw unmappedForWrite(resolved);
        // Without a mapped function, what was refused before still is: a null embedding, or none in add and upsert.
        if (Array.isArray(body.embeddings)) throw ChromaHttpError.unprocessable(NOT_EMBEDDINGS);
        if (mode !== 'update') throw ChromaHttpError.invalidArgument(EMBEDDINGS_REQUIRED);
      }
    }
    if (collection) {
      await this.inference.embedWrite(collection, records, mode, dense);
      const sparseKey = sparseKeyOf(collection);
      if (sparseKey !== null) indexSparseKey(records, sparseKey);
    }
    await this.records.write(scope, collectionId, mode, records);
    return {};
  }

  async get(scope: Scope, id: string, body: GetRecordsDto) {
    const collectionId = validateCollectionId(id);
    const filter = await this.filterOf(scope, collectionId, body);
    const { wire, include } = parseInclude(body.include, DEFAULT_GET_INCLUDE);
    const found = await this.records.find(scope, collectionId, {
      filter,
      include,
      limit: body.limit ?? null,
      offset: body.offset ?? 0,
    });
    return getResponse(found, wire, include);
  }

  async query(scope: Scope, id: string, body: QueryRecordsDto) {
    const collectionId = validateCollectionId(id);
    const vectors = queryVectors(body.query_embeddings);
    const filter = await this.filterOf(scope, collectionId, body);
    const { wire, include } = parseInclude(body.include, DEFAULT_QUERY_INCLUDE);
    const n = body.n_results ?? 10;
    const { collection, lists } = await this.records.nearest(scope, collectionId, { vectors, n, filter, include });
    return queryResponse(collection, lists, wire, include);
  }

  /** Chroma's Search API (Chroma Cloud's; single-node Chroma answers it with "not implemented"). */
  async search(scope: Scope, id: string, body: SearchRecordsDto) {
    const collectionId = validateCollectionId(id);
    const collection = await this.collections.getCached(scope, collectionId);
    const { searches: parsed, texts } = parseSearchRequest(body, collection);
    if (texts.length > 0) await this.inference.embedQueries(collection, texts);
    const { collection: searched, results } = await this.searches.ranked(
      scope,
      collectionId,
      parsed.map((p) => p.search),
    );
    return searchResponse(searched, parsed, results);
  }

  async delete(scope: Scope, id: string, body: DeleteRecordsDto): Promise<{ deleted: number }> {
    const collectionId = validateCollectionId(id);
    const hasWhere = (body.where ?? null) !== null || (body.where_document ?? null) !== null;
    if (Array.isArray(body.ids) && body.ids.length === 0 && !hasWhere) {
      throw ChromaHttpError.invalidArgument('Validation error: ids, where: Either ids or where must be specified');
    }
    // Nothing to select by deletes nothing (as Chroma): never "everything" by accident.
    if ((body.ids ?? null) === null && !hasWhere) return { deleted: 0 };
    const filter = await this.filterOf(scope, collectionId, body);
    const deleted = await this.records.delete(scope, collectionId, filter, body.limit ?? null);
    return { deleted };
  }

  count(scope: Scope, id: string): Promise<number> {
    return this.records.count(scope, validateCollectionId(id));
  }

  /** Chroma counts operations (inserts ever made), not the records there are now; all are unindexed while a build is due. */
  async indexingStatus(scope: Scope, id: string) {
    const { inserted, indexed, tuning, traffic, shortfall, index, builds } = await this.indexing.status(
      scope,
      validateCollectionId(id),
    );
    const kind = (t: TrafficRecall) => ({
      samples: t.samples,
      recall: t.recall,
      walks: t.walks,
      walk_recall: t.walkRecall,
    });
    return {
      num_indexed_ops: indexed ? inserted : 0,
      num_unindexed_ops: indexed ? 0 : inserted,
      op_indexing_progress: indexed ? 1 : 0,
      total_ops: inserted,
      // vecgate's own, once measured: what the search tuner found (clients read the four fields above only).
      ...(tuning && {
        vecgate_search_tuning: {
          recall_target: tuning.target,
          recall: tuning.recall,
          ef_search: tuning.efSearch,
          exact: tuning.exact,
          ms_per_search: tuning.msPerSearch,
          // Under a filter keeping one record in ten: the walk's ef_search and recall, and mean times
          // (until measured, just after the unfiltered part, filtered walks go as wide as they can).
          ...(tuning.filtered && { filtered_ef_search: tuning.filtered.efSearch }),
          ...(tuning.filtered?.pending && { filtered_pending: true }),
          ...(tuning.filtered &&
            !tuning.filtered.pending && {
              filtered_recall: tuning.filtered.recall,
              filtered_walk_ms: tuning.filtered.walkMs,
              filtered_exact_ms: tuning.filtered.exactMs,
              filtered_source: tuning.filtered.source,
            }),
          records: tuning.records,
          source: tuning.source,
          measured_at: tuning.measuredAt.toISOString(),
          // Whether a walk met the target, and the recall of the walk kept (exact search may be chosen either way).
          ...(tuning.walkMet !== undefined && { walk_met: tuning.walkMet }),
          ...(tuning.walkRecall !== undefined && { walk_recall: tuning.walkRecall }),
          // Whether searches reach the target, and when not, why and what the operator can do.
          target_met: shortfall === null,
          ...(shortfall !== null && { shortfall }),
        },
      }),
      // The HNSW index's build settings, and each build of it the gateway made or tried, oldest first.
      ...(builds.length > 0 && {
        vecgate_hnsw_index: {
          m: index.m,
          ef_construction: index.efConstruction,
          builds: builds.map((b) => ({
            m: b.m,
            ef_construction: b.efConstruction,
            records: b.records,
            ms: b.ms,
            bytes: b.bytes,
            outcome: b.outcome,
            built_at: b.builtAt.toISOString(),
          })),
        },
      }),
      // The recall the collection's own sampled searches got (since that measurement), by kind.
      ...((tuning || traffic.unfiltered.samples + traffic.filtered.samples > 0) && {
        vecgate_traffic_recall: { unfiltered: kind(traffic.unfiltered), filtered: kind(traffic.filtered) },
      }),
    };
  }
}
