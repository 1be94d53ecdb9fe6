import { ensureBuilt } from '../../support/build';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * The real pieces for the cluster test, each a process of its own on a loopback port:
 *  - a private PostgreSQL cluster (initdb into a temp dir, pg_ctl start/stop) that the test may stop
 *    and restart; the machine's own cluster is never touched;
 *  - N gateways, `node dist/src/main.js`, each with PORT/HOST/DATABASE_URL of its own;
 *  - nginx in front of them (`daemon off`, a child of the test), with an upstream of every gateway.
 * Everything lives under one temp dir, removed by Cluster.stop(); a process 'exit' hook does the same
 * (synchronously) when the test process ends without reaching it.
 */

export const REPO = resolve(__dirname, '../../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** true when `p` settles within `ms` (the timer is cleared either way: nothing is left pending). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  return Promise.race([p.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

export function log(line: string): void {
  process.stderr.write(`[cluster] ${line}\n`);
}

/** A port on 127.0.0.1 that nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function which(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extra];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Runs a command to completion (resolving on exit: pg_ctl's server must not hold our pipes open). */
async function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${cmd} ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      // let the last output drain
      setTimeout(() => res({ code, out }), 20);
    });
  });
}

// ---------------------------------------------------------------------------------------- Postgres

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function pgBinDir(): string {
  const candidates = [process.env.VECGATE_PG_BINDIR, '/usr/lib/postgresql/15/bin'].filter((d): d is string => !!d);
  for (const d of candidates) if (existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) return d;
  const initdb = which('initdb');
  if (initdb) return resolve(initdb, '..');
  throw new Error(
    'initdb was not found (looked in $VECGATE_PG_BINDIR, /usr/lib/postgresql/15/bin and PATH): the cluster test needs PostgreSQL server binaries with pgvector installed (scripts/install-pgvector.sh)',
  );
}

/**
 * A PostgreSQL cluster of the test's own: initdb into a temp dir, trust auth, listening on
 * 127.0.0.1:<free port> with its socket in the same dir. initdb refuses to run as root, so as root
 * every command runs as the `postgres` OS user (runuser, or su), in a dir owned by that user.
 */
export class PrivatePostgres {
  readonly bin = pgBinDir();
  readonly dataDir: string;
  readonly logFile: string;
  private osUser?: { name: string; uid: number; gid: number };
  running = false;

  constructor(
    readonly dir: string,
    readonly port: number,
    /** Server settings on top of the test's own (`synchronous_standby_names` ...). */
    readonly settings: Record<string, string> = {},
  ) {
    if (port === 5432) throw new Error('refusing to use port 5432: it belongs to the machine cluster');
    this.dataDir = join(dir, 'data');
    this.logFile = join(dir, 'postgres.log');
    mkdirSync(dir, { recursive: true });
    if (isRoot()) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      this.osUser = { name: 'postgres', uid, gid };
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
  }

  url(database = 'vecgate'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A command line of the PostgreSQL bin dir, as the cluster's OS user. */
  private command(tool: string, args: string[]): [string, string[]] {
    const exe = join(this.bin, tool);
    if (!this.osUser) return [exe, args];
    const runuser = which('runuser', ['/usr/sbin', '/sbin']);
    if (runuser) return [runuser, ['-u', this.osUser.name, '--', exe, ...args]];
    const quoted = [exe, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return ['su', [this.osUser.name, '-s', '/bin/sh', '-c', quoted]];
  }

  private async tool(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
    const [cmd, argv] = this.command(tool, args);
    const { code, out } = await run(cmd, argv, timeoutMs);
    if (code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (exit ${code}):\n${out}${this.logTail()}`);
    return out;
  }

  logTail(lines = 30): string {
    try {
      const text = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return `\n--- ${this.logFile} (last ${lines} lines)\n${text.slice(-lines).join('\n')}`;
    } catch {
      return '';
    }
  }

  async init(): Promise<void> {
    await this.tool('initdb', [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
  }

  async start(): Promise<void> {
    const extra = Object.entries(this.settings).map(([name, value]) => ` -c ${name}=${value}`);
    const opts = `-c listen_addresses=127.0.0.1 -c port=${this.port} -k ${this.dir} -c max_connections=100 -c shared_buffers=64MB${extra.join('')}`;
    await this.tool('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '30', '-o', opts, 'start'], 45_000);
    this.running = true;
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.tool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop'], 45_000);
    this.running = false;
  }

  /**
   * Makes this cluster a streaming standby of `primary`: a base backup of it (pg_basebackup -R
   * writes the standby's primary_conninfo and standby.signal), to be started as usual.
   */
  async standbyOf(primary: PrivatePostgres): Promise<void> {
    await this.tool('pg_basebackup', [
      '-D',
      this.dataDir,
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-X',
      'stream',
      '-R',
      '--no-sync',
      // An immediate checkpoint: the default spreads it over minutes.
      '--checkpoint=fast',
    ]);
  }

  /** Ends a standby's recovery: it takes writes from then on (the manual failover step). */
  async promote(): Promise<void> {
    await this.tool('pg_ctl', ['-D', this.dataDir, '-w', '-t', '30', 'promote'], 45_000);
  }

  /** Synchronous stop for the exit hook. */
  stopSync(): void {
    if (!this.running) return;
    const [cmd, argv] = this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']);
    spawnSync(cmd, argv, { stdio: 'ignore', timeout: 15_000 });
    this.running = false;
  }

  /** Creates the gateway's database and checks that pgvector loads into it. Returns its version. */
  async createDatabase(name = 'vecgate'): Promise<string> {
    const admin = new Client({ connectionString: this.url('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const db = new Client({ connectionString: this.url(name) });
    await db.connect();
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS vector');
      const { rows } = await db.query(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
      return rows[0].extversion;
    } finally {
      await db.end();
    }
  }

  /** One SQL statement on a fresh connection (the test's own view of the store). */
  async sql<T = any>(text: string, values: unknown[] = [], database = 'vecgate'): Promise<T[]> {
    const c = new Client({ connectionString: this.url(database) });
    await c.connect();
    try {
      return (await c.query(text, values as any[])).rows;
    } finally {
      await c.end();
    }
  }
}

// ---------------------------------------------------------------------------------------- gateways

/**
 * The gateway's entry point: dist/src/main.js of this checkout, or VECGATE_CLUSTER_MAIN to run the
 * same test against another build (a patched copy, an older release).
 */
function gatewayMain(): string {
  return process.env.VECGATE_CLUSTER_MAIN ? resolve(process.env.VECGATE_CLUSTER_MAIN) : join(REPO, 'dist/src/main.js');
}

/**
 * Two clusters of the test's own under `dir`: a primary holding database `vecgate` and a streaming
 * standby made from its base backup (the read-replica and failover tests).
 */
export class PrimaryAndStandby {
  private constructor(
    readonly primary: PrivatePostgres,
    readonly standby: PrivatePostgres,
  ) {}

  static async create(dir: string): Promise<PrimaryAndStandby> {
    return new PrimaryAndStandby(
      new PrivatePostgres(join(dir, 'primary'), await freePort()),
      new PrivatePostgres(join(dir, 'standby'), await freePort()),
    );
  }

  async start(): Promise<void> {
    await this.primary.init();
    await this.primary.start();
    await this.primary.createDatabase('vecgate');
    await this.standby.standbyOf(this.primary);
    await this.standby.start();
  }

  /** Stops whichever of the two is still running (a test may have killed the primary). */
  async stop(): Promise<void> {
    for (const pg of [this.standby, this.primary]) if (pg.running) await pg.stop('fast').catch(() => pg.stopSync());
  }
}

/** The build the replicas run: this checkout's, built when stale, or VECGATE_CLUSTER_MAIN's. */
export async function ensureGatewayBuilt(): Promise<string> {
  if (process.env.VECGATE_CLUSTER_MAIN) {
    if (!existsSync(gatewayMain()))
      throw new Error(`VECGATE_CLUSTER_MAIN=${process.env.VECGATE_CLUSTER_MAIN} does not exist`);
    return `gateway build ${gatewayMain()} (VECGATE_CLUSTER_MAIN)`;
  }
  await ensureBuilt();
  return 'dist/ is current';
}

/** One gateway replica: `node dist/src/main.js` on 127.0.0.1:<port>, restartable on the same port. */
export class GatewayProcess {
  proc?: ChildProcess;
  starts = 0;
  private tail: string[] = [];
  private exited?: Promise<void>;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly databaseUrl: string,
    readonly logFile: string,
    /** Settings the test gives every replica (VECGATE_INDEX_MIN_ROWS ...), on top of the minimal environment. */
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  logText(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** How the current (or last) process ended, and the lines of its log that say why. */
  exitInfo(): string {
    const p = this.proc;
    if (!p) return 'never started';
    if (this.alive) return `alive (pid ${p.pid})`;
    const log = this.logText();
    const last = log.slice(log.lastIndexOf('===== start #'));
    const why = last
      .split('\n')
      .filter((l) =>
        /Unhandled 'error' event|uncaught|^\w*Error: |^error: |Emitted 'error' event|^\s+at \S+ \(.*node_modules\/pg\/lib|^\s+code: '/.test(
          l,
        ),
      )
      .slice(0, 5)
      .map((l) => l.trim());
    return `pid ${p.pid} exited (code ${p.exitCode}, signal ${p.signalCode}): ${why.join(' / ') || '(nothing in its log)'}`;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    // A minimal environment: nothing of the caller's VECGATE_*, PUBLIC_URL, REDIS_URL ... leaks in.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      PORT: String(this.port),
      QDRANT_PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: this.databaseUrl,
      ...this.extraEnv,
    };
    this.starts++;
    appendFileSync(this.logFile, `\n===== start #${this.starts} of ${this.name} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [gatewayMain()], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = child;
    const onData = (d: Buffer) => {
      appendFileSync(this.logFile, d);
      this.tail.push(...d.toString().split('\n').filter(Boolean));
      if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((r) => child.on('exit', () => r()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive)
        throw new Error(
          `${this.name} exited during boot (code ${child.exitCode}, signal ${child.signalCode}):\n${this.tail.join('\n')}`,
        );
      try {
        const res = await fetch(`${this.url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    throw new Error(`${this.name} did not answer /api/v2/heartbeat within ${timeoutMs} ms:\n${this.tail.join('\n')}`);
  }

  /** Sends a signal and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.proc!.kill(signal);
    const done = await within(this.exited!, timeoutMs);
    if (!done) {
      this.proc!.kill('SIGKILL');
      await this.exited;
    }
  }

  killSync(): void {
    if (this.alive) this.proc!.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------- nginx

export function findNginx(): string {
  const explicit = process.env.NGINX_BIN;
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    throw new Error(`NGINX_BIN=${explicit} does not exist`);
  }
  const found = which('nginx', ['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']);
  if (!found)
    throw new Error(
      'nginx was not found (PATH, /usr/sbin, /usr/local/sbin): run `bash scripts/install-nginx.sh` (Debian: apt-get install nginx-light)',
    );
  return found;
}

/** One line of nginx's access log, as this test's log_format writes it. */
export interface AccessLogEntry {
  time: number; // ms since the epoch
  method: string;
  uri: string;
  status: number;
  /** every upstream tried, in order ("127.0.0.1:port"), and what each answered ("502", "200", "-") */
  upstreams: { addr: string; status: string }[];
}

/**
 * nginx in front of the gateways: round robin over an upstream of all of them. Health is passive
 * only (open-source nginx has no active health checks): a replica is taken out of rotation for
 * `fail_timeout` after `max_fails` failed attempts (refused connection, timeout, 502/503), and a
 * failed attempt of a request that was not yet sent (refused connection) is retried on the next
 * replica. A POST that was already sent is never retried (proxy_next_upstream without
 * non_idempotent): the client gets the 502.
 */
export class NginxProcess {
  readonly bin = findNginx();
  proc?: ChildProcess;
  private out = '';
  private exited?: Promise<void>;
  readonly conf: string;
  readonly accessLog: string;
  readonly errorLog: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly upstreams: number[],
  ) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o711); // workers (nobody, when the master is root) must reach their temp dirs
    this.conf = join(dir, 'nginx.conf');
    this.accessLog = join(dir, 'access.log');
    this.errorLog = join(dir, 'error.log');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get version(): string {
    const r = spawnSync(this.bin, ['-v'], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.trim().replace(/^nginx version:\s*/, '');
  }

  config(): string {
    let user = '';
    if (isRoot()) {
      const group = spawnSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).stdout.trim() || 'nogroup';
      user = `user nobody ${group};`;
    }
    const d = this.dir;
    return `# written by test/e2e/cluster/cluster.ts
daemon off;
master_process on;
${user}
worker_processes 2;
pid ${d}/nginx.pid;
error_log ${d}/error.log notice;
events { worker_connections 1024; }
http {
  log_format lb '$msec|$request_method|$uri|$status|$upstream_addr|$upstream_status|$request_time';
  access_log ${d}/access.log lb;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  client_max_body_size 64m;

  # Passive health only (open-source nginx has no active checks): one failed attempt takes a
  # replica out of rotation for 2 s, then nginx tries it again with live traffic.
  upstream vecgate {
${this.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
  }

  server {
    listen 127.0.0.1:${this.port};
    location / {
      proxy_pass http://vecgate;
      # $http_host keeps the port the client used ($host drops it): the gateway builds Pinecone
      # index hosts from it.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
      proxy_send_timeout 30s;
    }
  }
}
`;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    writeFileSync(this.conf, this.config());
    const test = spawnSync(this.bin, ['-t', '-q', '-e', this.errorLog, '-p', this.dir, '-c', this.conf], {
      encoding: 'utf8',
    });
    if (test.status !== 0) throw new Error(`nginx -t rejected ${this.conf}:\n${test.stdout}${test.stderr}`);
    const child = spawn(this.bin, ['-e', this.errorLog, '-p', this.dir, '-c', this.conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = child;
    child.stdout!.on('data', (d) => (this.out += d));
    child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => child.on('exit', () => r()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`nginx exited at start:\n${this.out}\n${this.errorTail()}`);
      try {
        const res = await fetch(`${this.url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        /* not yet */
      }
      await sleep(100);
    }
    throw new Error(`nginx did not proxy /api/v2/heartbeat within ${timeoutMs} ms:\n${this.out}\n${this.errorTail()}`);
  }

  errorTail(lines = 20): string {
    try {
      return readFileSync(this.errorLog, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Fast shutdown (SIGTERM: the master stops its workers), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGTERM');
    const done = await within(this.exited!, 5000);
    if (!done) {
      p.kill('SIGKILL');
      await this.exited;
    }
  }

  stopSync(): void {
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  }

  /** Size of the access log now: pass it to entries() to read what came after. */
  mark(): number {
    try {
      return statSync(this.accessLog).size;
    } catch {
      return 0;
    }
  }

  entries(from = 0, to?: number): AccessLogEntry[] {
    let text: string;
    try {
      text = readFileSync(this.accessLog).subarray(from, to).toString('utf8');
    } catch {
      return [];
    }
    const out: AccessLogEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const [msec, method, uri, status, addrs, statuses] = line.split('|');
      // several tries are listed as "a, b"; a new upstream group would use " : " (not here)
      const a = addrs.split(/,\s*|\s*:\s(?=\d)/).filter((x) => x && x !== '-');
      const s = statuses.split(/,\s*|\s*:\s*/).filter(Boolean);
      out.push({
        time: Math.round(Number(msec) * 1000),
        method,
        uri,
        status: Number(status),
        upstreams: a.map((addr, i) => ({ addr, status: s[i] ?? '-' })),
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------- the whole

export class Cluster {
  readonly root: string;
  pg!: PrivatePostgres;
  gateways: GatewayProcess[] = [];
  nginx!: NginxProcess;
  pgvectorVersion = '';
  buildNote = '';
  private readonly exitHook = () => this.stopSync();

  private constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'vecgate-cluster-'));
    chmodSync(this.root, 0o711); // the postgres user and nginx workers reach their own subdirs
    process.on('exit', this.exitHook);
  }

  /** Postgres first (its own cluster), then the build, the gateways (with `gatewayEnv`), nginx. Cleans up on failure. */
  static async start(replicas = 2, gatewayEnv: Record<string, string> = {}): Promise<Cluster> {
    const c = new Cluster();
    try {
      // Fail fast on missing tools, before anything slow.
      findNginx();
      c.pg = new PrivatePostgres(join(c.root, 'pg'), await freePort());
      const [, build] = await Promise.all([
        (async () => {
          await c.pg.init();
          await c.pg.start();
          c.pgvectorVersion = await c.pg.createDatabase('vecgate');
        })(),
        ensureGatewayBuilt(),
      ]);
      c.buildNote = build;
      for (let i = 0; i < replicas; i++) {
        c.gateways.push(
          new GatewayProcess(
            String.fromCharCode(65 + i),
            await freePort(),
            c.pg.url('vecgate'),
            join(c.root, `gateway-${String.fromCharCode(97 + i)}.log`),
            gatewayEnv,
          ),
        );
      }
      // The first boot applies the migrations; the others then start together.
      await c.gateways[0].start();
      await Promise.all(c.gateways.slice(1).map((g) => g.start()));
      c.nginx = new NginxProcess(
        join(c.root, 'nginx'),
        await freePort(),
        c.gateways.map((g) => g.port),
      );
      await c.nginx.start();
      return c;
    } catch (err) {
      await c.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    await this.nginx?.stop().catch((e) => errors.push(e));
    await Promise.all(this.gateways.map((g) => g.kill('SIGTERM', 5000).catch((e) => errors.push(e))));
    if (this.pg?.running) await this.pg.stop('fast').catch(() => this.pg.stopSync());
    if (process.env.VECGATE_KEEP_CLUSTER_DIR) log(`kept ${this.root}`);
    else rmSync(this.root, { recursive: true, force: true });
    process.off('exit', this.exitHook);
    if (errors.length) throw errors[0];
  }

  /** Last resort, from the process 'exit' hook: nothing asynchronous runs there. */
  stopSync(): void {
    try {
      this.nginx?.stopSync();
      for (const g of this.gateways) g.killSync();
      this.pg?.stopSync();
      if (!process.env.VECGATE_KEEP_CLUSTER_DIR) rmSync(this.root, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}
