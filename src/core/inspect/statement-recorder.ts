import type { QueryResult, QueryResultRow } from 'pg';
import type { Queryable } from '../../database/queryable';

/** One statement a core call ran (or would have run), as sent: text, bind values, time taken. */
export interface RecordedStatement {
  sql: string;
  params: unknown[];
  ms: number;
}

/** Thrown instead of running the statement the recorder was told to catch (StatementRecorder.catchNext). */
export class CaughtStatement extends Error {
  constructor(readonly statement: RecordedStatement) {
    super('statement caught unrun');
  }
}

/**
 * A Queryable that runs statements on another and keeps what it ran, so that an explanation shows
 * the very SQL the repositories send, not a copy of it. Told to catch the next statement, it does
 * not run it: the explain runs it (or only plans it) itself, in a transaction that rolls back.
 */
export class StatementRecorder implements Queryable {
  readonly statements: RecordedStatement[] = [];
  private catching = false;

  constructor(private readonly db: Queryable) {}

  catchNext(): void {
    this.catching = true;
  }

  async query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<QueryResult<R>> {
    if (this.catching) {
      this.catching = false;
      throw new CaughtStatement({ sql: text, params: values, ms: 0 });
    }
    const started = performance.now();
    const result = await this.db.query<R>(text, values);
    this.statements.push({ sql: text, params: values, ms: performance.now() - started });
    return result;
  }
}

/** Runs `call` with the recorder catching its first statement, and returns that statement unrun. */
export async function caughtStatement(
  recorder: StatementRecorder,
  call: () => Promise<unknown>,
): Promise<RecordedStatement> {
  recorder.catchNext();
  try {
    await call();
  } catch (err) {
    if (err instanceof CaughtStatement) return err.statement;
    throw err;
  }
  throw new Error('the call ran no statement');
}
