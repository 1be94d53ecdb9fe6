import type { TextAnalyzer } from '../../../src/core/text/text-field';
import { TextFieldsRepository } from '../../../src/core/text/text-fields.repository';
import type { Database } from '../../../src/database/database';
import { openTestDatabase } from '../../support/database';

const BASE: TextAnalyzer = { language: null, stemming: false, stopWords: false, cap: 40, ngram: null };

/**
 * The token-by-token analysis in SQL (migrations/024), on PGlite and on PostgreSQL alike: the
 * tokens of each tokenizer and option in order, the tsvector built from them (no parser between,
 * so punctuation stays), the bounds that keep a hostile value within a tsvector, and Pinecone's
 * path (no tokenizer) left as migrations/024 has it.
 */
describe('token-by-token text analysis', () => {
  let db: Database;
  let close: () => Promise<void>;
  const repository = new TextFieldsRepository();

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });

  afterAll(async () => {
    await close();
  });

  const tokens = async (analyzer: Partial<TextAnalyzer>, text: string, query = false) =>
    (await repository.tokenize(db, { ...BASE, ...analyzer }, [text], query))[0];

  async function vector(analyzer: Partial<TextAnalyzer>, value: unknown): Promise<string | null> {
    const { rows } = await db.query<{ v: string | null }>(
      `SELECT vecgate_text_vector('simple', $1::jsonb, $2::jsonb)::text AS v`,
      [JSON.stringify({ ...BASE, ...analyzer }), JSON.stringify(value)],
    );
    return rows[0].v;
  }

  async function matches(analyzer: Partial<TextAnalyzer>, value: unknown, query: string, mode: string) {
    const a = JSON.stringify({ ...BASE, ...analyzer });
    const { rows } = await db.query<{ hit: boolean }>(
      `SELECT vecgate_text_vector('simple', $1::jsonb, $2::jsonb) @@ vecgate_text_match('simple', $1::jsonb, $3, $4) AS hit`,
      [a, JSON.stringify(value), query, mode],
    );
    return rows[0].hit;
  }

  it('splits as each tokenizer does', async () => {
    const text = 'Robot AL-76 goes_astray, e-mail: me@x.io  C++';
    expect(await tokens({ tokenizer: 'word' }, text)).toEqual([
      'robot',
      'al',
      '76',
      'goes',
      'astray',
      'e',
      'mail',
      'me',
      'x',
      'io',
      'c',
    ]);
    expect(await tokens({ tokenizer: 'whitespace' }, text)).toEqual([
      'robot',
      'al-76',
      'goes_astray,',
      'e-mail:',
      'me@x.io',
      'c++',
    ]);
    expect(await tokens({ tokenizer: 'prefix' }, 'Robot AL')).toEqual(['r', 'ro', 'rob', 'robo', 'robot', 'a', 'al']);
    expect(await tokens({ tokenizer: 'prefix' }, 'Robot AL', true)).toEqual(['robot', 'al']);
    expect(await tokens({ tokenizer: 'multilingual', lowercase: false }, 'Über 42 東京')).toEqual(['über', '東', '京']);
    expect(await tokens({ tokenizer: 'word', lowercase: false }, 'Über Alles')).toEqual(['Über', 'Alles']);
  });

  it('folds, drops stop words, stems and bounds lengths, in Qdrant’s order', async () => {
    expect(await tokens({ tokenizer: 'whitespace', asciiFolding: true }, 'Ação ﬁne Œuvre ⒜')).toEqual([
      'acao',
      'fine',
      'oeuvre',
      '(a)',
    ]);
    // Stop words are compared after lowercasing and before stemming: `running` is not `run`.
    const stem = { tokenizer: 'word' as const, language: 'english', stemming: true, stopList: ['run', 'the'] };
    expect(await tokens(stem, 'The running dogs run')).toEqual(['run', 'dog']);
    // The bounds count characters after stemming; a document drops, a prefix query cuts.
    expect(await tokens({ tokenizer: 'word', minLength: 2, maxLength: 3 }, 'a ab abc abcd')).toEqual(['ab', 'abc']);
    expect(await tokens({ tokenizer: 'prefix', minLength: 2, maxLength: 3 }, 'a abcd')).toEqual(['ab', 'abc']);
    expect(
      await tokens({ tokenizer: 'prefix', minLength: 2, maxLength: 3, stopList: ['abcd'] }, 'a abcd', true),
    ).toEqual(['abc']);
    // A token is cut to 255 characters.
    expect((await tokens({ tokenizer: 'whitespace' }, 'x'.repeat(3000)))[0]).toHaveLength(255);
  });

  it('builds the tsvector from the tokens: quotes, backslashes and operators are characters', async () => {
    expect(await vector({ tokenizer: 'whitespace' }, `it's a\\b & <-> :*`)).toBe(
      `'&':3 ':*':5 '<->':4 'a\\\\b':2 'it''s':1`,
    );
    expect(await matches({ tokenizer: 'whitespace' }, `it's a\\b & <-> :*`, `a\\b & <->`, 'phrase')).toBe(true);
    // An array's strings: positions go on, one skipped between two strings, so no phrase spans them.
    expect(await vector({ tokenizer: 'word' }, ['a b', 7, 'c'])).toBe(`'a':1 'b':2 'c':4`);
    expect(await matches({ tokenizer: 'word' }, ['a b', 'c'], 'b c', 'phrase')).toBe(false);
    expect(await matches({ tokenizer: 'word' }, ['a b', 'c'], 'b c', 'all')).toBe(true);
    // No string: no vector; strings without a token: an empty one; a query without one matches nothing.
    expect(await vector({ tokenizer: 'word' }, 12)).toBeNull();
    expect(await vector({ tokenizer: 'word' }, [1, true])).toBeNull();
    expect(await vector({ tokenizer: 'word' }, '--')).toBe('');
    expect(await matches({ tokenizer: 'word' }, 'a b', '--', 'any')).toBe(false);
  });

  it('keeps a huge value within a tsvector', async () => {
    const distinct = Array.from({ length: 60_000 }, (_, i) => `${i.toString(36)}${'q'.repeat(30)}`).join(' ');
    const v = await vector({ tokenizer: 'whitespace' }, distinct);
    expect(v!.length).toBeGreaterThan(500_000);
    expect(await matches({ tokenizer: 'whitespace' }, distinct, `0${'q'.repeat(30)}`, 'all')).toBe(true);
    // Positions past 16,383 share the last one, as PostgreSQL's parser leaves them.
    const long = Array.from({ length: 20_000 }, (_, i) => `w${i}`).join(' ');
    const { rows } = await db.query<{ n: number }>(
      `SELECT length(vecgate_text_vector('simple', $1::jsonb, to_jsonb($2::text)))::int AS n`,
      [JSON.stringify({ ...BASE, tokenizer: 'word' }), long],
    );
    expect(rows[0].n).toBe(20_000);
  });

  it('leaves Pinecone’s path (no tokenizer) as migrations/024 has it: to_tsvector over its words', async () => {
    const text = 'The Running-dogs of extraordinary state-of-the-art E1042';
    for (const [config, analyzer] of [
      ['english', { ...BASE, language: 'english', stemming: true, stopWords: true, cap: 5 }],
      ['simple', BASE],
      ['simple', { ...BASE, ngram: { min: 2, max: 3, prefixOnly: true } }],
    ] as const) {
      const { rows } = await db.query<{ same: boolean; v: string }>(
        `SELECT vecgate_text_vector($1::regconfig, $2::jsonb, to_jsonb($3::text))::text AS v,
           vecgate_text_vector($1::regconfig, $2::jsonb, to_jsonb($3::text))
             = to_tsvector($1::regconfig, vecgate_text_tokens($2::jsonb, $3)) AS same`,
        [config, JSON.stringify(analyzer), text],
      );
      expect(rows[0]).toMatchObject({ same: true });
      expect(rows[0].v).not.toBe('');
    }
  });

  it('cuts Pinecone’s words to the cap, and only the words longer than it', async () => {
    const lexemes = async (cap: number, text: string) => {
      const { rows } = await db.query<{ l: string[] }>(
        `SELECT tsvector_to_array(vecgate_text_vector('simple', $1::jsonb, to_jsonb($2::text))) AS l`,
        [JSON.stringify({ ...BASE, cap }), text],
      );
      return [...rows[0].l].sort();
    };
    const long = 'x'.repeat(41);
    expect(await lexemes(40, `${'y'.repeat(40)} ${long}-tail short`)).toEqual([
      'short',
      'tail',
      'x'.repeat(40),
      'y'.repeat(40),
    ]);
    expect(await lexemes(40, 'nothing long here')).toEqual(['here', 'long', 'nothing']);
    expect(await lexemes(5, 'abcdefgh abcde abc')).toEqual(['abc', 'abcde']);
    // The largest cap a regular expression can count to, and words past it.
    expect(await lexemes(255, `${'z'.repeat(300)} ok`)).toEqual(['ok', 'z'.repeat(255)]);
  });
});
