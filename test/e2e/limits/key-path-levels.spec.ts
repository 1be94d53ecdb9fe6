import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectVectorizerError, vectorizer } from '../vectorizer/vectorizer-helpers';

/**
 * The core's bound on how deep a filter's key paths reach (MAX_KEY_PATH_LEVELS, 16), seen through
 * a protocol that has no bound of its own: Vectorizer's `a.b.c` keys. Qdrant's own bound, in its
 * words, is in test/e2e/qdrant/hostile-bodies.spec.ts.
 */
describe('Filter key paths deeper than 16 levels', () => {
  const gw = gatewayForFile();
  const vz = () => vectorizer(gw);
  const path = (levels: number) => Array.from({ length: levels }, (_, i) => `k${i}`).join('.');

  it('are refused with a 400 in the protocol’s shape, and a delete by such a filter deletes nothing', async () => {
    const name = collectionName('levels');
    await vz().create(name, 2);
    await vz().insert(name, [
      { id: 'a', embedding: [1, 0], payload: { k0: 1 } },
      { id: 'b', embedding: [0, 1], payload: { k0: 2 } },
    ]);
    const deep = { [path(16)]: 1 };
    expect((await vz().post(`/collections/${name}/search`, { vector: [1, 0], filter: deep })).status).toBe(200);
    for (const filter of [{ [path(17)]: 1 }, { [path(1000)]: { $gte: 1 } }])
      expectVectorizerError(
        await vz().post(`/collections/${name}/search`, { vector: [1, 0], filter }),
        400,
        'validation_error',
        /at most 16 levels into the metadata.*this one reaches (17|1000)$/,
      );
    expectVectorizerError(
      await vz().post(`/collections/${name}/delete_by_filter`, { filter: { [path(17)]: { $exists: false } } }),
      400,
      'validation_error',
      /at most 16 levels/,
    );
    expect(await vz().ids(name)).toEqual(['a', 'b']);
  });
});
