import { loadConfig } from '../../src/config/load-config';
import { Database } from '../../src/database/database';
import { embeddedSeed } from './embedded-seed';
import { createScratchDatabase, usingPostgres } from './gateway';

/** A migrated Database on the selected backend (embedded in memory, or a scratch Postgres database). */
export async function openTestDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
  const db = new Database({ ...loadConfig({}), dataDir: 'memory://', databaseUrl: scratch?.url }, embeddedSeed());
  await db.open();
  return {
    db,
    close: async () => {
      await db.close();
      await scratch?.drop();
    },
  };
}
