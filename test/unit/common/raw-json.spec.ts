import { RawJson, serializeWithRaw } from '../../../src/common/raw-json';

const vector = '[0.1,-2.5e-7,3]';

describe('serializeWithRaw', () => {
  it('answers without RawJson as the string JSON.stringify gives', () => {
    const value = { ids: ['a', 'b'], documents: ['é 日本 😀', null], n: 2 };
    expect(serializeWithRaw(value)).toBe(JSON.stringify(value));
  });

  it('splices each RawJson text as it is, among strings of several UTF-8 widths', () => {
    const documents = [
      'caf\u00e9 \u65e5\u672c \ud83d\ude00',
      'quote " backslash \\ tab \t',
      'looks like a placeholder: \\u00000\\u0000',
      '"\\u00001\\u0000"',
    ];
    const value = {
      ids: ['x', 'y'],
      documents,
      embeddings: [new RawJson(vector), new RawJson('[1,2]')],
      nested: { one: new RawJson('[4.5]') },
    };
    const bytes = serializeWithRaw(value);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    // The texts print as JavaScript prints their numbers, so the whole answer has one right form.
    const expected = JSON.stringify({
      ids: ['x', 'y'],
      documents,
      embeddings: [
        [0.1, -2.5e-7, 3],
        [1, 2],
      ],
      nested: { one: [4.5] },
    });
    expect((bytes as Buffer).equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('gives the parsed value where a RawJson is serialised outside it (a log, a test)', () => {
    expect(JSON.stringify({ v: new RawJson(vector) })).toBe('{"v":[0.1,-2.5e-7,3]}');
  });
});
