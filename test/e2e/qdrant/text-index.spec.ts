import { gatewayForFile } from '../../support/gateway';
import { bm25Vector, tokenId } from '../../../src/protocols/qdrant/qdrant-bm25';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/** A pattern for exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * Qdrant's `text` payload index over the core's text fields (migrations/024): each tokenizer and
 * option as Qdrant 1.19 tokenizes, `text` / `text_any` / `phrase` against the index (and Qdrant's
 * substring test without one), payload_schema as Qdrant shows it, re-creation and deletion, the
 * points held before the index and every payload edit kept in step, `match.prefix`, strict mode's
 * unindexed filtering, Qdrant's local BM25, and hostile input.
 */
describe('Qdrant text payload index', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;
  const raw = () => qdrantHttp(gw);

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  /** A collection with these payloads at ids 1, 2, ... */
  async function collection(label: string, payloads: Record<string, unknown>[]): Promise<string> {
    const name = collectionName(label);
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    if (payloads.length > 0)
      await q.upsert(name, {
        wait: true,
        points: payloads.map((payload, i) => ({ id: i + 1, vector: [1, 0], payload })),
      });
    return name;
  }

  async function index(name: string, field_name: string, field_schema: unknown): Promise<void> {
    const res = await raw().put(`/collections/${name}/index?wait=true`, { field_name, field_schema });
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { status: 'ok' } });
  }

  /** The ids a condition on `key` selects, sorted, with the count route agreeing. */
  async function ids(name: string, key: string, match: object): Promise<number[]> {
    const filter = { must: [{ key, match }] };
    const res = await raw().post(`/collections/${name}/points/scroll`, { filter, limit: 100, with_payload: false });
    expect(res.status).toBe(200);
    const found = (res.body.result.points as { id: number }[]).map((p) => p.id).sort((a, b) => a - b);
    const counted = await raw().post(`/collections/${name}/points/count`, { filter, exact: true });
    expect(counted.body.result.count).toBe(found.length);
    return found;
  }

  async function payloadSchema(name: string): Promise<Record<string, unknown>> {
    return (await raw().get(`/collections/${name}`)).body.result.payload_schema;
  }

  /** The collection's text fields in the catalog, and the text columns its record table has. */
  async function textColumns(name: string): Promise<{ fields: number; columns: string[] }> {
    const { rows } = await gw.db.query<{ fields: number; columns: string[] | null }>(
      `SELECT (SELECT count(*)::int FROM vecgate_text_fields f WHERE f.collection_id = c.id) AS fields,
         (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
          WHERE a.attrelid = ('vecgate_records.' || quote_ident(c.table_name))::regclass
            AND a.attname ~ '^tl?[0-9]+$' AND NOT a.attisdropped) AS columns
       FROM vecgate_collections c WHERE c.name = $1`,
      [name],
    );
    return { fields: rows[0].fields, columns: rows[0].columns ?? [] };
  }

  const TITLES = [
    'Little Lost Robot',
    'The Portable Star',
    'Robot AL-76 Goes Astray',
    'Robot Dreams',
    'Star Light',
    'The Caves of Steel',
    'Robots of Dawn',
  ];

  describe('the word tokenizer', () => {
    it('indexes the points already held, lowercased, stop words dropped, and matches words as Qdrant does', async () => {
      const name = await collection(
        'word',
        TITLES.map((title) => ({ title })),
      );
      await q.createPayloadIndex(name, {
        field_name: 'title',
        field_schema: { type: 'text', tokenizer: 'word', lowercase: true, stopwords: 'english' },
        wait: true,
      });
      // test_fts's two filters: text_any over the words, and a should of one-word texts.
      expect(await ids(name, 'title', { text_any: 'robot of the star' })).toEqual([1, 2, 3, 4, 5]);
      // `text`: every word, in any order, whatever the case; a word absent from every point matches nothing.
      expect(await ids(name, 'title', { text: 'ROBOT little' })).toEqual([1]);
      expect(await ids(name, 'title', { text: 'robot unicorn' })).toEqual([]);
      // Split on anything but letters and digits: AL-76 is `al` and `76`.
      expect(await ids(name, 'title', { text: '76' })).toEqual([3]);
      expect(await ids(name, 'title', { text: 'al-76' })).toEqual([3]);
      // Words, not substrings: `robot` is not `robots`.
      expect(await ids(name, 'title', { text: 'robots' })).toEqual([7]);
      // A query of stop words only, or of no word at all, matches nothing.
      for (const text of ['the of', '', '  ', '---']) {
        expect(await ids(name, 'title', { text })).toEqual([]);
        expect(await ids(name, 'title', { text_any: text })).toEqual([]);
      }
      // Without phrase_matching the index holds no positions for Qdrant: a phrase finds nothing, and is no error.
      expect(await ids(name, 'title', { phrase: 'robot dreams' })).toEqual([]);
      expect(await payloadSchema(name)).toEqual({
        title: {
          data_type: 'text',
          params: { type: 'text', tokenizer: 'word', lowercase: true, stopwords: 'english' },
          points: TITLES.length,
        },
      });
    });

    it('matches phrases with phrase_matching: in order, contiguous, stop words skipped on both sides', async () => {
      const name = await collection('phrase', []);
      await index(name, 'text', { type: 'text', tokenizer: 'word', phrase_matching: true });
      await q.upsert(name, {
        wait: true,
        points: [
          { id: 1, vector: [1, 0], payload: { text: 'the quick brown fox jumps over the lazy dog' } },
          { id: 2, vector: [1, 0], payload: { text: 'a quick brown cat' } },
          { id: 3, vector: [1, 0], payload: { text: 'writing tests is very very very important' } },
          { id: 4, vector: [1, 0], payload: { text: ['the quick', 'brown fox'] } },
          { id: 5, vector: [1, 0], payload: { text: 'jumps the over' } },
        ],
      });
      expect(await ids(name, 'text', { phrase: 'quick brown fox' })).toEqual([1]);
      expect(await ids(name, 'text', { phrase: 'quick brown' })).toEqual([1, 2]);
      expect(await ids(name, 'text', { phrase: 'brown quick' })).toEqual([]);
      expect(await ids(name, 'text', { phrase: 'very very very' })).toEqual([3]);
      expect(await ids(name, 'text', { phrase: 'very very very very' })).toEqual([]);
      // An array's strings are separate values: no phrase spans two of them, each matches on its own.
      expect(await ids(name, 'text', { phrase: 'quick brown fox' })).not.toContain(4);
      expect(await ids(name, 'text', { phrase: 'brown fox' })).toEqual([1, 4]);
      expect(await ids(name, 'text', { text: 'quick fox' })).toEqual([1, 4]);
      expect(await ids(name, 'text', { phrase: '' })).toEqual([]);
      expect(await ids(name, 'text', { phrase: 'quick brown bird' })).toEqual([]);
      expect(await ids(name, 'text', { phrase: 'jumps the over' })).toEqual([5]);
      // With English stop words (`over`, `the`): gone from the values and the phrases alike.
      await index(name, 'text', { type: 'text', tokenizer: 'word', phrase_matching: true, stopwords: 'english' });
      expect(await ids(name, 'text', { phrase: 'fox jumps lazy' })).toEqual([1]);
      expect(await ids(name, 'text', { phrase: 'fox jumps the over lazy' })).toEqual([1]);
      expect(await ids(name, 'text', { phrase: 'jumps the over' })).toEqual([1, 5]);
      expect(await ids(name, 'text', { phrase: 'very very' })).toEqual([]);
    });
  });

  describe('the other tokenizers and options', () => {
    it('whitespace: tokens keep their punctuation, split on Unicode white space only', async () => {
      const name = await collection('ws', [
        { t: 'foo-bar baz.qux' },
        { t: 'foo bar' },
        { t: 'e-mail\u00a0me\u3000now' },
        { t: 'C++ and C#' },
      ]);
      await index(name, 't', { type: 'text', tokenizer: 'whitespace', phrase_matching: true });
      expect(await ids(name, 't', { text: 'foo-bar' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'foo' })).toEqual([2]);
      expect(await ids(name, 't', { text: 'BAZ.QUX' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'me' })).toEqual([3]);
      expect(await ids(name, 't', { phrase: 'e-mail me now' })).toEqual([3]);
      expect(await ids(name, 't', { text: 'c++' })).toEqual([4]);
      expect(await ids(name, 't', { text_any: 'c# nothing' })).toEqual([4]);
      // A quote or a backslash in a token is a token's character, not tsquery syntax.
      await q.upsert(name, {
        wait: true,
        points: [{ id: 9, vector: [1, 0], payload: { t: `it's a\\b "q" & | ! <-> :*` } }],
      });
      expect(await ids(name, 't', { text: `it's` })).toEqual([9]);
      expect(await ids(name, 't', { text: 'a\\b' })).toEqual([9]);
      expect(await ids(name, 't', { phrase: `"q" & | ! <-> :*` })).toEqual([9]);
    });

    it('prefix: every prefix of each word is held, and a query word matches as a prefix, cut to max_token_len', async () => {
      const name = await collection(
        'prefix',
        TITLES.map((title) => ({ title })),
      );
      await index(name, 'title', { type: 'text', tokenizer: 'prefix' });
      expect(await ids(name, 'title', { text: 'ROBO' })).toEqual([1, 3, 4, 7]);
      expect(await ids(name, 'title', { text: 'robot' })).toEqual([1, 3, 4, 7]);
      expect(await ids(name, 'title', { text: 'robots' })).toEqual([7]);
      expect(await ids(name, 'title', { text: 'rob dre' })).toEqual([4]);
      expect(await ids(name, 'title', { text_any: 'sta daw' })).toEqual([2, 5, 7]);
      // Stop words are not dropped from a prefix query: `the` is a prefix of `the`.
      expect(await ids(name, 'title', { text: 'the' })).toEqual([2, 6]);
      // min 3, max 4: prefixes of 3 and 4 characters; a query word is cut to 4, one under 3 is left out.
      await index(name, 'title', { type: 'text', tokenizer: 'prefix', min_token_len: 3, max_token_len: 4 });
      expect(await ids(name, 'title', { text: 'robotic' })).toEqual([1, 3, 4, 7]);
      expect(await ids(name, 'title', { text: 'dre x' })).toEqual([4]);
      expect(await ids(name, 'title', { text: 'ro' })).toEqual([]);
    });

    it('multilingual: lowercased whatever lowercase says, tokens without a letter left out, kana and Han one by one', async () => {
      const name = await collection('multi', [
        { t: 'What Are You 42' },
        { t: '東京タワーに行きました' },
        { t: 'Grüße aus München' },
      ]);
      await index(name, 't', { type: 'text', tokenizer: 'multilingual', lowercase: false, phrase_matching: true });
      expect(await ids(name, 't', { text: 'what are' })).toEqual([1]);
      expect(await ids(name, 't', { text: '42' })).toEqual([]);
      expect(await ids(name, 't', { text: '東京' })).toEqual([2]);
      expect(await ids(name, 't', { phrase: 'タワー' })).toEqual([2]);
      expect(await ids(name, 't', { phrase: '京東' })).toEqual([]);
      expect(await ids(name, 't', { text: 'MÜNCHEN grüße' })).toEqual([3]);
    });

    it('lowercase false, with custom stop words as given (test_stopwords)', async () => {
      const name = await collection('stop', [
        { title: 'The quick brown fox jumps over the lazy dog' },
        { title: 'LAZY sentinel' },
      ]);
      await index(name, 'title', {
        type: 'text',
        tokenizer: 'word',
        lowercase: false,
        stopwords: { custom: ['the', 'The', 'LAZY'] },
      });
      expect(await ids(name, 'title', { text: 'lazy' })).toEqual([1]);
      expect(await ids(name, 'title', { text: 'The' })).toEqual([]);
      expect(await ids(name, 'title', { text: 'LAZY' })).toEqual([]);
      expect(await ids(name, 'title', { text: 'Quick' })).toEqual([]);
      expect(await ids(name, 'title', { text: 'quick sentinel' })).toEqual([]);
      expect(await ids(name, 'title', { text_any: 'quick sentinel' })).toEqual([1, 2]);
      // Shown as Qdrant re-serializes it: the custom set sorted by bytes.
      expect((await payloadSchema(name)).title).toEqual({
        data_type: 'text',
        params: { type: 'text', tokenizer: 'word', lowercase: false, stopwords: { custom: ['LAZY', 'The', 'the'] } },
        points: 2,
      });
    });

    it('min_token_len and max_token_len drop tokens outside them (not cut them)', async () => {
      const name = await collection('len', [{ t: 'a ab abc abcdef abcde' }, { t: 'abcdefgh' }]);
      await index(name, 't', { type: 'text', min_token_len: 3, max_token_len: 5 });
      expect(await ids(name, 't', { text: 'abc' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'abcde' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'ab' })).toEqual([]);
      expect(await ids(name, 't', { text: 'abcdef' })).toEqual([]);
      expect(await ids(name, 't', { text_any: 'abcdefgh abcde' })).toEqual([1]);
    });

    it('stems with Snowball, folds to ASCII, and takes stop words of several languages, language codes shown as names', async () => {
      const name = await collection('stem', [
        { t: 'Ação interestingly living' },
        { t: 'Straße des Œuvres' },
        { t: 'le chat et les chiens' },
      ]);
      await index(name, 't', {
        type: 'text',
        ascii_folding: true,
        stopwords: { languages: ['fr', 'english'], custom: ['zzz'] },
        stemmer: { type: 'snowball', language: 'en' },
      });
      expect(await ids(name, 't', { text: 'acao interest lives' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'AÇÃO' })).toEqual([1]);
      expect(await ids(name, 't', { text: 'strasse oeuvre' })).toEqual([2]);
      expect(await ids(name, 't', { text: 'chat chien' })).toEqual([3]);
      // `le` and `et` are French stop words: no point holds them.
      expect(await ids(name, 't', { text_any: 'le et' })).toEqual([]);
      expect((await payloadSchema(name)).t).toEqual({
        data_type: 'text',
        params: {
          type: 'text',
          tokenizer: 'word',
          ascii_folding: true,
          stopwords: { languages: ['english', 'french'], custom: ['zzz'] },
          stemmer: { type: 'snowball', language: 'english' },
        },
        points: 3,
      });
    });

    it('shows a bare "text" schema without params', async () => {
      const name = await collection('bare', [{ t: 'One two' }, { t: 3 }, { u: 'x' }]);
      await q.createPayloadIndex(name, { field_name: 't', field_schema: 'text', wait: true });
      // `points` counts the points holding the key, as for every schema here (Qdrant: those with a string).
      expect(await payloadSchema(name)).toEqual({ t: { data_type: 'text', points: 2 } });
      expect(await ids(name, 't', { text: 'two ONE' })).toEqual([1]);
      // A number is no text: the index holds nothing of it.
      expect(await ids(name, 't', { text: '3' })).toEqual([]);
    });
  });

  describe('its life', () => {
    it('re-creating the index with other params replaces it; deleting it brings back the substring test', async () => {
      const name = await collection(
        'life',
        TITLES.map((title) => ({ title })),
      );
      await index(name, 'title', { type: 'text', tokenizer: 'word' });
      const first = await textColumns(name);
      expect(first.fields).toBe(1);
      // The same params again change nothing.
      await index(name, 'title', { type: 'text', tokenizer: 'word' });
      expect(await textColumns(name)).toEqual(first);
      await index(name, 'title', { type: 'text', tokenizer: 'prefix' });
      const second = await textColumns(name);
      expect(second.fields).toBe(1);
      expect(second.columns).toHaveLength(2);
      expect(second.columns).not.toEqual(first.columns);
      expect(await ids(name, 'title', { text: 'ROBO' })).toEqual([1, 3, 4, 7]);
      expect((await payloadSchema(name)).title).toEqual({
        data_type: 'text',
        params: { type: 'text', tokenizer: 'prefix' },
        points: TITLES.length,
      });
      // Another type on the key: the words go.
      await index(name, 'title', 'keyword');
      expect(await textColumns(name)).toEqual({ fields: 0, columns: [] });
      expect(await ids(name, 'title', { text: 'Robot D' })).toEqual([4]);
      await index(name, 'title', { type: 'text' });
      await q.deletePayloadIndex(name, 'title', { wait: true });
      expect(await textColumns(name)).toEqual({ fields: 0, columns: [] });
      expect(await payloadSchema(name)).toEqual({});
      // Qdrant's payload check: case-sensitive substrings.
      expect(await ids(name, 'title', { text: 'Robot D' })).toEqual([4]);
      expect(await ids(name, 'title', { text: 'robot' })).toEqual([]);
      expect(await ids(name, 'title', { text_any: 'Lost Light' })).toEqual([1, 5]);
      expect(await ids(name, 'title', { phrase: 'Star L' })).toEqual([5]);
    });

    it('keeps the index in step with every payload edit: set, overwrite, delete, clear, upsert, by id and by filter', async () => {
      const name = await collection('edits', [{ t: 'alpha beta' }, { t: 'gamma' }, { other: 'alpha' }]);
      await index(name, 't', { type: 'text', phrase_matching: true });
      expect(await ids(name, 't', { text: 'alpha' })).toEqual([1]);
      await q.setPayload(name, { payload: { t: 'alpha delta' }, points: [2], wait: true });
      expect(await ids(name, 't', { text: 'alpha' })).toEqual([1, 2]);
      expect(await ids(name, 't', { text: 'gamma' })).toEqual([]);
      await q.overwritePayload(name, { payload: { other: 'x' }, points: [1], wait: true });
      expect(await ids(name, 't', { text: 'alpha' })).toEqual([2]);
      await q.setPayload(name, { payload: { t: ['epsilon', 'alpha zeta'] }, points: [3], wait: true });
      expect(await ids(name, 't', { phrase: 'alpha zeta' })).toEqual([3]);
      await q.deletePayload(name, { keys: ['t'], points: [2], wait: true });
      expect(await ids(name, 't', { text: 'alpha' })).toEqual([3]);
      await q.setPayload(name, {
        payload: { t: 'omega' },
        filter: { must: [{ key: 't', match: { text: 'epsilon' } }] },
        wait: true,
      });
      expect(await ids(name, 't', { text: 'omega' })).toEqual([3]);
      expect(await ids(name, 't', { text: 'alpha' })).toEqual([]);
      await q.clearPayload(name, { points: [3], wait: true });
      expect(await ids(name, 't', { text: 'omega' })).toEqual([]);
      await q.upsert(name, { wait: true, points: [{ id: 1, vector: [0, 1], payload: { t: 'Omega point' } }] });
      expect(await ids(name, 't', { text: 'omega' })).toEqual([1]);
      // A nested key is a path into the payload.
      await index(name, 'meta.title', { type: 'text' });
      await q.setPayload(name, { payload: { meta: { title: 'Nested Words' } }, points: [2], wait: true });
      expect(await ids(name, 'meta.title', { text: 'words nested' })).toEqual([2]);
      await q.delete(name, { points: [1], wait: true });
      expect(await ids(name, 't', { text: 'omega' })).toEqual([]);
    });

    it('survives a snapshot: recovered, the index is there again', async () => {
      const name = await collection(
        'snap',
        TITLES.map((title) => ({ title })),
      );
      await index(name, 'title', { type: 'text', tokenizer: 'prefix' });
      const snap = await raw().post(`/collections/${name}/snapshots?wait=true`);
      expect(snap.status).toBe(200);
      const file = await (await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/${snap.body.result.name}`)).blob();
      const copy = collectionName('snapcopy');
      const form = new FormData();
      form.append('snapshot', file, 'snap.jsonl');
      const up = await fetch(`${gw.qdrantUrl}/collections/${copy}/snapshots/upload?wait=true`, {
        method: 'POST',
        body: form,
      });
      expect(up.status).toBe(200);
      expect((await payloadSchema(copy)).title).toMatchObject({ params: { type: 'text', tokenizer: 'prefix' } });
      expect(await ids(copy, 'title', { text: 'robo' })).toEqual([1, 3, 4, 7]);
    });
  });

  describe('match.prefix and strict mode', () => {
    it('matches strings and arrays of strings that start with the prefix, case and bytes kept', async () => {
      const name = await collection('pfx', [
        { url: 'https://qdrant.tech' },
        { url: 'https://Qdrant.tech/docs' },
        { url: ['http://example.com', 'https://qdrant.tech/blog'] },
        { url: 42 },
        { url: '100%_sure' },
        {},
      ]);
      expect(await ids(name, 'url', { prefix: 'https://qdrant.' })).toEqual([1, 3]);
      expect(await ids(name, 'url', { prefix: 'http' })).toEqual([1, 2, 3]);
      expect(await ids(name, 'url', { prefix: '' })).toEqual([1, 2, 3, 5]);
      // LIKE's wildcards are characters here.
      expect(await ids(name, 'url', { prefix: '100%' })).toEqual([5]);
      expect(await ids(name, 'url', { prefix: '10_' })).toEqual([]);
      await index(name, 'url', { type: 'keyword', prefix: true });
      expect(await ids(name, 'url', { prefix: 'https://qdrant.' })).toEqual([1, 3]);
      expectQdrantError(
        await raw().post(`/collections/${name}/points/count`, {
          filter: { must: [{ key: 'url', match: { prefix: 1 } }] },
        }),
        400,
        /prefix/,
      );
    });

    it('refuses a filter on a key without the index it needs, when strict mode asks, in Qdrant’s words', async () => {
      const name = await collection('strict', [{ tag: 'odd', t: 'hello world', n: 1 }]);
      await index(name, 'tag', 'keyword');
      await index(name, 't', { type: 'text' });
      const patch = await raw().patch(`/collections/${name}`, {
        strict_mode_config: { enabled: true, unindexed_filtering_retrieve: false, unindexed_filtering_update: false },
      });
      expect(patch.status).toBe(200);
      const count = (filter: object) => raw().post(`/collections/${name}/points/count`, { filter });
      expect((await count({ must: [{ key: 'tag', match: { value: 'odd' } }] })).status).toBe(200);
      expect((await count({ must: [{ key: 't', match: { text: 'hello' } }] })).status).toBe(200);
      expectQdrantError(
        await count({ must: [{ key: 'tag', match: { prefix: 'od' } }] }),
        400,
        exactly(
          'Strict mode error: Index required but not found for "tag" of one of the following types: [keyword (with prefix: true)]. Help: Create an index for this key or use a different filter.',
        ),
      );
      expectQdrantError(
        await count({ should: [{ key: 't', match: { phrase: 'hello world' } }] }),
        400,
        /"t" of one of the following types: \[text \(with phrase_matching: true\)\]/,
      );
      expectQdrantError(
        await count({ must: [{ key: 'n', range: { gte: 1 } }] }),
        400,
        /"n" of one of the following types: \[float, integer\]/,
      );
      // Filtered writes too, with unindexed_filtering_update; nothing is written.
      expectQdrantError(
        await raw().post(`/collections/${name}/points/payload?wait=true`, {
          payload: { x: 1 },
          filter: { must: [{ key: 'n', match: { value: 1 } }] },
        }),
        400,
        /Index required but not found for "n"/,
      );
      expect((await q.retrieve(name, { ids: [1] }))[0].payload).toEqual({ tag: 'odd', t: 'hello world', n: 1 });
      await raw().patch(`/collections/${name}`, { strict_mode_config: { enabled: false } });
      expect((await count({ must: [{ key: 'tag', match: { prefix: 'od' } }] })).body.result.count).toBe(1);
    });
  });

  describe('Qdrant’s local BM25 (qdrant/bm25)', () => {
    it('embeds Documents as Qdrant does: its tokens, murmur3 indices, BM25 weights; empty vectors for stop words only', async () => {
      const name = collectionName('bm25');
      await q.createCollection(name, { sparse_vectors: { text: {} } });
      const texts = [
        'I must not fear. Fear is the mind-killer.',
        'In the beginning the universe was created.',
        "It's a truth universally acknowledged",
        'The a an and or but',
      ];
      const res = await raw().put(`/collections/${name}/points?wait=true`, {
        points: texts.map((text, i) => ({
          id: i + 1,
          vector: { text: { model: 'qdrant/bm25', text } },
          payload: { text },
        })),
      });
      expect(res.status).toBe(200);
      // Words lowercased, English stop words out, Snowball English stems: `fear` twice in six tokens.
      const [first] = await q.retrieve(name, { ids: [1], with_vector: true });
      const expected = bm25Vector(
        ['must', 'fear', 'fear', 'mind', 'killer'],
        { k: 1.2, b: 0.75, avgLen: 256, analyzer: {} as never },
        'passage',
      );
      const stored = (first.vector as { text: { indices: number[]; values: number[] } }).text;
      const byIndex = new Map(stored.indices.map((i, k) => [i, stored.values[k]]));
      expect(byIndex.size).toBe(4);
      expected.indices.forEach((i, k) => expect(byIndex.get(i % 1_000_000_000)).toBeCloseTo(expected.values[k], 5));
      expect(tokenId('hello')).toBe(613153351);
      const query = async (text: string) =>
        (await q.query(name, { query: { model: 'BM25', text } as never, using: 'text', limit: 5 })).points.map(
          (p) => p.id,
        );
      expect(await query('I should not fear')).toEqual([1]);
      expect(await query("It's universally acknowledged")).toEqual([3, 2]);
      expect(await query('the and')).toEqual([]);
      // Options: no stemmer, no stop words.
      const plain = await raw().post(`/collections/${name}/points/query`, {
        query: {
          model: 'qdrant/bm25',
          text: 'universe',
          options: { stemmer: { type: 'none' }, stopwords: { custom: [] } },
        },
        using: 'text',
      });
      expect(plain.body.result.points).toEqual([]);
      expectQdrantError(
        await raw().post(`/collections/${name}/points/query`, {
          query: { model: 'qdrant/bm25', text: 'x', options: { b: 2 } },
          using: 'text',
        }),
        400,
        /BM25 b must be finite and in \[0.0, 1.0\]/,
      );
    });
  });

  describe('hostile input', () => {
    it('refuses params Qdrant refuses, with a 400 in its shape, and changes nothing', async () => {
      const name = await collection('bad', [{ t: 'words here' }]);
      const refused: [unknown, RegExp][] = [
        [{ type: 'text', tokenizer: 'letters' }, /unknown variant "letters"/],
        [{ type: 'text', stopwords: 'klingon' }, /stop-word language "klingon"/],
        [{ type: 'text', stopwords: { languages: ['english'], extra: 1 } }, /unknown field `extra`/],
        [{ type: 'text', stopwords: { custom: [1] } }, /custom must be a list of strings/],
        [{ type: 'text', stemmer: { type: 'snowball', language: 'klingon' } }, /unknown variant "klingon"/],
        [{ type: 'text', stemmer: { type: 'snowball', language: 'armenian' } }, /no armenian stemmer/],
        [{ type: 'text', stemmer: { type: 'porter' } }, /StemmingAlgorithm/],
        [{ type: 'text', min_token_len: -1 }, /expected usize/],
        [{ type: 'text', max_token_len: 1.5 }, /expected usize/],
        [{ type: 'text', lowercase: 'yes' }, /expected a boolean/],
        [{ type: 'text', memory: 'hot' }, /unknown variant "hot"/],
        [{ type: 'text', tokenizer: 'word', prefix: true }, /unknown field `prefix`/],
      ];
      for (const [field_schema, words] of refused)
        expectQdrantError(await raw().put(`/collections/${name}/index`, { field_name: 't', field_schema }), 400, words);
      expect(await payloadSchema(name)).toEqual({});
      expect(await textColumns(name)).toEqual({ fields: 0, columns: [] });
      expect(await ids(name, 't', { text: 'words here' })).toEqual([1]);
    });

    it('takes odd Unicode, keys with quotes, and huge texts', async () => {
      const key = `we"ird'key\\`;
      const huge = Array.from({ length: 40_000 }, (_, i) => `w${i.toString(36)}x${'y'.repeat(i % 20)}`).join(' ');
      const name = await collection('odd', [
        { [key]: 'zero\u200bwidth ﬁne naïve نص عربي 🚀rocket' },
        { [key]: `needle ${huge} haystack-end` },
        { [key]: 'x'.repeat(5000) },
      ]);
      await index(name, key, { type: 'text', ascii_folding: true, phrase_matching: true });
      await index(name, 'p', { type: 'text', tokenizer: 'prefix' });
      // Every prefix of 10,000 words.
      const words = huge.slice(0, huge.indexOf(' w7ps'));
      await q.upsert(name, { wait: true, points: [{ id: 4, vector: [1, 0], payload: { p: words } }] });
      expect(await ids(name, key, { text: 'naive' })).toEqual([1]);
      expect(await ids(name, key, { text: 'عربي' })).toEqual([1]);
      expect(await ids(name, key, { text: 'rocket' })).toEqual([1]);
      expect(await ids(name, key, { text: 'needle' })).toEqual([2]);
      expect(await ids(name, key, { phrase: 'needle w0x' })).toEqual([2]);
      expect(await ids(name, 'p', { text: 'w1' })).toEqual([4]);
      // A token past 255 characters is cut to 255, the query's as the values'.
      expect(await ids(name, key, { text: 'x'.repeat(5000) })).toEqual([3]);
      expect(await ids(name, key, { text: `needle ${huge.slice(0, huge.indexOf(' ', 100_000))}` })).toEqual([2]);
      expect((await payloadSchema(name))[key]).toMatchObject({ data_type: 'text', points: 3 });
      await q.deletePayloadIndex(name, key, { wait: true });
      expect(await ids(name, key, { text: 'naïve' })).toEqual([1]);
    });
  });
});
