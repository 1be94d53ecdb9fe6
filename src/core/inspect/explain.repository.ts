import { Injectable } from '@nestjs/common';
import type { Queryable } from '../../database/queryable';
import type { RecordedStatement } from './statement-recorder';

/** The statements an explanation runs of its own, inside its transaction (which always rolls back). */
@Injectable()
export class ExplainRepository {
  /** Session settings for the rest of the transaction only (a walk's ef_search, iterative scan). */
  async setLocal(tx: Queryable, settings: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(settings))
      await tx.query('SELECT set_config($1, $2, true)', [name, value]);
  }

  /**
   * Postgres's plan of a statement a repository sent (never a request's text), as EXPLAIN prints
   * it; with `analyze` the statement runs, so the caller's transaction must roll back.
   */
  async plan(tx: Queryable, statement: RecordedStatement, analyze: boolean): Promise<string> {
    const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (${analyze ? 'ANALYZE, BUFFERS, ' : ''}VERBOSE false) ${statement.sql}`,
      statement.params,
    );
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }
}
