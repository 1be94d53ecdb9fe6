import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';
import { GatewayProcess } from '../../support/gateway-process';
import { seedDataDir } from '../../support/cli-store';

/**
 * Where `npm start` listens, and what it says when it listens beyond this machine with nobody
 * required to present a key: the gateway as a real process, with nothing but what a user sets.
 */

const ROOT = resolve(__dirname, '../../..');
jest.setTimeout(240_000);

/** The addresses /proc/net/tcp{,6} shows listening on the port (hex, as the kernel writes them). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}

/** Connects and reports whether a server answered the connection. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function runKeys(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/src/cli/keys.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', fail);
    child.once('close', (code) => done({ code, out }));
  });
}

const OPEN = 'OPEN TO THE NETWORK';
const warned = (gw: GatewayProcess) => gw.lines.some((l) => l.level === 'warn' && String(l.msg).includes(OPEN));

describe('listen address: loopback by default, and a loud warning when open beyond it', () => {
  let dir: string;
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let store: Record<string, string>;
  let gateway: GatewayProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-listen-'));
    if (usingPostgres()) scratch = await createScratchDatabase();
    store = scratch ? { DATABASE_URL: scratch.url } : { VECGATE_DATA_DIR: join(dir, 'data') };
    // A migrated database from the run's seed: these tests are of where it listens, not of a first start.
    if (!scratch) await seedDataDir(join(dir, 'data'));
  });
  afterEach(async () => {
    gateway?.kill();
    await gateway?.stop();
    gateway = undefined;
  });
  afterAll(async () => {
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 alone when HOST is unset, and says nothing of the network', async () => {
    gateway = await GatewayProcess.start(store);
    expect(gateway.host).toBe('127.0.0.1');
    // Where a browser goes, said at start; Nest's 200 and more module and route lines are not (debug).
    const { port } = gateway;
    expect(gateway.lines.map((l) => l.msg)).toContain(
      `web console on http://127.0.0.1:${port}/console/, API documentation on http://127.0.0.1:${port}/docs`,
    );
    expect(gateway.lines.filter((l) => /^Mapped \{/.test(l.msg))).toEqual([]);
    // A new PostgreSQL database adds a line per migration it applies.
    expect(gateway.lines.filter((l) => !/^applied migration /.test(l.msg)).length).toBeLessThan(15);
    expect(listeners(gateway.port)).toEqual(['0100007F']);
    expect(await reachable('127.0.0.1', gateway.port)).toBe(true);
    // Through any address of this machine that is not loopback, nothing answers.
    const outward = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of outward) expect([address, await reachable(address, gateway.port)]).toEqual([address, false]);
    expect(warned(gateway)).toBe(false);
  });

  it('a port another process holds is worded alike for PORT and QDRANT_PORT: the setting, and the way out', async () => {
    const held: Server = createServer();
    await new Promise<void>((done) => held.listen(0, '127.0.0.1', done));
    const port = (held.address() as { port: number }).port;
    try {
      const failure = (env: Record<string, string>) =>
        GatewayProcess.start({ ...store, ...env }).then(
          (started) => {
            gateway = started;
            return 'it started';
          },
          (err: Error) => err.message,
        );
      expect(await failure({ PORT: String(port) })).toBe(
        `the gateway exited with 1 before listening: vecgate: failed to start: port ${port} (PORT, the Chroma, ` +
          `Pinecone and Vectorizer APIs and the console) is taken: set PORT to a free port\n`,
      );
      expect(await failure({ QDRANT_PORT: String(port) })).toBe(
        `the gateway exited with 1 before listening: vecgate: failed to start: port ${port} (QDRANT_PORT, ` +
          `Qdrant's API) is taken: set QDRANT_PORT to a free port, or to 0 to turn the Qdrant API off\n`,
      );
    } finally {
      held.close();
    }
  });

  it('warns at boot when HOST opens it beyond loopback before any key exists, and not once one does', async () => {
    gateway = await GatewayProcess.start({ ...store, HOST: '0.0.0.0' });
    expect(listeners(gateway.port)).toEqual(['00000000']);
    const warning = gateway.lines.find((l) => String(l.msg).includes(OPEN));
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning!.msg).toContain(`0.0.0.0:${gateway.port}`);
    expect(warning!.msg).toContain('no API key exists yet');
    await gateway.stop();

    const created = await runKeys(['create', '--tenant', 'acme'], store);
    expect(created).toMatchObject({ code: 0 });
    gateway = await GatewayProcess.start({ ...store, HOST: '0.0.0.0' });
    expect(warned(gateway)).toBe(false);
  });

  it('warns with VECGATE_AUTH=off even when keys exist, and never with VECGATE_AUTH=required', async () => {
    gateway = await GatewayProcess.start({ ...store, HOST: '0.0.0.0', VECGATE_AUTH: 'off' });
    expect(gateway.lines.find((l) => String(l.msg).includes(OPEN))?.msg).toContain('VECGATE_AUTH=off');
    await gateway.stop();
    gateway = await GatewayProcess.start({ VECGATE_DATA_DIR: 'memory://', HOST: '0.0.0.0', VECGATE_AUTH: 'required' });
    expect(warned(gateway)).toBe(false);
  });
});
