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
 * The README's and docs' examples, taken from the Markdown and run as printed, the way a reader
 * runs them: one after another, on one gateway started as `npm start` starts it (HOST unset:
 * loopback) with the README's inference mapping (its "Text in" block; Ollama is a fake whose
 * vectors come from the words of the text), so that they cannot drift from what the gateway does
 * nor from each other: each example has names of its own, and finds what it wrote. Only the ports
 * change (8000 and 6333 may be taken here), and where Ollama listens. Each example runs twice, as a
 * user who runs it again would.
 *
 * The order is the reader's: README, console.md, qdrant.md, inference.md, operations.md, then the
 * other protocol pages. The examples with keys come last: the first key turns auth on for every
 * example before them, which send none (the README says so). For them the gateway is stopped, the
 * keys commands run, and the gateway starts again, as the docs tell an embedded store's user to.
 */

jest.setTimeout(300_000);

const explain = (r: Ran) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function succeeded(r: Ran): void {
  expect({ code: r.code, output: explain(r) }).toEqual({ code: 0, output: explain(r) });
}

/** The JSON answers of a run of curl calls, in order (curl adds no newline between them). */
function curlAnswers(stdout: string): any[] {
  return stdout
    .replace(/\}\s*\{/g, '}\n{')
    .split('\n')
    .map((answer) => JSON.parse(answer));
}

/** The mapping the README's "Text in" block (and inference.md's) starts the gateway with, as JSON. */
function startedMapping(startBlock: string): Record<string, any> {
  const m = /VECGATE_INFERENCE_CONFIG='([^']*)' npm start/.exec(startBlock);
  if (!m) throw new Error(`no VECGATE_INFERENCE_CONFIG='...' npm start in:\n${startBlock}`);
  return JSON.parse(m[1]);
}

describe("the docs' examples, in a reader's order, on one gateway", () => {
  let dir = '';
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let fake: FakeInference | undefined;
  let gateway: GatewayProcess | undefined;
  let qdrantPort = 0;
  let mapping = '';
  const [startBlock] = snippetsUnder('README.md', 'Text in: embedding and reranking', 'sh');

  /**
   * The store: the embedded one starts as the run's migrated seed (a new cluster and its
   * migrations took nine seconds); operations/ tests what a first start on an empty directory does.
   */
  const store = (): Record<string, string> =>
    scratch ? { DATABASE_URL: scratch.url } : { VECGATE_DATA_DIR: join(dir, 'data') };
  const settings = (): Record<string, string> => ({
    ...store(),
    QDRANT_PORT: String(qdrantPort),
    VECGATE_INFERENCE_CONFIG: mapping,
  });
  const port = () => gateway!.port;

  /** The snippet pointed at the test's Qdrant port instead of 6333 (which may be taken here). */
  const onQdrantPort = (code: string) => {
    const moved = code.replace(/localhost:6333\b/g, `localhost:${qdrantPort}`);
    if (moved === code) throw new Error(`the snippet names no localhost:6333:\n${code}`);
    return moved;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-snippets-'));
    if (usingPostgres()) scratch = await createScratchDatabase();
    else await seedDataDir(join(dir, 'data'));
    // 768 dimensions, as the README maps nomic-embed-text; the one change is where Ollama listens.
    fake = await startFakeInference(768);
    const config = startedMapping(startBlock);
    expect(config.providers.local.url).toBeUndefined();
    config.providers.local.url = `${fake.url}/ollama`;
    mapping = JSON.stringify(config);
    qdrantPort = await freePort();
    gateway = await GatewayProcess.start(settings());
  });

  afterAll(async () => {
    gateway?.kill();
    await gateway?.stop();
    await fake?.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('README.md', () => {
    it('Chroma: adds two records and finds the one from 2022 on that contains hello, twice', async () => {
      const [code] = snippetsUnder('README.md', 'Chroma', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['hits']);
        succeeded(ran);
        expect(ran.shown.hits.ids).toEqual([['a']]);
        expect(ran.shown.hits.documents).toEqual([['hello world']]);
      }
    });

    it('Pinecone: creates the index (and finds it there the second time) and queries both records', async () => {
      const [code] = snippetsUnder('README.md', 'Pinecone', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['matches']);
        succeeded(ran);
        expect(ran.shown.matches.map((m: { id: string }) => m.id)).toEqual(['m1', 'm2']);
      }
    });

    it('Pinecone: the same example through client 8.2, which npm installs on Node 20', async () => {
      const [code] = snippetsUnder('README.md', 'Pinecone', 'ts');
      const older = code.replace("from '@pinecone-database/pinecone'", "from 'pinecone-preview'");
      expect(older).not.toBe(code);
      const ran = await runModule(onPort(older, port()), {}, ['matches']);
      succeeded(ran);
      expect(ran.shown.matches.map((m: { id: string }) => m.id)).toEqual(['m1', 'm2']);
    });

    it('Pinecone full-text search: creates the document index (once) and finds the error code first', async () => {
      const [code] = snippetsUnder('README.md', 'Full-text search (Pinecone document indexes)', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['matches']);
        succeeded(ran);
        expect(ran.shown.matches.map((m: { _id: string; model: string }) => [m._id, m.model])).toEqual([
          ['d1', 'P-200'],
          ['d2', 'P-300'],
        ]);
      }
    });

    it('Qdrant: creates the collection once and finds the point from 2022 on', async () => {
      const [code] = snippetsUnder('README.md', 'Qdrant', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onQdrantPort(code), {}, ['points']);
        succeeded(ran);
        expect(ran.shown.points).toEqual([
          { id: 1, version: 0, score: expect.any(Number), payload: { lang: 'en', year: 2024 } },
        ]);
      }
    });

    it('Vectorizer: the curl calls create, insert and search with a filter', async () => {
      const [code] = snippetsUnder('README.md', 'Vectorizer', 'sh');
      for (let run = 0; run < 2; run++) {
        const ran = await runShell(onPort(code, port()), {});
        succeeded(ran);
        // The last answer is the search's: only vec_002 is in the category new.
        const answers = curlAnswers(ran.stdout);
        const search = answers[answers.length - 1];
        expect(search.results.map((r: { id: string }) => r.id)).toEqual(['vec_002']);
      }
    });

    it("Text in: the block starts the gateway with inference.md's mapping", () => {
      const [inference] = snippetsUnder('docs/inference.md', 'A working example with Ollama', 'sh').filter((code) =>
        code.includes('npm start'),
      );
      expect(startBlock).toBe(inference);
    });
  });

  describe('docs/console.md', () => {
    it("The API behind it: lists the collections, then explains a filter on one of them (the README's movies)", async () => {
      const [code] = snippetsUnder('docs/console.md', 'The API behind it', 'sh');
      const [list, ...rest] = onPort(code, port()).split('\n');
      const listed = await runShell(list, {});
      succeeded(listed);
      const collections = JSON.parse(listed.stdout).flatMap((t: any) =>
        t.databases.flatMap((d: any) => d.collections),
      ) as { name: string; id: string }[];
      const movies = collections.find((c) => c.name === 'movies');
      expect(movies).toBeDefined();
      const ran = await runShell(rest.join('\n').replace('COLLECTION_ID', movies!.id), {});
      succeeded(ran);
      const answer = JSON.parse(ran.stdout);
      expect(answer).toMatchObject({ operation: 'find', analyzed: true });
      expect(answer.sql).toMatch(/FROM vecgate_records\."r_[0-9a-f]{32}"/);
      expect(answer.plan).toMatch(/actual time=/);
    });
  });

  describe('docs/protocols/qdrant.md', () => {
    it('Qdrant API: creates the collection once and finds the point from 2022 on', async () => {
      const [code] = snippetsUnder('docs/protocols/qdrant.md', 'Qdrant API', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onQdrantPort(code), {}, ['points']);
        succeeded(ran);
        expect(ran.shown.points).toEqual([
          { id: 1, version: 0, score: expect.any(Number), payload: { lang: 'en', year: 2024 } },
        ]);
      }
    });

    it('LangChain: adds two documents (the same two the second time) and finds the dessert', async () => {
      const [code] = snippetsUnder('docs/protocols/qdrant.md', 'LangChain', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onQdrantPort(code), {}, ['found']);
        succeeded(ran);
        expect(ran.shown.found).toEqual([
          expect.objectContaining({ pageContent: 'Chocolate cake with cherries', metadata: { course: 'dessert' } }),
        ]);
      }
      const count = await http(`http://127.0.0.1:${qdrantPort}`, 'POST', '/collections/recipes/points/count', {});
      expect(count.body.result.count).toBe(2);
    });

    it('Documents: the mapping is valid, and the hybrid query finds the fox first, twice', async () => {
      const [json] = snippetsUnder('docs/protocols/qdrant.md', 'Documents', 'json');
      const options = parseInferenceConfig(JSON.parse(json), {});
      expect([...options.models.keys()].sort()).toEqual(['nomic-embed-text', 'qdrant/bm25', 'vecgate-bm25']);
      // Run on the README's mapping, which maps nomic-embed-text alike; qdrant/bm25 the gateway
      // computes itself when it is not mapped.
      const [code] = snippetsUnder('docs/protocols/qdrant.md', 'Documents', 'ts');
      const calls = fake!.calls.length;
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onQdrantPort(code), {}, ['points']);
        succeeded(ran);
        expect(ran.shown.points[0]).toMatchObject({ id: 1, payload: { text: expect.stringMatching(/fox/) } });
        expect(ran.shown.points).toHaveLength(3);
      }
      // Each run: one call for the upsert's three texts, one for the query's text.
      expect(fake!.calls.slice(calls).map((c) => c.inputs)).toEqual([3, 1, 3, 1]);
    });

    it('Snapshots: the walk-through takes, lists, downloads, recovers, uploads and deletes', async () => {
      const [code] = snippetsUnder('docs/protocols/qdrant.md', 'Snapshots', 'sh');
      // Run where the downloaded file may be written: a directory of the test's own.
      const downloads = mkdtempSync(join(tmpdir(), 'vecgate-snapshot-'));
      try {
        for (let run = 0; run < 2; run++) {
          const ran = await runShell(`cd ${JSON.stringify(downloads)}\n${onQdrantPort(code)}`, {});
          succeeded(ran);
          const answers = curlAnswers(ran.stdout);
          // Create (a 409 the second time), upsert, list, recover, upload, delete.
          expect(answers).toHaveLength(6);
          if (run === 0) expect(answers[0].result).toBe(true);
          expect(answers[1].result).toMatchObject({ status: 'completed' });
          expect(answers[2].result).toEqual([
            expect.objectContaining({ name: expect.stringMatching(/^cities-.*\.snapshot$/) }),
          ]);
          expect(answers.slice(3).map((a) => a.result)).toEqual([true, true, true]);
        }
        const copied = await http(
          `http://127.0.0.1:${qdrantPort}`,
          'POST',
          '/collections/cities_copy/points/scroll',
          {},
        );
        expect(copied.body.result.points).toEqual([{ id: 1, payload: { city: 'Berlin' } }]);
      } finally {
        rmSync(downloads, { recursive: true, force: true });
      }
    });
  });

  describe('docs/inference.md', () => {
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
      const [curlBlock] = snippetsUnder('docs/inference.md', 'A working example with Ollama', 'sh').filter((code) =>
        code.includes('curl'),
      );
      const [clientCode] = snippetsUnder('docs/inference.md', 'A working example with Ollama', 'ts');
      for (let run = 0; run < 2; run++) {
        const calls = fake!.calls.length;
        const ran = await runShell(onPort(curlBlock, port()), {});
        succeeded(ran);
        const answers = curlAnswers(ran.stdout);
        // Created the first time, and a 409 after: "the second run finds it there".
        if (run === 0) expect(answers[0]).toMatchObject({ name: 'trivia' });
        const search = answers[answers.length - 1];
        expect(search.result.hits.map((h: { _id: string }) => h._id)).toEqual(['rec2']);
        expect(search.result.hits[0].fields).toEqual({ chunk_text: 'Penguins are birds that cannot fly.' });
        // The upsert's two texts and the question went to Ollama's /api/embed.
        expect(fake!.calls.slice(calls).every((c) => c.path === '/ollama/api/embed')).toBe(true);
        expect(fake!.calls.length - calls).toBeGreaterThanOrEqual(2);

        const client = await runModule(onPort(clientCode, port()), {}, ['result']);
        succeeded(client);
        expect(client.shown.result.hits[0]._id).toBe('rec2');
      }
    });
  });

  describe('docs/protocols: chroma.md, pinecone.md and vectorizer.md', () => {
    it('chroma.md: the query finds the record from 2022 on that contains hello', async () => {
      const [code] = snippetsUnder('docs/protocols/chroma.md', 'Chroma v2 API', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['hits']);
        succeeded(ran);
        expect(ran.shown.hits.ids).toEqual([['a']]);
      }
    });

    it('chroma.md: server-side embedding embeds the documents and the query, and finds the fox', async () => {
      const [code] = snippetsUnder('docs/protocols/chroma.md', 'Server-side embedding', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['nearest', 'dimension']);
        succeeded(ran);
        expect(ran.shown).toEqual({ nearest: 'fox', dimension: 768 });
      }
    });

    it('pinecone.md: the filtered query finds the drama of the nineties, then the delete by filter runs', async () => {
      const [code] = snippetsUnder('docs/protocols/pinecone.md', 'Pinecone API', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['matches']);
        succeeded(ran);
        expect(ran.shown.matches.map((m: { id: string; metadata: unknown }) => [m.id, m.metadata])).toEqual([
          ['m1', { genre: ['drama', 'crime'], year: 1994 }],
        ]);
      }
      // deleteMany({ year < 2000 }) left m2 alone.
      const fetched = await http(gateway!.url, 'GET', '/indexes/films/vectors/fetch?ids=m1&ids=m2&namespace=catalog');
      expect(Object.keys(fetched.body.vectors)).toEqual(['m2']);
    });

    it('pinecone.md: the integrated index example finds the nature record, twice', async () => {
      const [code] = snippetsUnder('docs/protocols/pinecone.md', 'Integrated indexes and the inference API', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), {}, ['result']);
        succeeded(ran);
        expect(ran.shown.result.hits.map((h: { _id: string }) => h._id)).toEqual(['a2']);
        expect(ran.shown.result.hits[0].fields).toEqual({ chunk_text: 'Penguins are birds that cannot fly.' });
      }
    });

    it('vectorizer.md: the search with a filter finds vec_002, and the deletes run', async () => {
      const [code] = snippetsUnder('docs/protocols/vectorizer.md', 'Vectorizer API', 'sh');
      for (let run = 0; run < 2; run++) {
        const ran = await runShell(onPort(code, port()), {});
        succeeded(ran);
        const answers = curlAnswers(ran.stdout);
        expect(answers).toHaveLength(5);
        expect(answers[2].results.map((r: { id: string }) => r.id)).toEqual(['vec_002']);
      }
      const left = await http(gateway!.url, 'POST', '/collections/my_documents/search', {
        vector: [1, 0, 0],
        limit: 5,
      });
      expect(left.body.results).toEqual([]);
    });

    it('every example made collections of its own: none took over another', async () => {
      const listed = await http(gateway!.url, 'GET', '/console/api/tenants');
      const names = listed.body.flatMap((t: any) =>
        t.databases.flatMap((d: any) => d.collections.map((c: any) => `${t.name}/${d.name}/${c.name}`)),
      );
      expect(names.sort()).toEqual(
        [
          'cities',
          'cities_copy',
          'facts',
          'films',
          'greetings',
          'letters',
          'manuals',
          'movies',
          'my_collection',
          'my_documents',
          'news',
          'passages',
          'phrases',
          'posts',
          'recipes',
          'trivia',
        ].map((name) => `default_tenant/default_database/${name}`),
      );
    });
  });

  describe('with keys: README.md, console.md and operations.md', () => {
    const keys: Record<string, string> = {};
    let admin = '';

    beforeAll(async () => {
      // The keys commands work on the gateway's database: with the embedded one, stopped.
      await gateway!.stop();
      gateway = undefined;
      const [readme] = snippetsUnder('README.md', 'API keys', 'sh');
      const [consoleBlock] = snippetsUnder('docs/console.md', 'Signing in', 'sh');
      const [operations] = snippetsUnder('docs/operations.md', "Where a key's calls go", 'sh');
      for (const block of [readme, operations]) {
        const ran = await runShell(block, store());
        succeeded(ran);
        Object.assign(keys, ran.exported);
      }
      const ran = await runShell(consoleBlock, store());
      succeeded(ran);
      admin = ran.stdout.trimEnd().split('\n').pop()!;
      expect(Object.keys(keys).sort()).toEqual(['ACME_DOCS_KEY', 'ACME_KEY', 'GLOBEX_DOCS_KEY', 'GLOBEX_KEY']);
      for (const key of [...Object.values(keys), admin]) expect(key).toMatch(/^vg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      // Ignored once a key is presented: the key says where its calls go.
      gateway = await GatewayProcess.start({
        ...settings(),
        VECGATE_TENANT: 'configured_tenant',
        VECGATE_DATABASE: 'configured_database',
      });
    });

    it("README: names the key's tenant and database for Chroma, which sees the index Pinecone made in acme/docs", async () => {
      const [code] = snippetsUnder('README.md', 'API keys', 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), keys, ['faq', 'indexes']);
        succeeded(ran);
        expect(ran.shown.faq).toMatchObject({ tenant: 'acme', database: 'docs' });
        const faq = await http(gateway!.url, 'GET', '/api/v2/tenants/acme/databases/docs/collections/faq', undefined, {
          'x-chroma-token': keys.ACME_DOCS_KEY,
        });
        expect(faq.body).toMatchObject({ id: ran.shown.faq.id, name: 'faq' });
        expect(ran.shown.indexes ?? []).toEqual([]);
      }
    });

    it('README: a Chroma client left on default_tenant gets a 403 that names the tenant and database of its key', async () => {
      const denied = await http(
        gateway!.url,
        'GET',
        '/api/v2/tenants/default_tenant/databases/default_database/collections',
        undefined,
        { 'x-chroma-token': keys.ACME_DOCS_KEY },
      );
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({
        error: 'ChromaError',
        message:
          'This API key is not allowed to access tenant default_tenant: it is a key for tenant acme (database docs)',
      });
      const otherDatabase = await http(
        gateway!.url,
        'GET',
        '/api/v2/tenants/acme/databases/default_database/collections',
        undefined,
        { 'x-chroma-token': keys.ACME_DOCS_KEY },
      );
      expect(otherDatabase.status).toBe(403);
      expect(otherDatabase.body.message).toBe(
        'This API key is not allowed to access database default_database of tenant acme: it is a key for tenant acme (database docs)',
      );
      const everyDatabase = await http(
        gateway!.url,
        'GET',
        '/api/v2/tenants/default_tenant/databases/default_database/collections',
        undefined,
        { authorization: `Bearer ${keys.ACME_KEY}` },
      );
      expect(everyDatabase.body.message).toBe(
        'This API key is not allowed to access tenant default_tenant: it is a key for tenant acme (every database)',
      );
    });

    it("console.md: the admin key signs in and sees its tenant's keys; without a key the console is closed", async () => {
      const listed = await http(gateway!.url, 'GET', '/console/api/keys', undefined, {
        authorization: `Bearer ${admin}`,
      });
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([expect.objectContaining({ tenant: 'default_tenant', admin: true })]);
      expect((await http(gateway!.url, 'GET', '/console/api/tenants')).status).toBe(401);
    });

    it('operations.md: two keys of one tenant see different index lists, and Chroma sees them in those databases', async () => {
      const [code] = snippetsUnder('docs/operations.md', "Where a key's calls go", 'ts');
      for (let run = 0; run < 2; run++) {
        const ran = await runModule(onPort(code, port()), keys, ['everyDatabase', 'docsOnly', 'inDefault', 'inDocs']);
        succeeded(ran);
        expect(ran.shown).toEqual({
          everyDatabase: ['shared'],
          docsOnly: ['handbooks'],
          inDefault: ['shared'],
          inDocs: ['handbooks'],
        });
      }
    });
  });
});
