import { checkStorableJsonText } from '../../src/common/json-text';

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
