import { DEFAULT_INDEX, type NewVectorField } from '../../../src/core/collections/collection.model';
import type { CollectionsService } from '../../../src/core/collections/collections.service';
import { qualified } from '../../../src/core/collections/record-table.repository';
import { InvalidArgumentError } from '../../../src/core/errors';
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

/**
 * Each named vector is a column of the record table, and Postgres counts a dropped column against
 * its 1,600 for good: a collection whose vectors were added and removed that often has no room for
 * another. Filling the table that far through the API would take thousands of calls; here the
 * columns are added and dropped in one statement, as removed vectors leave them.
 */
describe('CollectionsService.addVector on a record table out of columns', () => {
  let db: Database;
  let close: () => Promise<void>;
  let collections: CollectionsService;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    ({ collections } = coreServices(db));
  });
  afterAll(() => close());

  it('refuses another vector as the client’s mistake, and changes nothing', async () => {
    const spec = {
      dimension: 2,
      metric: 'ip' as const,
      index: DEFAULT_INDEX,
      metadata: null,
      extras: {},
      schema: null,
    };
    const { id, tableName } = await collections.create(
      scope,
      { name: 'crowded', ...spec, vectors: [dense('a')] },
      false,
    );
    await db.query(`DO $$ BEGIN
      LOOP
        BEGIN
          ALTER TABLE ${qualified(tableName)} ADD COLUMN filler integer;
        EXCEPTION WHEN program_limit_exceeded THEN EXIT;
        END;
        ALTER TABLE ${qualified(tableName)} DROP COLUMN filler;
      END LOOP;
    END $$`);
    const before = await collections.getById(scope, id);

    const added = collections.addVector(scope, id, dense('b'), (c) => ({ ...c.extras, changed: true }));
    await expect(added).rejects.toThrow(InvalidArgumentError);
    await expect(added).rejects.toThrow(/1,600 columns/);
    const after = await collections.getById(scope, id);
    expect([after.vectors, after.extras, after.catalogVersion]).toEqual([
      before.vectors,
      before.extras,
      before.catalogVersion,
    ]);
    // A fork is a new table of the vectors there are: it has room.
    const fork = await collections.fork(scope, id, 'crowded_fork');
    await collections.addVector(scope, fork.id, dense('b'), (c) => c.extras);
    expect((await collections.getById(scope, fork.id)).vectors.map((f) => f.name)).toEqual(['a', 'b']);
  });
});
