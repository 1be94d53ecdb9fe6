import type { Pinecone } from '@pinecone-database/pinecone';
import { createScratchDatabase, http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { createDense, indexName, pineconeClient } from '../../support/pinecone';

const V2026_07 = { 'x-pinecone-api-version': '2026-07' };
const TEXT_SCHEMA = { fields: { body: { type: 'string', fullTextSearch: {} } } };

/**
 * How a read on an index's data plane (a documents search, fetch or list; a vector query, fetch or
 * list) finds its index and the namespace an alias names: one statement, asked each time, with the
 * rest of the catalog row from the cache while its catalog version holds. On PostgreSQL two
 * gateways share one database, as two replicas do: what one changes, the other's next read sees,
 * within the catalog cache's second. On the embedded database both are one gateway.
 */
describe('Pinecone reads resolve their index and namespace alias afresh', () => {
  let a: TestGateway;
  let b: TestGateway;
  let shared: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let pc: Pinecone;

  beforeAll(async () => {
    shared = usingPostgres() ? await createScratchDatabase() : undefined;
    a = await startGateway({}, shared && { databaseUrl: shared.url });
    b = shared ? await startGateway({}, { databaseUrl: shared.url }) : a;
    pc = pineconeClient(a);
  });
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
    await shared?.drop();
  });

  const search = (gw: TestGateway, name: string, namespace: string, query: string) =>
    http(
      gw.url,
      'POST',
      `/indexes/${name}/namespaces/${namespace}/documents/search`,
      { score_by: [{ type: 'text', fields: ['body'], query }], top_k: 10 },
      V2026_07,
    );
  const ids = (res: { body: any }) => (res.body.matches as { _id: string }[]).map((m) => m._id).sort();
  const upsert = (name: string, namespace: string, documents: { _id: string; body: string }[]) =>
    pc.index({ name }).namespace(namespace).documents.upsert({ documents });
  const aliases = (name: string, path = '', method = 'GET', body?: unknown) =>
    http(a.url, method, `/indexes/${name}/namespace-aliases${path}`, body, V2026_07);

  it('a documents search: a deleted index is not found at once, a recreated one serves its new documents', async () => {
    const name = indexName('rr-docs');
    await pc.indexes.create({ name, schema: TEXT_SCHEMA } as never);
    await upsert(name, 'main', [
      { _id: 'old1', body: 'red pump' },
      { _id: 'old2', body: 'red valve' },
    ]);
    // b reads the index (and caches its row) before a deletes it.
    expect(ids(await search(b, name, 'main', 'red'))).toEqual(['old1', 'old2']);
    await pc.deleteIndex(name);
    const gone = await search(b, name, 'main', 'red');
    expect(gone.status).toBe(404);

    await pc.indexes.create({ name, schema: TEXT_SCHEMA } as never);
    await upsert(name, 'main', [{ _id: 'new1', body: 'red motor' }]);
    const again = await search(b, name, 'main', 'red');
    expect(again.status).toBe(200);
    expect(ids(again)).toEqual(['new1']);
  });

  it('a documents search, fetch and list follow an alias created, repointed and deleted on another gateway', async () => {
    const name = indexName('rr-alias');
    await pc.indexes.create({ name, schema: TEXT_SCHEMA } as never);
    await upsert(name, 'blue', [{ _id: 'b1', body: 'green fan' }]);
    await upsert(name, 'green', [{ _id: 'g1', body: 'green belt' }]);
    // Not an alias yet: 'live' is an empty namespace.
    expect(ids(await search(b, name, 'live', 'green'))).toEqual([]);

    expect((await aliases(name, '', 'POST', { name: 'live', target_namespace: 'blue' })).status).toBe(200);
    const viaAlias = await search(b, name, 'live', 'green');
    expect(ids(viaAlias)).toEqual(['b1']);
    expect(viaAlias.body.namespace).toBe('blue');
    const fetched = await http(
      b.url,
      'POST',
      `/indexes/${name}/namespaces/live/documents/fetch`,
      { ids: ['b1', 'g1'] },
      V2026_07,
    );
    expect(Object.keys(fetched.body.documents)).toEqual(['b1']);
    const listed = await http(b.url, 'POST', `/indexes/${name}/namespaces/live/documents/list`, {}, V2026_07);
    expect(listed.body.documents).toEqual([{ _id: 'b1' }]);

    expect((await aliases(name, '/live', 'PATCH', { target_namespace: 'green' })).status).toBe(200);
    expect(ids(await search(b, name, 'live', 'green'))).toEqual(['g1']);

    expect((await aliases(name, '/live', 'DELETE')).status).toBe(200);
    expect(ids(await search(b, name, 'live', 'green'))).toEqual([]);
  });

  it('a vector query and fetch: a recreated index is read with its new dimension, a deleted one is not found, at once', async () => {
    const name = indexName('rr-vec');
    await createDense(pc, name, 3);
    await pc.index({ name }).upsert({ records: [{ id: 'x', values: [1, 0, 0] }] });
    const query = (values: number[]) =>
      http(b.url, 'POST', `/indexes/${name}/query`, { vector: values, topK: 3, namespace: '' });
    const fetch = () => http(b.url, 'GET', `/indexes/${name}/vectors/fetch?ids=x&ids=y`);
    // b reads the index (and caches its row); a deletes it and makes another of the name.
    expect((await query([1, 0, 0])).body.matches.map((m: { id: string }) => m.id)).toEqual(['x']);
    await pc.deleteIndex(name);
    await createDense(pc, name, 4);
    const empty = await query([0, 1, 0, 0]);
    expect(empty.status).toBe(200);
    expect(empty.body.matches).toEqual([]);
    expect((await query([1, 0, 0])).status).toBe(400); // the old dimension is refused
    await pc.index({ name }).upsert({ records: [{ id: 'y', values: [0, 1, 0, 0] }] });
    expect((await query([0, 1, 0, 0])).body.matches.map((m: { id: string }) => m.id)).toEqual(['y']);
    expect(Object.keys((await fetch()).body.vectors)).toEqual(['y']);

    await pc.deleteIndex(name);
    expect((await query([0, 1, 0, 0])).status).toBe(404);
    expect((await fetch()).status).toBe(404);
  });

  it('a vector query through an alias created on another gateway reads its target', async () => {
    const name = indexName('rr-valias');
    await createDense(pc, name, 3);
    const index = pc.index({ name });
    await index.namespace('v1').upsert({ records: [{ id: 'one', values: [1, 0, 0] }] });
    const query = () => http(b.url, 'POST', `/indexes/${name}/query`, { vector: [1, 0, 0], topK: 3, namespace: 'cur' });
    expect((await query()).body.matches).toEqual([]);
    expect((await aliases(name, '', 'POST', { name: 'cur', target_namespace: 'v1' })).status).toBe(200);
    const through = await query();
    expect(through.body.matches.map((m: { id: string }) => m.id)).toEqual(['one']);
    expect(through.body.namespace).toBe('v1');
  });

  it('a documents search sends one statement for the index and its alias, then the analysis and BM25', async () => {
    const name = indexName('rr-count');
    await pc.indexes.create({ name, schema: TEXT_SCHEMA } as never);
    await upsert(name, 'main', [
      { _id: 'c1', body: 'blue pump' },
      { _id: 'c2', body: 'blue seal' },
    ]);
    const id = (await b.db.query('SELECT id FROM vecgate_collections WHERE name = $1', [name])).rows[0].id as string;
    // The statements of one search, as the gateway sends them: those that name this index (by name,
    // id or record table) and the query's analysis; not what background work sends meanwhile.
    // Through the pool (db.query) and through a connection of a session's own (an unfiltered
    // search runs on one, planned once: withSessionSettings).
    const statementsOf = async (work: () => Promise<unknown>) => {
      const calls: [unknown, unknown][] = [];
      const query = b.db.query.bind(b.db);
      const session = b.db.withSessionSettings.bind(b.db);
      const spy = jest.spyOn(b.db, 'query').mockImplementation(((text: string, values?: unknown[]) => {
        calls.push([text, values]);
        return query(text, values);
      }) as never);
      const sessions = jest.spyOn(b.db, 'withSessionSettings').mockImplementation((settings, run, options) =>
        session(
          settings,
          (client) =>
            run({
              query: ((text: string, values?: unknown[]) => {
                calls.push([text, values]);
                return client.query(text, values);
              }) as never,
            }),
          options,
        ),
      );
      try {
        await work();
        return calls
          .filter(
            ([text, values]) =>
              String(text).includes(id.replaceAll('-', '')) ||
              String(text).includes('vecgate_text_query_analysis') ||
              (Array.isArray(values) && values.some((v) => v === name || v === id)),
          )
          .map(([text]) => String(text).replace(/\s+/g, ' ').trim());
      } finally {
        spy.mockRestore();
        sessions.mockRestore();
      }
    };
    for (let round = 0; round < 3; round++) {
      let found: { body: any } | undefined;
      const sent = await statementsOf(async () => (found = await search(b, name, 'main', 'blue')));
      expect(ids(found!)).toEqual(['c1', 'c2']);
      expect(sent).toHaveLength(3);
      // Embedded, a lookup by key carries the mark that plans it once (prepared-statements.ts).
      expect(sent[0]).toMatch(/^(\/\* planned once \*\/ )?SELECT c\.id, /);
      expect(sent[1]).toMatch(/vecgate_text_query_analysis/);
      expect(sent[2]).toMatch(/_tp" WHERE namespace = \$1/); // the postings
    }
  });
});
