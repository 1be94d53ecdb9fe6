import {
  InferenceConfigError,
  loadInferenceOptions,
  parseInferenceConfig,
} from '../../../src/inference/inference-options';
import { bm25, words } from '../../../src/inference/providers/bm25';
import { ConfigError, loadConfig } from '../../../src/config/load-config';

const LOCAL = { local: { kind: 'ollama', url: 'http://127.0.0.1:11434' } };

describe('the inference configuration', () => {
  it('offers vecgate-bm25 alone when nothing is configured', () => {
    const options = loadInferenceOptions({});
    expect([...options.models.keys()]).toEqual(['vecgate-bm25']);
    expect(options.models.get('vecgate-bm25')).toMatchObject({ type: 'embed', vectorType: 'sparse', provider: null });
  });

  it('maps names to providers with their defaults, and reads keys from the environment', () => {
    const options = parseInferenceConfig(
      {
        providers: { ...LOCAL, paid: { kind: 'cohere', api_key_env: 'COHERE_KEY', concurrency: 2 } },
        models: {
          'llama-text-embed-v2': { provider: 'local', model: 'nomic-embed-text', dimension: 768 },
          'rerank-v3.5': { type: 'rerank', provider: 'paid' },
          'qdrant/bm25': { provider: 'vecgate-bm25' },
        },
      },
      { COHERE_KEY: 'secret' },
    );
    expect(options.models.get('llama-text-embed-v2')).toMatchObject({
      providerModel: 'nomic-embed-text',
      dimension: 768,
      metric: 'cosine',
      provider: { kind: 'ollama', batchSize: 64, concurrency: 4, retries: 3 },
    });
    expect(options.models.get('rerank-v3.5')!.provider).toMatchObject({
      url: 'https://api.cohere.com',
      apiKey: 'secret',
      concurrency: 2,
    });
    expect(options.models.get('qdrant/bm25')).toMatchObject({ vectorType: 'sparse', provider: null });
  });

  it('keeps every provider’s key as a secret, a provider no model names included', () => {
    const options = parseInferenceConfig(
      {
        providers: { ...LOCAL, used: { kind: 'openai', api_key_env: 'A' }, unused: { kind: 'jina', api_key_env: 'B' } },
        models: { m: { provider: 'used', dimension: 3 } },
      },
      { A: 'key-a', B: 'key-b' },
    );
    expect(options.secrets.sort()).toEqual(['key-a', 'key-b']);
    expect(loadInferenceOptions({}).secrets).toEqual([]);
  });

  it.each([
    [{ providers: { x: { kind: 'other' } } }, 'providers.x.kind must be one of'],
    [{ providers: { x: { kind: 'tei' } } }, 'providers.x.url must be a non-empty string'],
    [{ providers: { x: { kind: 'tei', url: 'file:///etc' } } }, 'must be an http(s) URL'],
    [{ providers: { x: { kind: 'openai', api_key_env: 'UNSET_KEY' } } }, 'names UNSET_KEY, which is not set'],
    [{ providers: LOCAL, models: { m: { provider: 'local' } } }, 'models.m.dimension is required'],
    [{ providers: LOCAL, models: { m: { provider: 'nope', dimension: 3 } } }, 'providers does not declare'],
    [{ providers: LOCAL, models: { m: { type: 'rerank', provider: 'local' } } }, 'does not rerank'],
    [{ providers: LOCAL, models: { m: { provider: 'local', dimension: 3, metric: 'l1' } } }, 'metric must be'],
    [{ providers: LOCAL, models: { 'vecgate-bm25': { provider: 'local', dimension: 3 } } }, 'is built in'],
    [{ providers: LOCAL, models: { 'a b': { provider: 'local', dimension: 3 } } }, 'a model name is'],
    [{ providers: { x: { kind: 'tei', url: 'http://h', concurrency: 0 } } }, 'concurrency must be an integer'],
  ])('refuses %j', (config, message) => {
    expect(() => parseInferenceConfig(config, {})).toThrow(InferenceConfigError);
    expect(() => parseInferenceConfig(config, {})).toThrow(message);
  });

  it('stops the boot with the setting named', () => {
    expect(() => loadConfig({ VECGATE_INFERENCE_CONFIG: '{"providers": 3' })).toThrow(ConfigError);
    expect(() => loadConfig({ VECGATE_INFERENCE_CONFIG: '/no/such/file.json' })).toThrow(
      'VECGATE_INFERENCE_CONFIG: cannot read /no/such/file.json',
    );
  });
});

describe('vecgate-bm25', () => {
  it('drops stop words and weighs repeated words higher, with no IDF', () => {
    expect(words('The Penguins, the PENGUINS and 3 seals!')).toEqual(['penguins', 'penguins', '3', 'seals']);
    const passage = bm25('penguins penguins seals', 'passage');
    expect(passage.indices).toHaveLength(2);
    const [a, b] = passage.values;
    expect(Math.max(a, b)).toBeGreaterThan(Math.min(a, b));
    expect(passage.indices.every((i) => i >= 0 && i < 1e9)).toBe(true);
    const query = bm25('seals and penguins', 'query');
    expect(query.values).toEqual([1, 1]);
    expect([...query.indices].sort()).toEqual([...passage.indices].sort());
  });
});
