/** Starting and stopping the servers the benchmark runs against. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { Client } from 'pg';

export interface Server {
  url: string;
  /** The process id of a server we started (for its memory), absent for an external one. */
  pid?: number;
  /** What we learnt about the server (backend, versions); empty for a server we did not start. */
  info: Record<string, string>;
  stop(): Promise<void>;
}

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

/** Registers `stop` for the signal handlers; returns a stop that runs once and unregisters. */
function once(stop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const wrapped = () => {
    done ??= stop().finally(() => stoppers.delete(wrapped));
    return done;
  };
  stoppers.add(wrapped);
  return wrapped;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Keeps the last lines a child wrote, to show when it fails, and lets a watcher read each line. */
class LogTail {
  readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly keep = 60,
    private readonly onLine: (line: string) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + stripAnsi(chunk.toString('utf8'))).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.onLine(line);
      this.lines.push(line);
      if (this.lines.length > this.keep) this.lines.shift();
    }
  }

  toString(): string {
    return [...this.lines, this.partial].filter((l) => l.trim() !== '').join('\n');
  }
}

/** Polls GET /api/v2/heartbeat until it answers 200, the child dies, or the time is up. */
async function waitForHeartbeat(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  log: LogTail,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it answered:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not answer ${url}/api/v2/heartbeat within ${timeoutMs / 1000} s:\n${log}`);
}

async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

function startChild(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, log: LogTail): ChildProcess {
  if (interrupted) throw new Error('interrupted');
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk));
  return child;
}

export interface VecgateOptions {
  /** The Postgres to run on; null forces the embedded backend; undefined takes DATABASE_URL. */
  databaseUrl?: string | null;
  /** More environment for the gateway (VECGATE_* settings). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the built gateway (`node dist/src/main.js`) as a child process on a free loopback port.
 * On options.databaseUrl (default: DATABASE_URL from the environment) when there is one; otherwise
 * on embedded PGlite in VECGATE_DATA_DIR if set, else in a fresh temporary directory removed afterwards.
 */
export async function startVecgate(repoRoot: string, options: VecgateOptions = {}): Promise<Server> {
  const main = join(repoRoot, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const port = await freePort();
  if (interrupted) throw new Error('interrupted');
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    NO_COLOR: '1',
  };
  if (options.databaseUrl === null) delete env.DATABASE_URL;
  else if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  let tempDir: string | undefined;
  if (!env.DATABASE_URL && !env.VECGATE_DATA_DIR) {
    tempDir = mkdtempSync(join(tmpdir(), 'vecgate-bench-'));
    env.VECGATE_DATA_DIR = tempDir;
  }
  const info: Record<string, string> = {};
  const log = new LogTail(60, (line) => {
    const m = /(embedded PGlite|PostgreSQL)\b.*with pgvector ([0-9][^\s"]*)/.exec(line);
    if (m) {
      info.backend = m[1] === 'PostgreSQL' ? 'postgres' : `embedded (PGlite, ${env.VECGATE_DATA_DIR})`;
      info.pgvector = m[2];
    }
  });
  const child = startChild(process.execPath, [main], env, repoRoot, log);
  const stop = once(async () => {
    await stopChild(child);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });
  try {
    await waitForHeartbeat(url, child, 120_000, log, 'vecgate');
  } catch (err) {
    await stop();
    throw err;
  }
  if (env.DATABASE_URL) info.postgres = await postgresVersion(env.DATABASE_URL);
  return { url, pid: child.pid, info, stop };
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
 * brings as the devDependency chroma-reference) in a fresh temporary data directory.
 */
/** `dataDir`: the caller's directory, kept after stop (to read Chroma's files); else a temporary one. */
export async function startChromaReference(repoRoot: string, options: { dataDir?: string } = {}): Promise<Server> {
  const cli = join(repoRoot, 'node_modules', 'chroma-reference', 'dist', 'cli.mjs');
  if (!existsSync(cli)) throw new Error(`${cli} not found: run npm install (or pass --chroma URL or --no-chroma)`);
  const port = await freePort();
  if (interrupted) throw new Error('interrupted');
  const url = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chroma-bench-'));
  const log = new LogTail();
  const child = startChild(
    process.execPath,
    [cli, 'run', '--path', dataDir, '--port', String(port)],
    process.env,
    repoRoot,
    log,
  );
  const stop = once(async () => {
    await stopChild(child);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  try {
    await waitForHeartbeat(url, child, 120_000, log, 'chroma reference server');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid, info: { server: 'chroma 1.0.0 (chroma-reference)' }, stop };
}

/** A Server whose answers can be set: see bench/http-floor-server.ts. */
export interface HttpFloor extends Server {
  /** Every request gets this response until the next call. */
  setCanned(status: number, body: string): Promise<void>;
}

/** Starts one of the bench's own servers (`node dist/bench/<name>.js PORT ...args`) on a free loopback port. */
async function startBenchServer(repoRoot: string, name: string, args: string[], what: string): Promise<Server> {
  const script = join(repoRoot, 'dist', 'bench', `${name}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = new LogTail();
  const child = startChild(process.execPath, [script, String(port), ...args], process.env, repoRoot, log);
  const stop = once(() => stopChild(child));
  try {
    await waitForHeartbeat(url, child, 30_000, log, what);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: child.pid, info: {}, stop };
}

/** Starts the HTTP floor (bench/http-floor-server.ts). */
export async function startHttpFloor(repoRoot: string): Promise<HttpFloor> {
  const server = await startBenchServer(repoRoot, 'http-floor-server', [], 'http floor');
  const setCanned = async (status: number, body: string) => {
    const res = await fetch(`${server.url}/__canned`, { method: 'POST', body: JSON.stringify({ status, body }) });
    if (res.status !== 204) throw new Error(`http floor: /__canned answered ${res.status}`);
  };
  return { ...server, info: { server: "bare node:http answering the gateway's own response bytes" }, setCanned };
}

/** Starts the bare SQL server (bench/bare-sql-server.ts) on a collection the gateway made. */
export async function startBareSql(repoRoot: string, databaseUrl: string, collectionId: string): Promise<Server> {
  const server = await startBenchServer(repoRoot, 'bare-sql-server', [databaseUrl, collectionId], 'bare sql server');
  return { ...server, info: { server: "bare node:http running the gateway's query SQL through pg" } };
}

/** The chromadb client for a server's URL. */
export function chromaClientFor(url: string): ChromaClient {
  const u = new URL(url);
  const ssl = u.protocol === 'https:';
  return new ChromaClient({ host: u.hostname, port: Number(u.port) || (ssl ? 443 : 80), ssl });
}
