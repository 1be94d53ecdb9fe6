import { InvalidArgumentError } from '../../../src/core/errors';
import { fuzzyExpansions, fuzzyWords } from '../../../src/core/text/fuzzy-terms';
import { fuzzyEdits, type Lexeme, type TextLeaf } from '../../../src/core/text/text-query';

const fuzzy = (edits: number | 'auto'): TextLeaf => ({ kind: 'fuzzy', position: 1, text: '', edits, boost: 1 });
const lexemes = (...words: string[]): Lexeme[] => words.map((lexeme, i) => ({ lexeme, pos: i + 1 }));

describe('fuzzy terms', () => {
  it("picks the edits of term~ from the word's length, as Pinecone does: <4 none, 4-7 one, 8+ two", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => fuzzyEdits('auto', n))).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect([0, 1, 2].map((n) => fuzzyEdits(n, 3))).toEqual([0, 1, 2]);
  });

  it('counts code points, reads the list only for words within an edit, and keeps the others as they are', () => {
    const leaf = fuzzy('auto');
    const analysed = new Map([[leaf, lexemes('cat', 'häus', 'computer')]]);
    const words = fuzzyWords([leaf], analysed);
    expect(words.map((w) => [w.word, w.edits])).toEqual([
      ['häus', 1],
      ['computer', 2],
    ]);
    const found = [
      { k: 0, term: 'haus' },
      { k: 1, term: 'compute' },
    ];
    expect(fuzzyExpansions([leaf], analysed, words, found).get(leaf)).toEqual(['cat', 'haus', 'compute']);
  });

  it('refuses more than 100 fuzzy words and words longer than 64 characters', () => {
    const many = Array.from({ length: 101 }, () => fuzzy(1));
    expect(() => fuzzyWords(many, new Map(many.map((l) => [l, lexemes('pump')])))).toThrow(/at most 100 fuzzy words/);
    const long = fuzzy(1);
    expect(() => fuzzyWords([long], new Map([[long, lexemes('a'.repeat(65))]]))).toThrow(InvalidArgumentError);
    // Within no edit a word needs no list, whatever its length.
    const exact = fuzzy(0);
    expect(fuzzyWords([exact], new Map([[exact, lexemes('a'.repeat(65))]]))).toEqual([]);
  });
});
