import { rustRegexToPostgres } from '../../../src/protocols/chroma/rust-regex';
import type { Database } from '../../../src/database/database';
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

  it.each([
    ['a backreference', '^(a+)\\1{2}X$', /backreferences are not supported/],
    ['a backreference in brackets', '[\\1]', /backreferences are not supported/],
    ['a look-ahead', 'a(?=b)', /look-around/],
    ['a negative look-ahead', 'a(?!b)', /look-around/],
    ['a look-behind', '(?<=a)b', /look-around/],
    ['a negative look-behind', '(?<!a)b', /look-around/],
    ['a pattern past 1024 characters', 'a'.repeat(1025), /at most 1024/],
    ['nested counted repetitions', '(a{50}){50}', /stand for 2500 atoms/],
    ['long counted runs', '(?:[ab].{200}[cd]){11}X', /at most 2048/],
  ])('refuses %s, as Rust does or to bound its cost', (_, pattern, message) => {
    expect(() => rustRegexToPostgres(pattern)).toThrow(message);
  });

  it.each(['(a{30}){30}', '\\d{4}-\\d{2}-\\d{2}', '[\\]]{500}', 'a{2,}b{3,5}', '(?:ab){100}', 'a'.repeat(1024)])(
    'keeps %s, whose automaton stays small',
    (pattern) => {
      expect(() => rustRegexToPostgres(pattern)).not.toThrow();
    },
  );

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
