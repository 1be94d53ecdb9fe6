import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
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
  let qdrantPort: number;

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
    qdrantPort = await freePort();
    gw = new GatewayProcess('W', await freePort(), pg.url('vecgate'), join(dir, 'gateway.log'), {
      VECGATE_WORKERS: '2',
      QDRANT_PORT: String(qdrantPort),
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
    // The primary says where the console and /docs are, as a single process does.
    expect(gw.logText()).toMatch(
      new RegExp(
        `"msg":"web console on http://[^/"]+:${gw.port}/console/, API documentation on http://[^/"]+:${gw.port}/docs"`,
      ),
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

  it('deals the Qdrant port’s connections to both workers too, each routed as Qdrant’s', async () => {
    const workers = await until(
      'two workers',
      async () => workersOf(gw.pid!),
      (pids) => pids.length === 2,
    );
    const served = await until(
      'Qdrant requests in the access log of both workers',
      async () => {
        for (let i = 0; i < 10; i++) expect(await getOnce(qdrantPort, '/collections')).toBe(200);
        const lines = gw
          .logText()
          .split('\n')
          .filter((l) => l.includes('"route":"/_qdrant/collections"'));
        return [...new Set(lines.map((l) => JSON.parse(l).pid as number))].sort();
      },
      (pids) => workers.every((pid) => pids.includes(pid)),
      { everyMs: 250 },
    );
    expect(served).toEqual(workers);
    // The main port does not reach Qdrant's routes.
    expect(await getOnce(gw.port, '/_qdrant/collections')).toBe(404);
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

  it('closes at once the connection a worker dies before taking', async () => {
    // Both workers take connections: each has answered one since the last was replaced.
    const since = gw.logText().length;
    const workers = await until(
      'two workers',
      async () => workersOf(gw.pid!),
      (pids) => pids.length === 2,
    );
    await until(
      'both workers answering',
      async () => {
        for (let i = 0; i < 4; i++) await getOnce(gw.port, '/api/v2/heartbeat');
        const lines = gw.logText().slice(since).split('\n');
        return lines.filter((l) => l.includes('"route":"/api/v2/heartbeat"')).map((l) => JSON.parse(l).pid as number);
      },
      (pids) => workers.every((pid) => pids.includes(pid)),
      { everyMs: 250 },
    );
    const [frozen] = workers;
    // Stopped, the worker cannot take what the primary hands it: those connections wait for it.
    process.kill(frozen, 'SIGSTOP');
    const outcomes: (number | string | undefined)[] = Array.from({ length: 6 }, () => undefined);
    try {
      outcomes.forEach((_, i) => {
        getOnce(gw.port, '/api/v2/heartbeat').then(
          (status) => (outcomes[i] = status),
          (err: NodeJS.ErrnoException) => (outcomes[i] = err.code ?? err.message),
        );
      });
      // The frozen worker is handed one and, until it takes that, no more: the other answers the rest.
      await until(
        'the other worker answering the rest',
        () => outcomes.filter((o) => o === 200).length,
        (answered) => answered === 5,
      );
      expect(outcomes.filter((o) => o === undefined)).toHaveLength(1);
    } finally {
      process.kill(frozen, 'SIGKILL');
    }
    // Node's own dealing kept it open in the primary until the client gave up; now it closes.
    const settled = await until(
      'the connection the dead worker held, closed',
      () => outcomes,
      (all) => all.every((o) => o !== undefined),
    );
    expect(settled.filter((o) => o !== 200).every((o) => o === 'ECONNRESET' || o === 'socket hang up')).toBe(true);
    await until(
      'a worker in its place',
      async () => workersOf(gw.pid!),
      (pids) => pids.length === 2 && !pids.includes(frozen),
    );
    await until(
      'heartbeats answered again',
      () => getOnce(gw.port, '/api/v2/heartbeat').catch(() => 0),
      (status) => status === 200,
    );
  });

  it('ends a request in flight on a worker that is killed: the client learns at once', async () => {
    // A request whose body has not all come: it stays in flight on its worker until the worker dies.
    const req = request({
      host: '127.0.0.1',
      port: gw.port,
      method: 'POST',
      path: '/api/v2/tenants/default_tenant/databases/default_database/collections',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
      agent: false,
    });
    const failed = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    req.write('{"name":');
    const socket = await new Promise<Socket>((resolve) => req.on('socket', resolve));
    if (socket.connecting) await new Promise((resolve) => socket.once('connect', resolve));
    // The worker holding the connection: the process with a socket from the gateway's port to ours.
    const owner = await until(
      'the worker holding the connection',
      () =>
        spawnSync('ss', [
          '-tnpH',
          'state',
          'established',
          `( sport = :${gw.port} and dport = :${socket.localPort} )`,
        ]).stdout.toString(),
      (out) => /pid=(\d+)/.test(out),
    );
    const pid = Number(/pid=(\d+)/.exec(owner)![1]);
    expect(workersOf(gw.pid!)).toContain(pid);
    process.kill(pid, 'SIGKILL');
    expect(await failed).toBe('ECONNRESET');
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
      env: { PATH: process.env.PATH, VECGATE_WORKERS: '2', VECGATE_DATA_DIR: 'memory://', PORT: '0', QDRANT_PORT: '0' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/VECGATE_WORKERS above 1 needs DATABASE_URL/);
  });
});
