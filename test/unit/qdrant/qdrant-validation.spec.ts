import { QdrantHttpError } from '../../../src/protocols/qdrant/qdrant-error';
import { endpointOf } from '../../../src/protocols/qdrant/qdrant-request-stats';
import { checkQdrantRequest } from '../../../src/protocols/qdrant/qdrant-validation';

/** The error checkQdrantRequest throws, as status and words. */
function refusal(method: string, endpoint: string, body: unknown, query: Record<string, unknown> = {}, name = 'c') {
  try {
    checkQdrantRequest(method, endpoint, { name }, query, body);
  } catch (err) {
    if (err instanceof QdrantHttpError) return [err.status, err.message];
    throw err;
  }
  return undefined;
}

describe('Qdrant endpoint names', () => {
  it('names a route as Qdrant names its endpoint', () => {
    expect(endpointOf('/_qdrant')).toBe('/');
    expect(endpointOf('/_qdrant/collections/:name/points')).toBe('/collections/{collection_name}/points');
    expect(endpointOf('/_qdrant/collections/:name/vectors/:vector')).toBe(
      '/collections/{collection_name}/vectors/{vector_name}',
    );
    expect(endpointOf('/_qdrant/collections/:name/snapshots/:snapshot')).toBe(
      '/collections/{collection_name}/snapshots/{snapshot_name}',
    );
  });
});

describe('Qdrant request checks', () => {
  const create = 'PUT';
  const collection = '/collections/{collection_name}';

  it('lets a request that fits through', () => {
    expect(refusal(create, collection, { vectors: { size: 2, distance: 'Dot' }, shard_number: 1 })).toBeUndefined();
    expect(refusal('POST', `${collection}/points/query`, { query: { recommend: { negative: [1] } } })).toBeUndefined();
  });

  it('lists every fault of the body, in Qdrant’s words', () => {
    expect(
      refusal(create, collection, {
        replication_factor: 0,
        wal_config: { wal_capacity_mb: 0 },
        optimizers_config: { deleted_threshold: 1.5, vacuum_min_vector_number: 10 },
      }),
    ).toEqual([
      422,
      'Validation error in JSON body: [replication_factor: value 0 invalid, must be 1 or larger; ' +
        'wal_config.wal_capacity_mb: value 0 invalid, must be 1 or larger; ' +
        'optimizers_config.deleted_threshold: value 1.5 invalid, must be from 0.0 to 1.0; ' +
        'optimizers_config.vacuum_min_vector_number: value 10 invalid, must be 100 or larger]',
    ]);
  });

  it('answers what serde cannot read with a 400 before any validation fault', () => {
    expect(refusal(create, collection, { shard_number: 0, write_consistency_factor: -2 })).toEqual([
      400,
      'Format error in JSON body: write_consistency_factor: invalid value: integer `-2`, expected u32',
    ]);
    expect(refusal('PATCH', collection, { params: { replication_factor: 0 } })).toEqual([
      400,
      'Format error in JSON body: params.replication_factor: invalid value: integer `0`, expected a nonzero u32',
    ]);
  });

  it('checks the path first, then the body, then the query', () => {
    expect(refusal(create, collection, { shard_number: 0 }, { timeout: '0' }, '')).toEqual([
      422,
      'Validation error in path parameters: [collection_name: value "" invalid, must be from 1 to 255 characters]',
    ]);
    expect(refusal(create, collection, { shard_number: 0 }, { timeout: '0' })?.[1]).toMatch(
      /^Validation error in JSON body/,
    );
    expect(refusal(create, collection, {}, { timeout: '0' })).toEqual([
      422,
      'Validation error in query parameters: [timeout: value 0 invalid, must be 1 or larger]',
    ]);
    // A name an existing collection may hold is refused only where a new one is made.
    expect(refusal('GET', collection, undefined, {}, 'a:b')).toBeUndefined();
    expect(refusal(create, collection, {}, {}, 'a:b')?.[0]).toBe(422);
  });

  it('checks sparse vectors in a batch form and nested prefetches', () => {
    expect(
      refusal('PUT', `${collection}/points`, {
        batch: { ids: [1], vectors: { s: [{ indices: [1, 1], values: [1, 2] }] } },
      }),
    ).toEqual([
      422,
      'Validation error in JSON body: [batch.vectors.?[0].indices: Validation error: must be unique [{}]]',
    ]);
    expect(
      refusal('POST', `${collection}/points/query/batch`, {
        searches: [{ prefetch: { prefetch: [{ params: { hnsw_ef: 0 } }] } }],
      }),
    ).toEqual([
      422,
      'Validation error in JSON body: [searches[0].internal.prefetch[0].prefetch[0].params.hnsw_ef: value 0 invalid, must be 1 or larger]',
    ]);
  });
});
