import { DEFAULT_INDEX, type NewVectorField } from '../../../src/core/collections/collection.model';
import { UnknownVectorError } from '../../../src/core/errors';
import { ALL } from '../../../src/core/filters/filter-ast';
import { DenseVector } from '../../../src/core/records/dense-vector';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../../src/core/scope';
import type { Database } from '../../../src/database/database';
import { coreServices } from '../../support/core-services';
import { openTestDatabase } from '../../support/database';

const scope = { tenant: DEFAULT_TENANT, database: DEFAULT_DATABASE };
const dense = (name: string): NewVectorField => ({
  name,
  kind: 'dense',
  dimension: 2,
  metric: 'ip',
  index: DEFAULT_INDEX,
});
const vector = (...values: number[]) => DenseVector.fromNumbers(values);

/** A gateway's collections and records services, with a catalog cache of its own: a replica. */
const replica = coreServices;

/**
 * A write checks, in its own transaction, that the catalog row it was planned on (cached for up to
 * a second) is still the collection's: two replicas on one database, the second's row cached
 * before the first changed the collection's named vectors. The clock stands still meanwhile, so
 * the row stays cached however slow the machine.
 */
describe('RecordsService writes on a catalog row another replica changed since', () => {
  let db: Database;
  let close: () => Promise<void>;
  let first: ReturnType<typeof replica>;
  let second: ReturnType<typeof replica>;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    first = replica(db);
    second = replica(db);
  });
  afterAll(() => close());
  afterEach(() => jest.restoreAllMocks());

  async function collection(name: string, ...named: string[]): Promise<string> {
    const created = await first.collections.create(
      scope,
      {
        name,
        dimension: 2,
        metric: 'ip',
        index: DEFAULT_INDEX,
        metadata: null,
        extras: {},
        schema: null,
        vectors: named.map(dense),
      },
      false,
    );
    return created.id;
  }

  /** Each record's named vectors as pgvector's text, read through the first replica. */
  async function namedVectors(id: string): Promise<Record<string, Record<string, string> | undefined>> {
    const found = await first.records.find(scope, id, {
      filter: ALL,
      include: { embeddings: false, vectors: true, documents: false, metadatas: false, uris: false },
      limit: null,
      offset: 0,
    });
    return Object.fromEntries(found.map((r) => [r.id, r.vectors]));
  }

  it('replaces a record whole, a vector added since included', async () => {
    const id = await collection('replaced', 'x');
    jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    await second.records.write(scope, id, 'replace', [{ id: 'r', embedding: vector(1, 0) }]);
    const cached = await second.collections.getCached(scope, id);

    await first.collections.addVector(scope, id, dense('w'), (c) => c.extras);
    await first.records.write(scope, id, 'replace', [
      { id: 'r', embedding: vector(1, 0), vectors: { w: vector(3, 3) } },
    ]);
    expect(await namedVectors(id)).toEqual({ r: { w: '[3,3]' } });

    await second.records.write(scope, id, 'replace', [{ id: 'r', embedding: vector(0, 1) }]);
    expect(await namedVectors(id)).toEqual({ r: {} });
    expect((await second.collections.getCached(scope, id)).catalogVersion).toBeGreaterThan(cached.catalogVersion!);
  });

  it('writes a vector that is still there under its new position, and refuses one that is gone', async () => {
    const id = await collection('renumbered', 'x', 'y');
    jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    await second.records.write(scope, id, 'replace', [{ id: 'r', embedding: vector(1, 0) }]);

    // x goes and comes back, at a new position; y goes.
    await first.collections.removeVector(scope, id, 'x', (c) => c.extras);
    await first.collections.addVector(scope, id, dense('x'), (c) => c.extras);
    await first.collections.removeVector(scope, id, 'y', (c) => c.extras);

    const write = (vectors: Record<string, DenseVector>) =>
      second.records.batch(scope, id, [{ kind: 'write', mode: 'merge', records: [{ id: 'r', vectors }] }]);
    expect(await write({ x: vector(4, 4) })).toEqual([1]);
    expect(await namedVectors(id)).toEqual({ r: { x: '[4,4]' } });
    await expect(write({ y: vector(2, 2) })).rejects.toThrow(UnknownVectorError);
  });
});
