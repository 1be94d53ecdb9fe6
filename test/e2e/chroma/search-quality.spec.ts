import { ChromaBm25EmbeddingFunction } from '@chroma-core/chroma-bm25';
import {
  ChromaClient,
  type Collection,
  K,
  Knn,
  Rrf,
  Schema,
  Search,
  SparseVectorIndexConfig,
  VectorIndexConfig,
} from 'chromadb';
import { gatewayForFile } from '../../support/gateway';

/**
 * Does hybrid search earn its keep? A small corpus of public-domain fables (Aesop, retold in a
 * sentence each), a dense embedding built here (character trigrams hashed into 256 dimensions:
 * forgiving of typos and word forms, blind to which words matter) and BM25 (exact terms, weighted
 * by rarity, blind to misspellings). Each query has one relevant fable; some are misspelt, some
 * are a few telling words among common ones. Reciprocal rank fusion of the two must find the
 * relevant fable in its top 3 at least as often as either alone.
 */

const FABLES = [
  'The tortoise and the hare agreed to race, and the slow tortoise won because the hare slept',
  'The fox could not reach the grapes hanging high on the vine and called them sour',
  'The boy who cried wolf fooled the villagers so often that no one came when the wolf was real',
  'The ant worked all summer storing grain while the grasshopper sang, and in winter the grasshopper starved',
  'A lion spared a mouse, and later the mouse gnawed through the net that held the lion',
  'The crow dropped pebbles into the pitcher until the water rose high enough to drink',
  'The north wind and the sun argued over who could make a traveller take off his cloak',
  'The goose laid golden eggs, and the greedy farmer killed it to get all the gold at once',
  'A dog carrying meat saw its reflection in the river and lost the meat snapping at it',
  'The town mouse and the country mouse visited each other and each preferred their own home',
  'The frogs asked for a king and got a log, then a stork that ate them',
  'A wolf dressed in the skin of a sheep slipped into the flock',
  'The milkmaid dreamed of what her milk would buy and spilled the pail',
  'The oak was broken by the storm while the reeds bent and survived',
  'A shepherd boy kept watch over the sheep on the hill at night',
  'The cat was given a bell so the mice would hear her coming, but no mouse would hang it',
  'The donkey in the lion skin frightened the animals until he brayed',
  'A thirsty pigeon flew at a painted cup of water and broke its wings',
  'The miser buried his gold in the garden and a thief dug it up',
  'Two travellers met a bear; one climbed a tree and left his friend behind',
  'The fisherman caught a small fish that begged to be let go to grow bigger',
  'The bundle of sticks could not be broken together, though each stick snapped alone',
  'The peacock complained to the goddess that its voice was not as sweet as the nightingale',
  'A farmer warmed a frozen snake in his shirt and the snake bit him',
];

const QUERIES: [string, number][] = [
  // Every telling word misspelt: BM25 has nothing to match.
  ['tortise hair raceing', 0],
  ['crowe pebbels picher', 5],
  ['gooze goldun egs', 7],
  ['snaik frozn farmr', 23],
  ['peecock nitingale', 22],
  ['grasshoper ants wintr', 3],
  ['mizer berried gowld', 18],
  // Plain words.
  ['sour grape vines', 1],
  ['boy crying wolf villager', 2],
  ['ants and grasshoppers winter', 3],
  ['mouse gnaws the lions net', 4],
  ['crow pebbles pitcher', 5],
  ['wind versus sun cloak', 6],
  ['golden egg goose', 7],
  ['dog reflection meat', 8],
  ['town and country mice', 9],
  ['frogs wanted a king', 10],
  ['wolf in sheeps clothing', 11],
  ['spilled milk pail', 12],
  ['reeds bend in storms', 13],
  ['bell on the cat', 15],
  ['donkey wearing lion skin', 16],
  ['pigeon painted water', 17],
  ['miser bured gold', 18],
  ['bear friend climbed tree', 19],
  ['little fish let go', 20],
  ['bundle of sticks', 21],
  ['peacok voice nightingale', 22],
  ['frozen snake bit farmer', 23],
];

const DIM = 256;

/** Character trigrams of each word, hashed (FNV-1a) into DIM counts, L2-normalised. */
function trigramEmbedding(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const word of text
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean)) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      let h = 0x811c9dc5;
      for (const ch of padded.slice(i, i + 3)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
      v[(h >>> 0) % DIM] += 1;
    }
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

describe('Hybrid search quality (dense + BM25, fused by RRF)', () => {
  const gw = gatewayForFile();
  let coll: Collection;

  beforeAll(async () => {
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    const schema = new Schema()
      .createIndex(new VectorIndexConfig({ space: 'cosine' }))
      .createIndex(
        new SparseVectorIndexConfig({ sourceKey: K.DOCUMENT, embeddingFunction: new ChromaBm25EmbeddingFunction() }),
        'bm25',
      );
    coll = await client.createCollection({ name: 'fables', schema, embeddingFunction: null });
    await coll.add({
      ids: FABLES.map((_, i) => `f${i}`),
      embeddings: FABLES.map(trigramEmbedding),
      documents: FABLES,
    });
  });

  it('finds the relevant fable in the top 3 at least as often as dense or BM25 alone', async () => {
    const dense = (q: string) => Knn({ query: trigramEmbedding(q), limit: 20, returnRank: true, default: 1000 });
    const bm25 = (q: string) => Knn({ query: q, key: 'bm25', limit: 20, returnRank: true, default: 1000 });
    const ways = {
      dense: (q: string) => new Search().rank(dense(q)),
      bm25: (q: string) => new Search().rank(bm25(q)),
      hybrid: (q: string) => new Search().rank(Rrf({ ranks: [dense(q), bm25(q)] })),
    };
    const hits: Record<string, number> = { dense: 0, bm25: 0, hybrid: 0 };
    for (const [name, build] of Object.entries(ways)) {
      for (const [query, relevant] of QUERIES) {
        const result = await coll.search(build(query).limit(3));
        if (result.ids[0].includes(`f${relevant}`)) hits[name]++;
      }
    }
    console.log(`hit@3 over ${QUERIES.length} queries: ${JSON.stringify(hits)}`);
    expect(hits.hybrid).toBeGreaterThanOrEqual(hits.dense);
    expect(hits.hybrid).toBeGreaterThanOrEqual(hits.bm25);
    // Neither alone is perfect here, or the check would say nothing.
    expect(Math.min(hits.dense, hits.bm25)).toBeLessThan(QUERIES.length);
  });
});
