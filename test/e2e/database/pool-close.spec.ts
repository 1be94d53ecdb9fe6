import { loadConfig } from '../../../src/config/load-config';
import { POOL_CLOSING } from '../../../src/database/closing-pool';
import { Database } from '../../../src/database/database';
import { embeddedSeed } from '../../support/embedded-seed';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';
import { until } from '../../support/wait';

/**
 * Closing the database while a call waits for a connection: pg-pool's end() serves no waiter and
 * fails none, so the call (and a shutdown awaiting it) used to hang for good. The waiter now
 * fails, the call holding the connection finishes, and close() returns.
 */
describe('Database.close with calls waiting for a connection', () => {
  it('fails the waiting calls, lets the running one finish, and returns', async () => {
    const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
    const db = new Database(
      { ...loadConfig({ VECGATE_DB_POOL_SIZE: '1' }), dataDir: 'memory://', databaseUrl: scratch?.url },
      embeddedSeed(),
    );
    try {
      await db.open();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let holding = false;
      const running = db.transaction(async (tx) => {
        holding = true;
        await gate;
        return (await tx.query<{ n: number }>('SELECT 1 AS n')).rows[0].n;
      });
      await until(
        'the first call holding the connection',
        () => holding,
        (held) => held,
      );
      const waiting = [
        db.query('SELECT 2'),
        db.transaction((tx) => tx.query('SELECT 3')),
        db.withSessionSettings({}, (conn) => conn.query('SELECT 4')),
      ];
      const outcomes = waiting.map((call) =>
        call.then(
          () => 'served',
          (err: Error) => err.message,
        ),
      );
      await until(
        'the three calls queued for the connection',
        () => db.poolStats()?.waiting ?? 0,
        (n) => n >= waiting.length,
      );

      const closed = db.close();
      expect(await Promise.all(outcomes)).toEqual([POOL_CLOSING, POOL_CLOSING, POOL_CLOSING]);
      release();
      expect(await running).toBe(1);
      await closed;
      await expect(db.query('SELECT 5')).rejects.toThrow('The database is not open');
    } finally {
      await db.close();
      await scratch?.drop();
    }
  });
});
