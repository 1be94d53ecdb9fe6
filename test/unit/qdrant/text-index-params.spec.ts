import { bm25Settings, bm25Vector, murmur3, tokenId } from '../../../src/protocols/qdrant/qdrant-bm25';
import { QdrantHttpError } from '../../../src/protocols/qdrant/qdrant-error';
import { QDRANT_LANGUAGES, qdrantLanguage, stopWordsOf } from '../../../src/protocols/qdrant/qdrant-stop-words';
import { checkIndexedFilter } from '../../../src/protocols/qdrant/strict-mode';
import { textIndexOf } from '../../../src/protocols/qdrant/text-index';

/** Qdrant's text index params, strict mode's inference of the indexes a filter needs, and its BM25's hashing. */
describe('Qdrant text index params', () => {
  it('makes the analyser and shows the params as serde re-serializes them', () => {
    const index = textIndexOf({
      type: 'text',
      tokenizer: 'prefix',
      lowercase: true,
      min_token_len: 2,
      max_token_len: null,
      stopwords: { custom: ['Zeta', 'alpha', 'Zeta', 'Ä'], languages: ['fr', 'en'] },
      stemmer: { type: 'snowball', language: 'de' },
      phrase_matching: true,
    });
    expect(index.shown).toEqual({
      type: 'text',
      tokenizer: 'prefix',
      min_token_len: 2,
      lowercase: true,
      phrase_matching: true,
      stopwords: { languages: ['english', 'french'], custom: ['Zeta', 'alpha', 'Ä'] },
      stemmer: { type: 'snowball', language: 'german' },
    });
    expect(Object.keys(index.shown!)).toEqual([
      'type',
      'tokenizer',
      'min_token_len',
      'lowercase',
      'phrase_matching',
      'stopwords',
      'stemmer',
    ]);
    expect(index.phraseMatching).toBe(true);
    expect(index.analyzer).toMatchObject({
      tokenizer: 'prefix',
      lowercase: true,
      minLength: 2,
      maxLength: null,
      language: 'german',
      stemming: true,
    });
    // Lowercased (the index lowercases), deduplicated, English and French together.
    expect(index.analyzer.stopList).toEqual(expect.arrayContaining(['zeta', 'alpha', 'ä', 'the', 'les']));
    expect(index.analyzer.stopList).not.toContain('Zeta');
    expect(new Set(index.analyzer.stopList).size).toBe(index.analyzer.stopList!.length);
  });

  it('shows the bare name without params, and defaults nothing in', () => {
    expect(textIndexOf('text')).toMatchObject({ shown: null, phraseMatching: false });
    expect(textIndexOf({ type: 'text' }).shown).toEqual({ type: 'text', tokenizer: 'word' });
    expect(textIndexOf({ type: 'text', stemmer: { type: 'none' } }).analyzer).toMatchObject({ stemming: false });
  });

  it('has Qdrant’s 30 stop-word languages, their codes, and NLTK’s English list', () => {
    expect(QDRANT_LANGUAGES).toHaveLength(30);
    expect(qdrantLanguage('hi-en')).toBe('hinglish');
    expect(qdrantLanguage('jp')).toBe('japanese');
    expect(qdrantLanguage('English')).toBeNull();
    expect(qdrantLanguage('constructor')).toBeNull();
    const english = stopWordsOf('english');
    expect(english).toHaveLength(179);
    expect(english).toEqual(expect.arrayContaining(['of', 'the', "it's", 'll', 'very', 'should']));
    expect(english).not.toContain('must');
  });

  it('refuses what serde refuses, as a 400', () => {
    for (const schema of [
      { type: 'text', tokenizer: 'Word' },
      { type: 'text', stopwords: 'EN' },
      { type: 'text', stemmer: { type: 'snowball' } },
      { type: 'text', stemmer: { type: 'snowball', language: 'hy' } },
      { type: 'text', min_token_len: 2 ** 64 },
      { type: 'text', phrase_matching: 1 },
      { type: 'text', extra: true },
    ])
      expect(() => textIndexOf(schema)).toThrow(QdrantHttpError);
  });
});

describe('strict mode on unindexed filtering', () => {
  const on = { enabled: true, unindexed_filtering_retrieve: false };
  const refusal = (filter: object, indexes: Record<string, unknown>, mode: object = on): string | null => {
    try {
      checkIndexedFilter(filter, mode, indexes, 'read');
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('infers the indexes a condition needs as Qdrant does', () => {
    const text = { must: [{ key: 't', match: { text: 'x' } }] };
    const phrase = { must: [{ key: 't', match: { phrase: 'x' } }] };
    expect(refusal(text, { t: 'text' })).toBeNull();
    expect(refusal(phrase, { t: 'text' })).toMatch(/\[text \(with phrase_matching: true\)\]/);
    expect(refusal(phrase, { t: { type: 'text', phrase_matching: true } })).toBeNull();
    expect(refusal({ must: [{ key: 'k', match: { value: 'a' } }] }, {})).toMatch(
      /"k" of one of the following types: \[keyword\]/,
    );
    expect(refusal({ must: [{ key: 'k', match: { value: '550e8400-e29b-41d4-a716-446655440000' } }] }, {})).toMatch(
      /\[keyword, uuid\]/,
    );
    expect(refusal({ must: [{ key: 'k', match: { any: [] } }] }, {})).toBeNull();
    expect(refusal({ must: [{ key: 'n', range: { gt: '2020-01-01T00:00:00Z' } }] }, { n: 'integer' })).toMatch(
      /\[datetime\]/,
    );
    expect(refusal({ must: [{ key: 'n', range: { gt: 1 } }] }, { n: { type: 'integer', range: false } })).toMatch(
      /\[float, integer\]/,
    );
    // Nested filters and nested conditions: an array's key with `[]`.
    expect(
      refusal({ should: [{ nested: { key: 'a', filter: { must: [{ key: 'b', match: { value: 1 } }] } } }] }, {}),
    ).toMatch(/"a\[\]\.b" of one of the following types: \[integer\]/);
    expect(refusal({ must_not: [{ must: [{ is_empty: { key: 'e' } }] }] }, { e: 'geo' })).toBeNull();
    expect(refusal({ must: [{ has_id: [1] }] }, {})).toBeNull();
  });

  it('checks only when strict mode is on and asks for indexes', () => {
    const filter = { must: [{ key: 'k', match: { prefix: 'a' } }] };
    expect(refusal(filter, {}, { enabled: false, unindexed_filtering_retrieve: false })).toBeNull();
    expect(refusal(filter, {}, { enabled: true })).toBeNull();
    expect(refusal(filter, { k: { type: 'keyword', prefix: true } })).toBeNull();
    expect(refusal(filter, { k: 'keyword' })).toMatch(
      /^Strict mode error: .*\[keyword \(with prefix: true\)\]\. Help: /,
    );
  });
});

describe('Qdrant’s BM25', () => {
  it('hashes tokens with murmur3 (seed 0) and takes the absolute value as an i32', () => {
    expect(murmur3(Buffer.from(''))).toBe(0);
    expect(murmur3(Buffer.from('hello'))).toBe(613153351);
    expect(murmur3(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
    // Tails of one to three bytes, and characters past ASCII as their UTF-8 bytes.
    expect([1, 2, 3].map((n) => murmur3(Buffer.from('abc'.slice(0, n))))).toEqual([0x3c2569b2, 0x9bbfd75f, 0xb3dd93fa]);
    expect(tokenId('hello')).toBe(613153351);
    const negative = [...Array(2000).keys()].map(String).find((t) => murmur3(Buffer.from(t)) >= 2 ** 31)!;
    expect(tokenId(negative)).toBe(2 ** 32 - murmur3(Buffer.from(negative)));
  });

  it('weighs a document’s tokens by BM25 and a query’s distinct tokens by 1', () => {
    const settings = bm25Settings({ avg_len: 5 }, 'options');
    const doc = bm25Vector(['the', 'cat', 'sat', 'on', 'the'], settings, 'passage');
    // Qdrant's own reference: 2 · 2.2 / (1.2 · (0.25 + 0.75 · 5/5) + 2) = 1.375.
    expect(doc.values[doc.indices.indexOf(tokenId('the'))]).toBeCloseTo(1.375, 6);
    expect(bm25Vector(['a', 'b', 'a'], settings, 'query')).toEqual({
      indices: [tokenId('a'), tokenId('b')].sort((x, y) => x - y),
      values: [1, 1],
    });
    expect(bm25Vector([], settings, 'passage')).toEqual({ indices: [], values: [] });
  });

  it('takes the language’s stop words and stemmer unless told otherwise', () => {
    expect(bm25Settings(undefined, 'o').analyzer).toMatchObject({
      language: 'english',
      stemming: true,
      tokenizer: 'word',
    });
    expect(bm25Settings({ language: 'none' }, 'o').analyzer).toMatchObject({ stemming: false, stopList: [] });
    expect(bm25Settings({ language: 'german', stemmer: { type: 'none' } }, 'o').analyzer).toMatchObject({
      stemming: false,
    });
    expect(bm25Settings({ language: 'german' }, 'o').analyzer.stopList).toContain('und');
    expect(() => bm25Settings({ k: -1 }, 'o')).toThrow(/k1 must be finite and >= 0/);
    expect(() => bm25Settings({ avg_len: 0 }, 'o')).toThrow(/avg_doc_len/);
  });
});
