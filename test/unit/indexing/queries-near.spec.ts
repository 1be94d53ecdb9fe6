import { queriesNear } from '../../../src/core/indexing/search-tuner';

/** The tuner's queries: one per sampled record, near it and its nearest neighbour, as far from them as they are apart. */
describe('queriesNear', () => {
  const sample = [
    { id: 'a', vector: '[0,0,0]' },
    { id: 'b', vector: '[3,4,0]' },
    { id: 'c', vector: '[0,0,10]' },
  ];
  const vectors = sample.map((r) => JSON.parse(r.vector) as number[]);
  const distance = (x: number[], y: number[]) => Math.hypot(...x.map((v, i) => v - y[i]));

  it('moves each record by its distance to the nearest other record of the sample', () => {
    const queries = queriesNear(sample).map((q) => JSON.parse(q) as number[]);
    expect(queries).toHaveLength(3);
    expect(distance(queries[0], vectors[0])).toBeCloseTo(5, 9); // a's nearest is b, 5 away
    expect(distance(queries[1], vectors[1])).toBeCloseTo(5, 9);
    expect(distance(queries[2], vectors[2])).toBeCloseTo(10, 9); // c's nearest is a, 10 away
  });

  it('puts each query as far from the record and its nearest neighbour as they are from each other', () => {
    const withNeighbours = [
      { id: 'a', vector: '[0,0,0]', neighbour: '[0,1,0]' },
      { id: 'b', vector: '[3,4,0]', neighbour: '[3,4,2]' },
      { id: 'c', vector: '[0,0,10]', neighbour: null },
    ];
    for (let round = 0; round < 20; round++) {
      const queries = queriesNear(withNeighbours).map((q) => JSON.parse(q) as number[]);
      expect(distance(queries[0], vectors[0])).toBeCloseTo(1, 9);
      expect(distance(queries[0], [0, 1, 0])).toBeCloseTo(1, 9);
      expect(distance(queries[1], vectors[1])).toBeCloseTo(2, 9);
      expect(distance(queries[1], [3, 4, 2])).toBeCloseTo(2, 9);
      expect(distance(queries[2], vectors[2])).toBeCloseTo(10, 9); // no neighbour: the nearest of the sample
    }
    expect(queriesNear([{ id: 'd', vector: '[1,1]', neighbour: '[1,1]' }])).toEqual(['[1,1]']);
  });

  it('moves in a random direction, so that no query is a record', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const one = queriesNear(sample, random);
    const two = queriesNear(sample, random);
    expect(one).not.toEqual(two);
    for (const q of one) expect(sample.map((r) => r.vector)).not.toContain(q);
  });

  it('leaves a lone record where it is', () => {
    expect(queriesNear([{ id: 'a', vector: '[1,2]' }])).toEqual(['[1,2]']);
  });
});
