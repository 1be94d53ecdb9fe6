import { queriesBetween, queriesNear, synthesizedQueries } from '../../../src/core/indexing/search-tuner';

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

/** The tuner's other half: between a record and another of the sample, off the segment by the record's nearest-neighbour distance. */
describe('queriesBetween', () => {
  const distance = (x: number[], y: number[]) => Math.hypot(...x.map((v, i) => v - y[i]));
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

  it('puts each query 30-70% of the way to another record, moved by the distance to its neighbour', () => {
    // Two far-apart records, each 1 from its neighbour: a query lies between them, not near either.
    const sample = [
      { id: 'a', vector: '[0,0,0,0]', neighbour: '[1,0,0,0]' },
      { id: 'b', vector: '[100,0,0,0]', neighbour: '[100,1,0,0]' },
    ];
    for (let round = 0; round < 50; round++) {
      const [qa, qb] = queriesBetween(sample, random).map((q) => JSON.parse(q) as number[]);
      // The point on the segment is within 1 (the step) of the query.
      expect(qa[0]).toBeGreaterThanOrEqual(30 - 1);
      expect(qa[0]).toBeLessThanOrEqual(70 + 1);
      expect(qb[0]).toBeGreaterThanOrEqual(30 - 1);
      expect(qb[0]).toBeLessThanOrEqual(70 + 1);
      // Never near a record: at least 29 from both.
      for (const q of [qa, qb]) {
        expect(distance(q, [0, 0, 0, 0])).toBeGreaterThan(28);
        expect(distance(q, [100, 0, 0, 0])).toBeGreaterThan(28);
      }
    }
  });

  it('pairs each record with another, never itself', () => {
    const sample = Array.from({ length: 5 }, (_, i) => ({ id: `r${i}`, vector: `[${i * 10}]` }));
    for (let round = 0; round < 50; round++) {
      const queries = queriesBetween(sample, random).map((q) => JSON.parse(q)[0] as number);
      // Without neighbours the step is 0: each query lies on a segment between two distinct records.
      queries.forEach((q, i) => expect(Math.abs(q - i * 10)).toBeGreaterThanOrEqual(10 * 0.3 - 1e-9));
    }
  });

  it('makes a lone record its query near itself', () => {
    expect(queriesBetween([{ id: 'a', vector: '[1,2]' }])).toEqual(['[1,2]']);
  });
});

describe('synthesizedQueries', () => {
  it('makes half its queries near the records and half between them, one per sampled record', () => {
    // Each record on an axis of its own, 100 from the origin: no record lies between two others.
    const axis = (i: number, length: number) => Array.from({ length: 7 }, (_, k) => (k === i ? length : 0));
    const records = Array.from({ length: 7 }, (_, i) => axis(i, 100));
    const sample = records.map((v, i) => ({ id: `r${i}`, vector: `[${v}]`, neighbour: `[${axis(i, 101)}]` }));
    const made = synthesizedQueries(sample);
    expect(made.map((q) => q.kind)).toEqual(['near', 'near', 'near', 'near', 'between', 'between', 'between']);
    const queries = made.map((q) => JSON.parse(q.vector) as number[]);
    const nearestRecord = (q: number[]) => Math.min(...records.map((v) => Math.hypot(...v.map((x, k) => x - q[k]))));
    // The first four are within 1 of a record; the last three far from every record.
    for (const q of queries.slice(0, 4)) expect(nearestRecord(q)).toBeLessThanOrEqual(1 + 1e-9);
    for (const q of queries.slice(4)) expect(nearestRecord(q)).toBeGreaterThan(40);
  });
});
