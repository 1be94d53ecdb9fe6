import { loadConfig } from '../../../src/config/load-config';
import { Database, type Queryable } from '../../../src/database/database';
import { openTestDatabase } from '../../support/database';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';

const jitOf = async (conn: Queryable): Promise<string> => (await conn.query('SHOW jit')).rows[0].jit;

/**
 * PostgreSQL's JIT is off on every connection the gateway opens (docs/decisions/0008-no-jit.md):
 * the main pool, the plan-once pool and the read replicas' pools, with prepared statements or
 * without. Embedded PGlite has no JIT to turn off.
 */
describe('JIT on the gateway’s connections', () => {
  if (usingPostgres()) {
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
    beforeAll(async () => {
      scratch = await createScratchDatabase();
    });
    afterAll(() => scratch?.drop());

    it.each([true, false])(
      'is off on the primary’s pools and a read replica’s (prepared statements %s)',
      async (preparedStatements) => {
        // The same server as its own "replica": reads go to its pools, which are opened as a replica's.
        const db = new Database({
          ...loadConfig({}),
          databaseUrl: scratch.url,
          databaseReadUrls: [scratch.url],
          preparedStatements,
        });
        await db.open();
        try {
          expect(await jitOf(db)).toBe('off');
          expect(await jitOf(db.reads)).toBe('off');
          expect(await db.withSessionSettings({}, jitOf, { planOnce: true })).toBe('off');
          expect(await db.withSessionSettings({}, jitOf, { planOnce: true, read: true })).toBe('off');
          expect(await db.withOwnConnection(jitOf)).toBe('off');
          expect(db.readCounts().replica).toBeGreaterThanOrEqual(2);
        } finally {
          await db.close();
        }
      },
    );
  } else {
    it('has none on the embedded database', async () => {
      const { db, close } = await openTestDatabase();
      try {
        expect((await db.query('SELECT pg_jit_available() AS available')).rows[0].available).toBe(false);
      } finally {
        await close();
      }
    });
  }
});
