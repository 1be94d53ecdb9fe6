import { Document } from '@langchain/core/documents';
import { SyntheticEmbeddings } from '@langchain/core/utils/testing';
import { QdrantVectorStore as LangChainQdrant } from '@langchain/qdrant';
import { BaseEmbedding } from '@llamaindex/core/embeddings';
import { TextNode } from '@llamaindex/core/schema';
import { VectorStoreQueryMode } from '@llamaindex/core/vector-store';
import { QdrantVectorStore as LlamaQdrant } from '@llamaindex/qdrant';
import { gatewayForFile } from '../../support/gateway';
import { collectionName, qdrantHttp } from './qdrant-helpers';

/**
 * The framework integrations Qdrant's users move with, unchanged and as their docs show them,
 * pointed at the gateway's Qdrant port: @langchain/qdrant and @llamaindex/qdrant.
 */
describe('Qdrant integrations: @langchain/qdrant and @llamaindex/qdrant', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  // Deterministic vectors from each text: the same text embeds the same, so it finds itself.
  const embeddings = new SyntheticEmbeddings({ vectorSize: 16 });

  const docs = [
    new Document({ pageContent: 'Postgres keeps the vectors', metadata: { topic: 'db', n: 1 } }),
    new Document({ pageContent: 'Qdrant clients talk to port 6333', metadata: { topic: 'api', n: 2 } }),
    new Document({ pageContent: 'LangChain stores documents with their metadata', metadata: { topic: 'lib', n: 3 } }),
  ];

  it('LangChain: fromDocuments, similaritySearch(WithScore), a filter, MMR, fromExistingCollection, delete', async () => {
    const name = collectionName('langchain');
    const store = await LangChainQdrant.fromDocuments(docs, embeddings, { url: gw.qdrantUrl, collectionName: name });
    const [top] = await store.similaritySearch('Qdrant clients talk to port 6333', 1);
    expect(top.pageContent).toBe('Qdrant clients talk to port 6333');
    expect(top.metadata).toEqual({ topic: 'api', n: 2 });
    const scored = await store.similaritySearchWithScore('Postgres keeps the vectors', 3);
    expect(scored[0][0].pageContent).toBe('Postgres keeps the vectors');
    expect(scored[0][1]).toBeCloseTo(1, 5);
    expect(scored.map(([, s]) => s)).toEqual([...scored.map(([, s]) => s)].sort((a, b) => b - a));
    const filtered = await store.similaritySearch('Postgres keeps the vectors', 3, {
      must: [{ key: 'metadata.topic', match: { value: 'lib' } }],
    });
    expect(filtered.map((d) => d.metadata.n)).toEqual([3]);
    const diverse = await store.maxMarginalRelevanceSearch('Postgres keeps the vectors', {
      k: 2,
      fetchK: 3,
      lambda: 0.5,
    });
    expect(diverse).toHaveLength(2);
    expect(diverse[0].pageContent).toBe('Postgres keeps the vectors');

    const again = await LangChainQdrant.fromExistingCollection(embeddings, { url: gw.qdrantUrl, collectionName: name });
    const ids = ['5c56c793-69f3-4fbf-87e6-c4bf54c28c26'];
    await again.addDocuments([new Document({ pageContent: 'one more', metadata: { topic: 'x' } })], { ids });
    expect((await again.similaritySearch('one more', 1))[0].metadata).toEqual({ topic: 'x' });
    await again.delete({ ids });
    expect((await again.similaritySearch('one more', 4)).map((d) => d.pageContent)).not.toContain('one more');
    const count = await qdrantHttp(gw).post(`/collections/${name}/points/count`, {});
    expect(count.body.result.count).toBe(3);
  });

  it('LlamaIndex: add nodes with embeddings, query them with a metadata filter, delete by document', async () => {
    const name = collectionName('llama');
    // LlamaIndex asks every vector store for an embedding model; the nodes here come embedded.
    class Synthetic extends BaseEmbedding {
      constructor() {
        super();
      }
      getTextEmbedding(text: string): Promise<number[]> {
        return embeddings.embedQuery(text);
      }
    }
    const store = new LlamaQdrant({ url: gw.qdrantUrl, collectionName: name, embeddingModel: new Synthetic() });
    const texts = ['vectors in Postgres', 'a gateway for Qdrant clients', 'indexes built in the background'];
    const vectors = await embeddings.embedDocuments(texts);
    const nodes = texts.map(
      (text, i) =>
        new TextNode({
          text,
          embedding: vectors[i],
          metadata: { part: i % 2 === 0 ? 'even' : 'odd' },
          relationships: { SOURCE: { nodeId: `doc-${i}` } } as never,
        }),
    );
    const ids = await store.add(nodes);
    expect(ids).toHaveLength(3);
    const result = await store.query({
      queryEmbedding: vectors[1],
      similarityTopK: 2,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    expect(result.ids[0]).toBe(nodes[1].id_);
    expect(result.similarities[0]).toBeCloseTo(1, 5);
    expect((result.nodes![0] as TextNode).text).toBe('a gateway for Qdrant clients');
    const even = await store.query({
      queryEmbedding: vectors[1],
      similarityTopK: 3,
      mode: VectorStoreQueryMode.DEFAULT,
      filters: { filters: [{ key: 'part', value: 'even', operator: '==' }] },
    } as never);
    expect(even.ids.sort()).toEqual([nodes[0].id_, nodes[2].id_].sort());
    await store.delete('doc-0');
    const left = await store.query({
      queryEmbedding: vectors[0],
      similarityTopK: 3,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    expect(left.ids).not.toContain(nodes[0].id_);
    expect(left.ids).toHaveLength(2);
  });
});
