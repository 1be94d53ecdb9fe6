import { gatewayForFile } from '../../support/gateway';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/**
 * The Query API's shapes that Qdrant's own tests (tests/openapi test_query, test_query_full) ask
 * for: order_by and sample over and inside prefetches, DBSF as Qdrant normalizes, a limit past the
 * budget on a small collection, and Qdrant's words for what it refuses.
 */
describe('Qdrant Query API shapes', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;
  const raw = () => qdrantHttp(gw);
  const prices = [7, 3, 9, 1, 5, 8, 2, 6, 4];

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  /** Nine points (ids 1 to 9) of a 3-d Dot collection, each with a price. */
  async function seeded(): Promise<string> {
    const name = collectionName('qs');
    await q.createCollection(name, { vectors: { size: 3, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: prices.map((price, i) => ({
        id: i + 1,
        vector: [Math.cos(i), Math.sin(i), (i % 3) / 3],
        payload: { price },
      })),
    });
    return name;
  }

  it('orders by a payload key over prefetches and inside one', async () => {
    const name = await seeded();
    const root = await q.query(name, { query: { order_by: 'price' }, with_payload: true });
    const over = await q.query(name, { prefetch: { limit: 1000 }, query: { order_by: 'price' }, with_payload: true });
    expect(over.points).toEqual(root.points);
    expect(root.points.map((p) => p.id)).toEqual([4, 7, 2, 9, 5, 8, 1, 6, 3]);
    expect(root.points[0]).toMatchObject({ order_value: 1, payload: { price: 1 } });

    // Over a search's points: the 4 nearest, by price.
    const aim = [1, 0.2, 0];
    const nearest = await q.query(name, { query: aim, limit: 4, with_payload: true });
    const byPrice = await q.query(name, {
      prefetch: { query: aim, limit: 4 },
      query: { order_by: { key: 'price', direction: 'desc' } },
      with_payload: true,
    });
    const expected = [...nearest.points]
      .sort((a, b) => (b.payload!.price as number) - (a.payload!.price as number))
      .map((p) => p.id);
    expect(byPrice.points.map((p) => p.id)).toEqual(expected);

    // In a prefetch: the 3 dearest points, re-scored by a vector.
    const dearest = await q.query(name, {
      prefetch: { query: { order_by: { key: 'price', direction: 'desc' } }, limit: 3 },
      query: aim,
    });
    expect(dearest.points.map((p) => p.id).sort()).toEqual([1, 3, 6]);
    expectQdrantError(
      await raw().post(`/collections/${name}/points/query`, {
        prefetch: { limit: 5 },
        query: { order_by: 'price' },
        score_threshold: 1,
      }),
      400,
      /^Bad request: Can't use score_threshold with an order_by query\.$/,
    );
  });

  it('draws at random over prefetches, the offset applied to the draw and not to the prefetch', async () => {
    const name = await seeded();
    const one = await q.query(name, { prefetch: { limit: 1 }, query: { sample: 'random' } });
    expect(one.points.map((p) => p.id)).toEqual([1]);
    // The prefetch (no query: its first 2 points by id) gives 1 and 2; the draw of both, one left out.
    const seen = new Set<string | number>();
    await until(
      'both prefetched points drawn',
      async () => {
        const drawn = await q.query(name, { prefetch: { limit: 2 }, query: { sample: 'random' }, offset: 1 });
        expect(drawn.points).toHaveLength(1);
        seen.add(drawn.points[0].id);
        return seen.size;
      },
      (size) => size === 2,
      { everyMs: 0 },
    );
    expect([...seen].sort()).toEqual([1, 2]);
    // In a prefetch: drawn among the points its own prefetch gives.
    const inner = await q.query(name, {
      prefetch: { prefetch: { limit: 3 }, query: { sample: 'random' }, limit: 2 },
      query: [1, 0, 0],
    });
    expect(inner.points).toHaveLength(2);
    for (const p of inner.points) expect([1, 2, 3]).toContain(p.id);
  });

  it('fuses by DBSF as Qdrant normalizes: mean ± 3 sample deviations, not clamped', async () => {
    const name = await seeded();
    const a = [0.1, 0.2, 0.3];
    const b = [0.5, -0.6, 0.7];
    const first = (await q.query(name, { query: a, limit: 10 })).points;
    const second = (await q.query(name, { query: b, limit: 10 })).points;
    const normalized = (list: { id: string | number; score: number }[]) => {
      const mean = list.reduce((s, p) => s + p.score, 0) / list.length;
      const sd = Math.sqrt(list.reduce((s, p) => s + (p.score - mean) ** 2, 0) / (list.length - 1));
      return list.map((p) => ({ id: p.id, score: (p.score - (mean - 3 * sd)) / (6 * sd) }));
    };
    const totals = new Map<string | number, number>();
    for (const p of [...normalized(first), ...normalized(second)]) totals.set(p.id, (totals.get(p.id) ?? 0) + p.score);
    const expected = [...totals].map(([id, score]) => ({ id, score })).sort((x, y) => y.score - x.score);
    const fused = await q.query(name, { prefetch: [{ query: a }, { query: b }], query: { fusion: 'dbsf' } });
    expect(fused.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
    fused.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i].score, 5));
  });

  it('takes a limit past 10,000 when fewer points match, and refuses it when more do', async () => {
    const name = await seeded();
    const path = `/collections/${name}/points/query`;
    // u64::MAX, as Qdrant's own test sends it (a JSON number past 2^53).
    const huge = await raw().post(path, JSON.parse('{"query": [1, 0, 0], "limit": 18446744073709551615}'));
    expect(huge.status).toBe(200);
    expect(huge.body.result.points).toHaveLength(9);
    const nested = await q.query(name, { prefetch: { limit: 20_000 }, query: [1, 0, 0], limit: 20_000 });
    expect(nested.points).toHaveLength(9);

    const big = collectionName('qsbig');
    const n = 10_001;
    await q.createCollection(big, { vectors: { size: 2, distance: 'Dot' } });
    for (let start = 1; start <= n; start += 2000)
      await q.upsert(big, {
        wait: true,
        points: Array.from({ length: Math.min(2000, n + 1 - start) }, (_, k) => ({
          id: start + k,
          vector: [1, (start + k) / n],
        })),
      });
    const tooMany = /^Bad request: limit \+ offset may be at most 10000: more points than that match/;
    const bigPath = `/collections/${big}/points/query`;
    expectQdrantError(await raw().post(bigPath, { query: [1, 0], limit: 20_000 }), 400, tooMany);
    expectQdrantError(await raw().post(bigPath, { prefetch: { limit: 20_000 }, query: [1, 0] }), 400, tooMany);
    // A filter that keeps fewer: every match.
    const some = await q.query(big, {
      query: [1, 0],
      limit: 20_000,
      filter: { must: [{ has_id: [1, 2, 3] }] },
    });
    expect(some.points.map((p) => p.id).sort()).toEqual([1, 2, 3]);
    // An offset past half the budget is refused at once.
    expectQdrantError(await raw().post(bigPath, { query: [1, 0], limit: 5_000, offset: 6_000 }), 400, /at most 10000$/);
  });

  it("refuses what Qdrant refuses, in Qdrant's words and order", async () => {
    const name = await seeded();
    const path = `/collections/${name}/points/query`;
    const fusionUsing = /^Bad request: Fusion queries cannot be combined with the 'using' field\.$/;
    expectQdrantError(
      await raw().post(path, { prefetch: [{ query: [1, 0, 0] }], query: { fusion: 'rrf' }, using: 'image' }),
      400,
      fusionUsing,
    );
    // Qdrant ignores a field its type lacks (`vector`) and refuses the combination; vecgate answers the same.
    expectQdrantError(
      await raw().post(path, {
        vector: { name: 'image', vector: [1, 0, 0] },
        using: 'image',
        query: { fusion: 'rrf' },
      }),
      400,
      fusionUsing,
    );
    // Without that combination the unknown field is refused, as everywhere.
    expectQdrantError(await raw().post(path, { vector: [1, 0, 0] }), 400, /unknown field `vector`/);
    // The points a prefetch names are read first: a missing one is the 404.
    expectQdrantError(
      await raw().post(path, {
        prefetch: [{ query: { recommend: { positive: [1], negative: [77] } } }],
        query: { fusion: 'rrf' },
        using: 'image',
      }),
      404,
      /^Not found: No point with id 77 found$/,
    );
    const missing = collectionName('gone');
    expectQdrantError(
      await raw().post(path, { query: { recommend: { positive: [1] } }, lookup_from: { collection: missing } }),
      404,
      new RegExp(`^Not found: Collection ${missing} not found$`),
    );
    // A point missing from lookup_from's collection is its 404 before the vector name is looked at.
    const other = await seeded();
    const lookup = (id: number) =>
      raw().post(path, {
        query: { recommend: { positive: [id] } },
        lookup_from: { collection: other, vector: 'nope' },
      });
    expectQdrantError(await lookup(50), 404, /^Not found: No point with id 50 found$/);
    expectQdrantError(await lookup(1), 400, /^Wrong input: Not existing vector name error: nope$/);
    // No example at all: the Query API's validation (422); the legacy route's words for its strategies.
    expectQdrantError(
      await raw().post(path, { query: { recommend: { positive: [], strategy: 'best_score' } } }),
      422,
      /At least one positive or negative vector\/id must be provided/,
    );
    expectQdrantError(
      await raw().post(path, { query: { recommend: { negative: [2] } } }),
      400,
      /^Wrong input: Positive vectors should not be empty with `average` strategy$/,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/recommend`, { negative: [2] }),
      400,
      /^Bad request: At least one positive vector ID required with this strategy$/,
    );
    expectQdrantError(
      await raw().post(`/collections/${name}/points/recommend`, { positive: [], strategy: 'best_score' }),
      400,
      /^Bad request: At least one positive or negative vector ID required with this strategy$/,
    );
  });
});
