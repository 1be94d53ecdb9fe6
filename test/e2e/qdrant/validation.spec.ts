import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/**
 * Qdrant's rule for a request that does not fit: what cannot be read into its types is a 400, a
 * value its types' validation refuses a 422 naming the part and each field, before anything is
 * looked up (so whether the collection exists does not change the answer).
 */
describe('Qdrant validation: 400 or 422', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const q = () => qdrantHttp(gw);
  const body = (extra: Record<string, unknown> = {}) => ({ vectors: { size: 2, distance: 'Dot' }, ...extra });

  it('refuses a new collection’s counts and settings out of range with a 422 listing each, a negative count with a 400', async () => {
    const name = collectionName('val');
    expectQdrantError(
      await q().put(`/collections/${name}`, body({ shard_number: 0, hnsw_config: { ef_construct: 0 } })),
      422,
      /^Validation error in JSON body: \[shard_number: value 0 invalid, must be 1 or larger; hnsw_config\.ef_construct: value 0 invalid, must be 4 or larger\]$/,
    );
    for (const field of ['replication_factor', 'write_consistency_factor'])
      expectQdrantError(
        await q().put(`/collections/${name}`, body({ [field]: 0 })),
        422,
        new RegExp(`^Validation error in JSON body: \\[${field}: value 0 invalid, must be 1 or larger\\]$`),
      );
    expectQdrantError(
      await q().put(`/collections/${name}`, body({ shard_number: -1 })),
      400,
      /^Format error in JSON body: shard_number: invalid value: integer `-1`, expected u32$/,
    );
    expectQdrantError(
      await q().put(`/collections/${name}`, body({ optimizers_config: { deleted_threshold: 2 } })),
      422,
      /^Validation error in JSON body: \[optimizers_config\.deleted_threshold: value 2\.0 invalid, must be from 0\.0 to 1\.0\]$/,
    );
    // Nothing was made.
    expect((await q().get(`/collections/${name}/exists`)).body.result).toEqual({ exists: false });
    // The same on a collection that exists: the body is checked before the name is looked up.
    expect((await q().put(`/collections/${name}`, body())).status).toBe(200);
    expectQdrantError(
      await q().put(`/collections/${name}`, body({ hnsw_config: { ef_construct: 0 } })),
      422,
      /hnsw_config\.ef_construct: value 0 invalid/,
    );
    expectQdrantError(
      await q().patch(`/collections/${name}`, { hnsw_config: { full_scan_threshold: 1 } }),
      422,
      /^Validation error in JSON body: \[hnsw_config\.full_scan_threshold: value 1 invalid, must be 10 or larger\]$/,
    );
  });

  it('checks the collection name in the path and the timeout parameter', async () => {
    const long = 'x'.repeat(256);
    expectQdrantError(
      await q().get(`/collections/${long}/points/1`),
      422,
      new RegExp(
        `^Validation error in path parameters: \\[collection_name: value "${long}" invalid, must be from 1 to 255 characters\\]$`,
      ),
    );
    expectQdrantError(
      await q().put('/collections/a%3Ab', body()),
      422,
      /^Validation error in path parameters: \[collection_name: collection name cannot contain ":" char\]$/,
    );
    expectQdrantError(
      await q().put(`/collections/${collectionName('val')}?timeout=0`, body()),
      422,
      /^Validation error in query parameters: \[timeout: value 0 invalid, must be 1 or larger\]$/,
    );
    expectQdrantError(
      await q().post(`/collections/${collectionName('val')}/points/scroll?timeout=soon`, {}),
      400,
      /^Deserialize error in query parameters: invalid digit found in string$/,
    );
  });

  it('refuses sparse vectors whose values and indices differ, hnsw_ef 0 and a recommend without examples with a 422', async () => {
    const missing = collectionName('val');
    const sparse = { indices: [0, 1], values: [0.5] };
    expectQdrantError(
      await q().put(`/collections/${missing}/points/vectors`, { points: [{ id: 1, vector: { a: sparse } }] }),
      422,
      /^Validation error in JSON body: \[points\[0\]\.vector\.\?\.values: Validation error: must be the same length as indices \[\{\}\]\]$/,
    );
    expectQdrantError(
      await q().post(`/collections/${missing}/points/batch`, {
        operations: [{ upsert: { batch: { ids: [1], vectors: { a: [sparse] } } } }],
      }),
      422,
      /^Validation error in JSON body: \[operations\[0\]\.upsert\.batch\.vectors\.\?\[0\]\.values: /,
    );
    expectQdrantError(
      await q().post(`/collections/${missing}/points/query`, {
        query: [1, 0],
        params: { hnsw_ef: 0 },
        prefetch: [{ query: { recommend: { positive: [] } } }],
      }),
      422,
      /^Validation error in JSON body: \[internal\.params\.hnsw_ef: value 0 invalid, must be 1 or larger; internal\.prefetch\[0\]\.query\.positives, negatives: Validation error: At least one positive or negative vector\/id must be provided \[\{\}\]\]$/,
    );
  });

  it('answers a field condition with a key alone with a 422, and the client sees it', async () => {
    const name = collectionName('val');
    expect((await q().put(`/collections/${name}`, body())).status).toBe(200);
    expectQdrantError(
      await q().post(`/collections/${name}/points/query`, { query: [1, 0], filter: { must: [{ key: 'city' }] } }),
      422,
      /^Validation error in JSON body: \[filter\.must\[0\]\.__all__: Validation error: At least one field condition must be specified \[\{\}\]\]$/,
    );
    const client = await qdrantClient(gw);
    await expect(client.query(name, { query: { recommend: { positive: [] } } })).rejects.toMatchObject({ status: 422 });
    await expect(
      client.createCollection(collectionName('val'), { vectors: { size: 2, distance: 'Dot' }, shard_number: 0 }),
    ).rejects.toMatchObject({ status: 422 });
  });
});
