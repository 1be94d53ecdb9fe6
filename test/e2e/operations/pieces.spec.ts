import { ConfigError } from '../../../src/config/load-config';
import { loadOperationsOptions } from '../../../src/operations/operations-options';
import { protocolOf } from '../../../src/protocols/protocols';
import { requestIdFrom } from '../../../src/operations/request-id';

describe('operations: the small pieces', () => {
  it('sorts paths into protocols as the error renderers do', () => {
    expect(protocolOf('/api/v2/heartbeat')).toBe('chroma');
    expect(protocolOf('/api/v1/anything')).toBe('chroma');
    expect(protocolOf('/indexes')).toBe('pinecone');
    expect(protocolOf('/indexes/movies/query')).toBe('pinecone');
    expect(protocolOf('/collections/docs/search')).toBe('vectorizer');
    expect(protocolOf('/insert_vectors')).toBe('vectorizer');
    expect(protocolOf('/qdrant/collections/x/points')).toBe('vectorizer');
    expect(protocolOf('/healthz')).toBe('other');
    expect(protocolOf('/metrics')).toBe('other');
    expect(protocolOf('/indexesx')).toBe('other');
  });

  it('keeps a safe request id and replaces anything else', () => {
    expect(requestIdFrom('Req-1.2_3')).toBe('Req-1.2_3');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'x'.repeat(129), 'a b', 'a/b', 'a\nb', '<script>'])
      expect(requestIdFrom(bad)).not.toBe(bad);
  });

  it('reads its options from the environment, strictly', () => {
    expect(loadOperationsOptions({})).toEqual({ logLevel: 'info', readyTimeoutMs: 2_000, shutdownTimeoutMs: 10_000 });
    expect(
      loadOperationsOptions({
        LOG_LEVEL: ' DEBUG ',
        VECGATE_READY_TIMEOUT_MS: '500',
        VECGATE_SHUTDOWN_TIMEOUT_MS: '30000',
      }),
    ).toEqual({
      logLevel: 'debug',
      readyTimeoutMs: 500,
      shutdownTimeoutMs: 30_000,
    });
    expect(() => loadOperationsOptions({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadOperationsOptions({ VECGATE_READY_TIMEOUT_MS: '0' })).toThrow(
      /VECGATE_READY_TIMEOUT_MS must be a number of milliseconds between 1 and 60000/,
    );
    expect(() => loadOperationsOptions({ VECGATE_SHUTDOWN_TIMEOUT_MS: '10s' })).toThrow(ConfigError);
  });
});
