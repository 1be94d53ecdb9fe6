import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';

const ROOT = resolve(__dirname, '../../..');
const OUT = join(ROOT, 'dist', 'operations-test');
const ENTRY = join(OUT, 'test/e2e/operations/support/shutdown-entry.js');

/**
 * The entry (main.ts as wired, plus a slow route) is compiled like the build compiles main.ts,
 * without type checking: `npm run typecheck` does that for the whole tree.
 */
function compileEntry(): void {
  mkdirSync(OUT, { recursive: true });
  const config = {
    extends: '../../tsconfig.build.json',
    compilerOptions: { outDir: '.', noCheck: true, sourceMap: false },
    files: ['../../test/e2e/operations/support/shutdown-entry.ts'],
    include: [],
  };
  writeFileSync(join(OUT, 'tsconfig.json'), JSON.stringify(config));
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(OUT, 'tsconfig.json')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

interface Child {
  process: ChildProcess;
  lines: Record<string, any>[];
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      VECGATE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, any>[] = [];
  let stderr = '';
  let pending = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in time; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const text of complete) {
        if (!text.trim()) continue;
        const line = JSON.parse(text);
        lines.push(line);
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line.msg ?? '');
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      }
    });
    exited.then(({ code }) => reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`)));
  });
  return { process: child, lines, port, exited };
}

describe('operations: graceful shutdown of a real process on SIGTERM', () => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let child: Child | undefined;

  beforeAll(async () => {
    compileEntry();
    if (usingPostgres()) scratch = await createScratchDatabase();
  }, 120_000);
  afterEach(() => {
    if (child && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('finishes the request in flight with 200, refuses new connections, and exits 0', async () => {
    child = await startChild({
      VECGATE_SHUTDOWN_TIMEOUT_MS: '8000',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    const base = `http://127.0.0.1:${child.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const slow = fetch(`${base}/__test/slow?ms=1500`, { headers: { 'x-request-id': 'slow-one' } });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the request is in the handler
    child.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ slept: 1500, one: 1 });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const messages = child.lines.map((l) => l.msg);
    expect(messages).toContain('SIGTERM: draining 1 request(s), at most 8000 ms');
    expect(child.lines.find((l) => l.msg === 'request' && l.requestId === 'slow-one')).toMatchObject({
      status: 200,
      route: '/__test/slow',
    });
    expect(messages[messages.length - 1]).toBe('stopped');
  });

  it('exits 0 at once when nothing is in flight', async () => {
    child = await startChild(scratch ? { DATABASE_URL: scratch.url } : {});
    const started = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
