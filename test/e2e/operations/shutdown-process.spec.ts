import { transformFileSync } from '@swc/core';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from '../../support/build';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';
import { GatewayProcess } from '../../support/gateway-process';
import { until } from '../../support/wait';

const ROOT = resolve(__dirname, '../../..');
const SUPPORT = join(ROOT, 'test/e2e/operations/support');
// Beside dist/src, so that the entry's imports of ../../../../src/... find the build.
const OUT = join(ROOT, 'dist/test/e2e/operations/support');
const ENTRY = join(OUT, 'shutdown-entry.js');

/**
 * The entry (main.ts plus a slow route) runs on the current build of src/ (dist/), its two files
 * transpiled by swc as the tests are: `npm run typecheck` checks their types.
 */
async function compileEntry(): Promise<void> {
  await ensureBuilt();
  mkdirSync(OUT, { recursive: true });
  for (const name of ['shutdown-entry', 'slow.module']) {
    const { code } = transformFileSync(join(SUPPORT, `${name}.ts`), {
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
      module: { type: 'commonjs' },
    });
    writeFileSync(join(OUT, `${name}.js`), code);
  }
}

/** The entry, as `npm start` runs main.ts: on loopback, in memory unless `env` says otherwise. */
function startChild(env: Record<string, string>): Promise<GatewayProcess> {
  return GatewayProcess.start({ HOST: '127.0.0.1', VECGATE_DATA_DIR: 'memory://', ...env }, { entry: ENTRY });
}

describe('operations: graceful shutdown of a real process on SIGTERM', () => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let child: GatewayProcess | undefined;

  beforeAll(async () => {
    await compileEntry();
    if (usingPostgres()) scratch = await createScratchDatabase();
  });
  afterEach(() => {
    if (child && child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
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
    const logged = (msg: string) => () => child!.lines.some((l) => l.msg === msg);
    await until('the request in the handler', logged('slow request started'), (seen) => seen);
    child.child.kill('SIGTERM');
    await until('the drain', logged('SIGTERM: draining 1 request(s), at most 8000 ms'), (seen) => seen);
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
    child.child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    // Not the drain timeout (VECGATE_SHUTDOWN_TIMEOUT_MS, 10 s by default) it would wait out for a request.
    expect(Date.now() - started).toBeLessThan(9_000);
  });
});

describe('operations: one process per embedded data directory', () => {
  const children: GatewayProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    await compileEntry();
    dir = mkdtempSync(join(tmpdir(), 'vecgate-data-'));
  });
  afterAll(() => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<GatewayProcess> {
    const child = await startChild({ VECGATE_DATA_DIR: dir });
    children.push(child);
    return child;
  }

  const chroma = (child: GatewayProcess) =>
    `http://127.0.0.1:${child.port}/api/v2/tenants/default_tenant/databases/default_database`;

  it('refuses a second process on the directory, and opens it again after a kill -9 with every write', async () => {
    const first = await start();
    const created = await fetch(`${chroma(first)}/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    const { id } = (await created.json()) as { id: string };
    const added = await fetch(`${chroma(first)}/collections/${id}/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ids: ['a', 'b'],
        embeddings: [
          [1, 0],
          [0, 1],
        ],
      }),
    });
    expect(added.status).toBe(201);

    await expect(start()).rejects.toThrow(/exited with 1 before listening.*in use by process/s);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dir, 'vecgate.lock'))).toBe(true); // left behind by the killed process
    const second = await start();
    expect(await (await fetch(`${chroma(second)}/collections/${id}/count`)).json()).toBe(2);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, 'vecgate.lock'))).toBe(false);
  });
});
