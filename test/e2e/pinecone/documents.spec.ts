import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import { bm25, round } from '../../support/bm25';
import { indexName, pineconeClient, prng } from '../../support/pinecone';
import { until } from '../../support/wait';

const { PineconeBadRequestError } = Errors;

describe('Pinecone document indexes (API 2026-07) through the official v9 client', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(() => {
    pc = pineconeClient(gw);
  });

  describe('a document index with full-text, dense and sparse fields', () => {
    const name = indexName('docs');
    const corpus = new Map<string, string[]>();
    const WORDS = ['pump', 'valve', 'motor', 'seal', 'leak', 'error', 'filter', 'gauge', 'pipe', 'tank', 'fan', 'belt'];

    beforeAll(async () => {
      await pc.indexes.create({
        name,
        schema: {
          fields: {
            title: { type: 'string', fullTextSearch: {} },
            body: { type: 'string', fullTextSearch: { language: 'en', stemming: true, stopWords: true } },
            emb: { type: 'dense_vector', dimension: 3, metric: 'cosine' },
            sp: { type: 'sparse_vector' },
          },
        },
      });
      const next = prng(7);
      const documents = Array.from({ length: 120 }, (_, i) => {
        const length = 2 + Math.floor(next() * 12);
        // Zipf-like: early words are common, late ones rare.
        const tokens = Array.from({ length }, () => WORDS[Math.floor(WORDS.length * next() ** 2.5)]);
        const id = `d${String(i).padStart(3, '0')}`;
        corpus.set(id, tokens);
        return {
          _id: id,
          title: tokens.map((t, k) => (k % 3 === 0 ? t.toUpperCase() : t)).join(k3(i)),
          body: i % 2 === 0 ? 'The pumps are running and the valves leaked' : 'A motor with a worn seal',
          emb: [1, i / 100, 0.5],
          category: i % 3 === 0 ? 'pumps' : 'motors',
          year: 2000 + (i % 25),
        };
      });
      for (let start = 0; start < documents.length; start += 50)
        await pc
          .index(name)
          .namespace('ns1')
          .documents.upsert({ documents: documents.slice(start, start + 50) });
    });

    /** Separators between a title's words: spaces, punctuation, hyphens; Pinecone splits on all of them. */
    function k3(i: number): string {
      return [' ', ', ', '-', ' / ', '_'][i % 5];
    }

    it('describes the index with its schema resolved', async () => {
      const described = await http(gw.url, 'GET', `/indexes/${name}`);
      expect(described.status).toBe(200);
      expect(described.body).toMatchObject({
        name,
        host: `${gw.url}/indexes/${name}`,
        status: { ready: true, state: 'Ready' },
        deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
        deletion_protection: 'disabled',
        schema: {
          fields: {
            title: {
              type: 'string',
              description: null,
              full_text_search: { language: 'en', stemming: false, stop_words: false },
            },
            body: {
              type: 'string',
              description: null,
              full_text_search: { language: 'en', stemming: true, stop_words: true },
            },
            emb: { type: 'dense_vector', dimension: 3, metric: 'cosine', description: null },
            sp: { type: 'sparse_vector', description: null },
          },
        },
      });
      expect(described.body.dimension).toBeUndefined();
      const model = await pc.indexes.describe(name);
      expect(model.schema.fields.title).toMatchObject({ type: 'string' });
    });

    it.each([['pump'], ['seal', 'gauge'], ['belt', 'fan', 'pump', 'tank', 'leak']])(
      'ranks a text query %j by BM25 over the namespace, as computed from the definition',
      async (...query) => {
        const found = await pc
          .index(name)
          .namespace('ns1')
          .documents.search({
            scoreBy: [{ type: 'text', fields: ['title'], query: query.join(' ') }],
            topK: 10,
          });
        const expected = bm25(corpus, query).slice(0, 10);
        expect(round(found.matches.map((m) => [m._id, m._score as number]))).toEqual(round(expected));
        expect(found.namespace).toBe('ns1');
      },
    );

    it('matches words case-insensitively, split on punctuation, and returns the fields asked for', async () => {
      const found = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'text', fields: ['title'], query: 'PUMP-Valve' }],
          topK: 3,
          includeFields: ['title', 'category'],
        });
      expect(found.matches).toHaveLength(3);
      for (const m of found.matches) {
        expect(Object.keys(m).sort()).toEqual(['_id', '_score', 'category', 'title']);
        expect(String(m.title).toLowerCase()).toMatch(/pump|valve/);
      }
      const none = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'text', fields: ['title'], query: 'pump' }],
          topK: 1,
        });
      expect(Object.keys(none.matches[0]).sort()).toEqual(['_id', '_score']);
    });

    it('stems and drops stop words on a field that asks for it', async () => {
      // "pumps ... leaked" is indexed as pump, leak; "running" as run; "the" is a stop word.
      const found = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'text', fields: ['body'], query: 'pumping leaks' }],
          topK: 200,
        });
      expect(found.matches).toHaveLength(60);
      expect(found.matches.every((m) => Number(m._id.slice(1)) % 2 === 0)).toBe(true);
      const stop = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'text', fields: ['body'], query: 'the and' }],
          topK: 10,
        });
      expect(stop.matches).toEqual([]);
    });

    it('runs query_string: phrases, AND / NOT, required and excluded terms, boosts, fields', async () => {
      const search = async (query: string, topK = 200) =>
        (
          await pc
            .index(name)
            .namespace('ns1')
            .documents.search({ scoreBy: [{ type: 'query_string', query }], topK })
        ).matches.map((m) => m._id);
      const has = (id: string, t: string) => corpus.get(id)!.includes(t);
      const ids = [...corpus.keys()];
      expect((await search('title:(pump AND valve)')).sort()).toEqual(
        ids.filter((id) => has(id, 'pump') && has(id, 'valve')),
      );
      expect((await search('title:(pump NOT valve)')).sort()).toEqual(
        ids.filter((id) => has(id, 'pump') && !has(id, 'valve')),
      );
      expect((await search('title:(+seal -pump)')).sort()).toEqual(
        ids.filter((id) => has(id, 'seal') && !has(id, 'pump')),
      );
      // A must-not whose phrase decides nothing (its clause needs pump, and holds the phrase or not).
      expect((await search('title:(seal -(+pump "valve tank"))')).sort()).toEqual(
        ids.filter((id) => has(id, 'seal') && !has(id, 'pump')),
      );
      // A phrase in the stemmed field: "pumps are running" (are is a stop word: a gap of one).
      expect((await search('body:("pump is running")')).length).toBe(60);
      expect(await search('body:("running pumps")')).toEqual([]);
      expect((await search('body:("worn seal"~1)')).length).toBe(60);
      expect((await search('body:("worn se"*)')).length).toBe(60);
      // Unqualified terms search every full-text field.
      const either = await search('motor');
      expect(either.length).toBe(ids.filter((id) => has(id, 'motor') || Number(id.slice(1)) % 2 === 1).length);
      // A boost reorders: the boosted word's documents first.
      const boosted = await search('title:(belt^50 pump)', 5);
      expect(boosted.every((id) => has(id, 'belt'))).toBe(true);
    });

    it('keeps every clause of a query with more than 64 of them, and scores it by BM25', async () => {
      // Each clause is a bit of a record's words; 63 words in no document put the next clauses'
      // bits past the first 64 (a required word, and a phrase whose two words straddle them).
      const absent = Array.from({ length: 63 }, (_, i) => `zz${i}`);
      const query = `title:(${absent.join(' ')} +seal "pump valve" tank)`;
      const found = (
        await pc
          .index(name)
          .namespace('ns1')
          .documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 200 })
      ).matches;
      const titles = new Map(
        [...corpus].map(([id, tokens]) => [id, tokens.join(' ')] as const), // title words in order
      );
      const held = [...corpus.keys()].filter((id) => corpus.get(id)!.includes('seal'));
      expect(found.map((m) => m._id).sort()).toEqual(held);
      // Scores: BM25 of seal, tank and, where the phrase is in the title, pump and valve.
      const scored = held.map((id) => {
        const words = ['seal', 'tank', ...(/pump valve/.test(titles.get(id)!) ? ['pump', 'valve'] : [])];
        return [id, bm25(corpus, words).find(([d]) => d === id)![1]] as [string, number];
      });
      const byId = (pairs: [string, number][]) => round(pairs).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(byId(found.map((m) => [m._id, m._score as number]))).toEqual(byId(scored));
    });

    it('sums several lexical clauses, and refuses to mix them with a vector clause', async () => {
      const both = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [
            { type: 'text', fields: ['title'], query: 'tank' },
            { type: 'query_string', query: 'title:(belt)' },
          ],
          topK: 200,
        });
      const ids = [...corpus.keys()].filter(
        (id) => corpus.get(id)!.includes('tank') || corpus.get(id)!.includes('belt'),
      );
      expect(both.matches.map((m) => m._id).sort()).toEqual(ids);
      await expect(
        pc
          .index(name)
          .namespace('ns1')
          .documents.search({
            scoreBy: [
              { type: 'text', fields: ['title'], query: 'tank' },
              { type: 'dense_vector', field: 'emb', values: [1, 0, 0] },
            ],
            topK: 5,
          }),
      ).rejects.toThrow(PineconeBadRequestError);
    });

    it('filters by metadata and by $match_phrase / $match_all / $match_any before scoring', async () => {
      const found = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'text', fields: ['title'], query: 'pump' }],
          topK: 200,
          filter: { category: { $eq: 'pumps' }, body: { $match_phrase: 'pumps are running' } },
          includeFields: ['category'],
        });
      const expected = [...corpus.keys()].filter((id) => {
        const i = Number(id.slice(1));
        return corpus.get(id)!.includes('pump') && i % 3 === 0 && i % 2 === 0;
      });
      expect(found.matches.map((m) => m._id).sort()).toEqual(expected);
      // Scores keep the whole namespace's statistics: a filter narrows, it does not re-weigh.
      const unfiltered = bm25(corpus, ['pump']);
      for (const m of found.matches) expect(m._score).toBeCloseTo(unfiltered.find(([id]) => id === m._id)![1], 5);
      const all = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'dense_vector', field: 'emb', values: [1, 0, 0.5] }],
          topK: 200,
          filter: { body: { $match_all: 'seal worn motors' } },
        });
      expect(all.matches).toHaveLength(60);
      const any = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'dense_vector', field: 'emb', values: [1, 0, 0.5] }],
          topK: 200,
          filter: { body: { $match_any: 'valve seal' } },
        });
      expect(any.matches).toHaveLength(120);
    });

    it('searches the dense field by cosine, best first', async () => {
      const found = await pc
        .index(name)
        .namespace('ns1')
        .documents.search({
          scoreBy: [{ type: 'dense_vector', field: 'emb', values: [1, 0, 0.5] }],
          topK: 3,
          includeFields: ['emb'],
        });
      expect(found.matches.map((m) => m._id)).toEqual(['d000', 'd001', 'd002']);
      expect(found.matches[0]._score).toBeCloseTo(1, 5);
      expect(found.matches[0].emb).toEqual([1, 0, 0.5]);
    });

    it('fetches by ids (all fields by default) and by filter in pages', async () => {
      const byIds = await pc
        .index(name)
        .namespace('ns1')
        .documents.fetch({ ids: ['d003', 'missing'] });
      expect(Object.keys(byIds.documents)).toEqual(['d003']);
      expect(byIds.documents.d003).toMatchObject({ _id: 'd003', category: 'pumps', year: 2003, emb: [1, 0.03, 0.5] });
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await pc
          .index(name)
          .namespace('ns1')
          .documents.fetch({
            filter: { year: { $gte: 2020 } },
            limit: 7,
            includeFields: ['year'],
            ...(token ? { paginationToken: token } : {}),
          });
        for (const doc of Object.values(page.documents)) {
          expect(Object.keys(doc).sort()).toEqual(['_id', 'year']);
          seen.push(doc._id as string);
        }
        token = page.pagination?.next;
      } while (token);
      expect(seen.sort()).toEqual([...corpus.keys()].filter((id) => Number(id.slice(1)) % 25 >= 20));
    });

    it('describes the namespace as 2026-07 does: record_count and size_bytes as decimal strings', async () => {
      const described = await pc.index(name).describeNamespace('ns1');
      expect(described.recordCount).toBe('120');
      const raw = await http(gw.url, 'GET', `/indexes/${name}/namespaces/ns1`, undefined, {
        'X-Pinecone-Api-Version': '2026-07',
      });
      expect(raw.body).toMatchObject({
        name: 'ns1',
        record_count: '120',
        size_bytes: expect.stringMatching(/^[1-9]\d*$/),
      });
      // Older versions keep the number they had.
      expect((await http(gw.url, 'GET', `/indexes/${name}/namespaces/ns1`)).body.record_count).toBe(120);
    });

    it('lists ids by prefix in byte order, a page at a time', async () => {
      const first = await pc.index(name).namespace('ns1').documents.list({ prefix: 'd01', limit: 4 });
      expect(first.documents.map((d) => d._id)).toEqual(['d010', 'd011', 'd012', 'd013']);
      const rest = await pc.index(name).namespace('ns1').documents.list({
        prefix: 'd01',
        paginationToken: first.pagination!.next!,
      });
      expect(rest.documents.map((d) => d._id)).toEqual(['d014', 'd015', 'd016', 'd017', 'd018', 'd019']);
      expect(rest.pagination).toBeUndefined();
    });
  });

  describe('writes', () => {
    const name = indexName('docs-writes');
    beforeAll(async () => {
      await pc.indexes.create({
        name,
        schema: {
          fields: {
            text: { type: 'string', fullTextSearch: {} },
            emb: { type: 'dense_vector', dimension: 2, metric: 'dotproduct' },
          },
        },
      });
    });
    const ns = () => pc.index(name).namespace('w');
    const search = async (query: string) =>
      (await ns().documents.search({ scoreBy: [{ type: 'text', fields: ['text'], query }], topK: 100 })).matches
        .map((m) => m._id)
        .sort();

    it('replaces a document whole on upsert, and keeps the words in step with updates', async () => {
      await ns().documents.upsert({
        documents: [
          { _id: 'a', text: 'red apple', emb: [1, 0], color: 'red' },
          { _id: 'b', text: 'green pear' },
        ],
      });
      await ns().documents.upsert({ documents: [{ _id: 'a', text: 'yellow banana' }] });
      expect(await search('apple')).toEqual([]);
      expect(await search('banana')).toEqual(['a']);
      expect((await ns().documents.fetch({ ids: ['a'] })).documents.a).toEqual({ _id: 'a', text: 'yellow banana' });
      await ns().documents.update({
        documents: [
          { _id: 'b', text: 'ripe apple', weight: 3 },
          { _id: 'zz', text: 'nobody' },
        ],
      });
      expect(await search('apple')).toEqual(['b']);
      expect(await search('pear')).toEqual([]);
      await ns().documents.update({ documents: [{ _id: 'b', _remove_fields: ['weight'] }] });
      expect((await ns().documents.fetch({ ids: ['b'] })).documents.b).toEqual({ _id: 'b', text: 'ripe apple' });
      const matched = await ns().documents.update({ filter: { text: { $exists: true } }, setFields: { shelf: 'top' } });
      expect(matched.matchedRecords).toBe(2);
      const removed = await ns().documents.update({ filter: { shelf: 'top' }, removeFields: ['text'] });
      expect(removed.matchedRecords).toBe(2);
      expect(await search('apple banana')).toEqual([]);
      expect((await ns().documents.fetch({ ids: ['a'] })).documents.a).toEqual({ _id: 'a', shelf: 'top' });
    });

    it('scores by BM25 exactly after a seeded run of every kind of write', async () => {
      // The postings (migrations/027) follow inserts, replacing upserts, updates of the text and of
      // other fields, updates and deletes by filter: a stale posting or a missed one changes a score.
      const w = pc.index(name).namespace('churn');
      const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'sigma', 'kappa', 'zeta'];
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const text = () => Array.from({ length: 1 + rand(6) }, () => words[rand(words.length)]).join(' ');
      const corpus = new Map<string, { text: string; n: number }>();
      const ids = Array.from({ length: 24 }, (_, i) => `c${i}`);
      for (let round = 0; round < 6; round++) {
        const batch = ids.filter(() => rand(3) === 0).map((id) => ({ _id: id, text: text(), n: rand(10) }));
        if (batch.length) await w.documents.upsert({ documents: batch });
        for (const d of batch) corpus.set(d._id, { text: d.text, n: d.n });
        const held = [...corpus.keys()];
        if (held.length === 0) continue;
        const changed = held[rand(held.length)];
        const t = text();
        await w.documents.update({ documents: [{ _id: changed, text: t }] });
        corpus.get(changed)!.text = t;
        const other = held[rand(held.length)];
        await w.documents.update({ documents: [{ _id: other, n: 3 }] });
        corpus.get(other)!.n = 3;
        const gone = held[rand(held.length)];
        await w.documents.delete({ ids: [gone] });
        corpus.delete(gone);
        if (round % 2 === 1) {
          await w.documents.delete({ filter: { n: { $eq: 9 } } });
          for (const [id, d] of corpus) if (d.n === 9) corpus.delete(id);
          await w.documents.update({ filter: { n: { $eq: 3 } }, setFields: { n: 4 } });
          for (const d of corpus.values()) if (d.n === 3) d.n = 4;
        }
      }
      expect(corpus.size).toBeGreaterThan(5);
      const tokens = new Map([...corpus].map(([id, d]) => [id, d.text.split(' ')]));
      for (const query of [['alpha'], ['beta', 'zeta'], ['gamma', 'delta', 'omega'], words]) {
        const found = await w.documents.search({
          scoreBy: [{ type: 'text', fields: ['text'], query: query.join(' ') }],
          topK: 100,
        });
        expect(round(found.matches.map((m) => [m._id, m._score] as [string, number]))).toEqual(
          round(bm25(tokens, query)),
        );
      }
      // The document frequencies kept (migrations/033) equal a recount of the postings, after the
      // writes above, a namespace deleted whole, and their compaction.
      const gone = pc.index(name).namespace('churn-gone');
      await gone.documents.upsert({
        documents: [
          { _id: 'g1', text: 'alpha beta' },
          { _id: 'g2', text: 'alpha' },
        ],
      });
      await gone.documents.delete({ deleteAll: true });
      // Writers of the same words at once (each its own transaction and slot) lose no count.
      const together = pc.index(name).namespace('churn-together');
      await Promise.all(
        Array.from({ length: 6 }, (_, k) =>
          together.documents.upsert({
            documents: Array.from({ length: 20 }, (_, i) => ({
              _id: `t${k}-${i}`,
              text: `${words[i % 8]} alpha ${k}`,
            })),
          }),
        ),
      );
      const [{ t }] = (
        await gw.db.query<{ t: string }>(`SELECT table_name AS t FROM vecgate_collections WHERE name = $1`, [name])
      ).rows;
      const kept = async () =>
        (
          await gw.db.query<{ namespace: string; position: number; term: string; df: number }>(
            `SELECT namespace, position::int, term, sum(df)::int AS df FROM vecgate_records."${t}_tdf"
             GROUP BY 1, 2, 3 HAVING sum(df) <> 0 ORDER BY 1, 2, 3`,
          )
        ).rows;
      const { rows: recount } = await gw.db.query(
        `SELECT namespace, position::int, term, count(*)::int AS df FROM vecgate_records."${t}_tp"
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      );
      expect(recount.some((r) => r.namespace === 'churn')).toBe(true);
      expect(await kept()).toEqual(recount);
      expect((await gw.db.query('SELECT vecgate_text_df_compact($1) AS done', [t])).rows[0].done).toBe(true);
      const { rows: compacted } = await gw.db.query(
        `SELECT namespace, position::int, term, df FROM vecgate_records."${t}_tdf" ORDER BY 1, 2, 3`,
      );
      expect(compacted).toEqual(recount);
    });

    it('has its postings vacuumed and analyzed once writes are quiet', async () => {
      // Index-only scans of unvacuumed postings visit the table for each one (PGlite never
      // autovacuums): the index builder vacuums them after a load (docs/full-text-search.md).
      const { rows } = await gw.db.query<{ t: string }>(
        `SELECT table_name || '_tp' AS t FROM vecgate_collections WHERE name = $1`,
        [name],
      );
      const state = async () =>
        (
          await gw.db.query<{ pages: number; visible: number; tuples: number }>(
            `SELECT relpages AS pages, relallvisible AS visible, reltuples AS tuples FROM pg_class
             WHERE oid = to_regclass('vecgate_records.' || quote_ident($1))`,
            [rows[0].t],
          )
        ).rows[0];
      await pc
        .index(name)
        .namespace('quiet')
        .documents.upsert({
          documents: Array.from({ length: 300 }, (_, i) => ({ _id: `q${i}`, text: `word${i % 17} shared text ${i}` })),
        });
      await until(
        'the postings table vacuumed (every page all-visible) and analyzed',
        state,
        (s) => s.tuples > 0 && s.pages > 0 && s.visible === s.pages,
      );
    });

    it('deletes by ids, by filter (counting) and all', async () => {
      await ns().documents.upsert({
        documents: ['x1', 'x2', 'x3', 'x4'].map((id, i) => ({ _id: id, text: `word${i} common`, n: i })),
      });
      await ns().documents.delete({ ids: ['x1'] });
      expect(await search('common')).toEqual(['x2', 'x3', 'x4']);
      const byFilter = await ns().documents.delete({ filter: { n: { $gte: 3 } } });
      expect(byFilter.matchedRecords).toBe(1);
      expect(await search('common')).toEqual(['x2', 'x3']);
      await ns().documents.delete({ deleteAll: true });
      expect((await ns().documents.list({})).documents).toEqual([]);
    });
  });

  it('backs up a document index with its schema, and restores it searchable', async () => {
    const source = indexName('docs-bk');
    await pc.indexes.create({
      name: source,
      schema: {
        fields: {
          body: { type: 'string', fullTextSearch: { stemming: true } },
          emb: { type: 'dense_vector', dimension: 2, metric: 'cosine' },
        },
      },
    });
    await pc
      .index(source)
      .namespace('n')
      .documents.upsert({
        documents: [
          { _id: 'a', body: 'running pumps', emb: [1, 0] },
          { _id: 'b', body: 'a quiet motor', emb: [0, 1] },
        ],
      });
    const backup = await pc.backups.create(source, { name: 'docs' });
    const raw = await http(gw.url, 'GET', `/backups/${backup.backupId}`);
    expect(raw.body.schema).toEqual({
      fields: {
        body: {
          type: 'string',
          description: null,
          full_text_search: { language: 'en', stemming: true, stop_words: false },
        },
        emb: { type: 'dense_vector', dimension: 2, metric: 'cosine', description: null },
      },
    });
    expect(raw.body.record_count).toBe(2);
    const target = indexName('docs-bk-dst');
    await pc.backups.createIndex(backup.backupId, { name: target });
    expect((await http(gw.url, 'GET', `/indexes/${target}`)).body.schema).toEqual(raw.body.schema);
    const found = await pc
      .index(target)
      .namespace('n')
      .documents.search({
        scoreBy: [{ type: 'text', fields: ['body'], query: 'pump ran' }],
        topK: 5,
        includeFields: ['*'],
      });
    expect(found.matches).toEqual([{ _id: 'a', _score: expect.any(Number), body: 'running pumps', emb: [1, 0] }]);
  });

  it('keeps a document index searchable by its words when Chroma forks it', async () => {
    const source = indexName('docs-fork');
    await pc.indexes.create({ name: source, schema: { fields: { body: { type: 'string', fullTextSearch: {} } } } });
    await pc
      .index(source)
      .namespace('__default__')
      .documents.upsert({
        documents: [
          { _id: 'a', body: 'inlet valve' },
          { _id: 'b', body: 'outlet pump' },
        ],
      });
    const P = '/api/v2/tenants/default_tenant/databases/default_database';
    const col = await http(gw.url, 'GET', `${P}/collections/${source}`);
    const forkName = indexName('docs-forked');
    const fork = await http(gw.url, 'POST', `${P}/collections/${col.body.id}/fork`, { new_name: forkName });
    expect(fork.status).toBe(200);
    const found = await pc
      .index(forkName)
      .namespace('__default__')
      .documents.search({
        scoreBy: [{ type: 'text', fields: ['body'], query: 'pump' }],
        topK: 5,
      });
    expect(found.matches.map((m) => m._id)).toEqual(['b']);
  });

  describe('refusals, in Pinecone words and shape', () => {
    const docs = indexName('docs-refuse');
    const vectors = indexName('vec-refuse');
    beforeAll(async () => {
      await pc.indexes.create({ name: docs, schema: { fields: { body: { type: 'string', fullTextSearch: {} } } } });
      await pc.indexes.create({
        name: vectors,
        schema: { fields: { _values: { type: 'dense_vector', dimension: 2, metric: 'cosine' } } },
      });
    });

    it.each([
      [{}, /at least one field/],
      [{ _x: { type: 'string', full_text_search: {} } }, /reserved/],
      [{ $x: { type: 'string', full_text_search: {} } }, /must not start with '\$'/],
      [{ body: { type: 'string' } }, /must declare full_text_search/],
      [{ year: { type: 'float' } }, /metadata fields/],
      [
        {
          a: { type: 'dense_vector', dimension: 2, metric: 'cosine' },
          b: { type: 'dense_vector', dimension: 2, metric: 'cosine' },
        },
        /at most one dense_vector/,
      ],
      [{ a: { type: 'dense_vector', dimension: 2 } }, /metric must be one of/],
      [{ a: { type: 'string', full_text_search: { stop_words: true } } }, /requires stemming/],
      [{ a: { type: 'string', full_text_search: { language: 'xx' } } }, /language "xx" is not supported/],
      [
        { a: { type: 'string', full_text_search: { language: 'el', stemming: true, stop_words: true } } },
        /no stop-word list/,
      ],
      [{ a: { type: 'string', full_text_search: { ngram: { min_gram: 3, max_gram: 2 } } } }, /min_gram <= max_gram/],
      [
        { a: { type: 'string', full_text_search: { stemming: true, ngram: { min_gram: 2, max_gram: 3 } } } },
        /cannot be combined/,
      ],
      [{ a: { type: 'string', full_text_search: {}, extra: 1 } }, /unknown field "extra"/],
    ])('refuses the schema %j with a 400', async (fields, message) => {
      const res = await http(gw.url, 'POST', '/indexes', { name: indexName('bad'), schema: { fields } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) },
        status: 400,
      });
    });

    it('refuses vector operations on a document index, and document operations on a vectors index', async () => {
      const upsert = await http(gw.url, 'POST', `/indexes/${docs}/vectors/upsert`, {
        vectors: [{ id: 'a', values: [1, 2] }],
      });
      expect(upsert.status).toBe(400);
      expect(upsert.body.message).toMatch(
        /^This index has a document schema, so writes must go through the documents API/,
      );
      const query = await http(gw.url, 'POST', `/indexes/${docs}/query`, { vector: [1, 2], topK: 1 });
      expect(query.status).toBe(400);
      const stats = await http(gw.url, 'POST', `/indexes/${docs}/describe_index_stats`, {});
      expect(stats.status).toBe(200);
      const search = await http(gw.url, 'POST', `/indexes/${vectors}/namespaces/__default__/documents/search`, {
        score_by: [{ type: 'text', fields: ['body'], query: 'x' }],
        top_k: 1,
      });
      expect(search.status).toBe(400);
      expect(search.body).toEqual({
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/vectors-API index: use \/vectors\/upsert/) },
        status: 400,
      });
    });

    it.each([
      ['upsert', {}, /documents must hold 1 to 1000/],
      ['upsert', { documents: [{ body: 'x' }] }, /_id must be a non-empty string/],
      ['upsert', { documents: [{ _id: 'é', body: 'x' }] }, /ASCII/],
      ['upsert', { documents: [{ _id: 'a', color: 'red' }] }, /carries no schema field/],
      ['upsert', { documents: [{ _id: 'a', body: 3 }] }, /takes a string/],
      ['upsert', { documents: [{ _id: 'a', body: 'x', _score: 1 }] }, /reserved/],
      [
        'upsert',
        { documents: [{ _id: 'a', body: 'x', meta: { nested: 1 } }] },
        /string, number, boolean or list of strings/,
      ],
      ['upsert', { documents: [{ _id: 'a', body: 'word '.repeat(10_001) }] }, /10001 tokens, at most 10000/],
      [
        'upsert',
        { documents: [{ _id: 'a', body: 'x', note: 'n'.repeat(41_000) }] },
        /metadata is \d+ bytes, at most 40960/,
      ],
      ['upsert', { documents: [{ _id: 'a', body: 'x'.repeat(100 * 1024 + 1) }] }, /larger than 100 KB/],
      [
        'upsert',
        { documents: Array.from({ length: 30 }, (_, i) => ({ _id: `a${i}`, body: 'word '.repeat(16_000) })) },
        /at most 2 MB/,
      ],
      ['search', { score_by: [], top_k: 1 }, /score_by must hold 1 to 100/],
      [
        'search',
        { score_by: [{ type: 'text', fields: ['body'], query: 'x' }], top_k: 0 },
        /top_k must be an integer from 1 to 10000/,
      ],
      [
        'search',
        { score_by: [{ type: 'text', fields: ['nope'], query: 'x' }], top_k: 1 },
        /"nope" is not a full_text_search field/,
      ],
      [
        'search',
        { score_by: [{ type: 'text', fields: ['body'], query: '  ' }], top_k: 1 },
        /query must be a non-empty string/,
      ],
      [
        'search',
        { score_by: [{ type: 'text', field: 'body', fields: ['body'], query: 'x' }], top_k: 1 },
        /field or fields, not both/,
      ],
      [
        'search',
        { score_by: [{ type: 'query_string', query: 'body:(a', fields: ['body'] }], top_k: 1 },
        /names its fields in the query/,
      ],
      [
        'search',
        { score_by: [{ type: 'query_string', query: 'body:(a' }], top_k: 1 },
        /Malformed query_string at position 5/,
      ],
      [
        'search',
        { score_by: [{ type: 'query_string', query: 'nope:(a)' }], top_k: 1 },
        /"nope" is not a full_text_search field/,
      ],
      [
        'search',
        { score_by: [{ type: 'dense_vector', field: 'body', values: [1] }], top_k: 1 },
        /not a dense_vector field/,
      ],
      [
        'search',
        {
          score_by: [{ type: 'text', fields: ['body'], query: 'x' }],
          top_k: 1,
          filter: { category: { $match_phrase: 'x' } },
        },
        /needs a string field with full_text_search/,
      ],
      ['fetch', {}, /^No 'ids' or 'filter' provided in the document fetch request/],
      ['fetch', { ids: ['a'], filter: { a: 1 } }, /exactly one of ids, filter/],
      ['fetch', { filter: { body: { $match_any: 'x' } } }, /allowed only in the filter of a document search/],
      ['delete', {}, /exactly one of ids, filter, delete_all/],
      ['delete', { filter: {} }, /filter must not be empty/],
      ['update', { documents: [{ _id: 'a', body: 'x', _remove_fields: ['body'] }] }, /cannot be both set and removed/],
      ['update', { filter: { a: 1 } }, /needs set_fields or remove_fields/],
      ['list', { limit: 101 }, /limit must be an integer from 1 to 100/],
    ])('refuses a %s (%#) with a 400 in the ErrorResponse shape', async (op, body, message) => {
      const res = await http(gw.url, 'POST', `/indexes/${docs}/namespaces/__default__/documents/${op}`, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(message) },
        status: 400,
      });
    });

    it('refuses backup schedules with a 400 that says how to take backups instead', async () => {
      await expect(
        pc.backupSchedules.create(docs, { name: 'nightly', frequency: 'daily', retentionDays: 7 } as never),
      ).rejects.toThrow(
        /vecgate does not run backup schedules: take backups with POST \/indexes\/\{index_name\}\/backups/,
      );
      for (const [method, path] of [
        ['GET', `/indexes/${docs}/backup-schedules`],
        ['GET', '/backup-schedules/some-id'],
        ['PATCH', '/backup-schedules/some-id'],
        ['DELETE', '/backup-schedules/some-id'],
        ['GET', '/backup-schedules/some-id/history'],
      ]) {
        const res = await http(gw.url, method, path, method === 'PATCH' ? { enabled: false } : undefined);
        expect([res.status, res.body.error?.code]).toEqual([400, 'INVALID_ARGUMENT']);
      }
    });

    it('changes nothing on a refused upsert: one bad document fails the whole request', async () => {
      const res = await http(gw.url, 'POST', `/indexes/${docs}/namespaces/atomic/documents/upsert`, {
        documents: [
          { _id: 'ok', body: 'fine' },
          { _id: 'bad', body: 7 },
        ],
      });
      expect(res.status).toBe(400);
      const listed = await http(gw.url, 'POST', `/indexes/${docs}/namespaces/atomic/documents/list`, {});
      expect(listed.body.documents).toEqual([]);
    });
  });
});
