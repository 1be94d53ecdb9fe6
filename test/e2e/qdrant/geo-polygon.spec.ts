import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp } from './qdrant-helpers';

/** A closed ring from [lon, lat] pairs. */
const ring = (...pairs: [number, number][]) => ({ points: pairs.map(([lon, lat]) => ({ lon, lat })) });
const BRANDENBURG = ring([12, 52], [15, 52], [15, 53.5], [12, 53.5], [12, 52]);
/** Berlin's centre, cut out of Brandenburg. */
const CENTRE = ring([13.3, 52.45], [13.5, 52.45], [13.5, 52.6], [13.3, 52.6], [13.3, 52.45]);

const BERLIN = { lon: 13.405, lat: 52.52 };
const POTSDAM = { lon: 13.064, lat: 52.39 };
const LONDON = { lon: -0.1276, lat: 51.5072 };
const PARIS = { lon: 2.3522, lat: 48.8566 };

/**
 * Qdrant's geo_polygon: a point inside the exterior ring and in none of the interiors, a point on a
 * ring's line in neither; over a field of one location or several (one inside passes); with and
 * without a geo index; and its refusals in Qdrant's words.
 */
describe('Qdrant geo_polygon', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  async function collection(indexed: boolean) {
    const q = await qdrantClient(gw);
    const name = collectionName('geo_polygon');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    if (indexed) await q.createPayloadIndex(name, { field_name: 'at', field_schema: 'geo', wait: true });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0], payload: { at: BERLIN } },
        { id: 2, vector: [0.9, 0.1], payload: { at: POTSDAM } },
        { id: 3, vector: [0.8, 0.2], payload: { at: [LONDON, POTSDAM] } },
        { id: 4, vector: [0.7, 0.3], payload: { at: [LONDON, PARIS] } },
        { id: 5, vector: [0.6, 0.4], payload: { at: 'Potsdam' } },
        { id: 6, vector: [0.5, 0.5], payload: { at: { lon: 12, lat: 52.5 } } },
      ],
    });
    return { q, name };
  }

  it.each([false, true])('keeps the points inside, holes and lines out (geo index: %s)', async (indexed) => {
    const { q, name } = await collection(indexed);
    const polygon = (exterior: object, interiors?: object[]) => ({
      key: 'at',
      geo_polygon: interiors === undefined ? { exterior } : { exterior, interiors },
    });
    const ids = async (filter: Record<string, unknown>) =>
      (await q.scroll(name, { filter })).points.map((p) => p.id).sort();
    // Point 6 lies on the exterior's western line: on the boundary, so not inside.
    expect(await ids({ must: [polygon(BRANDENBURG)] })).toEqual([1, 2, 3]);
    expect(await ids({ must: [polygon(BRANDENBURG, [])] })).toEqual([1, 2, 3]);
    expect(await ids({ must: [polygon(BRANDENBURG, [CENTRE])] })).toEqual([2, 3]);
    expect(await ids({ must_not: [polygon(BRANDENBURG, [CENTRE])] })).toEqual([1, 4, 5, 6]);
    expect(
      await ids({ should: [polygon(CENTRE), { key: 'at', geo_radius: { center: PARIS, radius: 1000 } }] }),
    ).toEqual([1, 4]);
    const found = await q.query(name, { query: [1, 0], filter: { must: [polygon(BRANDENBURG, [CENTRE])] }, limit: 5 });
    expect(found.points.map((p) => p.id)).toEqual([2, 3]);
    expect((await q.count(name, { filter: { must: [polygon(BRANDENBURG)] }, exact: true })).count).toBe(3);
    await q.delete(name, { wait: true, filter: { must: [polygon(CENTRE)] } });
    expect((await q.count(name, { exact: true })).count).toBe(5);
  });

  it('refuses an open ring, a short one, a point off the globe and an unknown field, in Qdrant words', async () => {
    const { name } = await collection(false);
    const http = qdrantHttp(gw);
    const scroll = (geo_polygon: unknown) =>
      http.post(`/collections/${name}/points/scroll`, { filter: { must: [{ key: 'at', geo_polygon }] } });
    const open = { points: BRANDENBURG.points.slice(0, 4) };
    expectQdrantError(
      await scroll({ exterior: open }),
      400,
      'Format error in JSON body: Validation failed: polygon invalid, the first and the last points should be the same to form a closed line',
    );
    expectQdrantError(
      await scroll({ exterior: ring([0, 0], [1, 0], [0, 0]) }),
      400,
      'Format error in JSON body: Validation failed: polygon invalid, the size must be at least 4, got 3',
    );
    expectQdrantError(
      await scroll({ exterior: BRANDENBURG, interiors: [ring([13, 52.5], [13.1, 52.5], [13, 52.5])] }),
      400,
      /polygon invalid, the size must be at least 4, got 3/,
    );
    expectQdrantError(
      await scroll({ exterior: ring([0, 0], [1, 0], [1, 91], [0, 0]) }),
      400,
      /lat must lie within ±90/,
    );
    expectQdrantError(await scroll({ exterior: BRANDENBURG, holes: [] }), 400, /unknown field `holes`/);
    expectQdrantError(await scroll({ interiors: [] }), 400, /missing field `exterior`/);
    expectQdrantError(await scroll({ exterior: { points: 'x' } }), 400, /points: invalid type, expected a sequence/);
    expectQdrantError(await scroll({ exterior: {} }), 400, /missing field `points`/);
  });

  it('evaluates a polygon of 10,000 points and refuses a larger one before any SQL is sent', async () => {
    const { name } = await collection(false);
    const http = qdrantHttp(gw);
    const circle = (n: number) => {
      const points = Array.from({ length: n }, (_, i) => ({
        lon: BERLIN.lon + 0.2 * Math.cos((2 * Math.PI * i) / n),
        lat: BERLIN.lat + 0.2 * Math.sin((2 * Math.PI * i) / n),
      }));
      return { points: [...points, points[0]] };
    };
    const scroll = (exterior: unknown) =>
      http.post(`/collections/${name}/points/scroll`, { filter: { must: [{ key: 'at', geo_polygon: { exterior } }] } });
    const fits = await scroll(circle(9_999));
    expect(fits.status).toBe(200);
    expect(fits.body.result.points.map((p: { id: number }) => p.id)).toEqual([1]);
    // A ring past it is a list past the longest a filter may hold; rings within it, past it together.
    expectQdrantError(await scroll(circle(10_000)), 400, /10001 entries; at most 10000/);
    const two = await http.post(`/collections/${name}/points/scroll`, {
      filter: { must: [{ key: 'at', geo_polygon: { exterior: circle(5_999), interiors: [circle(5_999)] } }] },
    });
    expectQdrantError(two, 400, /holds 12000 points; vecgate evaluates polygons of at most 10000 points/);
  });
});
