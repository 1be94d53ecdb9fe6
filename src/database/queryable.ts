import type { QueryResult, QueryResultRow } from 'pg';

/** What repositories run SQL on: a pool for one-statement calls, a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}
