import { InvalidArgumentError } from '../../../src/core/errors';
import { anyOfTsquery, leafTsquery, NO_MATCH, type Lexeme } from '../../../src/core/text/text-query';

const words = (...pairs: [string, number][]): Lexeme[] => pairs.map(([lexeme, pos]) => ({ lexeme, pos }));
const phrase = (slop: number, prefix = false) => ({
  kind: 'phrase' as const,
  position: 1,
  text: '',
  slop,
  prefix,
  boost: 1,
});

describe('tsquery text of a full-text leaf', () => {
  it('is any of the words, each once, quoted', () => {
    expect(anyOfTsquery(['pump', 'valve', 'pump'])).toBe("'pump' | 'valve'");
    expect(leafTsquery({ kind: 'words', position: 1, text: '', boost: 1 }, words(['a', 1], ['b', 2]))).toBe(
      "'a' | 'b'",
    );
  });

  it('escapes quotes and backslashes as tsquery input reads them', () => {
    expect(anyOfTsquery(["o'neil", 'a\\b'])).toBe("'o''neil' | 'a\\\\b'");
  });

  it('matches nothing without words', () => {
    expect(anyOfTsquery([])).toBe(NO_MATCH);
    expect(leafTsquery(phrase(0), [])).toBe(NO_MATCH);
  });

  it('keeps the distances of a phrase, a stop word leaving a gap', () => {
    expect(leafTsquery(phrase(0), words(['pump', 1], ['run', 3]))).toBe("'pump' <2> 'run'");
  });

  it('widens the gaps by up to the slop in all, in order', () => {
    expect(leafTsquery(phrase(1), words(['a', 1], ['b', 2], ['c', 3]))).toBe(
      "('a' <1> 'b' <1> 'c') | ('a' <1> 'b' <2> 'c') | ('a' <2> 'b' <1> 'c')",
    );
  });

  it('takes the last word of a phrase prefix as a prefix', () => {
    expect(leafTsquery(phrase(0, true), words(['jame', 1], ['w', 2]))).toBe("'jame' <1> 'w':*");
  });

  it('refuses a slop that would spell out too many phrases', () => {
    const many = words(...Array.from({ length: 12 }, (_, i): [string, number] => [`w${i}`, i + 1]));
    expect(() => leafTsquery(phrase(20), many)).toThrow(InvalidArgumentError);
  });
});
