import { http, type TestGateway } from '../../support/gateway';
import { createDense, pineconeClient, prng } from '../../support/pinecone';
import { qdrantClient } from '../qdrant/qdrant-helpers';

/** One collection of each protocol, with records the console tests browse (no spec file: jest ignores it). */
export const SEED = {
  chroma: 'films',
  pinecone: 'catalog',
  vectorizer: 'notes',
  qdrant: 'points',
  bulk: 'bulk',
} as const;

/** A document and metadata made to run script if they were ever rendered as HTML: the console must show them as text. */
export const HOSTILE_DOCUMENT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
export const HOSTILE_METADATA = { genre: 'jazz', note: '<b onmouseover="window.__pwned=3">bold</b>' };

export const BULK_RECORDS = 6000;
const GENRES = ['jazz', 'rock', 'pop'];
const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database/collections';

async function ok(res: Promise<Awaited<ReturnType<typeof http>>>, what: string) {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r;
}

/** Chroma records near one of three centres: a projection shows three clusters. */
function clustered(i: number, dim: number, random: () => number): number[] {
  const centre = i % 3;
  return Array.from({ length: dim }, (_, d) => (d % 3 === centre ? 1 : 0) + (random() - 0.5) * 0.2);
}

export async function seedConsole(gw: TestGateway, { bulk = true } = {}): Promise<Record<keyof typeof SEED, string>> {
  const random = prng(7);
  // Chroma: films, with a hostile record among them.
  const films = await ok(http(gw.url, 'POST', CHROMA, { name: SEED.chroma }), 'chroma collection');
  const ids = Array.from({ length: 30 }, (_, i) => `film-${String(i).padStart(2, '0')}`);
  await ok(
    http(gw.url, 'POST', `${CHROMA}/${films.body.id}/add`, {
      ids: [...ids, 'hostile'],
      embeddings: [...ids.map((_, i) => clustered(i, 3, random)), [0.5, 0.5, 0.5]],
      documents: [...ids.map((_, i) => `A ${GENRES[i % 3]} film, number ${i}`), HOSTILE_DOCUMENT],
      metadatas: [...ids.map((_, i) => ({ genre: GENRES[i % 3], year: 1990 + i })), HOSTILE_METADATA],
    }),
    'chroma add',
  );
  // Pinecone: an index with two namespaces.
  const pc = pineconeClient(gw);
  await createDense(pc, SEED.pinecone, 4, 'cosine');
  const index = pc.index({ name: SEED.pinecone });
  for (const [ns, n] of [
    ['ns-a', 10],
    ['ns-b', 5],
  ] as const)
    await index.namespace(ns).upsert({
      records: Array.from({ length: n }, (_, i) => ({
        id: `${ns}-${i}`,
        values: [1 + i, 1, random(), random()],
        metadata: { genre: GENRES[i % 3], rank: i },
      })),
    });
  // Vectorizer: a collection with payloads.
  await ok(http(gw.url, 'POST', '/collections', { name: SEED.vectorizer, dimension: 3 }), 'vectorizer collection');
  await ok(
    http(gw.url, 'POST', '/insert_vectors', {
      collection: SEED.vectorizer,
      vectors: Array.from({ length: 12 }, (_, i) => ({
        id: `note-${i}`,
        embedding: clustered(i, 3, random),
        payload: { genre: GENRES[i % 3], page: i },
      })),
    }),
    'vectorizer insert',
  );
  // Qdrant: a collection of points with payloads.
  const q = await qdrantClient(gw);
  await q.createCollection(SEED.qdrant, { vectors: { size: 3, distance: 'Cosine' } });
  await q.upsert(SEED.qdrant, {
    wait: true,
    points: Array.from({ length: 9 }, (_, i) => ({
      id: i + 1,
      vector: clustered(i, 3, random),
      payload: { genre: GENRES[i % 3], text: `point ${i}` },
    })),
  });
  // Chroma: a collection big enough for an HNSW index, for explaining a narrow and a broad filter.
  if (bulk) {
    const big = await ok(http(gw.url, 'POST', CHROMA, { name: SEED.bulk }), 'bulk collection');
    for (let start = 0; start < BULK_RECORDS; start += 1000) {
      const part = Array.from({ length: 1000 }, (_, k) => start + k);
      await ok(
        http(gw.url, 'POST', `${CHROMA}/${big.body.id}/add`, {
          ids: part.map((i) => `r${i}`),
          embeddings: part.map((i) => clustered(i, 8, random)),
          documents: part.map((i) => `record ${i}`),
          metadatas: part.map((i) => ({ bucket: i % 100, kind: GENRES[i % 3] })),
        }),
        'bulk add',
      );
    }
  }
  const tenants = await ok(http(gw.url, 'GET', '/console/api/tenants'), 'console tenants');
  const byName = new Map<string, string>();
  for (const t of tenants.body) for (const d of t.databases) for (const c of d.collections) byName.set(c.name, c.id);
  return Object.fromEntries(Object.entries(SEED).map(([k, name]) => [k, byName.get(name) ?? ''])) as Record<
    keyof typeof SEED,
    string
  >;
}
