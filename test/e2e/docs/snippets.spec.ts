import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPort, runModule, runShell, snippetsUnder, type Ran } from '../../support/doc-snippets';
import { createScratchDatabase, http, usingPostgres } from '../../support/gateway';
import { GatewayProcess } from '../../support/gateway-process';
import { freePort } from '../cluster/cluster';
import { seedDataDir } from '../../support/cli-store';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import { fakeEmbedding, startFakeInference, type FakeInference } from '../../support/fake-inference';

/**
 * The README's and docs' examples, taken from the Markdown and run as printed against a gateway
 * started as `npm start` starts it (HOST unset: loopback), so that they cannot drift from what the
 * gateway does. Only the port changes (8000 may be taken here). Each example runs twice, as a
 * user who runs it again would.
 */

jest.setTimeout(300_000);

const explain = (r: Ran) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function succeeded(r: Ran): void {
  expect({ code: r.code, output: explain(r) }).toEqual({ code: 0, output: explain(r) });
}

/**
 * A store of its own for each describe: the keys of one must not turn auth on for the other. The
 * embedded one starts as the run's migrated seed (a new cluster and its migrations took nine
 * seconds a store); operations/ tests what a first start on an empty directory does.
 */
function storeForBlock(): { env: () => Record<string, string> } {
  let dir = '';
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-snippets-'));
    if (usingPostgres()) scratch = await createScratchDatabase();
    else await seedDataDir(join(dir, 'data'));
  });
  afterAll(async () => {
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    env: (): Record<string, string> =>
      scratch ? { DATABASE_URL: scratch.url } : { VECGATE_DATA_DIR: join(dir, 'data') },
  };
}

/** A gateway started as `npm start` starts it, on a store of its own, for the tests of a describe. */
function gatewayOnItsOwnStore(): () => GatewayProcess {
  const store = storeForBlock();
  let gateway: GatewayProcess | undefined;
  beforeAll(async () => {
    gateway = await GatewayProcess.start(store.env());
  });
  afterAll(async () => {
    gateway?.kill();
    await gateway?.stop();
  });
  return () => gateway!;
}

/** The JSON answers of a run of curl calls, in order (curl adds no newline between them). */
function curlAnswers(stdout: string): any[] {
  return stdout
    .replace(/\}\s*\{/g, '}\n{')
    .split('\n')
    .map((answer) => JSON.parse(answer));
}

describe('README: the Chroma, Pinecone and Vectorizer examples, without keys', () => {
  const gateway = gatewayOnItsOwnStore();

  it('Chroma: adds two records and finds the one from 2022 on that contains hello, twice', async () => {
    const [code] = snippetsUnder('README.md', 'Chroma', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), {}, ['hits']);
      succeeded(ran);
      expect(ran.shown.hits.ids).toEqual([['a']]);
      expect(ran.shown.hits.documents).toEqual([['hello world']]);
    }
    const collections = await http(
      gateway().url,
      'GET',
      '/api/v2/tenants/default_tenant/databases/default_database/collections',
    );
    expect(collections.body.map((c: { name: string }) => c.name)).toEqual(['docs']);
  });

  it('Pinecone: creates the index (and finds it there the second time) and queries both records', async () => {
    const [code] = snippetsUnder('README.md', 'Pinecone', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), {}, ['matches']);
      succeeded(ran);
      expect(ran.shown.matches.map((m: { id: string }) => m.id)).toEqual(['m1', 'm2']);
    }
  });

  it('Pinecone full-text search: creates the document index (once) and finds the error code first', async () => {
    const [code] = snippetsUnder('README.md', 'Full-text search (Pinecone document indexes)', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), {}, ['matches']);
      succeeded(ran);
      expect(ran.shown.matches.map((m: { _id: string; model: string }) => [m._id, m.model])).toEqual([
        ['d1', 'P-200'],
        ['d2', 'P-300'],
      ]);
    }
  });

  it('Vectorizer: the curl calls create, insert and search with a filter', async () => {
    const [code] = snippetsUnder('README.md', 'Vectorizer', 'sh');
    for (let run = 0; run < 2; run++) {
      const ran = await runShell(onPort(code, gateway().port), {});
      succeeded(ran);
      // The last answer is the search's: only vec_002 is in the category new.
      const answers = curlAnswers(ran.stdout);
      const search = answers[answers.length - 1];
      expect(search.results.map((r: { id: string }) => r.id)).toEqual(['vec_002']);
    }
  });
});

describe('README and docs/protocols/qdrant.md: the Qdrant example, on the Qdrant port', () => {
  const store = storeForBlock();
  let gateway: GatewayProcess | undefined;
  let qdrantPort = 0;
  beforeAll(async () => {
    qdrantPort = await freePort();
    gateway = await GatewayProcess.start({ ...store.env(), QDRANT_PORT: String(qdrantPort) });
  });
  afterAll(async () => {
    gateway?.kill();
    await gateway?.stop();
  });

  /** The snippet pointed at the test's Qdrant port instead of 6333 (which may be taken here). */
  const onQdrantPort = (code: string) => {
    const moved = code.replace(/localhost:6333\b/g, `localhost:${qdrantPort}`);
    if (moved === code) throw new Error(`the snippet names no localhost:6333:\n${code}`);
    return moved;
  };

  it.each([
    ['README.md', 'Qdrant'],
    ['docs/protocols/qdrant.md', 'Qdrant API'],
  ])('%s: creates the collection once and finds the point from 2022 on', async (file, heading) => {
    const [code] = snippetsUnder(file, heading, 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onQdrantPort(code), {}, ['points']);
      succeeded(ran);
      expect(ran.shown.points).toEqual([
        { id: 1, version: 0, score: expect.any(Number), payload: { lang: 'en', year: 2024 } },
      ]);
    }
  });
  it('docs/protocols/qdrant.md: the snapshot walk-through takes, lists, downloads, recovers, uploads and deletes', async () => {
    const [code] = snippetsUnder('docs/protocols/qdrant.md', 'Snapshots', 'sh');
    // Run where the downloaded file may be written: a directory of the test's own.
    const dir = mkdtempSync(join(tmpdir(), 'vecgate-snapshot-'));
    try {
      for (let run = 0; run < 2; run++) {
        const ran = await runShell(`cd ${JSON.stringify(dir)}\n${onQdrantPort(code)}`, {});
        succeeded(ran);
        const answers = curlAnswers(ran.stdout);
        // Create (a 409 the second time), upsert, list, recover, upload, delete.
        expect(answers).toHaveLength(6);
        expect(answers[2].result).toEqual([
          expect.objectContaining({ name: expect.stringMatching(/^docs-.*\.snapshot$/) }),
        ]);
        expect(answers.slice(3).map((a) => a.result)).toEqual([true, true, true]);
      }
      const copied = await http(`http://127.0.0.1:${qdrantPort}`, 'POST', '/collections/docs_copy/points/scroll', {});
      expect(copied.body.result.points).toEqual([{ id: 1, payload: { city: 'Berlin' } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/protocols: each protocol page's first example, without keys", () => {
  const gateway = gatewayOnItsOwnStore();

  it('chroma.md: the query finds the record from 2022 on that contains hello', async () => {
    const [code] = snippetsUnder('docs/protocols/chroma.md', 'Chroma v2 API', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), {}, ['hits']);
      succeeded(ran);
      expect(ran.shown.hits.ids).toEqual([['a']]);
    }
  });

  it('pinecone.md: the filtered query finds the drama of the nineties, then the delete by filter runs', async () => {
    const [code] = snippetsUnder('docs/protocols/pinecone.md', 'Pinecone API', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), {}, ['matches']);
      succeeded(ran);
      expect(ran.shown.matches.map((m: { id: string; metadata: unknown }) => [m.id, m.metadata])).toEqual([
        ['m1', { genre: ['drama', 'crime'], year: 1994 }],
      ]);
    }
    // deleteMany({ year < 2000 }) left m2 alone.
    const fetched = await http(gateway().url, 'GET', '/indexes/movies/vectors/fetch?ids=m1&ids=m2&namespace=catalog');
    expect(Object.keys(fetched.body.vectors)).toEqual(['m2']);
  });

  it('vectorizer.md: the search with a filter finds vec_002, and the deletes run', async () => {
    const [code] = snippetsUnder('docs/protocols/vectorizer.md', 'Vectorizer API', 'sh');
    for (let run = 0; run < 2; run++) {
      const ran = await runShell(onPort(code, gateway().port), {});
      succeeded(ran);
      const answers = curlAnswers(ran.stdout);
      expect(answers).toHaveLength(5);
      expect(answers[2].results.map((r: { id: string }) => r.id)).toEqual(['vec_002']);
    }
    const left = await http(gateway().url, 'POST', '/collections/my_collection/search', {
      vector: [1, 0, 0],
      limit: 5,
    });
    expect(left.body.results).toEqual([]);
  });
});

/**
 * A gateway on a store of its own whose keys the doc's shell block created, as the README says:
 * the keys command runs while the (embedded) gateway is stopped, after the gateway's first start
 * (on the run's seed: see storeForBlock).
 */
function gatewayWithKeys(
  file: string,
  heading: string,
  settings: Record<string, string> = {},
): { gateway: () => GatewayProcess; keys: () => Record<string, string> } {
  const store = storeForBlock();
  let gateway: GatewayProcess | undefined;
  let keys: Record<string, string> = {};
  beforeAll(async () => {
    const first = await GatewayProcess.start({ ...store.env(), ...settings });
    await first.stop();
    const [shell] = snippetsUnder(file, heading, 'sh');
    const ran = await runShell(shell, { ...store.env(), ...settings });
    succeeded(ran);
    keys = ran.exported;
    expect(Object.keys(keys).sort()).toEqual(['ACME_DOCS_KEY', 'ACME_KEY']);
    for (const key of Object.values(keys)) expect(key).toMatch(/^vg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    gateway = await GatewayProcess.start({ ...store.env(), ...settings });
  });
  afterAll(async () => {
    gateway?.kill();
    await gateway?.stop();
  });
  return { gateway: () => gateway!, keys: () => keys };
}

describe('README: API keys', () => {
  const { gateway, keys } = gatewayWithKeys('README.md', 'API keys');

  it("names the key's tenant and database for Chroma, which sees the index Pinecone made in acme/docs", async () => {
    const [code] = snippetsUnder('README.md', 'API keys', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), keys(), ['faq', 'indexes']);
      succeeded(ran);
      expect(ran.shown.faq).toMatchObject({ tenant: 'acme', database: 'docs' });
      const faq = await http(gateway().url, 'GET', '/api/v2/tenants/acme/databases/docs/collections/faq', undefined, {
        'x-chroma-token': keys().ACME_DOCS_KEY,
      });
      expect(faq.body).toMatchObject({ id: ran.shown.faq.id, name: 'faq' });
      expect(ran.shown.indexes ?? []).toEqual([]);
    }
  });

  it('a Chroma client left on default_tenant gets a 403 that names the tenant and database of its key', async () => {
    const denied = await http(
      gateway().url,
      'GET',
      '/api/v2/tenants/default_tenant/databases/default_database/collections',
      undefined,
      { 'x-chroma-token': keys().ACME_DOCS_KEY },
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      error: 'ChromaError',
      message:
        'This API key is not allowed to access tenant default_tenant: it is a key for tenant acme (database docs)',
    });
    const otherDatabase = await http(
      gateway().url,
      'GET',
      '/api/v2/tenants/acme/databases/default_database/collections',
      undefined,
      { 'x-chroma-token': keys().ACME_DOCS_KEY },
    );
    expect(otherDatabase.status).toBe(403);
    expect(otherDatabase.body.message).toBe(
      'This API key is not allowed to access database default_database of tenant acme: it is a key for tenant acme (database docs)',
    );
    const everyDatabase = await http(
      gateway().url,
      'GET',
      '/api/v2/tenants/default_tenant/databases/default_database/collections',
      undefined,
      { authorization: `Bearer ${keys().ACME_KEY}` },
    );
    expect(everyDatabase.body.message).toBe(
      'This API key is not allowed to access tenant default_tenant: it is a key for tenant acme (every database)',
    );
  });
});

describe("docs/operations.md: where a key's calls go", () => {
  // Ignored once a key is presented: the key says where.
  const { gateway, keys } = gatewayWithKeys('docs/operations.md', "Where a key's calls go", {
    VECGATE_TENANT: 'configured_tenant',
    VECGATE_DATABASE: 'configured_database',
  });

  it('two keys of one tenant see different index lists, and Chroma sees them in those databases', async () => {
    const [code] = snippetsUnder('docs/operations.md', "Where a key's calls go", 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway().port), keys(), [
        'everyDatabase',
        'docsOnly',
        'inDefault',
        'inDocs',
      ]);
      succeeded(ran);
      expect(ran.shown).toEqual({
        everyDatabase: ['shared'],
        docsOnly: ['manuals'],
        inDefault: ['shared'],
        inDocs: ['manuals'],
      });
    }
  });
});

describe('docs/inference.md and pinecone.md: the mapping and the Ollama example, with a fake Ollama', () => {
  const store = storeForBlock();
  let fake: FakeInference | undefined;
  let gateway: GatewayProcess | undefined;
  const [startBlock, curlBlock] = snippetsUnder('docs/inference.md', 'A working example with Ollama', 'sh').filter(
    (code) => code.includes('npm start') || code.includes('curl'),
  );
  /** The mapping `npm start` is given in the docs, as JSON. */
  const started = (): Record<string, any> => {
    const m = /VECGATE_INFERENCE_CONFIG='([^']*)' npm start/.exec(startBlock);
    if (!m) throw new Error(`no VECGATE_INFERENCE_CONFIG='...' npm start in:\n${startBlock}`);
    return JSON.parse(m[1]);
  };

  beforeAll(async () => {
    // 768 dimensions, as the docs map nomic-embed-text; the one change is where Ollama listens.
    fake = await startFakeInference(768);
    const config = started();
    expect(config.providers.local.url).toBeUndefined();
    config.providers.local.url = `${fake.url}/ollama`;
    gateway = await GatewayProcess.start({ ...store.env(), VECGATE_INFERENCE_CONFIG: JSON.stringify(config) });
  });

  afterAll(async () => {
    gateway?.kill();
    await gateway?.stop();
    await fake?.close();
  });

  it("README's Text in block starts the gateway with the same mapping", () => {
    const [readme] = snippetsUnder('README.md', 'Text in: embedding and reranking', 'sh');
    expect(readme).toBe(startBlock);
  });

  it('the mapping under "Configure models" is valid, and names its key only by variable', () => {
    const [code] = snippetsUnder('docs/inference.md', 'Configure models', 'json');
    const options = parseInferenceConfig(JSON.parse(code), { OPENAI_API_KEY: 'sk-docs' });
    expect([...options.models.keys()].sort()).toEqual([
      'bge-reranker-v2-m3',
      'llama-text-embed-v2',
      'qdrant/bm25',
      'text-embedding-3-small',
      'vecgate-bm25',
    ]);
    expect(() => parseInferenceConfig(JSON.parse(code), {})).toThrow(/OPENAI_API_KEY/);
  });

  it('the curl calls and the official client find rec2 for the question about birds, twice', async () => {
    // The fake's embeddings share words, not meaning: rec2 shares "birds" and "fly" with the question.
    const q = fakeEmbedding('Which birds do not fly?', 768);
    const dot = (t: string) => fakeEmbedding(t, 768).reduce((s, x, i) => s + x * q[i], 0);
    expect(dot('Penguins are birds that cannot fly.')).toBeGreaterThan(dot('The Eiffel Tower is in Paris.'));
    const [clientCode] = snippetsUnder('docs/inference.md', 'A working example with Ollama', 'ts');
    for (let run = 0; run < 2; run++) {
      const calls = fake!.calls.length;
      const ran = await runShell(onPort(curlBlock, gateway!.port), {});
      succeeded(ran);
      const answers = curlAnswers(ran.stdout);
      const search = answers[answers.length - 1];
      expect(search.result.hits.map((h: { _id: string }) => h._id)).toEqual(['rec2']);
      expect(search.result.hits[0].fields).toEqual({ chunk_text: 'Penguins are birds that cannot fly.' });
      // The upsert's two texts and the question went to Ollama's /api/embed.
      expect(fake!.calls.slice(calls).every((c) => c.path === '/ollama/api/embed')).toBe(true);
      expect(fake!.calls.length - calls).toBeGreaterThanOrEqual(2);

      const client = await runModule(onPort(clientCode, gateway!.port), {}, ['result']);
      succeeded(client);
      expect(client.shown.result.hits[0]._id).toBe('rec2');
    }
  });

  it('docs/protocols/pinecone.md: the integrated index example finds the nature record, twice', async () => {
    const [code] = snippetsUnder('docs/protocols/pinecone.md', 'Integrated indexes and the inference API', 'ts');
    for (let run = 0; run < 2; run++) {
      const ran = await runModule(onPort(code, gateway!.port), {}, ['result']);
      succeeded(ran);
      expect(ran.shown.result.hits.map((h: { _id: string }) => h._id)).toEqual(['a2']);
      expect(ran.shown.result.hits[0].fields).toEqual({ chunk_text: 'Penguins are birds that cannot fly.' });
    }
  });
});
