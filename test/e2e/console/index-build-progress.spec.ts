import { loadConfig } from '../../../src/config/load-config';
import { gatewayForFile, http, type TestGateway, usingPostgres } from '../../support/gateway';
import { until } from '../../support/wait';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database/collections';

/** A Chroma collection to grow a batch at a time, and its HNSW state as the console shows it. */
async function growing(gw: TestGateway) {
  const created = await http(gw.url, 'POST', CHROMA, { name: 'growing' });
  return {
    id: created.body.id as string,
    add: (from: number, n: number) =>
      http(gw.url, 'POST', `${CHROMA}/${created.body.id}/add`, {
        ids: Array.from({ length: n }, (_, i) => `r${from + i}`),
        embeddings: Array.from({ length: n }, (_, i) => [1, (from + i) % 7, (from + i) % 11, 1]),
      }),
    state: async () => (await http(gw.url, 'GET', `/console/api/collections/${created.body.id}`)).body.index,
  };
}

/**
 * On PostgreSQL an HNSW index is built concurrently, and Postgres reports the build's phase and
 * progress (pg_stat_progress_create_index): the console shows the collection's index as being
 * built while it is. (Embedded, a build is one statement in a transaction: nothing to watch.)
 */
if (usingPostgres()) {
  describe('console: an HNSW build under way', () => {
    const gw = gatewayForFile({
      indexing: { ...loadConfig({}).indexing, minRows: 100, quietMs: 200, recallTarget: 0 },
    });

    it('shows the index as building, with Postgres’s phase, until it is built', async () => {
      const { id, add, state } = await growing(gw);
      expect((await add(0, 50)).status).toBe(201);
      expect(await state()).toMatchObject({ state: 'not-needed' });
      const table = (await gw.db.query('SELECT table_name FROM vecgate_collections WHERE id = $1', [id])).rows[0]
        .table_name as string;
      // A transaction that has the table open for writing holds CREATE INDEX CONCURRENTLY in a
      // waiting phase until it ends: long enough to look.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const held = new Promise<void>((resolve) => (holding = resolve));
      const blocker = gw.db.withOwnConnection(async (conn) => {
        await conn.query('BEGIN');
        await conn.query(`LOCK TABLE vecgate_records."${table}" IN ROW EXCLUSIVE MODE`);
        holding();
        await released;
        await conn.query('COMMIT');
      });
      await held;
      try {
        expect((await add(50, 100)).status).toBe(201);
        const building = await until('the build shown under way', state, (s) => s.state === 'building');
        expect(building.detail).toMatch(/^HNSW index being built: (waiting|building|initializing)/);
      } finally {
        release();
        await blocker;
      }
      await until('the index built', state, (s) => s.state === 'built');
    });
  });
} else {
  describe('console: an embedded HNSW build', () => {
    const gw = gatewayForFile({
      indexing: { ...loadConfig({}).indexing, minRows: 100, quietMs: 200, recallTarget: 0 },
    });

    it('goes from not needed to built once the collection is big enough', async () => {
      const { add, state } = await growing(gw);
      expect((await add(0, 50)).status).toBe(201);
      expect(await state()).toMatchObject({
        state: 'not-needed',
        detail: 'under 100 records: an exact search reads them all fast',
      });
      expect((await add(50, 100)).status).toBe(201);
      await until('the index built', state, (s) => s.state === 'built');
    });
  });
}
