/**
 * Starting and stopping the servers a workload runs against: vecgate (on DATABASE_URL or embedded
 * PGlite), the Chroma 1.0.0 reference server, and the harness's own HTTP floor and bare SQL server
 * (bench/servers/http-floor.ts, bare-sql.ts). Each is a child process on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { sleep } from '../stats';

export interface Server {
  url: string;
  /** The process id of a server we started (for its memory), absent for an external one. */
  pid?: number;
  /** What we learnt about the server (backend, versions); empty for a server we did not start. */
  info: Record<string, string>;
  stop(): Promise<void>;
}

/** The repository: the nearest directory above this file with a package.json. */
export const root = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'package.json'))) return dir;
  return process.cwd();
})();

const running = new Set<ChildProcess>();
const stoppers = new Set<() => Promise<void>>();
let interrupted = false;

// A child must not outlive the benchmark: on Ctrl-C stop each server (and remove its temporary
// data) before exiting; on any other exit, kill what is left.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping the servers it started`);
    const all = Promise.allSettled([...stoppers].map((stop) => stop()));
    const timeout = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    void Promise.race([all, timeout]).then(() => process.exit(130));
  });
}

/** An external server, given by URL: nothing to start or stop. */
export function external(url: string): Server {
  return { url: url.replace(/\/+$/, ''), info: {}, stop: async () => {} };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

interface Child {
  /** Runs `node script args` in the repository with `env`; `onLine` sees each line it writes. */
  script: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  name: string;
  timeoutMs: number;
  onLine?: (line: string) => void;
  /** Run after the child has stopped. */
  cleanup?: () => void;
}

/**
 * Starts a child on a free port (`port` gives args) and waits until GET /api/v2/heartbeat answers
 * 200; a child that exits or stays silent fails with the last lines it wrote.
 */
async function startChild(make: (port: number) => Child): Promise<Server> {
  const port = await freePort();
  if (interrupted) throw new Error('interrupted');
  const c = make(port);
  if (!existsSync(c.script)) throw new Error(`${c.script} is missing: run npm install and npm run build first`);
  const url = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  let partial = '';
  const child = spawn(process.execPath, [c.script, ...c.args], {
    cwd: root,
    env: c.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const push = (chunk: Buffer) => {
    const parts = (partial + stripAnsi(chunk.toString('utf8'))).split('\n');
    partial = parts.pop() ?? '';
    // BENCH_CHILD_LOG names a file every child's lines are appended to, for a failure to be read later.
    if (process.env.BENCH_CHILD_LOG && parts.length > 0)
      appendFileSync(process.env.BENCH_CHILD_LOG, parts.map((l) => `${c.name}: ${l}\n`).join(''));
    for (const line of parts) {
      c.onLine?.(line);
      lines.push(line);
      if (lines.length > 60) lines.shift();
    }
  };
  child.stdout!.on('data', push);
  child.stderr!.on('data', push);
  const log = () => [...lines, partial].filter((l) => l.trim() !== '').join('\n');
  let done: Promise<void> | undefined;
  const stop = () => {
    done ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      c.cleanup?.();
    })().finally(() => stoppers.delete(stop));
    return done;
  };
  stoppers.add(stop);
  const deadline = Date.now() + c.timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`${c.name} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { url, pid: child.pid, info: {}, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${c.name} did not answer ${url}/api/v2/heartbeat within ${c.timeoutMs / 1000} s:\n${log()}`);
    }
    await sleep(250);
  }
}

export interface VecgateOptions {
  /** The Postgres to run on; null forces the embedded backend; undefined takes DATABASE_URL. */
  databaseUrl?: string | null;
  /** More environment for the gateway (VECGATE_* settings). */
  env?: NodeJS.ProcessEnv;
  /** Called with each line the gateway logs (a workload watching for the search tuner, say). */
  onLine?: (line: string) => void;
}

/**
 * Starts the built gateway (`node dist/src/main.js`). On options.databaseUrl (default: DATABASE_URL
 * from the environment) when there is one; otherwise on embedded PGlite in VECGATE_DATA_DIR if
 * set, else in a fresh temporary directory removed afterwards.
 */
export async function startVecgate(options: VecgateOptions = {}): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, HOST: '127.0.0.1', NO_COLOR: '1' };
  if (options.databaseUrl === null) delete env.DATABASE_URL;
  else if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  const tempDir = !env.DATABASE_URL && !env.VECGATE_DATA_DIR ? mkdtempSync(join(tmpdir(), 'vecgate-bench-')) : '';
  if (tempDir) env.VECGATE_DATA_DIR = tempDir;
  const info: Record<string, string> = {};
  // BENCH_ECHO=<regular expression>: the gateway's log lines that match it go to stderr (where a
  // run's time goes: IndexBuilder|SearchTuner, say).
  const echo = process.env.BENCH_ECHO ? new RegExp(process.env.BENCH_ECHO) : undefined;
  const server = await startChild((port) => ({
    script: join(root, 'dist', 'src', 'main.js'),
    args: [],
    // The Qdrant port stays off unless a workload asks for one (QDRANT_PORT in options.env).
    env: { QDRANT_PORT: '0', ...env, PORT: String(port) },
    name: 'vecgate',
    timeoutMs: 120_000,
    onLine: (line) => {
      options.onLine?.(line);
      if (echo?.test(line)) process.stderr.write(`vecgate | ${line}\n`);
      const m = /(embedded database|embedded PGlite|PostgreSQL)\b.*with pgvector ([0-9][0-9A-Za-z.]*)/.exec(line);
      if (m) {
        info.backend = m[1] === 'PostgreSQL' ? 'postgres' : `embedded (PGlite, ${env.VECGATE_DATA_DIR})`;
        info.pgvector = m[2];
      }
    },
    cleanup: () => tempDir && rmSync(tempDir, { recursive: true, force: true }),
  }));
  if (env.DATABASE_URL) info.postgres = await postgresVersion(env.DATABASE_URL);
  return { ...server, info };
}

/** `server_version` of a real Postgres, or '?' (it is only shown in the report). */
async function postgresVersion(databaseUrl: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return String(rows[0].server_version);
  } catch {
    return '?';
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Starts the real Chroma 1.0.0 server (`chroma run` of the chromadb 3.0.9 package that npm install
 * brings as the devDependency chroma-reference). `dataDir`: the caller's directory, kept after
 * stop (to read Chroma's files); else a temporary one, removed.
 */
export async function startChromaReference(options: { dataDir?: string } = {}): Promise<Server> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chroma-bench-'));
  const server = await startChild((port) => ({
    script: join(root, 'node_modules', 'chroma-reference', 'dist', 'cli.mjs'),
    args: ['run', '--path', dataDir, '--port', String(port)],
    name: 'chroma reference server',
    timeoutMs: 120_000,
    cleanup: () => options.dataDir ?? rmSync(dataDir, { recursive: true, force: true }),
  }));
  return { ...server, info: { server: 'chroma 1.0.0 (chroma-reference)' } };
}

/** The HTTP floor (bench/servers/http-floor.ts): a server whose one answer can be set. */
export interface HttpFloor extends Server {
  /** Every request gets this response until the next call. */
  setCanned(status: number, body: string): Promise<void>;
}

const benchServer = (name: string, args: string[], what: string) =>
  startChild((port) => ({
    script: join(root, 'dist', 'bench', 'servers', `${name}.js`),
    args: [String(port), ...args],
    name: what,
    timeoutMs: 30_000,
  }));

export async function startHttpFloor(): Promise<HttpFloor> {
  const server = await benchServer('http-floor', [], 'http floor');
  const setCanned = async (status: number, body: string) => {
    const res = await fetch(`${server.url}/__canned`, { method: 'POST', body: JSON.stringify({ status, body }) });
    if (res.status !== 204) throw new Error(`http floor: /__canned answered ${res.status}`);
  };
  return { ...server, info: { server: "bare node:http answering the gateway's own response bytes" }, setCanned };
}

/** The bare SQL server (bench/servers/bare-sql.ts) on a collection the gateway made. */
export async function startBareSql(databaseUrl: string, collectionId: string): Promise<Server> {
  const server = await benchServer('bare-sql', [databaseUrl, collectionId], 'bare sql server');
  return { ...server, info: { server: "bare node:http running the gateway's query SQL through pg" } };
}

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM), or undefined when it cannot be read (not Linux). */
function procStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A server process's memory: its RSS sampled every `periodMs`, and the kernel's high-water mark at the end. */
export class MemorySampler {
  /** [ms since start, RSS MiB] every period. */
  readonly timeline: [number, number][] = [];
  maxRssMiB = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly start = Date.now();

  constructor(
    private readonly pid: number,
    readonly periodMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
  }

  private sample(): void {
    const mib = procStatusMiB(this.pid, 'VmRSS');
    if (mib === undefined) return;
    this.timeline.push([Date.now() - this.start, Math.round(mib * 10) / 10]);
    this.maxRssMiB = Math.max(this.maxRssMiB, mib);
  }

  /** Stops sampling; returns the kernel's high-water mark (VmHWM) in MiB. */
  stop(): number | undefined {
    this.sample();
    clearInterval(this.timer);
    return procStatusMiB(this.pid, 'VmHWM');
  }
}
