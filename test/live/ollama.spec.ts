import { parseInferenceConfig } from '../../src/inference/inference-options';
import { startGateway, type TestGateway } from '../support/gateway';
import { createForModel, indexName, pineconeClient } from '../support/pinecone';

/**
 * docs/inference.md's Ollama example against a real Ollama: `OLLAMA_URL=http://127.0.0.1:11434
 * npm run test:live` (OLLAMA_EMBED_MODEL picks the model, nomic-embed-text by default). Its own
 * tier, outside `npm test`: CI has no Ollama, and a suite that skips itself is a test that
 * cannot fail. Without OLLAMA_URL it fails and says what to set.
 */
const OLLAMA_URL = process.env.OLLAMA_URL?.trim();
const MODEL = process.env.OLLAMA_EMBED_MODEL?.trim() || 'nomic-embed-text';

describe(`integrated inference with a real Ollama (${MODEL})`, () => {
  let gw: TestGateway;

  beforeAll(async () => {
    if (!OLLAMA_URL) throw new Error('set OLLAMA_URL (e.g. http://127.0.0.1:11434) to a running Ollama');
    // The model's dimension, from Ollama itself.
    const probe = await fetch(`${OLLAMA_URL}/api/embed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, input: ['probe'] }),
    });
    if (!probe.ok) throw new Error(`Ollama at ${OLLAMA_URL} answered ${probe.status} for ${MODEL}: pull it first`);
    const dimension = ((await probe.json()) as { embeddings: number[][] }).embeddings[0].length;
    gw = await startGateway({
      inference: parseInferenceConfig({
        providers: { local: { kind: 'ollama', url: OLLAMA_URL, timeout_ms: 120_000 } },
        models: { 'llama-text-embed-v2': { provider: 'local', model: MODEL, dimension } },
      }),
    });
  });

  afterAll(async () => {
    await gw?.close();
  });

  it('answers the docs’ question with the record about birds that do not fly', async () => {
    const name = indexName('ollama');
    const created = await createForModel(gw.url, name);
    expect(created.status).toBe(201);
    const ns = pineconeClient(gw).index({ name }).namespace('demo');
    await ns.upsertRecords({
      records: [
        { _id: 'rec1', chunk_text: 'The Eiffel Tower is in Paris.', category: 'landmark' },
        { _id: 'rec2', chunk_text: 'Penguins are birds that cannot fly.', category: 'animal' },
      ],
    });
    const { result } = await ns.searchRecords({ query: { topK: 1, inputs: { text: 'Which birds do not fly?' } } });
    expect(result.hits[0]._id).toBe('rec2');
  });
});
