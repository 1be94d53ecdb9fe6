import { RecallSampler } from '../../../src/core/records/recall-sampler';
import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantHttp } from './qdrant-helpers';

/**
 * Qdrant queries whose work grows with the square of what they ask (the search matrix, MMR) are
 * computed in the database, not in the gateway's one thread, and a request's searches are bounded
 * together, not only one by one.
 */
describe('Qdrant heavy queries', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const q = () => qdrantHttp(gw);

  /** A generator of the same numbers on every run. */
  function numbers(seed: number) {
    let s = seed;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  }

  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const cosine = (a: number[], b: number[]) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
  const euclid = (a: number[], b: number[]) => -Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

  /** Qdrant's MMR, written out: the candidates in order of similarity, then the greedy trade-off. */
  function referenceMmr(
    points: Map<number, number[]>,
    query: number[],
    similarity: (a: number[], b: number[]) => number,
    candidates: number,
    limit: number,
    diversity: number,
  ): number[] {
    const pool = [...points.keys()]
      .sort((a, b) => similarity(query, points.get(b)!) - similarity(query, points.get(a)!))
      .slice(0, candidates);
    const chosen: number[] = [];
    while (chosen.length < limit && chosen.length < pool.length) {
      let best = -1;
      let bestScore = -Infinity;
      for (const id of pool) {
        if (chosen.includes(id)) continue;
        const relevance = similarity(query, points.get(id)!);
        const redundancy = Math.max(...chosen.map((c) => similarity(points.get(id)!, points.get(c)!)));
        const score = chosen.length === 0 ? relevance : (1 - diversity) * relevance - diversity * redundancy;
        if (score > bestScore) [best, bestScore] = [id, score];
      }
      chosen.push(best);
    }
    return chosen;
  }

  async function seed(distance: string, dim: number, count: number, seedNo: number) {
    const name = collectionName('heavy');
    expect((await q().put(`/collections/${name}`, { vectors: { size: dim, distance } })).status).toBe(200);
    const next = numbers(seedNo);
    const points = new Map<number, number[]>();
    for (let id = 1; id <= count; id++) points.set(id, Array.from({ length: dim }, next));
    const ids = [...points.keys()];
    for (let at = 0; at < ids.length; at += 100) {
      const batch = ids.slice(at, at + 100).map((id) => ({ id, vector: points.get(id) }));
      const res = await q().put(`/collections/${name}/points?wait=true`, { points: batch });
      expect(res.status).toBe(200);
    }
    return { name, points };
  }

  it.each([
    ['Cosine', cosine],
    ['Euclid', euclid],
  ] as const)('answers MMR (%s) as Qdrant computes it', async (distance, similarity) => {
    const { name, points } = await seed(distance, 8, 80, distance === 'Cosine' ? 3 : 5);
    const query = Array.from({ length: 8 }, numbers(11));
    for (const diversity of [0, 0.4, 0.9]) {
      const res = await q().post(`/collections/${name}/points/query`, {
        query: { nearest: query, mmr: { diversity, candidates_limit: 40 } },
        limit: 12,
      });
      expect(res.status).toBe(200);
      expect([diversity, res.body.result.points.map((p: { id: number }) => p.id)]).toEqual([
        diversity,
        referenceMmr(points, query, similarity, 40, 12, diversity),
      ]);
    }
    // Offsets skip the first picks, as a page of the same order.
    const paged = await q().post(`/collections/${name}/points/query`, {
      query: { nearest: query, mmr: { diversity: 0.4, candidates_limit: 40 } },
      limit: 4,
      offset: 8,
    });
    expect(paged.body.result.points.map((p: { id: number }) => p.id)).toEqual(
      referenceMmr(points, query, similarity, 40, 12, 0.4).slice(8, 12),
    );
  });

  it('answers MMR over prefetches: the candidates are the prefetched points only', async () => {
    const { name, points } = await seed('Cosine', 8, 80, 7);
    const query = Array.from({ length: 8 }, numbers(13));
    const nearTo = (v: number[], n: number) =>
      [...points.keys()].sort((a, b) => cosine(v, points.get(b)!) - cosine(v, points.get(a)!)).slice(0, n);
    const elsewhere = [Array.from({ length: 8 }, numbers(19)), Array.from({ length: 8 }, numbers(23))];
    // Two prefetches aimed away from the query: their union, not the query's own neighbours, is the pool.
    const pool = new Set([...nearTo(elsewhere[0], 15), ...nearTo(elsewhere[1], 15)]);
    const within = new Map([...points].filter(([id]) => pool.has(id)));
    expect(nearTo(query, 12).every((id) => pool.has(id))).toBe(false);
    const res = await q().post(`/collections/${name}/points/query`, {
      prefetch: elsewhere.map((v) => ({ query: v, limit: 15 })),
      query: { nearest: query, mmr: { diversity: 0.5, candidates_limit: 20 } },
      limit: 6,
      with_payload: false,
    });
    expect(res.status).toBe(200);
    const ids = res.body.result.points.map((p: { id: number }) => p.id);
    expect(ids).toEqual(referenceMmr(within, query, cosine, 20, 6, 0.5));
    // Scores stay the query's similarity, as without prefetches.
    res.body.result.points.forEach((p: { id: number; score: number }) =>
      expect(p.score).toBeCloseTo(cosine(query, points.get(p.id)!), 4),
    );
  });

  it('answers MMR inside a prefetch: the query over it re-scores its picks', async () => {
    const { name, points } = await seed('Cosine', 8, 80, 29);
    const aim = Array.from({ length: 8 }, numbers(31));
    const outer = Array.from({ length: 8 }, numbers(37));
    const picks = referenceMmr(points, aim, cosine, 25, 7, 0.6);
    const res = await q().post(`/collections/${name}/points/query`, {
      prefetch: { query: { nearest: aim, mmr: { diversity: 0.6, candidates_limit: 25 } }, limit: 7 },
      query: outer,
      limit: 7,
    });
    expect(res.status).toBe(200);
    expect(res.body.result.points.map((p: { id: number }) => p.id)).toEqual(
      [...picks].sort((a, b) => cosine(outer, points.get(b)!) - cosine(outer, points.get(a)!)),
    );
    // A prefetch's mmr is checked as the top one is.
    expectQdrantError(
      await q().post(`/collections/${name}/points/query`, {
        prefetch: { query: { nearest: aim, mmr: { diversity: 2 } }, limit: 7 },
        query: outer,
      }),
      400,
      /prefetch\[0\]\.query\.mmr\.diversity must be a number from 0 to 1/,
    );
  });

  it('answers the search matrix as a computation over every sampled pair would', async () => {
    const { name, points } = await seed('Euclid', 6, 30, 17);
    // A sample as large as the collection holds every point, so the answer is known.
    const res = await q().post(`/collections/${name}/points/search/matrix/offsets`, { sample: 30, limit: 3 });
    expect(res.status).toBe(200);
    const { ids, offsets_row, offsets_col, scores } = res.body.result;
    expect(ids).toEqual([...points.keys()].map(String).sort().map(Number));
    offsets_row.forEach((row: number, k: number) => {
      const a = points.get(ids[row])!;
      const nearest = ids
        .filter((id: number) => id !== ids[row])
        .sort((x: number, y: number) => euclid(a, points.get(y)!) - euclid(a, points.get(x)!));
      const rank = k - offsets_row.indexOf(row);
      expect(ids[offsets_col[k]]).toBe(nearest[rank]);
      expect(scores[k]).toBeCloseTo(-euclid(a, points.get(nearest[rank])!), 4);
    });
    expect(offsets_row).toHaveLength(30 * 3);
  });

  it('refuses a pairwise computation past a billion products', async () => {
    const name = collectionName('wide');
    expect((await q().put(`/collections/${name}`, { vectors: { size: 4096, distance: 'Dot' } })).status).toBe(200);
    const vector = Array.from({ length: 4096 }, numbers(37));
    expect((await q().put(`/collections/${name}/points?wait=true`, { points: [{ id: 1, vector }] })).status).toBe(200);
    expectQdrantError(
      await q().post(`/collections/${name}/points/search/matrix/pairs`, { sample: 1000, limit: 2 }),
      400,
      /^Bad request: comparing 1000 vectors with 1000 others of 4096 dimensions/,
    );
    expectQdrantError(
      await q().post(`/collections/${name}/points/query`, {
        query: { nearest: vector, mmr: { candidates_limit: 1000 } },
        limit: 1000,
      }),
      400,
      /^Bad request: comparing 1000 vectors with 1000 others of 4096 dimensions/,
    );
    // Within the bound, the same collection answers.
    const small = await q().post(`/collections/${name}/points/search/matrix/pairs`, { sample: 200, limit: 2 });
    expect(small.status).toBe(200);
  });

  it('bounds the work of a whole request, not only of each search', async () => {
    const { name } = await seed('Cosine', 4, 20, 31);
    const examples = Array.from({ length: 31 }, (_, i) => ({ positive: (i % 20) + 1, negative: ((i + 1) % 20) + 1 }));
    const discover = { query: { discover: { target: 1, context: examples } }, limit: 10_000 };
    const heavy = Array.from({ length: 100 }, () => ({
      prefetch: Array.from({ length: 15 }, () => discover),
      limit: 10,
    }));
    expectQdrantError(
      await q().post(`/collections/${name}/points/query/batch`, { searches: heavy }),
      400,
      /^Bad request: a request may run at most 1024 searches/,
    );
    // Each bound on its own: searches, results asked, examples scored.
    const plain = (limit: number) => ({ query: [1, 0, 0, 0], limit });
    for (const searches of [
      Array.from({ length: 100 }, () => ({
        prefetch: Array.from({ length: 10 }, () => plain(10)),
        query: { fusion: 'rrf' },
      })),
      Array.from({ length: 11 }, () => plain(10_000)),
      Array.from({ length: 40 }, () => ({ query: { discover: { target: 1, context: examples.slice(0, 13) } } })),
    ])
      expectQdrantError(
        await q().post(`/collections/${name}/points/query/batch`, { searches }),
        400,
        /^Bad request: a request may run at most/,
      );
    // A batch of a hundred ordinary queries is no heavy request.
    const fine = await q().post(`/collections/${name}/points/query/batch`, {
      searches: Array.from({ length: 100 }, () => ({ prefetch: [plain(20), plain(20)], query: { fusion: 'rrf' } })),
    });
    expect(fine.status).toBe(200);
    expect(fine.body.result).toHaveLength(100);
    expect(fine.body.result[0].points).toHaveLength(10);
  });
  it('checks a whole query, every prefetch of it and the points it names, before any of its searches runs', async () => {
    const { name } = await seed('Cosine', 4, 20, 41);
    const { rows } = await gw.db.query('SELECT id FROM vecgate_collections WHERE name = $1', [name]);
    // Every dense search served is counted, sampled for its recall or not.
    const sampler = gw.app.get(RecallSampler);
    const searched = () => sampler.traffic.get(rows[0].id)?.searches ?? 0;
    const plain = { query: [1, 0, 0, 0], limit: 5 };
    const before = searched();
    const ok = await q().post(`/collections/${name}/points/query`, {
      prefetch: [plain, plain],
      query: { fusion: 'rrf' },
    });
    expect(ok.status).toBe(200);
    expect(searched() - before).toBe(2);
    // A fault in the last prefetch, deep in one, or in the fusion over them: refused, nothing searched.
    for (const [body, error] of [
      [{ prefetch: [plain, { ...plain, limt: 3 }], query: { fusion: 'rrf' } }, /limt/],
      [
        { prefetch: [plain, { prefetch: [plain, { query: { nearest: [1, 0, 0, 0], mmr: { diversity: 2 } } }] }] },
        /diversity must be a number from 0 to 1/,
      ],
      [{ prefetch: [plain, plain], query: { rrf: { weights: [1] } } }, /rrf.weights must hold one/],
      // The points a query names are read before any search: a missing one in the last prefetch.
      [{ prefetch: [plain, { query: 999_999, limit: 5 }], query: { fusion: 'rrf' } }, /No point with id 999999/],
    ] as const) {
      const refused = searched();
      const res = await q().post(`/collections/${name}/points/query`, body);
      expect([res.status, JSON.stringify(res.body)]).toEqual([expect.any(Number), expect.stringMatching(error)]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(searched()).toBe(refused);
    }
  });
});
