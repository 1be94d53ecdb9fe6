import { RecordTableRepository, qualified } from '../../../src/core/collections/record-table.repository';
import type { Database } from '../../../src/database/database';
import { compileFilter } from '../../../src/core/filters/compile-filter';
import { MAX_POLYGON_POINTS, not, type FilterNode, type GeoRing } from '../../../src/core/filters/filter-ast';
import { SqlParams } from '../../../src/core/filters/sql-params';
import { InvalidArgumentError } from '../../../src/core/errors';
import { openTestDatabase } from '../../support/database';

/**
 * geo_polygon as the core evaluates it in SQL: inside the exterior ring and out of every hole, a
 * point on a ring's line in neither, by the nonzero winding number Rust's geo crate counts (the
 * cases of Qdrant's own test_geo_polygon_check_point), over one location or an array of them.
 */
const TABLE = 'r_9e09e09e09e09e09e09e09e09e09e09e';

/** A ring from [lon, lat] pairs. */
const ring = (...pairs: [number, number][]): GeoRing => pairs.map(([lon, lat]) => ({ lon, lat }));
const polygon = (exterior: GeoRing, ...interiors: GeoRing[]): FilterNode => ({
  kind: 'geoPolygon',
  key: 'at',
  exterior,
  interiors,
});

const SQUARE = ring([-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]);
const BOWTIE = ring([-1, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]);
const HOLED = polygon(
  ring([-1, -1], [1.5, -1], [1.5, 1.5], [-1, 1.5], [-1, -1]),
  ring([-0.5, -0.5], [-0.5, 0.5], [0.5, 0.5], [0.5, -0.5], [-0.5, -0.5]),
);

const point = (lon: number, lat: number) => ({ lon, lat });
const ROWS: [string, unknown][] = [
  ['p_0.5_0.5', { at: point(0.5, 0.5) }],
  ['p_1.5_1.5', { at: point(1.5, 1.5) }],
  ['p_1_0', { at: point(1, 0) }],
  ['p_0.5_0', { at: point(0.5, 0) }],
  ['p_0_0.5', { at: point(0, 0.5) }],
  ['p_0_0', { at: point(0, 0) }],
  ['p_0.6_0.6', { at: point(0.6, 0.6) }],
  ['list', { at: [point(50, 50), point(0.5, 0.5)] }],
  ['text', { at: 'somewhere' }],
  ['number', { at: 7 }],
  ['bad', { at: { lat: '0.5', lon: 0.5 } }],
  ['none', {}],
];

describe('geo polygons in SQL', () => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    await new RecordTableRepository().create(db, TABLE);
    for (const [id, metadata] of ROWS)
      await db.query(`INSERT INTO ${qualified(TABLE)} (id, metadata) VALUES ($1, $2)`, [id, JSON.stringify(metadata)]);
  });
  afterAll(() => close());

  async function ids(node: FilterNode): Promise<string[]> {
    const params = new SqlParams(['']);
    const where = compileFilter(node, params);
    const { rows } = await db.query(
      `SELECT id FROM ${qualified(TABLE)} WHERE namespace = $1 AND ${where}`,
      params.values,
    );
    return rows.map((r) => r.id as string).sort();
  }

  it('keeps the points inside a square, not those on its line or outside', async () => {
    expect(await ids(polygon(SQUARE))).toEqual(
      ['list', 'p_0.5_0', 'p_0.5_0.5', 'p_0_0', 'p_0_0.5', 'p_0.6_0.6'].sort(),
    );
  });

  it('counts a self-crossing ring by its winding, as geo does', async () => {
    // The bowtie holds its left and right triangles; (0, 0) is where its lines cross.
    expect(await ids(polygon(BOWTIE))).toEqual(['p_0.5_0']);
  });

  it('leaves out the points in a hole and on its line', async () => {
    const kept = await ids(HOLED);
    expect(kept).toContain('p_0.6_0.6');
    expect(kept).not.toContain('p_0_0');
    expect(kept).not.toContain('p_0.5_0.5');
    expect(kept).not.toContain('p_0.5_0');
    // The array holds a point outside and one on the hole's corner: neither is in.
    expect(kept).not.toContain('list');
  });

  it('keeps an array when one of its locations is inside, and never fails on a value that is no point', async () => {
    const far = polygon(ring([40, 40], [60, 40], [60, 60], [40, 60], [40, 40]));
    expect(await ids(far)).toEqual(['list']);
    // The negation keeps every record the polygon does not, those without a location included.
    expect(await ids(not(far))).toEqual(
      ROWS.map(([id]) => id)
        .filter((id) => id !== 'list')
        .sort(),
    );
  });

  it('binds a polygon as the same few parameters whatever its size, no coordinate in the SQL', async () => {
    const shape = (n: number) => {
      const points = Array.from({ length: n }, (_, i) =>
        point(Math.cos((2 * Math.PI * i) / n) * 0.75, Math.sin((2 * Math.PI * i) / n) * 0.75),
      );
      return polygon([...points, points[0]]);
    };
    const large = new SqlParams();
    const sql = compileFilter(shape(MAX_POLYGON_POINTS - 1), large);
    // The key, the four sides of the bounding box, the ring of each edge and its two ends' coordinates.
    expect(large.values.length).toBe(10);
    expect(sql).not.toMatch(/0\.75|0\.7499/);
    // The largest polygon runs: a circle of radius 0.75 holds the points within it.
    expect(await ids(shape(MAX_POLYGON_POINTS - 1))).toEqual(
      ['list', 'p_0.5_0', 'p_0.5_0.5', 'p_0_0', 'p_0_0.5'].sort(),
    );
  });

  it('refuses a polygon past the bound, a short or open ring and a coordinate that is no finite number', () => {
    const many = Array.from({ length: MAX_POLYGON_POINTS + 1 }, (_, i) => point(i / 1e4, 0));
    expect(() => compileFilter(polygon(many), new SqlParams())).toThrow(InvalidArgumentError);
    expect(() => compileFilter(polygon(ring([0, 0], [1, 0], [0, 0])), new SqlParams())).toThrow(InvalidArgumentError);
    expect(() => compileFilter(polygon(ring([0, 0], [1, 0], [NaN, 1], [0, 0])), new SqlParams())).toThrow(
      InvalidArgumentError,
    );
  });
});
