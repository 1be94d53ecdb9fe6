import { createHash } from 'node:crypto';
import { Client, type PoolConfig, type QueryResult } from 'pg';

/**
 * How many statements one connection keeps prepared. Statement texts vary with the collection's
 * table, the include list and the shape of a filter, so a client sending ever new filter shapes
 * could otherwise grow every connection's server memory without end; past the cap a statement
 * is sent unnamed, as every statement was before.
 */
export const MAX_PREPARED_PER_CONNECTION = 256;

/**
 * How a prepared statement is planned where one session serves every kind (the embedded backend's,
 * embedded-planning.ts): `per-call`, for each call's values (PLAN_PER_CALL); `once`, a generic plan
 * with sorts priced as they cost, for a statement whose plan cannot depend on its values (a lookup
 * by key, records by id, an exact read of the whole table); `walk`, as PLAN_ONCE plans, for what
 * PostgreSQL runs on its plan-once connections (an unfiltered search, sorts priced out).
 */
export type StatementPlanning = 'per-call' | 'once' | 'walk';

/** What plannedOnce puts before a statement's text: kept in the text, so that the two ways of planning it are two statements. */
const MARKS = { once: '/* planned once */ ', walk: '/* planned once, a walk */ ' } as const;
/** Statement names by planning: the embedded session reads a statement's planning from its name in each Bind. */
const NAME_PREFIXES: Record<StatementPlanning, string> = { 'per-call': 'vg_', once: 'vgo_', walk: 'vgw_' };

/** `text` marked to be planned once (see StatementPlanning): named so by PreparingClient. */
export function plannedOnce(text: string, planning: 'once' | 'walk' = 'once'): string {
  return MARKS[planning] + text;
}

/** How a statement's text asks to be planned (plannedOnce). */
export function textPlanning(text: string): StatementPlanning {
  // '/': the one character a mark and a plain statement of ours can share.
  if (text.charCodeAt(0) !== 47) return 'per-call';
  if (text.startsWith(MARKS.once)) return 'once';
  return text.startsWith(MARKS.walk) ? 'walk' : 'per-call';
}

/** How the statement named `name` (by statementName) is planned; an unnamed or foreign one, per call. */
export function namedPlanning(name: string): StatementPlanning {
  if (name.startsWith(NAME_PREFIXES.once)) return 'once';
  return name.startsWith(NAME_PREFIXES.walk) ? 'walk' : 'per-call';
}

/**
 * A name for a statement's text: the same text gets the same name on every connection, two texts
 * never share one (node-postgres refuses a name reused for another text). Its prefix says how the
 * text asks to be planned.
 */
export function statementName(text: string): string {
  return `${NAME_PREFIXES[textPlanning(text)]}${createHash('sha1').update(text).digest('base64url')}`;
}

/**
 * The session setting that keeps prepared statements planned for each call's values, as unnamed
 * ones are: a generic plan, which Postgres may settle on after five calls, cannot know how many
 * rows a filter's values leave, and a search needs that to choose between the HNSW index and an
 * exact scan. What a prepared statement saves is then its parse and analysis, not its planning.
 */
export const PLAN_PER_CALL = `SET plan_cache_mode = force_custom_plan`;

/**
 * The session settings for statements whose best plan does not depend on their values: an
 * unfiltered vector search walks the HNSW index whatever the query vector. Planned once per
 * connection, such a search saves its planning on every later call (docs/hot-path.md). A sort
 * is priced out: these connections run only walks, and a generic plan made at a wide ef_search
 * (pricing `LIMIT $n` as a tenth of the table) would otherwise read and sort the whole table on
 * every later call (docs/storage-and-search.md).
 */
export const PLAN_ONCE = `SELECT set_config('plan_cache_mode', 'force_generic_plan', false), set_config('enable_sort', 'off', false)`;

/** How a pool's prepared statements are planned: for each call's values, or once. */
export type Planning = 'per-call' | 'once';

/** SQLSTATE of a prepared statement whose result columns changed since it was prepared (and of other unsupported features). */
export const STALE_STATEMENT = '0A000';

/**
 * A prepared statement whose result columns changed since it was prepared. Told apart from the
 * class's other errors by the server function that raises it (its message may be translated).
 */
export function isStaleStatement(err: unknown): boolean {
  const e = err as { code?: unknown; routine?: unknown };
  return e?.code === STALE_STATEMENT && e.routine === 'RevalidateCachedQuery';
}

/**
 * A node-postgres client whose calls without a callback get a promise made from a callback:
 * node-postgres's own promise kept each result reachable until the next full collection, so big
 * results (vectors) were copied and promoted by every young one (docs/hot-path.md).
 */
export class CallbackClient extends Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's overloads of query() admit no narrower override
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config?.submit === 'function') return super.query(config, values, callback);
    if (typeof values === 'function') [values, callback] = [undefined, values];
    if (callback) return super.query(config, values, callback);
    return new Promise((resolve, reject) =>
      super.query(config, values, (err: Error, res: unknown) => (err ? reject(err) : resolve(res))),
    );
  }
}

/** The statements a database session has prepared: their names by text, and how many it holds. */
export interface PreparedSet {
  names: Map<string, string>;
  /** Statements prepared, stale ones included: they stay allocated. */
  count: number;
}

/**
 * A node-postgres client that sends every statement with parameters as a named prepared
 * statement: Postgres parses it once per connection, and each later call sends only its values
 * (docs/hot-path.md). Statements without
 * parameters (BEGIN, COMMIT, DDL) go as they are.
 *
 * A prepared statement fails with STALE_STATEMENT when the columns it returns changed type since
 * (a collection's vector column gets its dimension with the first add): the text then gets a new
 * name, prepared afresh on its next call, and the caller may run the call again (Database does).
 */
export class PreparingClient extends CallbackClient {
  private readonly own: PreparedSet = { names: new Map(), count: 0 };

  /** What this connection's session has prepared; the embedded clients, which share one session, share one. */
  protected preparedSet(): PreparedSet {
    return this.own;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as CallbackClient's
  override query(config: any, values?: any, callback?: any): any {
    const name =
      typeof config === 'string' && Array.isArray(values) && values.length > 0 ? this.nameFor(config) : undefined;
    if (name === undefined) return super.query(config, values, callback);
    const set = this.preparedSet();
    const result = (super.query({ name, text: config, values }) as Promise<QueryResult>).catch((err) => {
      if (isStaleStatement(err) && set.names.get(config) === name) {
        set.names.set(config, `${name}_${set.count}`);
        set.count++;
      }
      throw err;
    });
    if (!callback) return result;
    result.then(
      (res) => callback(null, res),
      (err) => callback(err),
    );
  }

  private nameFor(text: string): string | undefined {
    const set = this.preparedSet();
    const known = set.names.get(text);
    if (known !== undefined) return known;
    if (set.count >= MAX_PREPARED_PER_CONNECTION) return undefined;
    const name = statementName(text);
    set.names.set(text, name);
    set.count++;
    return name;
  }
}

/** A pool's client: CallbackClient, or, preparing statements, PreparingClient with each connection's plan setting made before it is handed out. */
export function preparedStatementsPoolConfig(
  enabled: boolean,
  planning: Planning = 'per-call',
): Pick<PoolConfig, 'Client' | 'onConnect'> {
  if (!enabled) return { Client: CallbackClient };
  return {
    Client: PreparingClient,
    onConnect: (client) => client.query(planning === 'once' ? PLAN_ONCE : PLAN_PER_CALL),
  };
}
