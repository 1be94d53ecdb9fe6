import { groupPoints } from '../../../src/core/search/groups';
import type { Scored } from '../../../src/core/search/plan';

const point = (id: string, metadata: Record<string, unknown> | null): Scored => ({
  id,
  score: 0,
  record: { id, metadata },
});
const ids = (groups: ReturnType<typeof groupPoints>) => groups.map((g) => [g.value, g.points.map((p) => p.id)]);

describe('groupPoints: a plan’s points grouped by a metadata value', () => {
  it('keeps the first groups seen, in the order of their best point, each with its best points', () => {
    const points = [
      point('a', { doc: 1 }),
      point('b', { doc: 2 }),
      point('c', { doc: 1 }),
      point('d', { doc: 1 }),
      point('e', { doc: 3 }),
      point('f', { doc: 2 }),
    ];
    expect(ids(groupPoints(points, { path: ['doc'], size: 2, groups: 2 }))).toEqual([
      [1, ['a', 'c']],
      [2, ['b', 'f']],
    ]);
  });

  it('follows a nested path; an array joins a group per distinct element; "1" and 1 differ', () => {
    const points = [
      point('a', { m: { tag: ['x', 'y', 'x'] } }),
      point('b', { m: { tag: 'y' } }),
      point('c', { m: { tag: 1 } }),
      point('d', { m: { tag: '1' } }),
    ];
    expect(ids(groupPoints(points, { path: ['m', 'tag'], size: 5, groups: 10 }))).toEqual([
      ['x', ['a']],
      ['y', ['a', 'b']],
      [1, ['c']],
      ['1', ['d']],
    ]);
  });

  it('groups nothing by a value that is no string or integer, or that is missing', () => {
    const points = [
      point('a', { doc: 1.5 }),
      point('b', { doc: true }),
      point('c', { doc: { x: 1 } }),
      point('d', {}),
      point('e', null),
      point('f', { doc: [[1]] }),
      { id: 'g', score: 0 },
    ];
    expect(groupPoints(points, { path: ['doc'], size: 3, groups: 3 })).toEqual([]);
    // Through an array, a path does not index it.
    expect(groupPoints([point('h', { doc: ['a'] })], { path: ['doc', '0'], size: 3, groups: 3 })).toEqual([]);
  });
});
