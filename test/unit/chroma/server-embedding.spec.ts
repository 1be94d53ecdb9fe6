import type { Collection } from '../../../src/core/collections/collection.model';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import { InferenceService } from '../../../src/inference/inference.service';
import { ChromaInferenceService, modelCandidates } from '../../../src/protocols/chroma/chroma-inference.service';

/** The rule that maps a Chroma collection's embedding function to a model the operator mapped. */
const inference = new InferenceService(
  parseInferenceConfig({
    providers: {
      local: { kind: 'ollama', url: 'http://127.0.0.1:1' },
      tei: { kind: 'tei', url: 'http://127.0.0.1:1' },
    },
    models: {
      'nomic-embed-text': { provider: 'local', dimension: 8 },
      'text-embedding-3-small': { provider: 'local', model: 'nomic-embed-text', dimension: 8 },
      'bge-reranker': { type: 'rerank', provider: 'tei' },
      chroma_bm25: { provider: 'vecgate-bm25' },
    },
  }),
);
const chroma = new ChromaInferenceService(inference);

function collection(extras: Record<string, unknown>, schema: unknown = null): Collection {
  return { name: 'c', extras, schema } as unknown as Collection;
}

describe('Chroma server-side embedding: which model a collection embeds with', () => {
  it('tries config.model_name, config.model, then the name, once each', () => {
    expect(
      modelCandidates({ type: 'known', name: 'openai', config: { model_name: 'text-embedding-3-small', model: 'x' } }),
    ).toEqual({ functionName: 'openai', names: ['text-embedding-3-small', 'x', 'openai'] });
    expect(modelCandidates({ type: 'known', name: 'nomic-embed-text' })).toEqual({
      functionName: 'nomic-embed-text',
      names: ['nomic-embed-text'],
    });
    expect(modelCandidates({ type: 'known', name: 'm', config: { model_name: 'm', model: 7 } }).names).toEqual(['m']);
  });

  it.each([
    ['legacy', { type: 'legacy' }],
    ['unknown', { type: 'unknown' }],
    ['no name', { type: 'known', config: { model_name: 'nomic-embed-text' } }],
    ['not an object', 'openai'],
    ['null', null],
  ])('names nothing for %s', (_, ef) => {
    expect(modelCandidates(ef)).toEqual({ functionName: null, names: [] });
  });

  it('takes the first dense embedding model mapped, passing over rerank and sparse ones', () => {
    const dense = (ef: unknown) => chroma.denseFunction(collection({ embedding_function: ef }));
    expect(dense({ type: 'known', name: 'openai', config: { model_name: 'text-embedding-3-small' } }).model?.name).toBe(
      'text-embedding-3-small',
    );
    expect(
      dense({ type: 'known', name: 'nomic-embed-text', config: { model_name: 'bge-reranker', model: 'chroma_bm25' } })
        .model?.name,
    ).toBe('nomic-embed-text');
    const unmapped = dense({ type: 'known', name: 'openai', config: { model_name: 'text-embedding-3-large' } });
    expect(unmapped).toEqual({ model: null, functionName: 'openai', tried: ['text-embedding-3-large', 'openai'] });
    expect(chroma.denseFunction(collection({}))).toEqual({ model: null, functionName: null, tried: [] });
  });

  it('reads the sparse index of the schema: its key, source and sparse model', () => {
    const schema = (config: Record<string, unknown>) => ({
      defaults: {},
      keys: { bm25: { sparse_vector: { sparse_vector_index: { enabled: true, config } } } },
    });
    const bm25 = { type: 'known', name: 'chroma_bm25', config: { k: 1.2 } };
    const found = chroma.sparseFunction(collection({}, schema({ source_key: '#document', embedding_function: bm25 })));
    expect(found).toMatchObject({ key: 'bm25', source: '#document', resolved: { model: { name: 'chroma_bm25' } } });
    expect(found?.resolved.model?.vectorType).toBe('sparse');
    // A dense model named for a sparse index is no sparse model.
    const dense = chroma.sparseFunction(
      collection({}, schema({ embedding_function: { type: 'known', name: 'nomic-embed-text' } })),
    );
    expect(dense).toMatchObject({ key: 'bm25', source: null, resolved: { model: null } });
    expect(chroma.sparseFunction(collection({}))).toBeNull();
  });
});
