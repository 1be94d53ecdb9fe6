import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { CollectionsService } from '../collections/collections.service';
import type { Collection } from '../collections/collection.model';
import { RecordsRepository } from '../records/records.repository';
import { RecordsService, type VectorSearchPlan } from '../records/records.service';
import type { Include } from '../records/record.model';
import type { Scope } from '../scope';
import { InvalidArgumentError } from '../errors';
import type { ExplainedPath, Explanation, ExplainRequest, ExplainStep } from './explain.model';
import { ExplainRepository } from './explain.repository';
import { caughtStatement, type RecordedStatement, StatementRecorder } from './statement-recorder';

/** The explanation, carried out of the transaction that is always rolled back. */
class RolledBack extends Error {
  constructor(readonly explanation: Explanation) {
    super('explained; rolled back');
  }
}

/** What an explained read or search returns: the columns the console shows. */
const READ: Include = {
  embeddings: false,
  documents: true,
  metadatas: true,
  uris: false,
};

/**
 * Shows what a read, a search or a delete of a collection does in Postgres: the statement the
 * repositories send (caught unrun by a StatementRecorder), its plan, the path the search policy
 * chose and why, the estimated and the counted matching records, and the time of each step. All of
 * it in one transaction that is rolled back, so EXPLAIN ANALYZE of a delete deletes nothing.
 */
@Injectable()
export class ExplainService {
  constructor(
    private readonly db: Database,
    private readonly collections: CollectionsService,
    private readonly records: RecordsService,
    private readonly repository: RecordsRepository,
    private readonly explaining: ExplainRepository,
  ) {}

  async explain(scope: Scope, collectionId: string, request: ExplainRequest): Promise<Explanation> {
    const started = performance.now();
    const steps: ExplainStep[] = [];
    const timed = async <T>(name: string, work: () => Promise<T>, sql?: () => string | undefined): Promise<T> => {
      const t = performance.now();
      const result = await work();
      steps.push({ name, ms: performance.now() - t, ...(sql?.() ? { sql: sql() } : {}) });
      return result;
    };
    const collection = await timed('read the catalog (cached)', () => this.collections.getCached(scope, collectionId));
    const { operation, namespace, filter } = request;
    if (operation === 'search') {
      if (!request.vector) throw new InvalidArgumentError('A search needs a query vector');
      if (collection.dimension !== null && request.vector.dimension !== collection.dimension)
        throw new InvalidArgumentError(
          `The query vector has ${request.vector.dimension} dimensions; the collection's have ${collection.dimension}`,
        );
    }
    const plan =
      operation === 'search' && collection.dimension !== null
        ? await timed('choose the path (search policy)', () =>
            this.records.vectorSearchPlan(collection, namespace, filter),
          )
        : undefined;
    try {
      await this.db.transaction(async (tx) => {
        const recorder = new StatementRecorder(tx);
        const last = () => recorder.statements.at(-1)?.sql;
        const estimate = await timed(
          "estimate the matching records (planner's statistics)",
          () => this.repository.estimateMatches(recorder, collection, namespace, filter),
          last,
        );
        const actualRows = await timed(
          'count the matching records',
          () => this.repository.countMatching(recorder, collection, namespace, filter),
          last,
        );
        const totalRows = await this.repository.count(recorder, collection, namespace);
        const settings = plan && !plan.exact ? this.repository.searchSettings(collection, request.n, plan) : {};
        await this.explaining.setLocal(tx, settings);
        const statement = await this.statementOf(recorder, collection, request, plan);
        const analyze = request.analyze;
        const planText = await timed(analyze ? 'EXPLAIN ANALYZE (rolled back)' : 'EXPLAIN', () =>
          this.explaining.plan(tx, statement, analyze),
        );
        throw new RolledBack({
          operation,
          sql: statement.sql,
          params: statement.params,
          plan: planText,
          analyzed: analyze,
          path: asPlanned(pathOf(operation, plan, settings, collection.vectorIndexed), planText),
          estimatedRows: estimate.matching,
          actualRows,
          totalRows,
          settings,
          steps,
          totalMs: 0,
        });
      });
    } catch (err) {
      if (!(err instanceof RolledBack)) throw err;
      return { ...err.explanation, totalMs: performance.now() - started };
    }
    throw new Error('the explanation was not rolled back');
  }

  /** The statement the operation sends, caught before it runs. */
  private statementOf(
    recorder: StatementRecorder,
    collection: Collection,
    { operation, namespace, filter, vector, n }: ExplainRequest,
    plan: VectorSearchPlan | undefined,
  ): Promise<RecordedStatement> {
    switch (operation) {
      case 'find':
        return caughtStatement(recorder, () =>
          this.repository.find(recorder, collection, { namespace, filter, include: READ, limit: n, offset: 0 }),
        );
      case 'delete':
        return caughtStatement(recorder, () => this.repository.delete(recorder, collection, namespace, filter, null));
      case 'search':
        if (!plan) {
          // A collection that holds no vector yet: there is nothing to search.
          return caughtStatement(recorder, () =>
            this.repository.find(recorder, collection, { namespace, filter, include: READ, limit: 0, offset: 0 }),
          );
        }
        return caughtStatement(recorder, () =>
          this.repository.nearest(recorder, collection, {
            namespace,
            vectors: [vector!],
            n,
            filter,
            include: READ,
            exact: plan.exact,
          }),
        );
    }
  }
}

/** How a dense search that ran read the records, and why (its plan, and the walk's session settings). */
export function searchPath(
  plan: VectorSearchPlan | undefined,
  settings: Record<string, string>,
  indexed: boolean,
): ExplainedPath {
  return pathOf('search', plan, settings, indexed);
}

function pathOf(
  operation: ExplainRequest['operation'],
  plan: VectorSearchPlan | undefined,
  settings: Record<string, string>,
  indexed: boolean,
): ExplainedPath {
  if (operation !== 'search' || !plan)
    return {
      kind: 'scan',
      reason:
        operation === 'search'
          ? 'the collection holds no vector yet'
          : 'no vector: the filter alone chooses the records (through the metadata indexes where they serve)',
      efSearch: null,
      iterativeScan: null,
    };
  // Without an HNSW index a walk is a read of every record too.
  if (plan.exact || !indexed) return { kind: 'exact', reason: plan.reason, efSearch: null, iterativeScan: null };
  return {
    kind: 'hnsw',
    reason: plan.reason,
    efSearch: Number(settings['hnsw.ef_search']),
    iterativeScan: settings['hnsw.iterative_scan'] ?? null,
  };
}

/**
 * The search policy allows a walk; Postgres's planner still reads the table when that is cheaper
 * (a few thousand records or fewer): then the search is exact, and the explanation says so.
 */
function asPlanned(path: ExplainedPath, plan: string): ExplainedPath {
  if (path.kind !== 'hnsw' || /_hnsw\b/.test(plan)) return path;
  return {
    kind: 'exact',
    reason: `${path.reason}; but Postgres's planner reads every matching record instead, cheaper at this size (so the search is exact)`,
    efSearch: null,
    iterativeScan: null,
  };
}
