import { Client } from 'pg';
import { http } from '../../support/gateway';
import { startOperatedGateway, type OperatedGateway } from './support/operated-gateway';

describe('operations: /healthz and /readyz', () => {
  let gw: OperatedGateway;

  beforeAll(async () => {
    gw = await startOperatedGateway({ readyTimeoutMs: 500 }, { qdrantPort: 0 });
  });
  afterAll(() => gw.close());

  it('answers /healthz with 200 {"status":"ok"} as JSON', async () => {
    const res = await http(gw.url, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when the database answers and every migration is applied', async () => {
    const res = await http(gw.url, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });

  it('leaves Chroma healthcheck in its own shape', async () => {
    const res = await http(gw.url, 'GET', '/api/v2/healthcheck');
    expect(res.body).toEqual({ is_executor_ready: true, is_log_client_ready: true });
  });

  it('answers 503 naming the migration that is not applied, and 200 again once it is', async () => {
    const { rows } = await gw.db.query<{ name: string }>('SELECT name FROM vecgate_migrations ORDER BY name LIMIT 1');
    const name = rows[0].name;
    await gw.db.query('DELETE FROM vecgate_migrations WHERE name = $1', [name]);
    try {
      const res = await http(gw.url, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.body).toEqual({ status: 'unavailable', reason: `migrations not applied: ${name}` });
      // On the Qdrant port, the same probe in Qdrant's words; liveness stays.
      const qdrant = await http(gw.qdrantUrl, 'GET', '/readyz');
      expect([qdrant.status, qdrant.text]).toEqual([503, 'some shards are not ready']);
      expect((await http(gw.qdrantUrl, 'GET', '/livez')).text).toBe('healthz check passed');
    } finally {
      await gw.db.query('INSERT INTO vecgate_migrations (name) VALUES ($1)', [name]);
    }
    expect((await http(gw.url, 'GET', '/readyz')).status).toBe(200);
  });

  it('answers 503 when the database does not answer within the timeout, and 200 once it does', async () => {
    // The migrations table is locked by a transaction that stays open: on Postgres the probe's
    // read waits for the lock, on PGlite (one connection) for the connection.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const tx = gw.db.transaction(async (client) => {
      await client.query('LOCK TABLE vecgate_migrations IN ACCESS EXCLUSIVE MODE');
      locked();
      await held;
    });
    await isLocked;
    try {
      const started = Date.now();
      const res = await http(gw.url, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', reason: 'database did not answer within 500 ms' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      release();
      await tx;
    }
    expect((await http(gw.url, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('operations: /readyz when the database is gone', () => {
  it('answers 503 "database unreachable" once the Database is closed, while /healthz stays 200', async () => {
    const gw = await startOperatedGateway();
    try {
      await gw.db.close();
      const res = await http(gw.url, 'GET', '/readyz', undefined, { 'x-request-id': 'probe-after-close' });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', reason: 'database unreachable' });
      expect((await http(gw.url, 'GET', '/healthz')).status).toBe(200);
      // The cause goes to the log (not to the unauthenticated caller), under the request's id.
      const warning = gw.logs.find((l) => l.context === 'Health');
      expect(warning).toMatchObject({ level: 'warn', requestId: 'probe-after-close' });
      expect(warning!.msg).toMatch(/^readiness: database unreachable: /);
    } finally {
      await gw.close();
    }
  });

  // Needs a server that can refuse connections, so it runs on the machine's Postgres in the embedded pass too.
  it('answers 503 while Postgres refuses its connections, and 200 again once it accepts them', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = saved ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    try {
      await refusedConnections();
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
    }
  });

  async function refusedConnections(): Promise<void> {
    const gw = await startOperatedGateway({ readyTimeoutMs: 2_000 });
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const { rows } = await gw.db.query<{ name: string }>('SELECT current_database() AS name');
    const name = rows[0].name;
    try {
      expect((await http(gw.url, 'GET', '/readyz')).status).toBe(200);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      // The pool notices its dead connections as it uses them; new ones are refused.
      let res = await http(gw.url, 'GET', '/readyz');
      for (let i = 0; i < 5 && res.status === 200; i++) res = await http(gw.url, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', reason: 'database unreachable' });
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      expect((await http(gw.url, 'GET', '/readyz')).status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
      await gw.close();
    }
  }
});
