import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGatewayBuilt } from '../cluster/cluster';
import { cli, keysCli, newStore, type CliRun, type Store } from '../../support/cli-store';
import { GatewayProcess } from '../../support/gateway-process';
import { usingPostgres } from '../../support/gateway';

/**
 * The database the import, export and keys commands open, as a user meets it in the first hour:
 * an embedded data directory a running gateway holds (and the other way round), one that holds no
 * database (a mistyped VECGATE_DATA_DIR, a command run from another directory), and the line each
 * command writes to say which database it opened. The commands and the gateway run as built
 * processes. The data directory cases are embedded by nature: their processes get no DATABASE_URL
 * on either test run.
 */

const explain = (r: CliRun) => `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A JSONL export of `n` records of collection `name`, written to `file`. */
function writeJsonl(file: string, name: string, n: number): void {
  const lines = [
    JSON.stringify({ format: 'vecgate-export/1', collection: { name, metric: 'l2', dimension: 2, metadata: null } }),
    ...Array.from({ length: n }, (_, i) => JSON.stringify({ id: `r${i}`, embedding: [i, 1] })),
  ];
  writeFileSync(file, lines.join('\n') + '\n');
}

/** The gateway's log lines at `level` ('info', 'warn') whose message contains `text`. */
const logged = (gw: GatewayProcess, level: string, text: string) =>
  gw.lines.filter((l) => l.level === level && typeof l.msg === 'string' && l.msg.includes(text));

describe('the commands and the gateway on one embedded data directory', () => {
  let dir: string;
  let data: string;
  let file: string;
  const gateways: GatewayProcess[] = [];
  const start = async (env: Record<string, string>, cwd?: string) => {
    const gw = await GatewayProcess.start({ HOST: '127.0.0.1', ...env }, { cwd });
    gateways.push(gw);
    return gw;
  };

  beforeAll(async () => {
    await ensureGatewayBuilt();
    dir = mkdtempSync(join(tmpdir(), 'vecgate-cli-db-'));
    data = join(dir, 'data');
    file = join(dir, 'small.jsonl');
    writeJsonl(file, 'small', 20);
  });
  afterAll(async () => {
    for (const gw of gateways) gw.kill();
    for (const gw of gateways) await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the gateway makes its directory on a first start and says so at warn level, with the absolute path', async () => {
    // Started as `npm start` from `dir` with VECGATE_DATA_DIR relative to it.
    const gw = await start({ VECGATE_DATA_DIR: 'data' }, dir);
    expect(existsSync(join(data, 'PG_VERSION'))).toBe(true);
    expect(logged(gw, 'warn', `created a new, empty database in ${data}:`)).toHaveLength(1);
    expect(logged(gw, 'info', `opened the embedded database in ${data},`)).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(data, 'vecgate.lock'), 'utf8'))).toMatchObject({
      pid: gw.child.pid,
      program: 'gateway',
    });
  });

  it('a command refused by the running gateway says what holds it, the absolute directory, and what to do', async () => {
    const gw = gateways[0];
    const pid = gw.child.pid!;
    const env = { VECGATE_DATA_DIR: 'data' };
    const runs: [string, CliRun][] = [
      ['vecgate:', await cli(['import', file], env, dir)],
      ['vecgate:', await cli(['export', 'small', '--to', join(dir, 'out.jsonl')], env, dir)],
      ['keys:', await keysCli(['list'], env, dir)],
      ['keys:', await keysCli(['create', '--tenant', 'acme'], env, dir)],
    ];
    for (const [prefix, run] of runs) {
      expect({ status: run.status, out: explain(run) }).toEqual({ status: 1, out: explain(run) });
      expect(run.stderr).toContain(`${prefix} the data directory ${data} is in use by process ${pid} on `);
      expect(run.stderr).toContain('(the vecgate gateway)');
      expect(run.stderr).toContain(
        `Stop the gateway (Ctrl-C where \`npm start\` runs, or kill ${pid}), run this command`,
      );
      expect(run.stderr).toContain('then start the gateway again');
      expect(run.stderr).toMatch(
        /or run vecgate on PostgreSQL \(DATABASE_URL\), where gateways and the .* side by side/,
      );
      expect(run.stderr).toContain(`If no such process runs, remove ${join(data, 'vecgate.lock')}.`);
      expect(run.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });

  it('a gateway started while an import holds the directory says it is held by `vecgate import`, to wait for it', async () => {
    await gateways[0].stop();
    // A Qdrant source that answers the scroll only when the test lets it: the import holds the
    // directory for as long as the test needs.
    let scrolled!: () => void;
    const scrolling = new Promise<void>((resolve) => (scrolled = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const points = [{ id: 1, vector: [1, 2], payload: { i: 1 } }];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const send = (result: unknown) => res.end(JSON.stringify({ result, status: 'ok', time: 0 }));
        if (req.url === '/collections') return send({ collections: [{ name: 'held' }] });
        if (req.url === '/collections/held')
          return send({ config: { params: { vectors: { size: 2, distance: 'Dot' } } } });
        if (req.url === '/collections/held/points/count') return send({ count: 1 });
        if (req.url === '/collections/held/points/scroll') {
          scrolled();
          return void released.then(() => send({ points, next_page_offset: null }));
        }
        if (req.url === '/collections/held/points') return send(points);
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const importing = cli(['import', url, '--type', 'qdrant'], { VECGATE_DATA_DIR: data }, dir);
      await scrolling; // the database is opened before the source is read: the import holds the directory
      const lock = JSON.parse(readFileSync(join(data, 'vecgate.lock'), 'utf8'));
      expect(lock.program).toBe('vecgate import');
      const refused = await start({ VECGATE_DATA_DIR: data }).then(
        () => 'started',
        (err: Error) => err.message,
      );
      expect(refused).toContain(`the data directory ${data} is in use by process ${lock.pid} on `);
      expect(refused).toContain('(`vecgate import`)');
      expect(refused).toContain('Wait for `vecgate import` to finish (or stop it), then start the gateway again');
      release();
      const run = await importing;
      expect({ status: run.status, out: explain(run) }).toMatchObject({ status: 0 });
      expect(run.stdout).toMatch(/held -> held: 1 imported/);
    } finally {
      release();
      await new Promise((resolve) => server.close(resolve));
    }
    // The import done, the directory is free for the next command.
    const exported = await cli(['export', 'held', '--to', join(dir, 'held.jsonl')], { VECGATE_DATA_DIR: data }, dir);
    expect({ status: exported.status, out: explain(exported) }).toMatchObject({ status: 0 });
    expect(exported.stderr).toContain(`Opened the embedded database in ${data}.`);
  });

  it('a second start on the directory opens it without the warning', async () => {
    const gw = await start({ VECGATE_DATA_DIR: data });
    expect(logged(gw, 'info', `opened the embedded database in ${data},`)).toHaveLength(1);
    expect(gw.lines.filter((l) => l.level === 'warn' && /created a new, empty database/.test(l.msg))).toEqual([]);
    await gw.stop();
  });
});

describe('a data directory that holds no database', () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    await ensureGatewayBuilt();
    dir = mkdtempSync(join(tmpdir(), 'vecgate-cli-nodb-'));
    file = join(dir, 'small.jsonl');
    writeJsonl(file, 'small', 20);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Each command on `dataDir` (relative to `dir`): refused, naming `abs` and `why`, touching nothing. */
  async function refusedEverywhere(dataDir: string, abs: string, why: string): Promise<void> {
    const env = { VECGATE_DATA_DIR: dataDir };
    const runs: [string, boolean, CliRun][] = [
      ['vecgate:', true, await cli(['import', file], env, dir)],
      ['vecgate:', false, await cli(['export', 'small', '--to', join(dir, 'out.jsonl')], env, dir)],
      ['keys:', false, await keysCli(['list'], env, dir)],
      ['keys:', true, await keysCli(['create', '--tenant', 'acme'], env, dir)],
    ];
    for (const [prefix, creates, run] of runs) {
      expect({ status: run.status, out: explain(run) }).toEqual({ status: 1, out: explain(run) });
      expect(run.stderr).toContain(`${prefix} no vecgate database in ${abs}: ${why}.`);
      expect(run.stderr).toContain('Set VECGATE_DATA_DIR to the gateway');
      expect(run.stderr).toContain('start it once (npm start)');
      // Only the commands that may make one offer to.
      expect(run.stderr.includes('--create-data-dir')).toBe(creates);
      expect(run.stdout).toBe('');
    }
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  }

  it('refuses a directory that does not exist, and does not create it', async () => {
    await refusedEverywhere('mistyped', join(dir, 'mistyped'), 'the directory does not exist');
    expect(existsSync(join(dir, 'mistyped'))).toBe(false);
  });

  it('refuses an empty directory, and leaves it empty', async () => {
    mkdirSync(join(dir, 'empty'));
    await refusedEverywhere(join(dir, 'empty'), join(dir, 'empty'), 'the directory is empty');
    expect(readdirSync(join(dir, 'empty'))).toEqual([]);
  });

  it('import --create-data-dir and keys create --create-data-dir make a new database, and say where', async () => {
    const made = await cli(['import', file, '--create-data-dir'], { VECGATE_DATA_DIR: 'new' }, dir);
    expect({ status: made.status, out: explain(made) }).toMatchObject({ status: 0 });
    expect(made.stdout).toMatch(/small -> small: 20 imported, 0 skipped; source 20, vecgate 20 \(match\)/);
    expect(made.stderr).toContain(`created a new, empty database in ${join(dir, 'new')}:`);
    expect(made.stderr).toContain(`Opened the embedded database in ${join(dir, 'new')}.`);
    // The database is there now: export opens it without the flag, and says nothing was created.
    const exported = await cli(
      ['export', 'small', '--to', join(dir, 'small-out.jsonl')],
      { VECGATE_DATA_DIR: 'new' },
      dir,
    );
    expect({ status: exported.status, out: explain(exported) }).toMatchObject({ status: 0 });
    expect(exported.stderr).toContain(`Opened the embedded database in ${join(dir, 'new')}.`);
    expect(exported.stderr).not.toContain('created a new');

    const key = await keysCli(['create', '--tenant', 'acme', '--create-data-dir'], { VECGATE_DATA_DIR: 'keys' }, dir);
    expect({ status: key.status, out: explain(key) }).toMatchObject({ status: 0 });
    expect(key.stdout.trimEnd().split('\n').pop()).toMatch(/^vg_[0-9a-f]{16}_\S+$/);
    expect(key.stderr).toContain(`Opened the embedded database in ${join(dir, 'keys')}.`);
    const listed = await keysCli(['list'], { VECGATE_DATA_DIR: join(dir, 'keys') }, dir);
    expect(listed.stdout).toMatch(/tenant=acme/);
    expect(listed.stderr).toContain(`Opened the embedded database in ${join(dir, 'keys')}.`);
  });
});

describe('each command says which database it opened', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    await ensureGatewayBuilt();
    dir = mkdtempSync(join(tmpdir(), 'vecgate-cli-opened-'));
    store = await newStore(dir);
    writeJsonl(join(dir, 'small.jsonl'), 'small', 20);
  });
  afterAll(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on stderr: the absolute directory, or PostgreSQL host:port/database without a password; stdout keeps the report', async () => {
    const expected = usingPostgres()
      ? (() => {
          const url = new URL(store.env.DATABASE_URL);
          return `Opened PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}.`;
        })()
      : `Opened the embedded database in ${store.env.VECGATE_DATA_DIR}.`;
    const runs = [
      await cli(['import', join(dir, 'small.jsonl')], store.env, dir),
      await cli(['export', 'small', '--to', join(dir, 'out.jsonl')], store.env, dir),
      await keysCli(['list'], store.env, dir),
    ];
    for (const run of runs) {
      expect({ status: run.status, out: explain(run) }).toMatchObject({ status: 0 });
      expect(run.stderr.split('\n')).toContain(expected);
      expect(run.stdout).not.toContain('Opened');
    }
    if (usingPostgres()) {
      // A password in DATABASE_URL never reaches the line (the server trusts, so any password opens).
      const url = new URL(store.env.DATABASE_URL);
      url.password = 'sekrit-password';
      const run = await keysCli(['list'], { DATABASE_URL: url.toString() }, dir);
      expect(run.stderr.split('\n')).toContain(expected);
      expect(run.stderr + run.stdout).not.toContain('sekrit');
    }
  });
});

describe('keys --help', () => {
  it('prints the usage to stdout and exits 0, for --help, -h and help, without opening a database', async () => {
    await ensureGatewayBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'vecgate-keys-help-'));
    try {
      for (const args of [['--help'], ['-h'], ['help'], ['create', '--help']]) {
        const run = await keysCli(args, { VECGATE_DATA_DIR: join(dir, 'none') }, dir);
        expect({ args, status: run.status, stderr: run.stderr }).toEqual({ args, status: 0, stderr: '' });
        expect(run.stdout).toMatch(/^usage:/);
        expect(run.stdout).toContain('--create-data-dir');
      }
      expect(existsSync(join(dir, 'none'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
