import { checkStorableJsonText, parseJsonBody } from '../../src/common/json-text';
import { isMalformedJson } from '../../src/common/protocol-errors';

describe('checkStorableJsonText', () => {
  it.each([
    ['{"a":"plain"}'],
    ['{"a":"\\u00e9 \\u4e2d"}'],
    ['{"a":"\\ud83d\\ude00"}'],
    ['{"a":"\\\\u0000"}'], // an escaped backslash, then the letters u0000
    ['{"a":"\\\\\\\\ud800"}'],
  ])('lets %s through', (text) => {
    expect(() => checkStorableJsonText(text)).not.toThrow();
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it.each([
    ['{"a":"x\\u0000y"}', /NUL/],
    ['{"\\u0000":1}', /NUL/],
    ['{"a":"\\\\\\u0000"}', /NUL/], // a backslash, then a real NUL escape
    ['{"a":"\\ud800"}', /lone/],
    ['{"a":"\\udc00"}', /lone/],
    ['{"a":"\\ud800x\\udc00"}', /lone/],
    ['{"a":"\\ud800\\ud800\\udc00"}', /lone/],
  ])('refuses %s', (text, message) => {
    expect(() => checkStorableJsonText(text)).toThrow(message);
  });
});

describe('parseJsonBody', () => {
  it('reads an object or an array, with whitespace around it', () => {
    expect(parseJsonBody(' {"ids":["a"],"n":1} ')).toEqual({ ids: ['a'], n: 1 });
    expect(parseJsonBody('\n[1,2]')).toEqual([1, 2]);
  });

  it('reads an empty body as {}', () => {
    expect(parseJsonBody('')).toEqual({});
    expect(parseJsonBody(' \r\n')).toEqual({});
  });

  it.each([['"a string"'], ['42'], ['null'], ['true'], ['{"a":'], ['{bad'], ['[1,]'], ['{"a":"x\\u0000"}']])(
    'refuses %s as malformed JSON, the error every protocol answers 400 to',
    (text) => {
      const thrown = (() => {
        try {
          parseJsonBody(text);
        } catch (err) {
          return err;
        }
      })();
      expect(thrown).toBeInstanceOf(Error);
      expect(isMalformedJson(thrown)).toBe(true);
      expect((thrown as { status?: number }).status).toBe(400);
    },
  );
});
