import { ChromaClient } from 'chromadb';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../support/wait';
import { ensureGatewayBuilt, freePort, GatewayProcess, log, PrimaryAndStandby, type PrivatePostgres } from './cluster';

/**
 * DATABASE_READ_URLS on two real PostgreSQL 15 clusters of the test's own: a primary and a streaming
 * standby made from its base backup. Reads go to the standby; a write's answer carries the primary's
 * WAL position (x-vecgate-lsn); with the standby's replay paused, another client reads the standby's
 * older state while the writer (by its address, or by the header) reads its own write from the
 * primary after a bounded wait; a stopped standby leaves reads to the primary until it is back; and
 * a standby further behind than VECGATE_READ_MAX_LAG_MS serves nobody.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const WRITER = '10.0.0.1';
const OTHER = '10.0.0.2';

interface Answer {
  status: number;
  lsn: string | null;
  body: any;
}

describe('read replicas (DATABASE_READ_URLS)', () => {
  let dir: string;
  let pair: PrimaryAndStandby;
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let gw: GatewayProcess;
  let collection: string;

  /** A call as the client at `from` (X-Forwarded-For, believed from loopback), with an optional LSN token. */
  async function call(
    from: string,
    method: string,
    path: string,
    body?: unknown,
    lsn?: string,
    on = gw,
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': from };
    if (lsn !== undefined) headers['x-vecgate-lsn'] = lsn;
    const res = await fetch(`${on.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, lsn: res.headers.get('x-vecgate-lsn'), body: text ? JSON.parse(text) : null };
  }

  const getIds = async (from: string, ids: string[], lsn?: string, on = gw) => {
    const res = await call(from, 'POST', `${P}/collections/${collection}/get`, { ids, include: [] }, lsn, on);
    expect(res.status).toBe(200);
    return (res.body.ids as string[]).sort();
  };

  const nearest = async (from: string, embedding: number[]) => {
    const res = await call(from, 'POST', `${P}/collections/${collection}/query`, {
      query_embeddings: [embedding],
      n_results: 1,
      include: [],
    });
    expect(res.status).toBe(200);
    return res.body.ids[0][0] as string;
  };

  async function reads(on = gw): Promise<Record<string, number>> {
    const text = await (await fetch(`${on.url}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^vecgate_db_reads_total\{served_by="(\w+)"\} (\d+)$/gm)) out[m[1]] = Number(m[2]);
    out.waited = Number(/^vecgate_db_reads_waited_total (\d+)$/m.exec(text)?.[1] ?? NaN);
    return out;
  }

  /** Whether the standby has replayed `lsn`. */
  async function replayed(lsn: string): Promise<boolean> {
    const [row] = await standby.sql('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn], 'postgres');
    return row.done;
  }

  /** Pauses the standby's replay, once it says so. */
  async function pauseReplay(): Promise<void> {
    await standby.sql('SELECT pg_wal_replay_pause()', [], 'postgres');
    await until(
      'replay paused',
      async () => (await standby.sql('SELECT pg_get_wal_replay_pause_state() AS s', [], 'postgres'))[0].s,
      (state) => state === 'paused',
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-replicas-'));
    chmodSync(dir, 0o711); // the postgres user reaches its own subdirectories
    pair = await PrimaryAndStandby.create(dir);
    ({ primary, standby } = pair);
    await Promise.all([pair.start(), ensureGatewayBuilt()]);
    gw = new GatewayProcess('R', await freePort(), primary.url('vecgate'), join(dir, 'gateway.log'), {
      DATABASE_READ_URLS: standby.url('vecgate'),
      VECGATE_TRUSTED_PROXIES: 'loopback',
      VECGATE_READ_WAIT_MS: '300',
      // No lag bound here: the paused standby must keep serving others however long the test takes.
      VECGATE_READ_MAX_LAG_MS: '0',
      // The recall sampler checks a share of searches in the background, reading a replica: a
      // check landing between two counts of reads was counted as the test's (a flaky 3 for 2).
      VECGATE_RECALL_TRAFFIC_SHARE: '0',
    });
    await gw.start(120_000);
  }, 240_000);

  afterAll(async () => {
    await gw?.kill('SIGTERM').catch(() => gw.killSync());
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("carries each write's WAL position, and serves reads from the standby", async () => {
    const created = await call(WRITER, 'POST', `${P}/collections`, { name: 'replicated' });
    expect(created.status).toBe(200);
    expect(created.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    collection = created.body.id;
    const added = await call(WRITER, 'POST', `${P}/collections/${collection}/add`, {
      ids: ['a', 'b', 'c'],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    });
    expect(added.status).toBe(201);
    expect(added.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    await until('the standby replaying the add', () => replayed(added.lsn!), Boolean);
    const before = await reads();
    expect(await getIds(OTHER, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(await nearest(OTHER, [0, 1, 0.1])).toBe('b');
    const count = await call(OTHER, 'GET', `${P}/collections/${collection}/count`);
    expect(count.body).toBe(3);
    // Reads answer without a position of their own.
    expect(count.lsn).toBeNull();
    const after = await reads();
    expect(after.replica - before.replica).toBeGreaterThanOrEqual(3);
    expect(after.primary).toBe(before.primary);
  });

  it('with replay paused: others read the standby, the writer reads its write from the primary', async () => {
    await pauseReplay();
    try {
      const added = await call(WRITER, 'POST', `${P}/collections/${collection}/add`, {
        ids: ['late'],
        embeddings: [[0.9, 0.9, 0.9]],
      });
      expect(added.status).toBe(201);
      const lsn = added.lsn!;
      const before = await reads();
      // Another client reads the standby, which has not replayed the add: the record is not there yet.
      expect(await getIds(OTHER, ['late', 'a'])).toEqual(['a']);
      expect(await nearest(OTHER, [0.9, 0.9, 0.9])).not.toBe('late');
      // The same client naming the write's position waits (300 ms here), then reads from the primary.
      expect(await getIds(OTHER, ['late', 'a'], lsn)).toEqual(['a', 'late']);
      // The writer need not name it: this gateway remembers its last write.
      expect(await getIds(WRITER, ['late', 'a'])).toEqual(['a', 'late']);
      expect(await nearest(WRITER, [0.9, 0.9, 0.9])).toBe('late');
      const after = await reads();
      expect(after.waited - before.waited).toBe(3);
      expect(after.primary - before.primary).toBe(3);
      expect(after.replica - before.replica).toBe(2);

      // The official client, which never sends the header, reads its own writes too.
      const chroma = new ChromaClient({ host: '127.0.0.1', port: gw.port });
      const own = await chroma.getCollection({ name: 'replicated' });
      await own.add({ ids: ['mine'], embeddings: [[0.5, -1, 0]] });
      expect((await own.get({ ids: ['mine'] })).ids).toEqual(['mine']);
      expect((await own.query({ queryEmbeddings: [[0.5, -1, 0]], nResults: 1 })).ids[0]).toEqual(['mine']);
      expect(await getIds(OTHER, ['mine'])).toEqual([]);

      // A token that is not a WAL position is the client's mistake, in Chroma's shape.
      const bad = await call(OTHER, 'POST', `${P}/collections/${collection}/get`, { ids: ['a'] }, "0/1'; DROP");
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'InvalidArgumentError', message: expect.stringContaining('x-vecgate-lsn') });
    } finally {
      await standby.sql('SELECT pg_wal_replay_resume()', [], 'postgres');
    }
    await until(
      'the other client seeing the add',
      () => getIds(OTHER, ['late', 'mine']),
      (ids) => ids.length === 2,
    );
  });

  it('reads from the primary while the standby is down, and from the standby once it is back', async () => {
    await standby.stop('fast');
    const down = await reads();
    expect(await getIds(OTHER, ['a', 'late'])).toEqual(['a', 'late']);
    expect(await nearest(OTHER, [1, 0, 0])).toBe('a');
    const whileDown = await reads();
    expect(whileDown.primary + whileDown.retried - down.primary - down.retried).toBeGreaterThanOrEqual(2);
    await standby.start();
    const back = await until(
      'reads served by the standby again',
      async () => {
        await getIds(OTHER, ['a']);
        return reads();
      },
      (now) => now.replica > whileDown.replica,
    );
    log(
      `read replicas: replica ${back.replica}, primary ${back.primary}, retried ${back.retried}, waited ${back.waited}`,
    );
  });

  it('sends reads to the primary while the standby is further behind than VECGATE_READ_MAX_LAG_MS', async () => {
    const bounded = new GatewayProcess('B', await freePort(), primary.url('vecgate'), join(dir, 'bounded.log'), {
      DATABASE_READ_URLS: standby.url('vecgate'),
      VECGATE_TRUSTED_PROXIES: 'loopback',
      VECGATE_READ_MAX_LAG_MS: '300',
    });
    await bounded.start(120_000);
    try {
      // Caught up, the standby serves the bounded gateway's reads.
      await until(
        'the standby serving the bounded gateway',
        async () => {
          await getIds(OTHER, ['a'], undefined, bounded);
          return reads(bounded);
        },
        (now) => now.replica > 0,
      );
      try {
        await pauseReplay();
        const added = await call(WRITER, 'POST', `${P}/collections/${collection}/add`, {
          ids: ['fresh'],
          embeddings: [[0, 0.5, 0.5]],
        });
        expect(added.status).toBe(201);
        // The unbounded gateway's other client still reads the paused standby, without the record...
        expect(await getIds(OTHER, ['fresh', 'a'])).toEqual(['a']);
        // ...while the bounded one's sees it once the standby is 300 ms behind: read on the primary,
        // with no position named and without waiting for the standby.
        const before = await reads(bounded);
        const ids = await until(
          'the bounded gateway reading past the paused standby',
          () => getIds(OTHER, ['fresh', 'a'], undefined, bounded),
          (got) => got.length === 2,
        );
        expect(ids).toEqual(['a', 'fresh']);
        const after = await reads(bounded);
        expect(after.primary).toBeGreaterThan(before.primary);
        expect(after.waited).toBe(before.waited);
        expect(await getIds(OTHER, ['fresh'])).toEqual([]);
      } finally {
        await standby.sql('SELECT pg_wal_replay_resume()', [], 'postgres');
      }
      // Caught up again, it serves again.
      const served = (await reads(bounded)).replica;
      await until(
        'the standby serving the bounded gateway again',
        async () => {
          await getIds(OTHER, ['fresh'], undefined, bounded);
          return reads(bounded);
        },
        (now) => now.replica > served,
      );
    } finally {
      await bounded.kill('SIGTERM').catch(() => bounded.killSync());
    }
  });
});
