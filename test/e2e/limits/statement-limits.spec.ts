import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createScratchDatabase,
  gatewayForFile,
  http,
  startGateway,
  usingPostgres,
  type TestGateway,
} from '../../support/gateway';
import { until } from '../../support/wait';
import { prng } from '../../support/pinecone';
import { loadConfig } from '../../../src/config/load-config';
import { IndexBuilder } from '../../../src/core/indexing/index-builder';
import { HEAVY, seedLongDocuments } from '../../support/heavy-requests';
import type { Queryable } from '../../../src/database/queryable';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

/** The collections the limit tests read: `count` long documents, and a small one of two records. */
async function seedCollections(url: string, count: number): Promise<{ heavyId: string; smallId: string }> {
  const heavyId = await seedLongDocuments(url, 'long_documents', count);
  const small = await http(url, 'POST', `${CHROMA}/collections`, { name: 'small' });
  const smallId: string = small.body.id;
  const added = await http(url, 'POST', `${CHROMA}/collections/${smallId}/add`, {
    ids: ['s1', 's2'],
    embeddings: [
      [1, 0],
      [0, 1],
    ],
  });
  if (added.status !== 201) throw new Error(`add: ${added.status} ${added.text}`);
  return { heavyId, smallId };
}

/**
 * Sends ten heavy requests at once and, until they are all answered (and at least five times), a
 * normal one after another; returns the heavy ones' statuses and the normal calls'.
 */
async function tenHeavyBesideNormal(url: string, heavyId: string, smallId: string) {
  const heavy = Array.from({ length: 10 }, () =>
    http(url, 'POST', `${CHROMA}/collections/${heavyId}/get`, { where_document: HEAVY }),
  );
  const normal: { status: number; ms: number }[] = [];
  let settled = false;
  const all = Promise.all(heavy).finally(() => (settled = true));
  while (!settled || normal.length < 5) {
    const started = Date.now();
    const res = await http(url, 'POST', `${CHROMA}/collections/${smallId}/get`, { ids: ['s1'] });
    normal.push({ status: res.status, ms: Date.now() - started });
  }
  return { heavy: (await all).map((r) => r.status), normal };
}

describe('statement limits on every backend', () => {
  const gw = gatewayForFile();

  it('refuses the backreference that held a backend for minutes, at once and in Chroma shape', async () => {
    const id = await seedLongDocuments(gw.url, 'backreference', 2);
    const res = await http(gw.url, 'POST', `${CHROMA}/collections/${id}/get`, {
      where_document: { $regex: '^(a+)\\1{2}X$' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
    expect(res.body.message).toMatch(/^Regex syntax errror: .*backreferences are not supported/s);
  });
});

if (usingPostgres()) {
  describe('statement limits on PostgreSQL', () => {
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
    /** Cancels statements after 1 s. */
    let bounded: TestGateway;
    /** Has no time limit: only a client's going away stops its statement. */
    let unbounded: TestGateway;
    let heavyId: string;
    let smallId: string;

    beforeAll(async () => {
      scratch = await createScratchDatabase();
      bounded = await startGateway({ statementTimeoutMs: 1000 }, { databaseUrl: scratch.url });
      unbounded = await startGateway({ statementTimeoutMs: 0 }, { databaseUrl: scratch.url });
      // Written without a time limit: on a busy machine an add of 1 MB of text can take longer than 1 s.
      ({ heavyId, smallId } = await seedCollections(unbounded.url, 400));
    });

    afterAll(async () => {
      await bounded?.close();
      await unbounded?.close();
      await scratch?.drop();
    });

    it('cancels a statement past VECGATE_STATEMENT_TIMEOUT_MS with a 503 in the protocol shape, counted', async () => {
      const before = bounded.db.statementTimeouts;
      const res = await http(bounded.url, 'POST', `${CHROMA}/collections/${heavyId}/get`, { where_document: HEAVY });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'ChromaError',
        message: expect.stringMatching(/VECGATE_STATEMENT_TIMEOUT_MS/),
      });
      expect(bounded.db.statementTimeouts).toBe(before + 1);
      const metrics = await http(bounded.url, 'GET', '/metrics');
      expect(metrics.text).toMatch(new RegExp(`^vecgate_db_statement_timeouts_total ${before + 1}$`, 'm'));
    });

    it('keeps answering a normal client while ten heavy requests run', async () => {
      const { heavy, normal } = await tenHeavyBesideNormal(bounded.url, heavyId, smallId);
      expect(heavy).toEqual(Array(10).fill(503));
      expect(normal.every((n) => n.status === 200)).toBe(true);
      // A normal call waits at most for a connection that a heavy statement holds until its time limit.
      expect(Math.max(...normal.map((n) => n.ms))).toBeLessThan(10_000);
    });

    it('cancels the statement of a client that goes away', async () => {
      const watcher = new Client({ connectionString: scratch.url });
      await watcher.connect();
      const running = async () =>
        Number(
          (
            await watcher.query(
              `SELECT count(*) AS n FROM pg_stat_activity
               WHERE datname = current_database() AND state = 'active' AND query LIKE '%~%' AND pid <> pg_backend_pid()`,
            )
          ).rows[0].n,
        );
      try {
        const before = unbounded.db.statementsCancelled;
        const leaving = new AbortController();
        const request = fetch(`${unbounded.url}${CHROMA}/collections/${heavyId}/get`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ where_document: HEAVY }),
          signal: leaving.signal,
        }).catch((err: unknown) => err);
        await until('the heavy statement runs', running, (n) => n === 1);
        leaving.abort();
        expect(await request).toMatchObject({ name: 'AbortError' });
        // Cancelled, not finished: the count moves only when Postgres reports the cancellation.
        await until(
          'the statement is cancelled',
          () => unbounded.db.statementsCancelled,
          (n) => n === before + 1,
        );
        expect(await running()).toBe(0);
      } finally {
        await watcher.end();
      }
    });
  });
}

if (!usingPostgres()) {
  describe('statement limits on the embedded database (a data directory on disk)', () => {
    let dataDir: string;
    let heavyId: string;
    let smallId: string;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'vecgate-limits-'));
      // Written without a time limit: on a busy machine an add of 1 MB of text can take longer than 1 s.
      const seeding = await startGateway({ dataDir, statementTimeoutMs: 0 });
      try {
        ({ heavyId, smallId } = await seedCollections(seeding.url, 100));
      } finally {
        await seeding.close();
      }
    });

    afterAll(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('stops a statement past VECGATE_STATEMENT_TIMEOUT_MS with a 503, counted, and keeps what was committed', async () => {
      const gw = await startGateway({ dataDir, statementTimeoutMs: 1000 });
      const efSearch = (conn: Queryable) => conn.query('SHOW hnsw.ef_search').then((r) => r.rows[0]['hnsw.ef_search']);
      try {
        // A session setting made, and the reads below prepared, on the session the stop will end.
        expect(await gw.db.withSessionSettings({ 'hnsw.ef_search': '77' }, efSearch)).toBe('77');
        expect((await http(gw.url, 'GET', `${CHROMA}/collections/${heavyId}/count`)).body).toBe(100);
        expect((await http(gw.url, 'POST', `${CHROMA}/collections/${smallId}/get`, { ids: ['s1'] })).body.ids).toEqual([
          's1',
        ]);
        const before = gw.db.statementTimeouts;
        const res = await http(gw.url, 'POST', `${CHROMA}/collections/${heavyId}/get`, { where_document: HEAVY });
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          error: 'ChromaError',
          message: expect.stringMatching(/VECGATE_STATEMENT_TIMEOUT_MS/),
        });
        expect(gw.db.statementTimeouts).toBe(before + 1);
        const metrics = await http(gw.url, 'GET', '/metrics');
        expect(metrics.text).toMatch(new RegExp(`^vecgate_db_statement_timeouts_total ${before + 1}$`, 'm'));
        // The database was stopped mid-statement and opened again: everything committed is there.
        const count = await http(gw.url, 'GET', `${CHROMA}/collections/${heavyId}/count`);
        expect(count.body).toBe(100);
        // The new session plans per call until told otherwise: the count is planned once there too.
        const counts = await gw.db.query(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
           WHERE statement LIKE '%FROM vecgate_record_counts WHERE collection_id = $1 AND namespace = $2%'`,
        );
        expect(counts.rows).toEqual([{ generic: 1, custom: 0 }]);
        const got = await http(gw.url, 'POST', `${CHROMA}/collections/${smallId}/get`, { ids: ['s1', 's2'] });
        expect(got.body.ids).toEqual(['s1', 's2']);
        // And it still takes writes.
        const added = await http(gw.url, 'POST', `${CHROMA}/collections/${smallId}/add`, {
          ids: ['s3'],
          embeddings: [[1, 1]],
        });
        expect(added.status).toBe(201);
        // The new session has the setting again: the connection that remembered making it is gone.
        expect(await gw.db.withSessionSettings({ 'hnsw.ef_search': '77' }, efSearch)).toBe('77');
      } finally {
        await gw.close();
      }
    });

    it('keeps answering a normal client while ten heavy requests run, each stopped at its limit', async () => {
      const gw = await startGateway({ dataDir, statementTimeoutMs: 1000 });
      try {
        const { heavy, normal } = await tenHeavyBesideNormal(gw.url, heavyId, smallId);
        expect(heavy).toEqual(Array(10).fill(503));
        expect(normal.every((n) => n.status === 200)).toBe(true);
        // Embedded is one connection: a normal call may wait behind every heavy one, each bounded by
        // its limit and the reopening of the data directory (about a second) that stops it.
        expect(Math.max(...normal.map((n) => n.ms))).toBeLessThan(120_000);
      } finally {
        await gw.close();
      }
    });

    it('answers probes while a statement runs, and stops the statement of a client that goes away', async () => {
      const gw = await startGateway({ dataDir, statementTimeoutMs: 0 });
      try {
        const before = gw.db.statementsCancelled;
        const leaving = new AbortController();
        let settled = false;
        const request = fetch(`${gw.url}${CHROMA}/collections/${heavyId}/get`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ where_document: HEAVY }),
          signal: leaving.signal,
        })
          .catch((err: unknown) => err)
          .finally(() => (settled = true));
        await until(
          'the heavy statement runs',
          () => gw.db.embeddedBusy(),
          (busy) => busy,
        );
        // PGlite works in a thread of its own: this process (the gateway's and the test's) goes on.
        expect((await http(gw.url, 'GET', '/healthz')).status).toBe(200);
        expect(settled).toBe(false);
        leaving.abort();
        expect(await request).toMatchObject({ name: 'AbortError' });
        await until(
          'the statement is cancelled',
          () => gw.db.statementsCancelled,
          (n) => n === before + 1,
        );
        const got = await http(gw.url, 'POST', `${CHROMA}/collections/${smallId}/get`, { ids: ['s3'] });
        expect(got.body.ids).toEqual(['s3']);
      } finally {
        await gw.close();
      }
    });
  });
}

if (!usingPostgres()) {
  describe('an HNSW index build on the embedded database (a data directory on disk)', () => {
    const DIM = 96;
    const RECORDS = 10_000;
    let dataDir: string;

    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'vecgate-build-limit-'));
    });
    afterAll(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    /** A collection of `records` random vectors, loaded without a time limit and without a build (an add may take over a second on a busy machine). */
    async function seed(name: string, records: number, seedValue: number): Promise<string> {
      const unbuilt = { ...loadConfig({}).indexing, minRows: 1_000_000 };
      const seeding = await startGateway({ dataDir, statementTimeoutMs: 0, indexing: unbuilt });
      try {
        const id: string = (await http(seeding.url, 'POST', `${CHROMA}/collections`, { name })).body.id;
        const next = prng(seedValue);
        for (let from = 0; from < records; from += 1000) {
          const ids = Array.from({ length: 1000 }, (_, k) => `r${from + k}`);
          const embeddings = ids.map(() => Array.from({ length: DIM }, () => next() * 2 - 1));
          const added = await http(seeding.url, 'POST', `${CHROMA}/collections/${id}/add`, { ids, embeddings });
          expect(added.status).toBe(201);
        }
        return id;
      } finally {
        await seeding.close();
      }
    }

    // A build is no client's statement: under the limit, PGlite's build of 100,000 x 128 was
    // stopped at every attempt (each holding the database for the limit's length) and none ended.
    it('is not stopped at VECGATE_STATEMENT_TIMEOUT_MS, and ends with the index built', async () => {
      const indexing = loadConfig({}).indexing;
      const id = await seed('big', RECORDS, 49);
      const gw = await startGateway({
        dataDir,
        statementTimeoutMs: 300,
        indexing: { ...indexing, quietMs: 500, recallTarget: 0 },
      });
      try {
        const status = await until(
          'the HNSW index is built',
          async () => (await http(gw.url, 'GET', `${CHROMA}/collections/${id}/indexing_status`)).body,
          (body) => body.op_indexing_progress === 1,
          { timeoutMs: 170_000, everyMs: 200 },
        );
        // The build took longer than the limit it is not held to.
        expect(status.vecgate_hnsw_index.builds).toEqual([
          expect.objectContaining({ outcome: 'built', records: RECORDS, ms: expect.any(Number) }),
        ]);
        expect(status.vecgate_hnsw_index.builds[0].ms).toBeGreaterThan(300);
        expect(gw.db.statementTimeouts).toBe(0);
      } finally {
        await gw.close();
      }
    });

    // Without a time limit, a shutdown must not wait for the build's end (Ctrl-C on npm start).
    it('is stopped by a shutdown, not waited for', async () => {
      const indexing = loadConfig({}).indexing;
      const unbuilt = { ...indexing, minRows: 1_000_000 };
      const id = await seed('bigger', 3 * RECORDS, 50);
      const gw = await startGateway({
        dataDir,
        statementTimeoutMs: 0,
        indexing: { ...indexing, quietMs: 0, recallTarget: 0 },
      });
      try {
        const builder = gw.app.get(IndexBuilder) as unknown as { buildingTable?: string };
        await until(
          'the build runs',
          () => builder.buildingTable !== undefined && gw.db.embeddedBusy(),
          (running) => running,
          { everyMs: 5 },
        );
      } finally {
        await gw.close();
      }
      // Stopped, not finished: no build was recorded (the next start with the default settings builds it).
      const after = await startGateway({ dataDir, statementTimeoutMs: 0, indexing: unbuilt });
      try {
        const status = (await http(after.url, 'GET', `${CHROMA}/collections/${id}/indexing_status`)).body;
        expect(status.total_ops).toBe(3 * RECORDS);
        expect(status.vecgate_hnsw_index).toBeUndefined();
      } finally {
        await after.close();
      }
    });
  });
}
