import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { http, type TestGateway } from '../../support/gateway';

/** Helpers for the API-key tests (no spec file: jest ignores it). */
export type Res = Awaited<ReturnType<typeof http>>;

/** A key as the CLI prints it: `vg_<16 hex id>_<43 base64url secret>`. */
export const KEY_FORMAT = /^vg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface Key {
  id: string;
  key: string;
}

/**
 * The keys every isolation test uses: A (tenant-a, every database), A1 (tenant-a, only db-one)
 * and B (tenant-b). Created in-process, as the CLI does, on the gateway's own database.
 */
export interface TenantKeys {
  a: Key;
  a1: Key;
  b: Key;
}

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';
export const DB_ONE = 'db-one';
export const DB_TWO = 'db-two';
export const DEFAULT_DB = 'default_database';

/** Text placed in tenant A's records (documents, metadata, payloads): it must never reach another key. */
export const MARKER = 'SECRET-OF-TENANT-A';

export async function createTenantKeys(gw: TestGateway): Promise<TenantKeys> {
  const keys = gw.app.get(ApiKeysService);
  return {
    a: await keys.create(TENANT_A, null),
    a1: await keys.create(TENANT_A, [DB_ONE]),
    b: await keys.create(TENANT_B, null),
  };
}

/** Every way the gateway accepts a key, as each protocol's clients send it. */
export const KEY_HEADERS: Record<string, (key: string) => Record<string, string>> = {
  'x-chroma-token': (key) => ({ 'x-chroma-token': key }),
  'Authorization: Bearer': (key) => ({ authorization: `Bearer ${key}` }),
  'Api-Key': (key) => ({ 'Api-Key': key }),
  'X-API-Key': (key) => ({ 'X-API-Key': key }),
};

/** Plain HTTP with a key in the header its protocol's clients use. */
export function as(gw: TestGateway, key: string | undefined, header: keyof typeof KEY_HEADERS = 'Api-Key') {
  const headers = key === undefined ? {} : KEY_HEADERS[header](key);
  return {
    get: (path: string) => http(gw.url, 'GET', path, undefined, headers),
    del: (path: string) => http(gw.url, 'DELETE', path, undefined, headers),
    post: (path: string, body: unknown = {}) => http(gw.url, 'POST', path, body, headers),
    put: (path: string, body: unknown = {}) => http(gw.url, 'PUT', path, body, headers),
    patch: (path: string, body: unknown = {}) => http(gw.url, 'PATCH', path, body, headers),
    send: (method: string, path: string, body?: unknown) => http(gw.url, method, path, body, headers),
  };
}

export type Caller = ReturnType<typeof as>;

/** Throws with the response when a setup call does not succeed. */
export function ok(res: Res, what: string): Res {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res;
}

function describeRes(res: Res): string {
  return `${res.status} ${res.text.slice(0, 300)}`;
}

/** Chroma's error body: `{error, message}`, nothing else. */
export function expectChromaError(res: Res, statuses: number[]): void {
  expect({ ok: statuses.includes(res.status), res: describeRes(res) }).toEqual({ ok: true, res: describeRes(res) });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message']);
  expect(typeof res.body.error).toBe('string');
  expect(typeof res.body.message).toBe('string');
}

/** Pinecone's control-plane error body: `{error: {code, message}, status}`. */
export function expectPineconeControlError(res: Res, status: number, code: string): void {
  expect({ status: res.status, res: describeRes(res) }).toEqual({ status, res: describeRes(res) });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'status']);
  expect(res.body.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

/** Pinecone's data-plane error body: `{code, message, details}` with a gRPC code. */
export function expectPineconeDataError(res: Res, status: number, grpc: number): void {
  expect({ status: res.status, res: describeRes(res) }).toEqual({ status, res: describeRes(res) });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['code', 'details', 'message']);
  expect(res.body.code).toBe(grpc);
  expect(typeof res.body.message).toBe('string');
}

/** Vectorizer's error body: `{error_type, message, details?, status_code}`. */
export function expectVectorizerError(res: Res, status: number, errorType: string): void {
  expect({ status: res.status, res: describeRes(res) }).toEqual({ status, res: describeRes(res) });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.body.error_type).toBe(errorType);
  expect(res.body.status_code).toBe(status);
  expect(typeof res.body.message).toBe('string');
  for (const k of Object.keys(res.body)) expect(['error_type', 'message', 'details', 'status_code']).toContain(k);
}

/** The refused answer must not carry anything of tenant A's records. */
export function expectNoLeak(res: Res): void {
  expect(res.text).not.toContain(MARKER);
}

export function expect2xx(res: Res, what: string): void {
  expect({ what, ok: res.status >= 200 && res.status < 300, res: describeRes(res) }).toEqual({
    what,
    ok: true,
    res: describeRes(res),
  });
}

let seq = 0;

/** A fresh name every protocol accepts (lowercase letters, digits, '-'). */
export function freshName(prefix: string): string {
  return `${prefix}-${++seq}-${Date.now().toString(36)}`.slice(0, 45).replace(/-+$/, '');
}

/** The Chroma path of a database. */
export function dbPath(tenant: string, database: string): string {
  return `/api/v2/tenants/${encodeURIComponent(tenant)}/databases/${encodeURIComponent(database)}`;
}

/**
 * Everything stored for a tenant, read from the database itself: its databases, their collections
 * (catalog rows), and every record, namespace and record count of each. The isolation suites take
 * it before and after their intrusions, which must leave it byte for byte the same.
 */
export async function storedTenant(gw: TestGateway, tenant: string): Promise<unknown> {
  const { rows: databases } = await gw.db.query(
    `SELECT id, name FROM vecgate_databases WHERE tenant = $1 ORDER BY name`,
    [tenant],
  );
  const { rows: collections } = await gw.db.query(
    `SELECT c.id, c.name, d.name AS database, c.dimension, c.metric, c.metadata, c.configuration, c.schema,
            c.forked_from, c.table_name
     FROM vecgate_collections c JOIN vecgate_databases d ON d.id = c.database_id
     WHERE d.tenant = $1 ORDER BY d.name, c.name`,
    [tenant],
  );
  const stored = [];
  for (const c of collections) {
    const { rows: records } = await gw.db.query(
      `SELECT namespace, id, embedding::text, sparse_embedding::text, document, uri, metadata
       FROM vecgate_records."${c.table_name}" ORDER BY namespace, id`,
    );
    const { rows: namespaces } = await gw.db.query(
      `SELECT name FROM vecgate_namespaces WHERE collection_id = $1 ORDER BY name`,
      [c.id],
    );
    const { rows: counts } = await gw.db.query(
      `SELECT namespace, sum(n)::int AS n FROM vecgate_record_counts WHERE collection_id = $1 GROUP BY namespace ORDER BY namespace`,
      [c.id],
    );
    stored.push({ ...c, records, namespaces, counts });
  }
  return { databases, collections: stored };
}
