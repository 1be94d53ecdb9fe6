import { readFileSync } from 'node:fs';
import { http, gatewayForFile } from '../../support/gateway';
import { prng } from '../../support/pinecone';

/**
 * Rank expressions are hostile input: a 130-byte search of `$exp` nested nine deep made one
 * Postgres backend plan in 22 GB until the kernel killed it, and with it every connection of the
 * server. Each operand is now compiled once, so the SQL grows linearly with the expression, and
 * the expression's size, its nesting and its group_by are bounded. These tests run the worst
 * expressions the bounds let through while they watch the database's memory, and check that what
 * is past the bounds is a clear 400 that runs nothing.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const DIM = 4;
const next = prng(32);
const ROWS = Array.from({ length: 40 }, (_, i) => ({
  id: `r${i}`,
  embedding: Array.from({ length: DIM }, () => Math.round(next() * 1000) / 1000),
}));
const Q = [0.2, 0.4, 0.6, 0.8];
const l2 = (a: number[], b: number[]) => a.reduce((s, x, k) => s + (x - b[k]) ** 2, 0);
/** The 10 nearest records and their squared L2 distances, as the knn of every expression below finds them. */
const NEAREST = ROWS.map((r, n) => ({ id: r.id, m: l2(r.embedding, Q), n }))
  .sort((a, b) => a.m - b.m || a.n - b.n)
  .slice(0, 10);

type Rank = Record<string, unknown>;
const knn: Rank = { $knn: { query: Q, limit: 10 } };
const val = (v: number): Rank => ({ $val: v });
const exp = (r: Rank): Rank => ({ $exp: r });
const log = (r: Rank): Rank => ({ $log: r });

/** `r` wrapped `times` times by `wrap`. */
function nest(r: Rank, times: number, wrap: (r: Rank, level: number) => Rank): Rank {
  for (let i = 0; i < times; i++) r = wrap(r, i);
  return r;
}

/** Operators that each keep a distance (a value in [0, 4)) as it is, taking turns. */
const keeping = [
  (r: Rank): Rank => log(exp(r)),
  (r: Rank): Rank => ({ $div: { left: r, right: val(1) } }),
  (r: Rank): Rank => ({ $sum: [r, val(0)] }),
  (r: Rank): Rank => ({ $max: [r, val(-1)] }),
  (r: Rank): Rank => ({ $min: [val(100), r] }),
  (r: Rank): Rank => ({ $mul: [r, val(1)] }),
  (r: Rank): Rank => ({ $sub: { left: r, right: val(0) } }),
  (r: Rank): Rank => ({ $abs: r }),
];

/** Peak resident memory (VmHWM) of each Postgres backend serving the gateway's database, in kB. */
async function backendPeaks(gw: ReturnType<typeof gatewayForFile>): Promise<Map<number, number>> {
  const { rows } = await gw.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const peaks = new Map<number, number>();
  for (const { pid } of rows) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    peaks.set(pid, Number(/VmHWM:\s+(\d+)/.exec(status)![1]));
  }
  return peaks;
}

describe('Search API: rank expressions within bounds', () => {
  const gw = gatewayForFile();
  let search: string;

  beforeAll(async () => {
    const created = await http(gw.url, 'POST', `${P}/collections`, { name: 'expressions' });
    search = `${P}/collections/${created.body.id}/search`;
    const add = await http(gw.url, 'POST', `${P}/collections/${created.body.id}/add`, {
      ids: ROWS.map((r) => r.id),
      embeddings: ROWS.map((r) => r.embedding),
    });
    expect(add.status).toBe(201);
  });

  const ranked = (rank: Rank) =>
    http(gw.url, 'POST', search, { searches: [{ rank, limit: { limit: 10 }, select: { keys: ['#score'] } }] });

  it('computes deeply nested expressions in bounded memory, with the right scores', async () => {
    const expressions: [string, Rank][] = [
      // The cases: seven levels of $exp planned in 2.2 GB, nine in 22 GB.
      ['$log($exp(...)) 9 pairs', nest(knn, 9, (r) => log(exp(r)))],
      ['$log($exp(...)) 58 pairs', nest(knn, 58, (r) => log(exp(r)))],
      ['$div nested 60 deep', nest(knn, 60, keeping[1])],
      ['every operator in turn, 56 deep', nest(knn, 56, (r, level) => keeping[level % keeping.length](r))],
    ];
    const before = gw.backend === 'postgres' ? await backendPeaks(gw) : undefined;
    const rssBefore = process.memoryUsage().rss;
    for (const [what, rank] of expressions) {
      const res = await ranked(rank);
      expect({ what, status: res.status }).toEqual({ what, status: 200 });
      expect(res.body.ids[0]).toEqual(NEAREST.map((e) => e.id));
      NEAREST.forEach((e, i) => expect(res.body.scores[0][i]).toBeCloseTo(e.m, 4));
    }
    if (before) {
      // Each backend's peak grew by a few megabytes at most: the copies that took gigabytes are gone.
      const after = await backendPeaks(gw);
      const growthKb = Math.max(0, ...[...after].map(([pid, peak]) => peak - (before.get(pid) ?? 0)));
      expect(growthKb).toBeLessThan(200 * 1024);
    } else {
      // Embedded, the database is this process's WebAssembly memory, which never shrinks once grown.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
    }
  });

  it('computes the largest expression the bounds allow', async () => {
    // 256 nodes: a $sum of the 16 knns a rank may hold, each as $exp($log($sum(knn, 0))), of 87
    // terms $exp(0) and of one 0.
    const terms = [
      ...Array.from({ length: 16 }, () => exp(log({ $sum: [knn, val(0)] }))),
      ...Array.from({ length: 87 }, () => exp(val(0))),
      val(0),
    ];
    const res = await ranked({ $sum: terms });
    expect(res.status).toBe(200);
    expect(res.body.ids[0]).toEqual(NEAREST.map((e) => e.id));
    NEAREST.forEach((e, i) => expect(res.body.scores[0][i]).toBeCloseTo(16 * e.m + 87, 3));
  });
});

describe('Search API: rank expressions past the bounds', () => {
  const gw = gatewayForFile();
  let search: string;
  let count: string;

  beforeAll(async () => {
    const created = await http(gw.url, 'POST', `${P}/collections`, { name: 'bounds' });
    search = `${P}/collections/${created.body.id}/search`;
    count = `${P}/collections/${created.body.id}/count`;
    await http(gw.url, 'POST', `${P}/collections/${created.body.id}/add`, {
      ids: ROWS.map((r) => r.id),
      embeddings: ROWS.map((r) => r.embedding),
      metadatas: ROWS.map((_, i) => ({ group: i % 4 })),
    });
  });

  it("refuses a body nested past Chroma's JSON limit in Chroma's words, however deep", async () => {
    for (const depth of [122, 10_000, 100_000]) {
      // Written out by hand: JSON.stringify itself runs out of stack on such a value.
      const body = `{"searches":[{"rank":${'{"$exp":'.repeat(depth)}${JSON.stringify(knn)}${'}'.repeat(depth)}}]}`;
      const res = await http(gw.url, 'POST', search, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('InvalidArgumentError');
      expect(res.body.message).toMatch(
        /^Failed to parse the request body as JSON: searches\[0\]\.rank(\.\$exp)+.*: recursion limit exceeded$/,
      );
    }
    // One level less is within the limit (127 nested arrays and objects, as serde_json counts them).
    const deepest = await http(gw.url, 'POST', search, {
      searches: [{ rank: nest(knn, 121, exp), limit: { limit: 1 } }],
    });
    expect(deepest.status).toBe(200);
  });

  it('refuses an expression of more than 256 nodes before running it', async () => {
    const terms = Array.from({ length: 256 }, () => knn);
    const res = await http(gw.url, 'POST', search, { searches: [{ rank: { $sum: terms } }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'A rank expression may hold at most 256 operators, values and $knn; this one has more',
    });
    const wide = await http(gw.url, 'POST', search, {
      searches: [{ rank: { $sum: [knn, ...Array.from({ length: 100_000 }, () => val(1))] } }],
    });
    expect(wide.status).toBe(400);
  });

  it('refuses a group_by of more than 32 keys', async () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${i}`);
    for (const [groupKeys, orderKeys] of [
      [keys, ['#score']],
      [['group'], keys],
      [keys.slice(0, 33), ['#score']],
    ]) {
      const res = await http(gw.url, 'POST', search, {
        searches: [{ rank: knn, group_by: { keys: groupKeys, aggregate: { $min_k: { keys: orderKeys, k: 1 } } } }],
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('InvalidArgumentError');
      expect(res.body.message).toMatch(/^A group_by may name at most 32 keys and 32 aggregate keys/);
    }
    const most = await http(gw.url, 'POST', search, {
      searches: [
        {
          rank: knn,
          group_by: {
            keys: keys.slice(0, 32),
            aggregate: { $min_k: { keys: ['#score', ...keys.slice(0, 31)], k: 1 } },
          },
          limit: { limit: 3 },
        },
      ],
    });
    expect(most.status).toBe(200);
    // Every record lacks the keys k0..k31, so all fall in one group, which keeps its best one.
    expect(most.body.ids[0]).toEqual([NEAREST[0].id]);
    expect((await http(gw.url, 'GET', count)).body).toBe(ROWS.length);
  });
});
