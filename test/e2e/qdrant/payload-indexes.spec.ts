import { loadConfig } from '../../../src/config/load-config';
import { gatewayForFile, http } from '../../support/gateway';
import { until } from '../../support/wait';
import { collectionName, qdrantClient } from './qdrant-helpers';

/**
 * Payload field indexes are real Postgres indexes on their key, built by the index builder once
 * the collection is big enough: a btree on an integer's or float's numbers, a btree on a
 * datetime's strings (byte order, as datetime ranges compare). A text field is the core's text
 * field, a GIN index over its words at once (text-index.spec.ts). Keyword, uuid and bool matches
 * are the GIN index's over every key.
 */
describe('Qdrant payload indexes as Postgres indexes', () => {
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 100, quietMs: 200, recallTarget: 0 },
  });

  it('builds an index of the schema’s kind on each indexed key, and filters on them answer as before', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('fields');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    for (const [field_name, field_schema] of [
      ['n', 'integer'],
      ['at', 'datetime'],
      ['body', 'text'],
      ['where', 'geo'],
    ] as const)
      await q.createPayloadIndex(name, { field_name, field_schema, wait: true });
    const points = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      vector: [1, i],
      payload: {
        n: i,
        at: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`,
        body: i % 10 === 0 ? `the quick fox number ${i}` : `a slow dog ${i}`,
        where: { lat: -60 + (i % 120), lon: i % 50 },
      },
    }));
    await q.upsert(name, { wait: true, points });
    const keyIndexes = async () =>
      (
        await gw.db.query(
          `SELECT regexp_replace(i.indexdef, '^.* ON vecgate_records\\.\\S+ ', '') AS def
           FROM vecgate_collections c JOIN pg_indexes i ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name
           JOIN pg_index x ON x.indexrelid = ('vecgate_records.' || quote_ident(i.indexname))::regclass AND x.indisvalid
           WHERE c.name = $1 AND i.indexname LIKE '%\\_range\\_%' ORDER BY i.indexname`,
          [name],
        )
      ).rows.map((r) => r.def as string);
    const indexes = await until('three key indexes built', keyIndexes, (defs) => defs.length === 3);
    // Each on the expression its filters compile to, NULL where the key holds another type, with no
    // predicate: the planner reads the statistics of such an index only (issue 49).
    expect(indexes.map((d) => d.replace(/\s+/g, ' ').replace(/\( /g, '('))).toEqual([
      "USING btree ((CASE WHEN (jsonb_typeof((metadata -> 'n'::text)) = 'number'::text) THEN ((metadata -> 'n'::text))::numeric ELSE NULL::numeric END))",
      `USING btree ((CASE WHEN (jsonb_typeof((metadata -> 'at'::text)) = 'string'::text) THEN (metadata ->> 'at'::text) ELSE NULL::text END) COLLATE "C")`,
      "USING btree ((CASE WHEN (jsonb_typeof(((metadata -> 'where'::text) -> 'lat'::text)) = 'number'::text) THEN (((metadata -> 'where'::text) ->> 'lat'::text))::double precision ELSE NULL::double precision END))",
    ]);
    const count = async (filter: object) => (await q.count(name, { filter, exact: true })).count;
    expect(await count({ must: [{ key: 'body', match: { text: 'quick fox' } }] })).toBe(30);
    // Words, in any order: the text index's.
    expect(await count({ must: [{ key: 'body', match: { text: 'fox quick' } }] })).toBe(30);
    expect(await count({ must: [{ key: 'at', range: { gte: '2026-01-27T00:00:00Z' } }] })).toBe(
      points.filter((p) => p.payload.at >= '2026-01-27').length,
    );
    expect(await count({ must: [{ key: 'n', range: { lt: 10 } }] })).toBe(10);
    const box = { top_left: { lat: 10, lon: 0 }, bottom_right: { lat: 0, lon: 20 } };
    expect(await count({ must: [{ key: 'where', geo_bounding_box: box }] })).toBe(
      points.filter((p) => p.payload.where.lat >= 0 && p.payload.where.lat <= 10 && p.payload.where.lon <= 20).length,
    );
    // Within 200 km of (-60, 0): at most 1.8° of latitude away; the haversine decides.
    const center = { lat: -60, lon: 0 };
    const rad = (d: number) => (d * Math.PI) / 180;
    const near = points.filter((p) => {
      const { lat, lon } = p.payload.where;
      const h =
        Math.sin(rad(lat - center.lat) / 2) ** 2 +
        Math.cos(rad(center.lat)) * Math.cos(rad(lat)) * Math.sin(rad(lon - center.lon) / 2) ** 2;
      return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h))) <= 200_000;
    }).length;
    expect(near).toBeGreaterThan(1);
    expect(await count({ must: [{ key: 'where', geo_radius: { center, radius: 200_000 } }] })).toBe(near);
    // Deleting a field index drops its Postgres index; the filters still answer, reading the rows
    // (a text match without its index is Qdrant's substring test again: no word is `quick fox`'s).
    await q.deletePayloadIndex(name, 'body', { wait: true });
    await q.deletePayloadIndex(name, 'where', { wait: true });
    expect(await keyIndexes()).toEqual(indexes.slice(0, 2));
    expect(Object.keys((await q.getCollection(name)).payload_schema).sort()).toEqual(['at', 'n']);
    expect(await count({ must: [{ key: 'body', match: { text: 'quick fox' } }] })).toBe(30);
    expect(await count({ must: [{ key: 'body', match: { text: 'fox quick' } }] })).toBe(0);
    expect(await count({ must: [{ key: 'where', geo_radius: { center, radius: 200_000 } }] })).toBe(near);
  });

  it('declares an index on a key into arrays of objects, shows it, counts its points and drops it', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('array_paths');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0], payload: { country: { cities: [{ population: 3.7 }, { population: 0.2 }] } } },
        { id: 2, vector: [1, 0], payload: { country: { cities: [{ name: 'x' }] } } },
        { id: 3, vector: [1, 0], payload: { arr1: [{ arr2: [{ a: 1 }] }, { arr2: [{ a: 2, b: 8 }] }] } },
        {
          id: 4,
          vector: [1, 0],
          payload: {
            arr1: [
              {
                arr2: [
                  { a: 1, b: 7 },
                  { a: 3, b: 8 },
                ],
              },
            ],
          },
        },
      ],
    });
    await q.createPayloadIndex(name, { field_name: 'country.cities[].population', field_schema: 'float', wait: true });
    await q.createPayloadIndex(name, { field_name: 'arr1[].arr2[].a', field_schema: 'integer', wait: true });
    expect((await q.getCollection(name)).payload_schema).toEqual({
      'country.cities[].population': { data_type: 'float', points: 1 },
      'arr1[].arr2[].a': { data_type: 'integer', points: 2 },
    });
    const count = async (filter: object) => (await q.count(name, { filter, exact: true })).count;
    expect(await count({ must: [{ key: 'country.cities[].population', range: { gt: 1 } }] })).toBe(1);
    expect(await count({ must: [{ key: 'arr1[].arr2[].a', match: { value: 1 } }] })).toBe(2);
    // A nested key may name the array as `a[]`, or reach arrays inside an array's elements (`a[].b`),
    // one element of them passing the whole inner filter.
    const nested = (key: string, must: object[]) => count({ must: [{ nested: { key, filter: { must } } }] });
    expect(await nested('country.cities[]', [{ key: 'population', range: { gte: 3 } }])).toBe(1);
    expect(
      await nested('arr1[].arr2', [
        { key: 'a', match: { value: 2 } },
        { key: 'b', match: { value: 8 } },
      ]),
    ).toBe(1);
    expect(
      await nested('arr1[].arr2', [
        { key: 'a', match: { value: 1 } },
        { key: 'b', match: { value: 8 } },
      ]),
    ).toBe(0);
    // Strict mode counts it as the index of its key.
    await q.updateCollection(name, { strict_mode_config: { enabled: true, unindexed_filtering_retrieve: false } });
    expect(await count({ must: [{ key: 'country.cities[].population', range: { gt: 1 } }] })).toBe(1);
    await q.updateCollection(name, { strict_mode_config: { enabled: false } });
    // A text index on such a key is refused; a malformed path is the filter's refusal.
    const put = (field_name: string, field_schema: string) =>
      http(gw.qdrantUrl, 'PUT', `/collections/${name}/index`, { field_name, field_schema });
    expect((await put('country.cities[].name', 'text')).body.status.error).toBe(
      'Bad request: vecgate keeps text indexes on keys outside arrays only: country.cities[].name',
    );
    expect((await put('[].a', 'keyword')).status).toBe(400);
    await q.deletePayloadIndex(name, 'country.cities[].population', { wait: true });
    expect(Object.keys((await q.getCollection(name)).payload_schema)).toEqual(['arr1[].arr2[].a']);
  });
});
