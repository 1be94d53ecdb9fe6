import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

const V: Record<number, number[]> = {
  1: [0.05, 0.61, 0.76, 0.74],
  2: [0.19, 0.81, 0.75, 0.11],
  3: [0.36, 0.55, 0.47, 0.94],
  4: [0.18, 0.01, 0.85, 0.8],
  5: [0.24, 0.18, 0.22, 0.44],
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const TARGET = [0.1, 0.2, 0.3, 0.4];

/**
 * Qdrant's relevance_feedback query (naive strategy): a × similarity to the target, plus for each
 * pair of feedback examples whose scores differ, (difference^b × c) × (similarity to the higher
 * one − similarity to the lower one); example points are left out of the answer; its refusals in
 * Qdrant's words.
 */
describe('Qdrant relevance_feedback', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  async function collection() {
    const q = await qdrantClient(gw);
    const name = collectionName('feedback');
    await q.createCollection(name, { vectors: { size: 4, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: Object.entries(V).map(([id, vector]) => ({ id: Number(id), vector })),
    });
    return { q, name };
  }

  it('scores by the target and the pairs of examples, examples by id left out', async () => {
    const { q, name } = await collection();
    const strategy = { naive: { a: 0.5, b: 2, c: 1.5 } };
    const found = await q.query(name, {
      query: {
        relevance_feedback: {
          target: TARGET,
          feedback: [
            { example: 1, score: 0.9 },
            { example: [0.19, 0.81, 0.75, 0.11], score: 0.4 },
            { example: 3, score: 0.1 },
          ],
          strategy,
        },
      },
      limit: 10,
    });
    // Pairs: (1 over v2) 0.5, (1 over 3) 0.8, (v2 over 3) 0.3; each weighs difference² × 1.5.
    const w = (d: number) => d ** 2 * 1.5;
    const expected = (p: number[]) =>
      0.5 * dot(TARGET, p) +
      w(0.5) * (dot(V[1], p) - dot(V[2], p)) +
      w(0.8) * (dot(V[1], p) - dot(V[3], p)) +
      w(0.3) * (dot(V[2], p) - dot(V[3], p));
    const want = [2, 4, 5].map((id) => ({ id, score: expected(V[id]) })).sort((x, y) => y.score - x.score);
    expect(found.points.map((p) => p.id)).toEqual(want.map((p) => p.id));
    for (const [i, p] of found.points.entries()) expect(p.score).toBeCloseTo(want[i].score, 5);
  });

  it('without pairs to learn from is a times the nearest search, scores and all', async () => {
    const { q, name } = await collection();
    const feedback = (a: number) =>
      q.query(name, {
        query: {
          relevance_feedback: {
            target: TARGET,
            feedback: [{ example: [0.42, 0.42, 0.42, 0.42], score: 0.85 }],
            strategy: { naive: { a, b: 100, c: 100 } },
          },
        },
        limit: 3,
      });
    const nearest = await q.query(name, { query: TARGET, limit: 3 });
    expect(await feedback(1)).toEqual(nearest);
    const doubled = await feedback(2);
    expect(doubled.points.map((p) => p.id)).toEqual(nearest.points.map((p) => p.id));
    for (const [i, p] of doubled.points.entries()) expect(p.score).toBeCloseTo(2 * nearest.points[i].score, 5);
  });

  it('refuses as Qdrant does: a missing example, no feedback, a negative b, an unknown field', async () => {
    const { name } = await collection();
    const http = qdrantHttp(gw);
    const query = (relevance_feedback: unknown) =>
      http.post(`/collections/${name}/points/query`, { query: { relevance_feedback } });
    const naive = { naive: { a: 0.12, b: 1.25, c: 0.99 } };
    expectQdrantError(
      await query({ target: TARGET, feedback: [{ example: 10000, score: 0.85 }], strategy: naive }),
      404,
      /^Not found: No point with id 10000 found$/,
    );
    expectQdrantError(
      await query({ target: TARGET, feedback: [], strategy: naive }),
      422,
      /feedback elements must be non-empty/,
    );
    expectQdrantError(
      await query({
        target: TARGET,
        feedback: [{ example: 1, score: 0.85 }],
        strategy: { naive: { a: 1, b: -1, c: 1 } },
      }),
      422,
      /^Validation error in JSON body: \[internal\.query\.relevance_feedback\.strategy\.naive\.b: value -1\.0 invalid, must be 0\.0 or larger\]$/,
    );
    expectQdrantError(
      await query({ target: TARGET, feedback: [{ example: 1, score: 0.85, weight: 1 }], strategy: naive }),
      400,
      /unknown field `weight`/,
    );
    expectQdrantError(await query({ target: TARGET, feedback: [] }), 400, /missing field `strategy`/);
  });
});
