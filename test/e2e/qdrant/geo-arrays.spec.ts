import { gatewayForFile } from '../../support/gateway';
import { collectionName, qdrantClient } from './qdrant-helpers';

const BERLIN = { lon: 13.405, lat: 52.52 };
const POTSDAM = { lon: 13.064, lat: 52.39 };
const LONDON = { lon: -0.1276, lat: 51.5072 };
const PARIS = { lon: 2.3522, lat: 48.8566 };

/**
 * A payload field holding several locations passes a geo_radius or geo_bounding_box when one of
 * them is in the area, as Qdrant's condition checker tests each element of an array; a single
 * point is tested as before, and an array's elements that are no point never pass.
 */
describe('Qdrant geo conditions on a field of several locations', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  it('matches an array of {lon, lat} when any element lies in the radius or the box', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('geo_arrays');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0], payload: { at: BERLIN } },
        { id: 2, vector: [1, 0], payload: { at: [LONDON, POTSDAM] } },
        { id: 3, vector: [1, 0], payload: { at: [LONDON, PARIS] } },
        { id: 4, vector: [1, 0], payload: { at: ['Berlin', { lon: 'x', lat: 52.5 }, [BERLIN]] } },
        { id: 5, vector: [1, 0], payload: { at: [] } },
        { id: 6, vector: [1, 0], payload: { at: LONDON } },
      ],
    });
    const ids = async (filter: Record<string, unknown>) =>
      (await q.scroll(name, { filter })).points.map((p) => p.id).sort();
    const near = { key: 'at', geo_radius: { center: BERLIN, radius: 30_000 } };
    const box = { key: 'at', geo_bounding_box: { top_left: { lon: 13, lat: 53 }, bottom_right: { lon: 14, lat: 52 } } };
    expect(await ids({ must: [near] })).toEqual([1, 2]);
    expect(await ids({ must: [box] })).toEqual([1, 2]);
    expect(await ids({ must: [{ key: 'at', geo_radius: { center: PARIS, radius: 10_000 } }] })).toEqual([3]);
    expect(await ids({ must_not: [near] })).toEqual([3, 4, 5, 6]);
    expect((await q.count(name, { filter: { must: [box] }, exact: true })).count).toBe(2);
  });
});
