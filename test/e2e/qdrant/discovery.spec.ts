import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/** Eight points of a 3-d collection, integers so that every similarity is exact. */
const VECTORS: Record<number, number[]> = {
  1: [1, 0, 0],
  2: [0, 1, 0],
  3: [0, 0, 1],
  4: [1, 1, 0],
  5: [0, 1, 1],
  6: [2, 0, 1],
  7: [-1, 2, 0],
  8: [1, -1, 2],
};

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const euclid = (a: number[], b: number[]) => Math.hypot(...a.map((x, i) => x - b[i]));
const sigmoid = (x: number) => x / (1 + Math.abs(x));
const scaled = (x: number) => 0.5 * (sigmoid(x) + 1);
const EPSILON = 1.1920929e-7;

type Similarity = (a: number[], b: number[]) => number;
type Pair = [number[], number[]];

/** Qdrant's scores (lib/segment vector_storage/query), computed here from the points' vectors. */
const discoverScore = (sim: Similarity, target: number[], pairs: Pair[]) => (v: number[]) =>
  pairs.reduce((rank, [p, n]) => rank + Math.sign(sim(v, p) - sim(v, n)), 0) + scaled(sim(v, target));
const contextScore = (sim: Similarity, pairs: Pair[]) => (v: number[]) =>
  pairs.reduce((s, [p, n]) => s + sigmoid(Math.min(sim(v, p) - sim(v, n) - EPSILON, 0)), 0);
const negEuclid: Similarity = (a, b) => -euclid(a, b);

/** Every point but the left-out ones, best first by `score` (ties by id), with its score. */
function ranked(score: (v: number[]) => number, leftOut: number[], limit: number): [number, number][] {
  return Object.entries(VECTORS)
    .map(([id, v]) => [Number(id), score(v)] as [number, number])
    .filter(([id]) => !leftOut.includes(id))
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit);
}

function expectRanked(points: { id: unknown; score: number }[], expected: [number, number][]): void {
  expect(points.map((p) => p.id)).toEqual(expected.map(([id]) => id));
  points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i][1], 5));
}

/**
 * Queries scored over each point's similarities to several examples, as Qdrant scores them:
 * discover, context, and recommend's best_score and sum_scores strategies, through the Query API
 * and the legacy routes, on the default vector and on a named one.
 */
describe('Qdrant discover, context and recommend strategies', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  async function seeded(distance: 'Dot' | 'Euclid'): Promise<string> {
    const name = collectionName('disc');
    await q.createCollection(name, {
      vectors: { main: { size: 3, distance }, other: { size: 3, distance: 'Dot' } },
    });
    await q.upsert(name, {
      wait: true,
      points: Object.entries(VECTORS).map(([id, v]) => ({
        id: Number(id),
        vector: { main: v, other: v.map((x) => -x) },
        payload: { odd: Number(id) % 2 === 1 },
      })),
    });
    return name;
  }

  it('discovers: pairs won, ties broken by the target, examples given by id left out', async () => {
    const name = await seeded('Dot');
    const target = [1, 1, 1];
    const res = await q.query(name, {
      query: {
        discover: {
          target,
          context: [
            { positive: 4, negative: 7 },
            { positive: [0, 0, 1], negative: 2 },
          ],
        },
      },
      using: 'main',
      limit: 4,
    });
    const expected = ranked(
      discoverScore(dot, target, [
        [VECTORS[4], VECTORS[7]],
        [[0, 0, 1], VECTORS[2]],
      ]),
      [4, 7, 2],
      4,
    );
    expectRanked(res.points as { id: unknown; score: number }[], expected);
    // The legacy route, with a filter.
    const legacy = await qdrantHttp(gw).post(`/collections/${name}/points/discover`, {
      target,
      context: [{ positive: 4, negative: 7 }],
      using: 'main',
      filter: { must: [{ key: 'odd', match: { value: true } }] },
      limit: 10,
    });
    expect(legacy.status).toBe(200);
    expectRanked(
      legacy.body.result,
      ranked(discoverScore(dot, target, [[VECTORS[4], VECTORS[7]]]), [4, 7, 2, 6, 8], 10),
    );
  });

  it('searches by context alone, under Euclid similarities (negated distances)', async () => {
    const name = await seeded('Euclid');
    const pairs: Pair[] = [
      [VECTORS[1], VECTORS[3]],
      [VECTORS[6], [0, 2, 0]],
    ];
    const res = await q.query(name, {
      query: {
        context: [
          { positive: 1, negative: 3 },
          { positive: 6, negative: [0, 2, 0] },
        ],
      },
      using: 'main',
      limit: 5,
    });
    expectRanked(res.points as { id: unknown; score: number }[], ranked(contextScore(negEuclid, pairs), [1, 3, 6], 5));
    // A single pair may be sent bare, and a score threshold keeps the scores at or above it.
    const bare = await q.query(name, {
      query: { context: { positive: 1, negative: 3 } },
      using: 'main',
      score_threshold: -0.1,
    });
    const all = ranked(contextScore(negEuclid, [[VECTORS[1], VECTORS[3]]]), [1, 3], 10);
    expectRanked(
      bare.points as { id: unknown; score: number }[],
      all.filter(([, s]) => s >= -0.1),
    );
  });

  it('recommends by best_score and sum_scores, on a named vector, and through the legacy route', async () => {
    const name = await seeded('Euclid');
    const neg = (v: number[]) => v.map((x) => -x);
    // `other` is a Dot vector holding each point negated.
    const best = (v: number[]) => {
      const p = Math.max(dot(neg(v), neg(VECTORS[4])), dot(neg(v), [0, 0, -1]));
      const n = dot(neg(v), neg(VECTORS[7]));
      return p > n ? scaled(p) : -scaled(n);
    };
    const res = await q.query(name, {
      query: { recommend: { positive: [4, [0, 0, -1]], negative: [7], strategy: 'best_score' } },
      using: 'other',
      limit: 6,
    });
    expectRanked(res.points as { id: unknown; score: number }[], ranked(best, [4, 7], 6));
    const sum = (v: number[]) =>
      dot(neg(v), neg(VECTORS[4])) + dot(neg(v), neg(VECTORS[5])) - dot(neg(v), neg(VECTORS[8]));
    const legacy = await qdrantHttp(gw).post(`/collections/${name}/points/recommend`, {
      positive: [4, 5],
      negative: [8],
      strategy: 'sum_scores',
      using: 'other',
      limit: 3,
    });
    expectRanked(legacy.body.result, ranked(sum, [4, 5, 8], 3));
    // Negatives alone are a best_score query too: every point scores below zero.
    const onlyNegative = await q.query(name, {
      query: { recommend: { negative: [7], strategy: 'best_score' } },
      using: 'other',
      limit: 2,
    });
    expect(onlyNegative.points.every((p) => p.score < 0)).toBe(true);
  });

  it('samples matching points at random (sample query), each scored 0', async () => {
    const name = await seeded('Dot');
    const seen = new Set<unknown>();
    for (let i = 0; i < 30 && seen.size < 4; i++) {
      const res = await q.query(name, {
        query: { sample: 'random' },
        filter: { must: [{ key: 'odd', match: { value: true } }] },
        limit: 2,
        with_payload: true,
      });
      expect(res.points).toHaveLength(2);
      expect(new Set(res.points.map((p) => p.id)).size).toBe(2);
      for (const p of res.points) {
        expect(p).toMatchObject({ score: 0, payload: { odd: true } });
        seen.add(p.id);
      }
    }
    // Drawn at random: over the draws, every odd point came up.
    expect([...seen].sort()).toEqual([1, 3, 5, 7]);
  });

  it('weighs a sparse query by inverse document frequency where the vector says modifier idf', async () => {
    const name = collectionName('idf');
    await q.createCollection(name, { sparse_vectors: { words: { modifier: 'idf' }, plain: {} } });
    // Term 1 is in every point, term 2 in two of four, term 3 in one.
    const docs: Record<number, [number[], number[]]> = {
      1: [[1], [1]],
      2: [
        [1, 2],
        [1, 1],
      ],
      3: [
        [1, 2, 3],
        [2, 1, 1],
      ],
      4: [[1], [3]],
    };
    await q.upsert(name, {
      wait: true,
      points: Object.entries(docs).map(([id, [indices, values]]) => ({
        id: Number(id),
        vector: { words: { indices, values }, plain: { indices, values } },
      })),
    });
    const idf = (df: number) => Math.log((4 - df + 0.5) / (df + 0.5) + 1);
    const weights: Record<number, number> = { 1: idf(4), 2: idf(2), 3: idf(1) };
    const query = { indices: [1, 2, 3], values: [1, 1, 1] };
    const expected = Object.entries(docs)
      .map(([id, [indices, values]]) => [Number(id), indices.reduce((s, t, k) => s + weights[t] * values[k], 0)])
      .sort((a, b) => b[1] - a[1]) as [number, number][];
    const res = await q.query(name, { query, using: 'words' });
    expectRanked(res.points as { id: unknown; score: number }[], expected);
    expect(res.points.map((p) => p.id)).toEqual([3, 2, 4, 1]);
    // Without the modifier, the plain dot product: point 4 (3 × the common term 1) ranks second.
    const plain = await q.query(name, { query, using: 'plain' });
    expect(plain.points.map((p) => [p.id, p.score])).toEqual([
      [3, 4],
      [4, 3],
      [2, 2],
      [1, 1],
    ]);
  });

  it('refuses a sparse example, an unknown strategy, a bare discover and too many pairs, in Qdrant’s words', async () => {
    const name = await seeded('Dot');
    const raw = qdrantHttp(gw);
    const query = (body: unknown) => raw.post(`/collections/${name}/points/query`, body);
    expectQdrantError(
      await query({ query: { recommend: { positive: [1], strategy: 'best_guess' } }, using: 'main' }),
      400,
      /unknown variant "best_guess"/,
    );
    expectQdrantError(await query({ query: { discover: 5 }, using: 'main' }), 400, /discover must be/);
    expectQdrantError(await query({ query: { context: [] }, using: 'main' }), 400, /at least one pair/);
    expectQdrantError(
      await query({ query: { context: [{ positive: 1 }] }, using: 'main' }),
      400,
      /context\[0\] must be \{positive, negative\}/,
    );
    const many = Array.from({ length: 40 }, () => ({ positive: [1, 0, 0], negative: [0, 1, 0] }));
    expectQdrantError(await query({ query: { context: many }, using: 'main' }), 400, /at most 31 pairs/);
    expectQdrantError(
      await query({ query: { context: [{ positive: [1, 0], negative: [0, 1, 0] }] }, using: 'main' }),
      400,
      /expected dim: 3, got 2/,
    );
    expectQdrantError(
      await query({ query: { discover: { target: 99, context: [] } }, using: 'main' }),
      404,
      /No point with id 99/,
    );
  });
});
