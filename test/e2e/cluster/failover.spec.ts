import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../support/wait';
import { ensureGatewayBuilt, freePort, GatewayProcess, log, PrimaryAndStandby, type PrivatePostgres } from './cluster';

/**
 * Failover on two real PostgreSQL 15 clusters of the test's own, with synchronous replication: the
 * gateway is given both hosts in one DATABASE_URL (libpq's multi-host form). Writers add records
 * without pause; the primary is killed (immediate stop, as a crash), the standby promoted by hand
 * (pg_ctl promote, the manual failover docs/scaling.md describes), and the gateway finds the new
 * primary by itself. Every write acknowledged before, during and after is on the new primary, and
 * the writers saw 503s meanwhile, never another error.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const WRITERS = 4;

describe('failover to a promoted standby', () => {
  let dir: string;
  let pair: PrimaryAndStandby;
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let gw: GatewayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-failover-'));
    chmodSync(dir, 0o711); // the postgres user reaches its own subdirectories
    pair = await PrimaryAndStandby.create(dir);
    ({ primary, standby } = pair);
    await Promise.all([
      (async () => {
        await pair.start();
        // Set after the base backup, so the standby does not inherit it: promoted, it would wait
        // for a synchronous standby of its own forever.
        await primary.sql(`ALTER SYSTEM SET synchronous_standby_names = '*'`, [], 'postgres');
        await primary.sql('SELECT pg_reload_conf()', [], 'postgres');
        await until(
          'the standby replicating synchronously',
          () => primary.sql(`SELECT sync_state FROM pg_stat_replication`, [], 'postgres'),
          (rows) => rows.length === 1 && rows[0].sync_state === 'sync',
        );
      })(),
      ensureGatewayBuilt(),
    ]);
    const hosts = `127.0.0.1:${primary.port},127.0.0.1:${standby.port}`;
    gw = new GatewayProcess(
      'F',
      await freePort(),
      `postgres://postgres@${hosts}/vecgate?target_session_attrs=read-write`,
      join(dir, 'gateway.log'),
    );
    await gw.start(120_000);
  }, 240_000);

  afterAll(async () => {
    await gw?.kill('SIGTERM').catch(() => gw.killSync());
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the promoted standby with no acknowledged write lost', async () => {
    const created = await fetch(`${gw.url}${P}/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'failover' }),
    });
    expect(created.status).toBe(200);
    const collection = ((await created.json()) as { id: string }).id;

    const acknowledged: string[] = [];
    const statuses = new Map<string, number>();
    let phase: 'before' | 'down' | 'after' = 'before';
    const ackedIn = { before: 0, down: 0, after: 0 };
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const id = `w${w}-${i}`;
        let status: string;
        try {
          const res = await fetch(`${gw.url}${P}/collections/${collection}/add`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ids: [id], embeddings: [[w, i, 1]] }),
            signal: AbortSignal.timeout(60_000),
          });
          await res.arrayBuffer();
          status = String(res.status);
          if (res.status === 201) {
            acknowledged.push(id);
            ackedIn[phase]++;
          }
        } catch (err) {
          status = `error: ${(err as Error).message}`;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // A refused write is retried by a client a little later, not in a tight loop.
        if (status !== '201') await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    try {
      await until(
        'writes before the failover',
        () => ackedIn.before,
        (n) => n >= 100,
      );
      await primary.stop('immediate');
      phase = 'down';
      await until(
        'writes refused while no primary takes them',
        () => statuses.get('503') ?? 0,
        (n) => n >= 4,
      );
      await standby.promote();
      phase = 'after';
      await until(
        'writes after the promotion',
        () => ackedIn.after,
        (n) => n >= 100,
      );
    } finally {
      stop = true;
      await Promise.all(writers);
    }

    // Every acknowledged write is on the new primary: read through the gateway, and directly.
    const stored = new Set<string>();
    for (let i = 0; i < acknowledged.length; i += 500) {
      const res = await fetch(`${gw.url}${P}/collections/${collection}/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: acknowledged.slice(i, i + 500), include: [] }),
      });
      expect(res.status).toBe(200);
      for (const id of ((await res.json()) as { ids: string[] }).ids) stored.add(id);
    }
    const [{ table }] = await standby.sql(`SELECT table_name AS table FROM vecgate_collections WHERE id = $1`, [
      collection,
    ]);
    const direct = await standby.sql(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM vecgate_records."${table}"`,
    );
    const lost = acknowledged.filter((id) => !stored.has(id));
    log(
      `failover: acknowledged ${acknowledged.length} (${ackedIn.before} before the kill, ${ackedIn.down} while down, ${ackedIn.after} after the promotion); ` +
        `answers ${JSON.stringify(Object.fromEntries(statuses))}; on the new primary ${direct[0].n} rows; lost ${lost.length}`,
    );
    expect(lost).toEqual([]);
    // Unacknowledged writes may have committed too (the answer was lost with the primary), never twice.
    expect(direct[0].n).toBe(direct[0].ids);
    expect(direct[0].n).toBeGreaterThanOrEqual(acknowledged.length);
    // Refused while there was no primary: 503s in Chroma's shape, nothing else.
    expect([...statuses.keys()].sort()).toEqual(['201', '503']);
    expect(gw.logText()).toContain("the primary is now host 2 of DATABASE_URL's 2");
  });
});
