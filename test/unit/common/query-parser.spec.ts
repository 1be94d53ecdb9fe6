import { parseQueryString } from '../../../src/common/query-parser';

describe('parseQueryString', () => {
  it('keeps every pair, a repeated key as a list', () => {
    expect(parseQueryString('ids=a&ids=b&ids=c&namespace=n')).toEqual({ ids: ['a', 'b', 'c'], namespace: 'n' });
  });

  it('takes the names of Object.prototype as plain keys', () => {
    const parsed = parseQueryString('constructor=x&__proto__=y&__proto__=z&toString=t');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.entries(parsed)).toEqual([
      ['constructor', 'x'],
      ['__proto__', ['y', 'z']],
      ['toString', 't'],
    ]);
  });
});
