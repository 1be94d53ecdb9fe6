import { loadConfig } from '../../../src/config/load-config';
import { Database } from '../../../src/database/database';
import { embeddedSeed } from '../../support/embedded-seed';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';

/**
 * VECGATE_DB_POOL_SIZE bounds the connections a gateway process opens to PostgreSQL: the main pool
 * and half as many planned once. A burst past them waits its turn instead of opening more, so an
 * operator can size max_connections as replicas x workers x 1.5 x the setting.
 */
describe('VECGATE_DB_POOL_SIZE', () => {
  const burst = (db: Database, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0
          ? db.query<{ n: number }>(`SELECT $1::int AS n, pg_sleep(0.02)`, [i]).then((r) => r.rows[0].n)
          : db.withSessionSettings({}, async (conn) => (await conn.query(`SELECT $1::int AS n`, [i])).rows[0].n, {
              planOnce: true,
            }),
      ),
    );

  if (usingPostgres()) {
    it('opens no more connections than the setting and half of it again, and serves a burst past them', async () => {
      const scratch = await createScratchDatabase();
      const db = new Database(
        { ...loadConfig({ DATABASE_URL: scratch.url, VECGATE_DB_POOL_SIZE: '3' }), dataDir: 'memory://' },
        embeddedSeed(),
      );
      try {
        await db.open();
        let most = 0;
        const watch = setInterval(() => (most = Math.max(most, db.poolStats()?.total ?? 0)), 1);
        const answers = await burst(db, 40);
        clearInterval(watch);
        expect(answers).toEqual(Array.from({ length: 40 }, (_, i) => i));
        // 3 main + 2 planned once; the burst did need more than one.
        const total = db.poolStats()!.total;
        expect(Math.max(most, total)).toBeGreaterThan(1);
        expect(Math.max(most, total)).toBeLessThanOrEqual(5);
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
        );
        expect(rows[0].n).toBeLessThanOrEqual(5);
      } finally {
        await db.close();
        await scratch.drop();
      }
    });
  } else {
    it('embedded, keeps its one connection whatever the setting', async () => {
      const db = new Database({ ...loadConfig({ VECGATE_DB_POOL_SIZE: '8' }), dataDir: 'memory://' }, embeddedSeed());
      try {
        await db.open();
        expect(await burst(db, 10)).toEqual(Array.from({ length: 10 }, (_, i) => i));
        expect(db.poolStats()!.total).toBe(1);
      } finally {
        await db.close();
      }
    });
  }
});
