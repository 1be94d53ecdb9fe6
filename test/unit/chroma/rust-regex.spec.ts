import { rustRegexToPostgres } from '../../../src/protocols/chroma/rust-regex';
import { Database } from '../../../src/database/database';
import { openTestDatabase } from '../../support/database';

describe('Rust regex to Postgres ARE', () => {
  it.each([
    ['a+b', '(?p)a+b'],
    ['(?i)hello', '(?ip)hello'],
    ['(?s)a.b', '(?s)a.b'],
    ['(?m)^x$', '(?n)^x$'],
    ['(?ms)^x.$', '(?w)^x.$'],
    ['\\bpie\\b', '(?p)\\ypie\\y'],
    ['[\\b]', '(?p)[\\b]'],
    ['end\\z', '(?p)end\\Z'],
    ['^\\p{Lu}\\P{Ll}', '(?p)^[[:upper:]][^[:lower:]]'],
    ['[\\p{L}_]+', '(?p)[[:alpha:]_]+'],
    ['(?P<year>\\d{4})', '(?p)(\\d{4})'],
    ['\\x{1F600}', '(?p)\\U0001F600'],
    ['[]a]', '(?p)[]a]'],
  ])('rewrites %s as %s', (rust, are) => {
    expect(rustRegexToPostgres(rust)).toBe(are);
  });

  it('refuses what it cannot express with a 400', () => {
    expect(() => rustRegexToPostgres('\\p{Greek}')).toThrow(/Regex syntax errror/);
    expect(() => rustRegexToPostgres('(?U)a+')).toThrow(/Regex syntax errror/);
  });

  describe('matches as Rust would, on a real database', () => {
    let db: Database;
    let close: () => Promise<void>;
    beforeAll(async () => ({ db, close } = await openTestDatabase()));
    afterAll(() => close());

    async function matches(text: string, rust: string): Promise<boolean> {
      const { rows } = await db.query('SELECT $1::text ~ $2::text AS m', [text, rustRegexToPostgres(rust)]);
      return rows[0].m;
    }

    it.each([
      ['apple pie', '\\bpie\\b', true],
      ['applepie', '\\bpie\\b', false],
      ['pie\nsecond', 'pie.second', false],
      ['pie\nsecond', '(?s)pie.second', true],
      ['one\ntwo', '^two', false],
      ['one\ntwo', '(?m)^two', true],
      ['applepie', 'pie\\z', true],
      ['C:\\temp', '^\\p{Lu}:', true],
      ['Hello', '(?i)^hello$', true],
    ])('%j against %s is %s', async (text, rust, expected) => {
      expect(await matches(text, rust)).toBe(expected);
    });
  });
});
