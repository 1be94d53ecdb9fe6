import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A real Chroma 1.0.0 server for differential tests: the `chroma run` command of the chromadb 3.0.9
 * package, which `npm install` brings as the devDependency `chroma-reference` (its Linux binding
 * pinned to 1.0.1, the Chroma 1.0.0 server, by package.json's overrides). Each call gets its own
 * loopback port and an empty data directory.
 *
 * There is no way to "skip" from here: if the server cannot be started, the promise rejects
 * with a message that says why, and the test that asked for it fails.
 */
export interface ChromaReference {
  url: string;
  /** Where the server keeps its data (removed by stop unless keepData). */
  dataDir: string;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 180_000;
const POLL_INTERVAL_MS = 250;

/** The chroma-reference package's command line (its main module is dist/cjs/chromadb.cjs). */
export function chromaReferenceCli(): string {
  return path.resolve(path.dirname(require.resolve('chroma-reference')), '../../dist/cli.mjs');
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms`; the timer is cleared so that it cannot hold the process open. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function answersHeartbeat(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return false;
    const body = (await res.json()) as Record<string, unknown>;
    return typeof body['nanosecond heartbeat'] === 'number';
  } catch {
    return false;
  }
}

/** Sends a signal to the server's whole process group, ignoring "no such process". */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export async function startChromaReference(): Promise<ChromaReference> {
  const cli = chromaReferenceCli();
  if (!existsSync(cli)) throw new Error(`The Chroma reference server is not installed (${cli}): run npm install.`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vecgate-chroma-ref-'));
  // The server binds "localhost"; it resolves to 127.0.0.1 here, but accept ::1 as well.
  const candidates = [`http://127.0.0.1:${port}`, `http://[::1]:${port}`];

  const child = spawn(process.execPath, [cli, 'run', '--path', dataDir, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `spawn error: ${err.message}`;
      resolve();
    });
  });

  const stop = async (options: { keepData?: boolean } = {}) => {
    if (exited === undefined) {
      signalGroup(child, 'SIGTERM');
      if (!(await settlesWithin(exit, 10_000))) {
        signalGroup(child, 'SIGKILL');
        await settlesWithin(exit, 5_000);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`The Chroma reference server exited with ${exited} before answering. Its output:\n${output}`);
    }
    for (const url of candidates) {
      if (await answersHeartbeat(url)) return { url, dataDir, stop };
    }
    await sleep(POLL_INTERVAL_MS);
  }
  await stop();
  throw new Error(
    `The Chroma reference server did not answer GET /api/v2/heartbeat on port ${port} within ` +
      `${STARTUP_TIMEOUT_MS / 1000} s. Its output:\n${output}`,
  );
}
