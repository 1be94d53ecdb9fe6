import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { openEmbedded } from '../../../src/database/embedded';
import { ensureBuilt } from '../../support/build';
import { createScratchDatabase, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import {
  as,
  dbPath,
  DEFAULT_DB,
  expectChromaError,
  expectPineconeControlError,
  expectVectorizerError,
  KEY_FORMAT,
  ok,
} from './auth-helpers';

/**
 * `npm run keys -- create|list|revoke`, run for real as a child process against the configured
 * database (a scratch database on the DATABASE_URL server, else an embedded data directory in a
 * temp dir), and a gateway on that same database honouring what it did. Embedded PGlite cannot
 * be opened by two processes at once, so on that backend the CLI runs while no gateway is up.
 */

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/src/cli/keys.js');
const LONG = 240_000;
// Each CLI run boots node and opens the database (PGlite takes seconds).
jest.setTimeout(LONG);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function describeRun(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

function lastLine(out: string): string {
  const lines = out.replace(/\n+$/, '').split('\n');
  return lines[lines.length - 1];
}

interface Created {
  id: string;
  key: string;
  secret: string;
}

function parseCreated(r: Run): Created {
  expect({ code: r.code, out: describeRun(r) }).toEqual({ code: 0, out: describeRun(r) });
  const key = lastLine(r.stdout);
  const m = KEY_FORMAT.exec(key);
  expect({ lastLine: key, ok: !!m }).toEqual({ lastLine: key, ok: true });
  // The key is printed once, alone on its line, and nowhere else.
  expect(r.stdout.split(key).length - 1).toBe(1);
  expect(r.stderr).not.toContain(m![2]);
  return { id: m![1], key, secret: m![2] };
}

describe('npm run keys: API keys created, listed and revoked from the command line', () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let dataDir: string | undefined;
  let gw: TestGateway | undefined;
  let acme: Created; // tenant acme, every database
  let acmeOneTwo: Created; // tenant acme, databases one and two
  let globex: Created; // tenant globex

  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], env);
  const npmKeys = (...args: string[]) => run('npm', ['run', '--silent', 'keys', '--', ...args], env);

  /** The gateway, with auth required, on the database the CLI used. */
  async function startOnSameDatabase(): Promise<TestGateway> {
    gw = scratch
      ? await startGateway({ auth: 'required' }, { databaseUrl: scratch.url })
      : await startGateway({ auth: 'required', dataDir: dataDir! });
    return gw;
  }

  async function stopGateway(): Promise<void> {
    await gw?.close();
    gw = undefined;
  }

  /** SQL on the CLI's database, while no gateway or CLI holds it (embedded is single-process). */
  async function query<T = any>(sql: string): Promise<T[]> {
    if (scratch) {
      const client = new Client({ connectionString: scratch.url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    }
    const db = await openEmbedded(dataDir!);
    try {
      return (await db.pool.query(sql)).rows;
    } finally {
      await db.pool.end();
      await db.close();
    }
  }

  beforeAll(async () => {
    if (usingPostgres()) {
      scratch = await createScratchDatabase();
      env.DATABASE_URL = scratch.url;
    } else {
      dataDir = mkdtempSync(path.join(tmpdir(), 'vecgate-keys-'));
      delete env.DATABASE_URL;
      env.VECGATE_DATA_DIR = dataDir;
    }
    delete env.VECGATE_AUTH;
    await ensureBuilt();
  }, LONG);

  afterAll(async () => {
    await stopGateway();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'create --tenant T creates the tenant and prints the new key alone on the last line of its output',
    async () => {
      // The first key on an embedded store the gateway never opened: the command makes the database.
      acme = parseCreated(await npmKeys('create', '--tenant', 'acme', '--create-data-dir'));
      expect(acme.key).toMatch(KEY_FORMAT);
      expect(await query(`SELECT name FROM vecgate_tenants WHERE name = 'acme'`)).toEqual([{ name: 'acme' }]);
      expect(await query(`SELECT name FROM vecgate_databases WHERE tenant = 'acme' ORDER BY name`)).toEqual([
        { name: DEFAULT_DB },
      ]);
    },
    LONG,
  );

  it('create --tenant T --database D ... binds the key to those databases, on the existing tenant', async () => {
    acmeOneTwo = parseCreated(await cli('create', '--tenant', 'acme', '--database', 'one', '--database', 'two'));
    globex = parseCreated(await cli('create', '--tenant', 'globex'));
    expect(new Set([acme.key, acmeOneTwo.key, globex.key]).size).toBe(3);
    expect(await query(`SELECT name FROM vecgate_tenants WHERE name IN ('acme', 'globex') ORDER BY name`)).toEqual([
      { name: 'acme' },
      { name: 'globex' },
    ]);
    expect(
      (await query(`SELECT name FROM vecgate_databases WHERE tenant = 'acme' ORDER BY name`)).map((r) => r.name),
    ).toEqual([DEFAULT_DB, 'one', 'two']);
  });

  it('vecgate_api_keys holds each key bound to its tenant and databases, hashed: no column holds the secret', async () => {
    const rows = await query(
      `SELECT k.id, k.tenant, k.databases, k.secret_hash, k.revoked_at, row_to_json(k)::text AS whole FROM vecgate_api_keys k ORDER BY k.created_at, k.id`,
    );
    expect(rows.map((r) => ({ id: r.id, tenant: r.tenant, databases: r.databases, revoked: r.revoked_at }))).toEqual([
      { id: acme.id, tenant: 'acme', databases: null, revoked: null },
      { id: acmeOneTwo.id, tenant: 'acme', databases: ['one', 'two'], revoked: null },
      { id: globex.id, tenant: 'globex', databases: null, revoked: null },
    ]);
    const everything = (await query(`SELECT string_agg(row_to_json(k)::text, ' ') AS dump FROM vecgate_api_keys k`))[0]
      .dump as string;
    for (const k of [acme, acmeOneTwo, globex]) {
      expect(everything).not.toContain(k.secret);
      expect(everything).not.toContain(k.key);
      expect(everything).not.toContain(Buffer.from(k.secret, 'base64url').toString('hex'));
      expect(everything).not.toContain(Buffer.from(k.secret, 'base64url').toString('base64'));
      const row = rows.find((r) => r.id === k.id)!;
      expect(row.secret_hash).not.toBe(k.secret);
      expect(row.secret_hash.length).toBeGreaterThanOrEqual(32);
    }
    expect(new Set(rows.map((r) => r.secret_hash)).size).toBe(3);
  });

  it(
    'list shows every key with its tenant, databases and state, and no secret',
    async () => {
      const listed = await npmKeys('list');
      expect({ code: listed.code, out: describeRun(listed) }).toEqual({ code: 0, out: describeRun(listed) });
      // One line per key (the database layer may log a warning first, e.g. an old pgvector).
      const lines = listed.stdout.split('\n').filter((l) => /^[0-9a-f]{16}\s/.test(l));
      expect(listed.stdout).toMatch(/ active\n$/); // the last row ends its line
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(new RegExp(`^${acme.id}\\s+tenant=acme\\s+databases=\\*\\s+created=\\S+\\s+active$`));
      expect(lines[1]).toMatch(
        new RegExp(`^${acmeOneTwo.id}\\s+tenant=acme\\s+databases=one,two\\s+created=\\S+\\s+active$`),
      );
      expect(lines[2]).toMatch(
        new RegExp(`^${globex.id}\\s+tenant=globex\\s+databases=\\*\\s+created=\\S+\\s+active$`),
      );
      const hashes = (await query(`SELECT secret_hash FROM vecgate_api_keys`)).map((r) => r.secret_hash as string);
      for (const text of [listed.stdout, listed.stderr]) {
        expect(text).not.toMatch(/vg_[0-9a-f]{16}_/);
        for (const k of [acme, acmeOneTwo, globex]) expect(text).not.toContain(k.secret);
        for (const h of hashes) expect(text).not.toContain(h);
      }
    },
    LONG,
  );

  it('usage mistakes exit with status 2, a usage message, and no key', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['create'],
      ['create', '--tenant'],
      ['create', '--tenant', 'a', '--tenant', 'b'],
      ['revoke'],
    ]) {
      const r = await cli(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/usage:/);
      expect(r.stdout).not.toMatch(/vg_[0-9a-f]{16}_/);
    }
    expect((await query(`SELECT count(*)::int AS n FROM vecgate_api_keys`))[0].n).toBe(3);
    expect((await query(`SELECT count(*)::int AS n FROM vecgate_tenants WHERE name IN ('a', 'b')`))[0].n).toBe(0);
  });

  it('a gateway on the same database accepts each CLI key within its tenant and databases, and nothing else', async () => {
    const g = await startOnSameDatabase();
    try {
      const keyAcme = as(g, acme.key, 'x-chroma-token');
      const keyOneTwo = as(g, acmeOneTwo.key, 'x-chroma-token');
      const keyGlobex = as(g, globex.key, 'x-chroma-token');
      ok(await keyAcme.post(`${dbPath('acme', DEFAULT_DB)}/collections`, { name: 'docs' }), 'acme creates docs');
      ok(await keyAcme.get(`${dbPath('acme', 'one')}/collections`), 'acme reads one');
      ok(
        await keyOneTwo.post(`${dbPath('acme', 'one')}/collections`, { name: 'docs-one' }),
        'one/two key creates in one',
      );
      ok(await keyOneTwo.get(`${dbPath('acme', 'two')}/collections`), 'one/two key reads two');
      expectChromaError(await keyOneTwo.get(`${dbPath('acme', DEFAULT_DB)}/collections`), [403]);
      expectChromaError(await keyGlobex.get(`${dbPath('acme', DEFAULT_DB)}/collections`), [403]);
      // Pinecone and Vectorizer act in the key's tenant: default_database, or the key's first database.
      const names = async (key: string) => ({
        pinecone: (ok(await as(g, key, 'Api-Key').get('/indexes'), 'indexes').body.indexes as { name: string }[]).map(
          (i) => i.name,
        ),
        vectorizer: (
          ok(await as(g, key, 'X-API-Key').get('/collections'), 'collections').body.collections as { name: string }[]
        ).map((c) => c.name),
      });
      expect(await names(acme.key)).toEqual({ pinecone: ['docs'], vectorizer: ['docs'] });
      expect(await names(acmeOneTwo.key)).toEqual({ pinecone: ['docs-one'], vectorizer: ['docs-one'] });
      expect(await names(globex.key)).toEqual({ pinecone: [], vectorizer: [] });
      expectChromaError(await as(g, undefined).get(`${dbPath('acme', DEFAULT_DB)}/collections`), [401]);
    } finally {
      if (!scratch) await stopGateway();
    }
  });

  it('revoke KEY_ID refuses the key from then on (401 on every protocol); list shows it revoked; the others keep working', async () => {
    // On Postgres the gateway is still running: the revocation reaches it without a restart.
    const revoked = await cli('revoke', acme.id);
    expect({ code: revoked.code, out: describeRun(revoked) }).toEqual({ code: 0, out: describeRun(revoked) });
    expect(revoked.stdout).toContain(acme.id);

    const g = gw ?? (await startOnSameDatabase());
    try {
      expectChromaError(
        await as(g, acme.key, 'x-chroma-token').get(`${dbPath('acme', DEFAULT_DB)}/collections`),
        [401],
      );
      expectChromaError(
        await as(g, acme.key, 'Authorization: Bearer').get(`${dbPath('acme', DEFAULT_DB)}/collections`),
        [401],
      );
      expectPineconeControlError(await as(g, acme.key, 'Api-Key').get('/indexes'), 401, 'UNAUTHENTICATED');
      expectVectorizerError(await as(g, acme.key, 'X-API-Key').get('/collections'), 401, 'unauthorized');
      ok(
        await as(g, acmeOneTwo.key, 'x-chroma-token').get(`${dbPath('acme', 'one')}/collections`),
        'the other acme key',
      );
      ok(await as(g, globex.key, 'Api-Key').get('/indexes'), 'globex key');
    } finally {
      await stopGateway();
    }

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    const line = listed.stdout.split('\n').find((l) => l.startsWith(acme.id))!;
    expect(line).toMatch(/\srevoked \d{4}-\d\d-\d\dT\S+Z$/);
    expect(listed.stdout.split('\n').filter((l) => /\sactive$/.test(l))).toHaveLength(2);
    const rows = await query(`SELECT id, revoked_at FROM vecgate_api_keys WHERE revoked_at IS NOT NULL`);
    expect(rows.map((r) => r.id)).toEqual([acme.id]);
  });

  it('revoking an unknown or already revoked key fails (non-zero exit) and changes nothing', async () => {
    for (const id of [acme.id, '0123456789abcdef', 'nonsense']) {
      const r = await cli('revoke', id);
      expect({ id, failed: r.code !== 0 }).toEqual({ id, failed: true });
      // The one line that says why, last, without the usage: the command was well formed.
      expect(r.stderr).toMatch(new RegExp(`\\nkeys: no active key ${id}\\n$`));
      expect(r.stderr).not.toMatch(/usage:/);
    }
    expect((await query(`SELECT count(*)::int AS n FROM vecgate_api_keys WHERE revoked_at IS NULL`))[0].n).toBe(2);
  });
});
