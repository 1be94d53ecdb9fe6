import { ChromaClient } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { CollectionsService } from '../../../src/core/collections/collections.service';
import { gatewayForFile } from '../../support/gateway';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

type Multi = number[][];
type Distance = 'Cosine' | 'Dot' | 'Euclid' | 'Manhattan';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const unit = (a: number[]) => a.map((x) => x / Math.sqrt(dot(a, a)));

/** A token pair's similarity as Qdrant's metrics define it (higher is better). */
function similarity(distance: Distance, a: number[], b: number[]): number {
  if (distance === 'Dot') return dot(a, b);
  if (distance === 'Cosine') return dot(unit(a), unit(b));
  if (distance === 'Euclid') return -a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);
  return -a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);
}

/**
 * MaxSim from its definition (ColBERT; Qdrant's score_max_similarity): for each query token the
 * best similarity among the point's tokens, summed; Qdrant reports Euclid's as the square root of
 * the summed squares, Manhattan's as the summed distances (smaller is better).
 */
function maxSim(distance: Distance, query: Multi, doc: Multi): number {
  const sum = query.reduce((s, q) => s + Math.max(...doc.map((d) => similarity(distance, q, d))), 0);
  if (distance === 'Euclid') return Math.sqrt(Math.abs(sum));
  if (distance === 'Manhattan') return Math.abs(sum);
  return sum;
}

const smallerIsBetter = (distance: Distance) => distance === 'Euclid' || distance === 'Manhattan';

/** A deterministic pseudo-random generator (the points stay the same from run to run). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function multis(n: number, tokens: number, dim: number, seed: number): Multi[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: 1 + ((i * 7) % tokens) }, () =>
      Array.from({ length: dim }, () => Math.round((r() * 2 - 1) * 100) / 100),
    ),
  );
}

/** The expected ranking of `docs` (ids 1..n) by MaxSim against `query`, best first, ties by id. */
function ranked(distance: Distance, query: Multi, docs: Multi[]): { id: number; score: number }[] {
  return docs
    .map((d, i) => ({ id: i + 1, score: maxSim(distance, query, d) }))
    .sort((a, b) => (smallerIsBetter(distance) ? a.score - b.score : b.score - a.score) || a.id - b.id);
}

/**
 * Qdrant's multivectors (multivector_config, comparator max_sim): a point's vector is a list of
 * token vectors, scored against a query's tokens by MaxSim. vecgate keeps each point's tokens in a
 * table beside the record table, written in the same transaction as the point.
 */
describe('Qdrant multivectors', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 200, quietMs: 200, recallTarget: 0 },
  });
  let q: QdrantClient;
  const raw = () => qdrantHttp(gw);

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  it.each<Distance>(['Dot', 'Cosine', 'Euclid', 'Manhattan'])(
    'stores an unnamed multivector and scores %s by MaxSim',
    async (distance) => {
      const name = collectionName('mv');
      await q.createCollection(name, { vectors: { size: 3, distance, multivector_config: { comparator: 'max_sim' } } });
      const info = await q.getCollection(name);
      expect(info.config.params.vectors).toEqual({
        size: 3,
        distance,
        multivector_config: { comparator: 'max_sim' },
      });
      const docs = multis(12, 4, 3, 7);
      await q.upsert(name, { wait: true, points: docs.map((vector, i) => ({ id: i + 1, vector })) });
      const query = [
        [0.3, -0.2, 0.9],
        [-0.5, 0.4, 0.1],
      ];
      const found = await q.query(name, { query, limit: 5 });
      const expected = ranked(distance, query, docs).slice(0, 5);
      expect(found.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
      found.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i].score, 4));
      // The stored tokens come back as lists of lists (normalized for Cosine, as Qdrant stores them).
      const [point] = await q.retrieve(name, { ids: [3], with_vector: true });
      const stored = distance === 'Cosine' ? docs[2].map(unit) : docs[2];
      (point.vector as Multi).forEach((t, i) => t.forEach((x, j) => expect(x).toBeCloseTo(stored[i][j], 5)));
    },
  );

  it('takes one dense vector as a multivector of one token, in writes and queries', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
    });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0] },
        {
          id: 2,
          vector: [
            [0, 1],
            [0.5, 0.5],
          ],
        },
      ],
    });
    expect((await q.retrieve(name, { ids: [1], with_vector: true }))[0].vector).toEqual([[1, 0]]);
    const found = await q.query(name, { query: [0, 1] });
    expect(found.points.map((p) => [p.id, p.score])).toEqual([
      [2, 1],
      [1, 0],
    ]);
  });

  it('holds a named multivector beside a dense vector: using, prefetch, with_vector by name', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: {
        dense: { size: 2, distance: 'Dot' },
        colbert: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
      },
    });
    expect((await q.getCollection(name)).config.params.vectors).toEqual({
      dense: { size: 2, distance: 'Dot' },
      colbert: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
    });
    const docs: Multi[] = [
      [[1, 0]],
      [
        [0, 1],
        [1, 1],
      ],
      [[-1, 0]],
      [
        [0.5, 0.5],
        [0, -1],
      ],
    ];
    await q.upsert(name, {
      wait: true,
      points: docs.map((colbert, i) => ({ id: i + 1, vector: { dense: [i, 1], colbert }, payload: { n: i + 1 } })),
    });
    const query = [
      [1, 0],
      [0, 1],
    ];
    const byColbert = await q.query(name, { query, using: 'colbert', limit: 4, with_vector: ['colbert'] });
    const expected = ranked('Dot', query, docs);
    expect(byColbert.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
    expect(byColbert.points.map((p) => p.score)).toEqual(expected.map((e) => e.score));
    expect(byColbert.points[0].vector).toEqual({ colbert: docs[expected[0].id - 1] });
    // The dense vector finds the candidates, the multivector ranks them (the usual ColBERT rescoring).
    const rescored = await q.query(name, {
      prefetch: { query: [1, 0], using: 'dense', limit: 2 },
      query,
      using: 'colbert',
      limit: 2,
    });
    const candidates = [4, 3];
    expect(rescored.points.map((p) => p.id)).toEqual(
      expected.filter((e) => candidates.includes(e.id)).map((e) => e.id),
    );
    // A filter, and a multivector prefetch under a dense query.
    const filtered = await q.query(name, {
      query,
      using: 'colbert',
      filter: { must: [{ key: 'n', range: { gte: 3 } }] },
      limit: 4,
    });
    expect(filtered.points.map((p) => p.id)).toEqual(expected.filter((e) => e.id >= 3).map((e) => e.id));
    const underDense = await q.query(name, {
      prefetch: { query, using: 'colbert', limit: 2 },
      query: [0, 1],
      using: 'dense',
    });
    expect(underDense.points.map((p) => p.id).sort()).toEqual(
      expected
        .slice(0, 2)
        .map((e) => e.id)
        .sort(),
    );
    // A query by a point's id takes its multivector.
    const byId = await q.query(name, { query: 2, using: 'colbert', limit: 1 });
    expect(byId.points[0].id).toBe(ranked('Dot', docs[1], docs).filter((e) => e.id !== 2)[0].id);
  });

  it('keeps the tokens with every write: update_vectors, delete_vectors, deletes', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: { mv: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } } },
    });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: { mv: [[1, 0]] }, payload: { k: 'a' } },
        { id: 2, vector: { mv: [[0, 1]] }, payload: { k: 'b' } },
        { id: 3, vector: { mv: [[0.5, 0.5]] }, payload: { k: 'c' } },
      ],
    });
    const top = async () =>
      (await q.query(name, { query: [[1, 0]], using: 'mv', limit: 10 })).points.map((p) => [p.id, p.score]);
    expect(await top()).toEqual([
      [1, 1],
      [3, 0.5],
      [2, 0],
    ]);
    await q.updateVectors(name, {
      wait: true,
      points: [
        {
          id: 2,
          vector: {
            mv: [
              [2, 0],
              [0, 3],
            ],
          },
        },
      ],
    });
    expect(await top()).toEqual([
      [2, 2],
      [1, 1],
      [3, 0.5],
    ]);
    // A payload change leaves the tokens as they were.
    await q.setPayload(name, { wait: true, points: [1], payload: { k: 'z' } });
    await q.deleteVectors(name, { wait: true, points: [1], vector: ['mv'] });
    expect(await top()).toEqual([
      [2, 2],
      [3, 0.5],
    ]);
    await q.upsert(name, { wait: true, points: [{ id: 3, vector: { mv: [[3, 0]] }, payload: { k: 'c' } }] });
    expect(await top()).toEqual([
      [3, 3],
      [2, 2],
    ]);
    await q.delete(name, { wait: true, filter: { must: [{ key: 'k', match: { value: 'c' } }] } });
    expect(await top()).toEqual([[2, 2]]);
    await q.delete(name, { wait: true, points: [2] });
    expect(await top()).toEqual([]);
    expect((await q.count(name)).count).toBe(1);
  });

  it('stores float16 at half precision and uint8 as Qdrant casts floats to u8', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: {
        half: { size: 2, distance: 'Dot', datatype: 'float16', multivector_config: { comparator: 'max_sim' } },
        bytes: { size: 2, distance: 'Dot', datatype: 'uint8', multivector_config: { comparator: 'max_sim' } },
      },
    });
    const shown = (await q.getCollection(name)).config.params.vectors as Record<string, { datatype?: string }>;
    expect([shown.half.datatype, shown.bytes.datatype]).toEqual(['float16', 'uint8']);
    await q.upsert(name, {
      wait: true,
      points: [
        {
          id: 1,
          vector: {
            half: [[0.1, 2]],
            bytes: [
              [3.9, 300],
              [-2, 7.2],
            ],
          },
        },
      ],
    });
    const [point] = await q.retrieve(name, { ids: [1], with_vector: true });
    const vectors = point.vector as Record<string, Multi>;
    expect(vectors.bytes).toEqual([
      [3, 255],
      [0, 7],
    ]);
    expect(vectors.half[0][0]).toBeCloseTo(0.1, 3);
    expect(vectors.half[0][0]).not.toBe(0.1);
    const found = await q.query(name, { query: [[1, 1]], using: 'bytes' });
    expect(found.points[0].score).toBe(258);
  });

  it('walks the token index on a larger collection, and answers as exact MaxSim does', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: { size: 8, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } },
    });
    const docs = multis(1200, 6, 8, 11);
    for (let i = 0; i < docs.length; i += 400)
      await q.upsert(name, {
        wait: true,
        points: docs
          .slice(i, i + 400)
          .map((vector, k) => ({ id: i + k + 1, vector, payload: { even: (i + k) % 2 === 1 } })),
      });
    await until(
      'the token index',
      () => q.getCollection(name),
      (info) => info.status === 'green',
    );
    const query = multis(1, 4, 8, 99)[0].concat(multis(1, 4, 8, 98)[0]);
    const expected = ranked('Cosine', query, docs).slice(0, 10);
    const exact = await q.query(name, { query, limit: 10, params: { exact: true } });
    expect(exact.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
    // Through the index (each query token's nearest tokens, then exact MaxSim over their points):
    // the same points, each scored exactly.
    const walked = await q.query(name, { query, limit: 10, params: { hnsw_ef: 200 } });
    expect(walked.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
    walked.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i].score, 4));
    // The walks bound each point's MaxSim; the points with the highest bounds (20 per result, at
    // least 200, of 1,200) are scored exactly, then those whose bound reaches the k-th score: the
    // exact top k with exact scores, under a filter too.
    const wider = ranked('Cosine', query, docs).slice(0, 25);
    const top25 = await q.query(name, { query, limit: 25, params: { hnsw_ef: 300 } });
    expect(top25.points.map((p) => p.id)).toEqual(wider.map((e) => e.id));
    top25.points.forEach((p, i) => expect(p.score).toBeCloseTo(wider[i].score, 4));
    const even = ranked('Cosine', query, docs)
      .filter((e) => e.id % 2 === 0)
      .slice(0, 5);
    const filtered = await q.query(name, {
      query,
      limit: 5,
      filter: { must: [{ key: 'even', match: { value: true } }] },
      params: { hnsw_ef: 300 },
    });
    expect(filtered.points.map((p) => p.id)).toEqual(even.map((e) => e.id));
    filtered.points.forEach((p, i) => expect(p.score).toBeCloseTo(even[i].score, 4));
  });

  it.each<Distance>(['Dot', 'Euclid'])(
    'recommends, discovers and scores context through a %s multivector by MaxSim of each example',
    async (distance) => {
      const name = collectionName('mvr');
      await q.createCollection(name, { vectors: { size: 3, distance, multivector_config: { comparator: 'max_sim' } } });
      const docs = multis(10, 3, 3, 5);
      await q.upsert(name, { wait: true, points: docs.map((vector, i) => ({ id: i + 1, vector })) });
      // Qdrant's similarity of an example to a point: score_max_similarity, before Euclid's square root.
      const sim = (example: Multi, doc: Multi) =>
        example.reduce((s, e) => s + Math.max(...doc.map((d) => similarity(distance, e, d))), 0);
      const sigmoid = (x: number) => 0.5 * (x / (1 + Math.abs(x)) + 1);
      const positive: Multi = [
        [0.4, -0.1, 0.2],
        [0.1, 0.3, -0.6],
      ];
      const negative: Multi = [[-0.2, 0.5, 0.1]];
      const others = docs.map((d, i) => ({ id: i + 1, d })).filter((x) => x.id !== 2);
      const best = (scored: { id: number; score: number }[]) =>
        scored.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 4);
      const expectScores = (
        found: { points: { id: string | number; score: number }[] },
        expected: { id: number; score: number }[],
      ) => {
        expect(found.points.map((p) => p.id)).toEqual(expected.map((e) => e.id));
        found.points.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i].score, 4));
      };

      // best_score: the best example's MaxSim through the scaled sigmoid, below 0 when a negative is nearer.
      const bestScore = best(
        others.map(({ id, d }) => {
          const pos = Math.max(sim(positive, d), sim(docs[1], d));
          const neg = sim(negative, d);
          return { id, score: pos > neg ? sigmoid(pos) : -sigmoid(neg) };
        }),
      );
      expectScores(
        await q.query(name, {
          query: { recommend: { positive: [positive, 2], negative: [negative], strategy: 'best_score' } },
          limit: 4,
        }),
        bestScore,
      );
      // sum_scores: the positives' MaxSims less the negatives'.
      const sumScores = best(
        others.map(({ id, d }) => ({ id, score: sim(positive, d) + sim(docs[1], d) - sim(negative, d) })),
      );
      expectScores(
        await q.query(name, {
          query: { recommend: { positive: [positive, 2], negative: [negative], strategy: 'sum_scores' } },
          limit: 4,
        }),
        sumScores,
      );
      // average_vector (the default): Qdrant's average of multivectors, the positives' tokens with
      // the negatives' negated, searched by MaxSim.
      const averaged = [...positive, ...docs[1], ...negative.map((t) => t.map((x) => -x))];
      const expectedAverage = ranked(distance, averaged, docs)
        .filter((e) => e.id !== 2)
        .slice(0, 4);
      expectScores(
        await q.query(name, { query: { recommend: { positive: [positive, 2], negative: [negative] } }, limit: 4 }),
        expectedAverage,
      );
      // The legacy route answers the same.
      const legacy = await raw().post(`/collections/${name}/points/recommend`, {
        positive: [positive, 2],
        negative: [negative],
        strategy: 'sum_scores',
        limit: 4,
      });
      expect(legacy.status).toBe(200);
      expect(legacy.body.result.map((p: { id: number }) => p.id)).toEqual(sumScores.map((e) => e.id));

      // discover: pairs won, ties by the scaled sigmoid of the target's MaxSim; context: the pairs' losses.
      const target: Multi = [[0.3, 0.3, 0.3]];
      const pair = { positive: positive, negative: negative };
      const discover = best(
        docs.map((d, i) => ({
          id: i + 1,
          score: Math.sign(sim(positive, d) - sim(negative, d)) + sigmoid(sim(target, d)),
        })),
      );
      expectScores(await q.query(name, { query: { discover: { target, context: [pair] } }, limit: 4 }), discover);
      const context = best(
        docs.map((d, i) => {
          const x = Math.min(sim(positive, d) - sim(negative, d) - 1.1920929e-7, 0);
          return { id: i + 1, score: x / (1 + Math.abs(x)) };
        }),
      );
      expectScores(await q.query(name, { query: { context: [pair] }, limit: 4 }), context);

      // Qdrant's refusals: no example at all (its validation, 422), an empty example once it runs (400).
      const query = (body: unknown) => raw().post(`/collections/${name}/points/query`, body);
      expectQdrantError(
        await query({ query: { recommend: { positive: [], strategy: 'best_score' } } }),
        422,
        /At least one positive or negative vector\/id must be provided/,
      );
      expectQdrantError(await query({ query: { recommend: { positive: [[]] } } }), 400, /Vector dimension error/);
      expectQdrantError(
        await query({ query: { recommend: { negative: [positive] } } }),
        400,
        /Positive vectors should not be empty with `average` strategy/,
      );
      // vecgate's bound: the examples' tokens together are one query's (256).
      const many = Array.from({ length: 129 }, () => [1, 0, 0]);
      expectQdrantError(
        await query({ query: { recommend: { positive: [many, many], strategy: 'sum_scores' } } }),
        400,
        /at most 256 token vectors/,
      );
    },
  );

  it('refuses what Qdrant refuses, in its words, and what vecgate bounds', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: {
        plain: { size: 2, distance: 'Dot' },
        mv: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
      },
    });
    const put = (points: unknown) => raw().put(`/collections/${name}/points?wait=true`, { points });
    expectQdrantError(await put([{ id: 1, vector: { plain: [[1, 0]] } }]), 400, /Wrong usage of multi vectors/);
    const tokens = (...t: number[][]) => [{ id: 1, vector: { mv: t } }];
    expectQdrantError(
      await put(tokens([1, 0, 0], [1, 0, 0])),
      400,
      /^Wrong input: Vector dimension error: expected dim: 2, got 3$/,
    );
    expectQdrantError(
      await put(tokens([1, 0], [1, 0, 0])),
      422,
      /^Validation error in JSON body: \[points\[0\]\.vector\.\?\.data: all vectors must have the same dimension, found vector with dimension 3\]$/,
    );
    expectQdrantError(await put(tokens([1, 0], [])), 422, /all vectors must be non-empty/);
    expectQdrantError(await put([{ id: 1, vector: { mv: [] } }]), 422, /dense vector must not be empty/);
    const many = Array.from({ length: 1025 }, () => [1, 0]);
    expectQdrantError(await put([{ id: 1, vector: { mv: many } }]), 400, /at most 1024/);
    const query = (body: unknown) => raw().post(`/collections/${name}/points/query`, body);
    expectQdrantError(
      await query({ query: Array.from({ length: 257 }, () => [1, 0]), using: 'mv' }),
      400,
      /at most 256/,
    );
    expectQdrantError(await query({ query: [[1, 0]], using: 'plain' }), 400, /Wrong usage of multi vectors/);
    expectQdrantError(
      await raw().put(`/collections/${collectionName('mv')}`, {
        vectors: { size: 2, distance: 'Dot', datatype: 'int4', multivector_config: { comparator: 'max_sim' } },
      }),
      400,
      /unknown variant "int4"/,
    );
  });

  it('takes turbo4, Qdrant 1.19 datatype, storing the values whole and showing it back', async () => {
    const name = collectionName('t4');
    await q.createCollection(name, {
      vectors: {
        image: { size: 2, distance: 'Dot', datatype: 'turbo4' },
        mv: { size: 2, distance: 'Dot', datatype: 'turbo4', multivector_config: { comparator: 'max_sim' } },
      },
    });
    const shown = (await q.getCollection(name)).config.params.vectors as Record<string, { datatype?: string }>;
    expect([shown.image.datatype, shown.mv.datatype]).toEqual(['turbo4', 'turbo4']);
    await q.upsert(name, {
      wait: true,
      points: [{ id: 1, vector: { image: [0.3, 0.7], mv: [[0.3, 0.7]] } }],
    });
    const found = await q.query(name, { query: [1, 1], using: 'image', with_vector: true });
    expect(found.points[0].score).toBeCloseTo(1, 6);
    expect(found.points[0].vector).toEqual({ image: [0.3, 0.7], mv: [[0.3, 0.7]] });
  });

  it('recovers a snapshot with its multivectors and their tokens, by name and from its file', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: {
        dense: { size: 2, distance: 'Dot' },
        mv: { size: 2, distance: 'Dot', datatype: 'float16', multivector_config: { comparator: 'max_sim' } },
      },
    });
    const docs: Multi[] = [
      [[1, 0]],
      [
        [0, 1],
        [0.5, 0.5],
      ],
      [[-1, 0]],
    ];
    await q.upsert(name, { wait: true, points: docs.map((mv, i) => ({ id: i + 1, vector: { dense: [1, i], mv } })) });
    const query = [
      [1, 0],
      [0, 1],
    ];
    const scores = async (collection: string) =>
      (await q.query(collection, { query, using: 'mv', with_vector: ['mv'] })).points.map((p) => [
        p.id,
        p.score,
        p.vector,
      ]);
    const before = await scores(name);
    expect(before.map(([id]) => id)).toEqual(ranked('Dot', query, docs).map((e) => e.id));
    const { name: snapshot } = (await q.createSnapshot(name))!;
    const copy = `${name}_copy`;
    expect(await q.recoverSnapshot(copy, { location: snapshot })).toBe(true);
    expect(await scores(copy)).toEqual(before);
    expect((await q.getCollection(copy)).config.params.vectors).toEqual(
      (await q.getCollection(name)).config.params.vectors,
    );
    const file = await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/${snapshot}`);
    const form = new FormData();
    form.append('snapshot', new Blob([await file.arrayBuffer()]), 'x.snapshot');
    const uploaded = await fetch(`${gw.qdrantUrl}/collections/${name}_file/snapshots/upload`, {
      method: 'POST',
      body: form,
    });
    expect(uploaded.status).toBe(200);
    expect(await scores(`${name}_file`)).toEqual(before);
  });

  it('shows Chroma the records of a multivector collection without embeddings', async () => {
    const name = collectionName('mv');
    await q.createCollection(name, {
      vectors: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
    });
    await q.upsert(name, { wait: true, points: [{ id: 1, vector: [[1, 0]], payload: { a: 1 } }] });
    const chroma = new ChromaClient({ path: gw.url });
    const collection = await chroma.getCollection({ name });
    expect(await collection.count()).toBe(1);
    const got = await collection.get({ include: ['metadatas', 'embeddings'] as never });
    expect(got.metadatas).toEqual([{ a: 1 }]);
  });
});

/**
 * A multivector's candidate depth is measured by the search tuner against exact MaxSim, and
 * searches without `hnsw_ef` take what it chose (issue 52): before, every search took 100.
 */
describe('Qdrant multivectors: the candidate depth measured', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 200, recallTarget: 0.9, recallCheckMs: 200 },
  });

  it('measures the depth that meets the target, and searches without hnsw_ef run at it', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('mvt');
    await q.createCollection(name, {
      vectors: { size: 8, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } },
    });
    const docs = multis(1200, 6, 8, 23);
    for (let i = 0; i < docs.length; i += 400)
      await q.upsert(name, {
        wait: true,
        points: docs.slice(i, i + 400).map((vector, k) => ({ id: i + k + 1, vector })),
      });
    const tuning = () =>
      gw.db.query<{ id: string; ef_search: number; exact: boolean; recall: number; target: number; records: number }>(
        `SELECT c.id, s.ef_search, s.exact, s.recall::float8 AS recall, s.target::float8 AS target, s.records::int AS records
         FROM vecgate_search_tuning s JOIN vecgate_collections c ON c.id = s.collection_id WHERE c.name = $1`,
        [name],
      );
    const [measured] = (
      await until(
        'the multivector measured',
        () => tuning(),
        (r) => r.rows.length > 0,
      )
    ).rows;
    expect(measured).toMatchObject({ target: expect.closeTo(0.9, 5), records: 1200 });
    if (!measured.exact) expect(measured.recall).toBeGreaterThanOrEqual(0.9);
    expect([10, 16, 25, 40, 64, 100, 160, 250, 400, 640, 1000]).toContain(measured.ef_search);

    // Searches follow the measurement: at a depth of 2 tokens a query token they answer as a
    // search asking hnsw_ef 2 does (and not as exact MaxSim does); measured exact, as exact does.
    const queries = Array.from({ length: 10 }, (_, i) => multis(8, 1, 8, 300 + i).map((m) => m[0]));
    const ids = (found: { points: { id: string | number }[] }) => found.points.map((p) => p.id);
    const setTuning = async (depth: number, exact: boolean) => {
      await gw.db.query(`UPDATE vecgate_search_tuning SET ef_search = $2, exact = $3 WHERE collection_id = $1`, [
        measured.id,
        depth,
        exact,
      ]);
      gw.app.get(CollectionsService).forget(measured.id);
    };
    await setTuning(2, false);
    let differs = 0;
    for (const query of queries) {
      const plain = ids(await q.query(name, { query, limit: 10 }));
      expect(plain).toEqual(ids(await q.query(name, { query, limit: 10, params: { hnsw_ef: 2 } })));
      const expected = ranked('Cosine', query, docs)
        .slice(0, 10)
        .map((e) => e.id);
      if (plain.join() !== expected.join()) differs++;
    }
    expect(differs).toBeGreaterThan(0);
    await setTuning(2, true);
    for (const query of queries)
      expect(ids(await q.query(name, { query, limit: 10 }))).toEqual(
        ranked('Cosine', query, docs)
          .slice(0, 10)
          .map((e) => e.id),
      );
  });
});
