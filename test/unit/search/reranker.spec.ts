import { rankText } from '../../../src/core/search/reranker';

describe('rankText: what the reranking model reads of a point', () => {
  it('is the value of a single rank field, as it is for a string', () => {
    expect(rankText({ body: 'pumps fail', n: 1 }, ['body'])).toBe('pumps fail');
  });

  it('writes other values as JSON, and nothing for a field the point lacks', () => {
    expect(rankText({ n: 12, tags: ['a', 'b'] }, ['n'])).toBe('12');
    expect(rankText({ n: 12, tags: ['a', 'b'] }, ['tags'])).toBe('["a","b"]');
    expect(rankText({ n: 12 }, ['body'])).toBe('');
    expect(rankText(null, ['body'])).toBe('');
  });

  it('puts several fields on lines of their own, each named', () => {
    expect(rankText({ title: 'Pump', body: 'E1042', n: null }, ['title', 'body', 'n'])).toBe(
      'title: Pump\nbody: E1042\nn: ',
    );
  });
});
