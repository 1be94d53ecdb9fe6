import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pinecone } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import { bm25, levenshtein, round } from '../../support/bm25';
import { indexName, pineconeClient, prng } from '../../support/pinecone';

/**
 * Fuzzy terms of query_string (`term~N`, `term~`) on a document index: every answer is checked
 * against one computed here from the documents, with a Levenshtein distance computed from its
 * definition, Pinecone's rules (the nearest 50 words of the namespace, `~` by the word's length,
 * a constant for a fuzzy match plus the exact word's BM25), through the v9 client and raw HTTP.
 */
describe('Pinecone query_string fuzzy terms (term~N)', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;
  const name = indexName('fuzzy');
  /** The documents of namespace ns1 as the index holds them: id to body words. */
  const corpus = new Map<string, string[]>();
  const next = prng(11);
  const letters = 'abcd';
  const randomWord = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => letters[Math.floor(next() * 4)]).join('');
  // Every 4-letter word of a, b and c (so that two edits reach more than 50 words), and random ones of 3 to 9 letters.
  const DENSE = Array.from({ length: 81 }, (_, i) => [27, 9, 3, 1].map((p) => 'abc'[Math.floor(i / p) % 3]).join(''));
  const VOCABULARY = [...new Set([...DENSE, ...Array.from({ length: 180 }, () => randomWord(3, 9))])];

  const auto = (word: string) => ([...word].length < 4 ? 0 : [...word].length < 8 ? 1 : 2);

  /** The words of `word~edits` in ns1: the namespace's words within the edits, nearest first, then in byte order, 50 at most. */
  function expansion(word: string, edits: number | 'auto'): string[] {
    const d = edits === 'auto' ? auto(word) : edits;
    const present = [...new Set([...corpus.values()].flat())];
    return present
      .map((w) => [w, levenshtein(w, word)] as const)
      .filter(([, e]) => e <= d)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, 50)
      .map(([w]) => w);
  }

  /** The expected answer of `body:(word~edits)^boost`: each matching document scores the boost, plus the word's own BM25 x boost. */
  function expected(word: string, edits: number | 'auto', boost = 1): [string, number][] {
    const words = new Set(expansion(word, edits));
    const exact = new Map(bm25(corpus, [word]));
    return [...corpus]
      .filter(([, tokens]) => tokens.some((t) => words.has(t)))
      .map(([id]): [string, number] => [id, boost * (1 + (exact.get(id) ?? 0))])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  const search = async (query: string, namespace = 'ns1'): Promise<[string, number][]> =>
    (
      await pc
        .index(name)
        .namespace(namespace)
        .documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 1000 })
    ).matches.map((m) => [m._id, m._score!]);

  const spell = (edits: number | 'auto') => (edits === 'auto' ? '' : String(edits));

  beforeAll(async () => {
    pc = pineconeClient(gw);
    await pc.indexes.create({
      name,
      schema: {
        fields: {
          body: { type: 'string', fullTextSearch: {} },
          stem: { type: 'string', fullTextSearch: { language: 'en', stemming: true } },
        },
      },
    });
    const documents = Array.from({ length: 160 }, (_, i) => {
      const tokens = Array.from(
        { length: 2 + Math.floor(next() * 10) },
        () => VOCABULARY[Math.floor(next() * VOCABULARY.length)],
      );
      const id = `d${String(i).padStart(3, '0')}`;
      corpus.set(id, tokens);
      // Capitals and punctuation: the analyser lowercases and splits, as for any word.
      return {
        _id: id,
        body: tokens.map((t, k) => (k % 4 === 0 ? t.toUpperCase() : t)).join(i % 2 ? ', ' : ' '),
        stem: 'pumps leaking',
      };
    });
    for (let start = 0; start < documents.length; start += 40)
      await pc
        .index(name)
        .namespace('ns1')
        .documents.upsert({ documents: documents.slice(start, start + 40) });
    // Another namespace's words are not this one's.
    await pc
      .index(name)
      .namespace('ns2')
      .documents.upsert({ documents: [{ _id: 'x', body: 'zzzzzz zzzzzy', stem: 'other' }] });
  });

  it('matches the words within N edits, nearest 50, scored 1 plus the exact word BM25, through the v9 client', async () => {
    const present = [...new Set([...corpus.values()].flat())].sort();
    // Words the documents hold, typos of them (one and two edits away) and words of every length for `~`.
    const typo = (w: string, at: number) => w.slice(0, at) + (w[at] === 'a' ? 'b' : 'a') + w.slice(at + 1);
    const words = [
      ...present.filter((_, i) => i % 23 === 0),
      ...present.filter((_, i) => i % 29 === 3).map((w) => typo(w, 1)),
      ...present.filter((_, i) => i % 31 === 5).map((w) => typo(typo(w, 0), w.length - 1)),
      'abc',
      'abcd',
      'dcbadcb',
      'abcdabcd',
      'zzzzzz',
    ];
    let capped = 0;
    for (const word of words)
      for (const edits of [0, 1, 2, 'auto'] as const) {
        const want = expected(word, edits);
        const d = edits === 'auto' ? auto(word) : edits;
        if (present.filter((w) => levenshtein(w, word) <= d).length > 50) capped++;
        const got = await search(`body:(${word}~${spell(edits)})`);
        expect({ query: `${word}~${spell(edits)}`, answer: round(got) }).toEqual({
          query: `${word}~${spell(edits)}`,
          answer: round(want),
        });
      }
    // Some queries reach more than 50 words: the cut is exercised, not only the distance.
    expect(capped).toBeGreaterThan(0);
  });

  it('answers raw HTTP alike, with boosts, case folded, and unqualified terms in every full-text field', async () => {
    const word = [...corpus.values()][3][0];
    const res = await http(gw.url, 'POST', `/indexes/${name}/namespaces/ns1/documents/search`, {
      score_by: [{ type: 'query_string', query: `body:(${word.toUpperCase()}~1)^3` }],
      top_k: 1000,
    });
    expect(res.status).toBe(200);
    expect(round(res.body.matches.map((m: { _id: string; _score: number }) => [m._id, m._score]))).toEqual(
      round(expected(word, 1, 3)),
    );
    // Unqualified: the body's matches, and nothing from the stemmed field (no word near there).
    expect(round(await search(`${word}~1`))).toEqual(round(expected(word, 1)));
  });

  it('composes with required and excluded clauses: a fuzzy must-not excludes every word it reaches', async () => {
    const [a, b] = [...corpus.values()][7];
    const near = new Set(expansion(b, 1));
    const ids = (await search(`body:(+${a} -${b}~1)`)).map(([id]) => id).sort();
    const want = [...corpus]
      .filter(([, t]) => t.includes(a) && !t.some((w) => near.has(w)))
      .map(([id]) => id)
      .sort();
    expect(ids).toEqual(want);
    const both = (await search(`body:(+${a}~1 +${b}~1)`)).map(([id]) => id).sort();
    const nearA = new Set(expansion(a, 1));
    expect(both).toEqual(
      [...corpus]
        .filter(([, t]) => t.some((w) => nearA.has(w)) && t.some((w) => near.has(w)))
        .map(([id]) => id)
        .sort(),
    );
  });

  it('runs on the stemmed words of a stemmed field, and keeps each namespace its own words', async () => {
    // pumps -> pump; "pumpz" stays itself, one edit from it.
    expect((await search('stem:(pumpz~1)')).length).toBe(corpus.size);
    expect(await search('stem:(pumpz~0)')).toEqual([]);
    expect(await search('body:(zzzzzz~2)')).toEqual([]);
    expect((await search('body:(zzzzzx~1)', 'ns2')).map(([id]) => id)).toEqual(['x']);
  });

  it('follows writes: new words of upserts and updates, and no slot for words whose documents are gone', async () => {
    await pc
      .index(name)
      .namespace('ns1')
      .documents.upsert({ documents: [{ _id: 'd000', body: 'qqqqqqa', stem: 'pumps' }] });
    corpus.set('d000', ['qqqqqqa']);
    const update = await http(gw.url, 'POST', `/indexes/${name}/namespaces/ns1/documents/update`, {
      documents: [{ _id: 'd001', body: 'qqqqqbb' }],
    });
    expect(update.status).toBe(202);
    corpus.set('d001', ['qqqqqbb']);
    expect(round(await search('body:(qqqqqqq~2)'))).toEqual(round(expected('qqqqqqq', 2)));
    expect((await search('body:(qqqqqqq~2)')).map(([id]) => id)).toEqual(['d000', 'd001']);
    // Delete every document holding the words nearest to a query that reaches more than 50:
    // the words stay listed, but the 50 kept are those the namespace still holds.
    const word = 'abca';
    const reach = new Set([...corpus.values()].flat().filter((w) => levenshtein(w, word) <= 2));
    expect(reach.size).toBeGreaterThan(60);
    const near = expansion(word, 2).slice(0, 10);
    const gone = [...corpus].filter(([, t]) => t.some((w) => near.includes(w))).map(([id]) => id);
    expect(gone.length).toBeGreaterThan(0);
    const del = await http(gw.url, 'POST', `/indexes/${name}/namespaces/ns1/documents/delete`, { ids: gone });
    expect(del.status).toBe(202);
    for (const id of gone) corpus.delete(id);
    expect(round(await search(`body:(${word}~2)`))).toEqual(round(expected(word, 2)));
  });

  it('refuses a distance over 2 and more than 100 fuzzy words, in Pinecone shape', async () => {
    const refused = async (query: string) =>
      http(gw.url, 'POST', `/indexes/${name}/namespaces/ns1/documents/search`, {
        score_by: [{ type: 'query_string', query }],
        top_k: 10,
      });
    const far = await refused('body:(abcd~3)');
    expect(far.status).toBe(400);
    expect(far.body).toEqual({
      error: {
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/fuzziness of abcd must be an integer from 0 to 2/),
      },
      status: 400,
    });
    const many = await refused(
      Array.from({ length: 101 }, (_, i) => `body:(abcd${'a'.repeat(i % 3)}${i}~1)`).join(' '),
    );
    expect(many.status).toBe(400);
    expect(many.body.error.message).toMatch(/at most 100 fuzzy words/);
  });

  it('lists the words of a table written before the list existed (migration 026)', async () => {
    const word = [...corpus.values()][0][0];
    const before = await search(`body:(${word}~1)`);
    // The state of a database migrated up to 026: no list, no triggers.
    const { rows } = await gw.db.query<{ table_name: string }>(
      `SELECT table_name FROM vecgate_collections WHERE name = $1`,
      [name],
    );
    const table = `vecgate_records."${rows[0].table_name}"`;
    await gw.db.query(`DROP TRIGGER text_terms_insert ON ${table}; DROP TRIGGER text_terms_update ON ${table}`);
    await gw.db.query('DROP FUNCTION vecgate_text_terms_add(); DROP TABLE vecgate_text_terms');
    await gw.db.query(readFileSync(join(__dirname, '../../../migrations/026_text_terms.sql'), 'utf8'));
    expect(round(await search(`body:(${word}~1)`))).toEqual(round(before));
    await pc
      .index(name)
      .namespace('ns1')
      .documents.upsert({ documents: [{ _id: 'late', body: 'rrrrrrs', stem: 'x' }] });
    expect((await search('body:(rrrrrrr~1)')).map(([id]) => id)).toEqual(['late']);
  });
});
