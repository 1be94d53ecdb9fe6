import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGatewayBuilt, freePort, GatewayProcess, PrivatePostgres, REPO } from '../cluster/cluster';
import { until } from '../../support/wait';

/**
 * VECGATE_WORKERS: `node dist/src/main.js` as a primary and two worker processes on one port, over
 * a private PostgreSQL. Requests on new connections reach both workers; one /metrics scrape adds
 * up every worker's counters; a worker killed is replaced; SIGTERM stops the primary and every
 * worker (exit 0, no process left). Embedded, more than one worker is refused at start.
 */

/** The worker processes of a primary (its children). */
function workersOf(primary: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(primary)]).stdout.toString();
  return out.split('\n').filter(Boolean).map(Number).sort();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One GET on a connection of its own (no keep-alive), so that the primary hands each to a worker in turn. */
function getOnce(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('VECGATE_WORKERS: gateway processes on one port', () => {
  let dir: string;
  let pg: PrivatePostgres;
  let gw: GatewayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-workers-'));
    chmodSync(dir, 0o711); // the postgres user reaches its own subdirectory
    pg = new PrivatePostgres(join(dir, 'pg'), await freePort());
    await Promise.all([
      (async () => {
        await pg.init();
        await pg.start();
        await pg.createDatabase('vecgate');
      })(),
      ensureGatewayBuilt(),
    ]);
    gw = new GatewayProcess('W', await freePort(), pg.url('vecgate'), join(dir, 'gateway.log'), {
      VECGATE_WORKERS: '2',
    });
    await gw.start(120_000);
  });

  afterAll(async () => {
    gw?.killSync();
    for (const pid of gw?.pid ? workersOf(gw.pid) : []) process.kill(pid, 'SIGKILL');
    if (pg?.running) await pg.stop('fast').catch(() => pg.stopSync());
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves from both workers and adds up their metrics in one scrape', async () => {
    const workers = await until(
      'two workers',
      async () => workersOf(gw.pid!),
      (pids) => pids.length === 2,
    );
    // A worker counts as a process before it listens; on a busy machine the second may still be
    // booting, so requests go out in rounds until the access log names both (flushed within 250 ms).
    const statuses: number[] = [];
    const served = await until(
      'the access log of both workers',
      async () => {
        for (let i = 0; i < 10; i++) statuses.push(await getOnce(gw.port, '/api/v2/heartbeat'));
        const lines = gw
          .logText()
          .split('\n')
          .filter((l) => l.includes('"route":"/api/v2/heartbeat"'));
        return [...new Set(lines.map((l) => JSON.parse(l).pid as number))].sort();
      },
      (pids) => workers.every((pid) => pids.includes(pid)),
      { everyMs: 250 },
    );
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(served).toEqual(workers);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const counted = [
      ...metrics.matchAll(/^vecgate_http_requests_total\{[^}]*route="\/api\/v2\/heartbeat"[^}]*\} (\d+)$/gm),
    ];
    // Every heartbeat sent here, and the boot check's.
    expect(counted.reduce((sum, m) => sum + Number(m[1]), 0)).toBeGreaterThanOrEqual(statuses.length);
  });

  it('replaces a worker that dies, and keeps answering', async () => {
    const [victim, other] = workersOf(gw.pid!);
    process.kill(victim, 'SIGKILL');
    const now = await until(
      'a new worker',
      async () => workersOf(gw.pid!),
      (pids) => pids.length === 2 && !pids.includes(victim),
    );
    expect(now).toContain(other);
    await until(
      'the new worker ready',
      async () => gw.logText(),
      (text) => text.includes(`worker ${victim} exited (SIGKILL): starting another`),
    );
    for (let i = 0; i < 10; i++) expect(await getOnce(gw.port, '/api/v2/heartbeat')).toBe(200);
  });

  it('stops every worker and exits 0 on SIGTERM', async () => {
    const workers = workersOf(gw.pid!);
    const exited = new Promise<number | null>((resolve) => gw.proc!.once('exit', (code) => resolve(code)));
    gw.proc!.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until(
      'the workers gone',
      async () => workers.filter(alive),
      (left) => left.length === 0,
    );
  });

  it('refuses more than one worker on the embedded database', () => {
    const run = spawnSync(process.execPath, [join(REPO, 'dist/src/main.js')], {
      env: { PATH: process.env.PATH, VECGATE_WORKERS: '2', VECGATE_DATA_DIR: 'memory://', PORT: '0' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/VECGATE_WORKERS above 1 needs DATABASE_URL/);
  });
});
