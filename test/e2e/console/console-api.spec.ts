import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parquetSchema } from '../../../src/transfer/parquet-format';
import { parquetWriter } from '../../../src/transfer/parquet-files';
import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { loadConfig } from '../../../src/config/load-config';
import { gatewayForFile, http } from '../../support/gateway';
import { until } from '../../support/wait';
import { BULK_RECORDS, HOSTILE_DOCUMENT, seedConsole } from './console-seed';

/**
 * The web console's JSON API, through plain HTTP: the catalog across protocols, records filtered in
 * each protocol's dialect (errors in its words), search, explain of a narrow and a broad filter
 * (two paths), explain ANALYZE of a delete deleting nothing, delete by filter, the projection
 * sample, quality, metrics, and API keys for an admin key only.
 */
describe('console API', () => {
  // Bulk imports read Parquet files under this directory (the jobs the operate page lists).
  const importRoot = mkdtempSync(join(tmpdir(), 'vecgate-console-import-'));
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 200, recallTarget: 0 },
    imports: { ...loadConfig({}).imports, roots: [importRoot], run: true },
  });
  afterAll(() => rmSync(importRoot, { recursive: true, force: true }));
  let ids: Awaited<ReturnType<typeof seedConsole>>;
  const api = (method: string, path: string, body?: unknown, key?: string) =>
    http(gw.url, method, `/console/api${path}`, body, key ? { authorization: `Bearer ${key}` } : {});

  beforeAll(async () => {
    ids = await seedConsole(gw);
  });

  const indexBuilt = () =>
    until(
      'the bulk collection’s HNSW index built',
      async () => (await api('GET', `/collections/${ids.bulk}`)).body,
      (c) => c.index.state === 'built',
    );

  it('lists every protocol’s collections with records, dimension, metric, namespaces, index state and size', async () => {
    const { status, body } = await api('GET', '/tenants');
    expect(status).toBe(200);
    const collections = body.flatMap((t: any) => t.databases.flatMap((d: any) => d.collections));
    const by = (name: string) => collections.find((c: any) => c.name === name);
    expect(by('films')).toMatchObject({ protocol: 'chroma', records: 31, dimension: 3, metric: 'l2' });
    expect(by('catalog')).toMatchObject({
      protocol: 'pinecone',
      records: 15,
      dimension: 4,
      metric: 'cosine',
      namespaces: [
        { name: 'ns-a', records: 10 },
        { name: 'ns-b', records: 5 },
      ],
    });
    expect(by('notes')).toMatchObject({ protocol: 'vectorizer', records: 12, dimension: 3 });
    expect(by('points')).toMatchObject({ protocol: 'qdrant', records: 9, dimension: 3, metric: 'cosine' });
    expect(by('films').index).toMatchObject({ state: 'not-needed' });
    for (const c of collections) expect(c.sizeBytes).toBeGreaterThan(0);
    const built = await indexBuilt();
    expect(built).toMatchObject({ records: BULK_RECORDS, dimension: 8 });
  });

  it('pages records in id order under a filter in each protocol’s dialect', async () => {
    const page = await api('POST', `/collections/${ids.chroma}/records`, {
      filter: '{"genre": "jazz"}',
      limit: 5,
      offset: 0,
      order: 'desc',
    });
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(11);
    expect(page.body.records.map((r: any) => r.id)).toEqual(['hostile', 'film-27', 'film-24', 'film-21', 'film-18']);
    expect(page.body.records[0]).toMatchObject({ document: HOSTILE_DOCUMENT, vector: [0.5, 0.5, 0.5], dimension: 3 });
    const dialects: [string, string, string, number][] = [
      ['pinecone', ids.pinecone, '{"genre": {"$eq": "rock"}}', 3],
      ['vectorizer', ids.vectorizer, '{"must": [{"key": "genre", "match": {"value": "rock"}}]}', 4],
      ['qdrant', ids.qdrant, '{"must": [{"key": "genre", "match": {"value": "rock"}}]}', 3],
      ['chroma', ids.chroma, '{"$and": [{"genre": "rock"}, {"year": {"$gte": 2000}}]}', 7],
    ];
    for (const [dialect, id, filter, total] of dialects) {
      const res = await api('POST', `/collections/${id}/records`, { dialect, filter, namespace: 'ns-a' });
      if (dialect !== 'pinecone') {
        const plain = await api('POST', `/collections/${id}/records`, { dialect, filter });
        expect({ dialect, total: plain.body.total }).toEqual({ dialect, total });
      } else expect({ dialect, total: res.body.total }).toEqual({ dialect, total });
    }
    // Chroma's where_document beside where.
    const docs = await api('POST', `/collections/${ids.chroma}/records`, {
      filter: '{"genre": "pop"}',
      whereDocument: '{"$contains": "number 2"}',
    });
    expect(docs.body.records.map((r: any) => r.id).sort()).toEqual([
      'film-02',
      'film-20',
      'film-23',
      'film-26',
      'film-29',
    ]);
  });

  it('answers a filter’s parse error in the words of its protocol, and changes nothing', async () => {
    const cases: [string, string, RegExp][] = [
      ['chroma', '{"genre": {"$bad": 1}}', /^Invalid where clause: unknown operator "\$bad" on key "genre"/],
      ['pinecone', '{"genre": {"$regex": "x"}}', /\$regex/],
      ['vectorizer', '{"must": "nope"}', /must/],
      ['qdrant', '{"must": [{"key": "genre", "match": {"valu": "x"}}]}', /match of genre takes value/],
      ['chroma', '{"genre": ', /^The filter is not JSON/],
    ];
    for (const [dialect, filter, words] of cases) {
      const res = await api('POST', `/collections/${ids.chroma}/records`, { dialect, filter });
      expect({ dialect, status: res.status, code: res.body.error.code, d: res.body.error.dialect }).toEqual({
        dialect,
        status: 400,
        code: 'invalid_filter',
        d: dialect,
      });
      expect(res.body.error.message).toMatch(words);
    }
    const bad = [{ dialect: 'mongo' }, { limit: 1000 }, { limit: -1 }, { order: 'sideways' }, { filter: 42 }];
    for (const body of bad) {
      const res = await api('POST', `/collections/${ids.chroma}/records`, body);
      expect({ body, status: res.status, code: res.body?.error?.code }).toEqual({
        body,
        status: 400,
        code: 'bad_request',
      });
    }
    const notJson = await http(gw.url, 'POST', `/console/api/collections/${ids.chroma}/records`, '{not json', {
      'content-type': 'application/json',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not JSON/);
    for (const id of ['nope', "1' OR '1'='1", '00000000-0000-0000-0000-000000000000']) {
      const res = await api('GET', `/collections/${encodeURIComponent(id)}`);
      expect({ id, status: res.status, code: res.body.error.code }).toEqual({ id, status: 404, code: 'not_found' });
    }
    // Hostile keys and values are values: they match nothing and break nothing.
    const hostile = await api('POST', `/collections/${ids.chroma}/records`, {
      filter: JSON.stringify({ "genre') OR 1=1 --": { $eq: "x'; DROP TABLE vecgate_collections; --" } }),
    });
    expect(hostile.status).toBe(200);
    expect(hostile.body.total).toBe(0);
    expect((await api('GET', `/collections/${ids.chroma}`)).body.records).toBe(31);
  });

  it('searches near a record or a pasted vector, with distances and the path taken', async () => {
    const byId = await api('POST', `/collections/${ids.chroma}/search`, { id: 'film-00', k: 3 });
    expect(byId.status).toBe(200);
    expect(byId.body.neighbours).toHaveLength(3);
    expect(byId.body.neighbours[0]).toMatchObject({ id: 'film-00', distance: 0 });
    expect(byId.body.neighbours[1].distance).toBeGreaterThan(0);
    expect(byId.body.path.kind).toBe('exact');
    const byVector = await api('POST', `/collections/${ids.pinecone}/search`, {
      vector: [1, 1, 0, 0],
      k: 2,
      namespace: 'ns-b',
      filter: '{"rank": {"$gte": 1}}',
    });
    expect(byVector.body.neighbours.map((n: any) => n.id)).toHaveLength(2);
    for (const n of byVector.body.neighbours) expect(n.id).toMatch(/^ns-b-[1-4]$/);
    for (const body of [{}, { vector: [1, 'x'] }, { vector: [1, 2] }, { id: 'film-00', k: 0 }]) {
      const res = await api('POST', `/collections/${ids.chroma}/search`, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await api('POST', `/collections/${ids.chroma}/search`, { id: 'missing' })).status).toBe(404);
  });

  it('explains a narrow filter as an exact read and a broad one as an HNSW walk', async () => {
    await indexBuilt();
    const explain = (filter: string, analyze = false) =>
      api('POST', `/collections/${ids.bulk}/explain`, { operation: 'search', id: 'r5', k: 10, filter, analyze });
    const narrow = await explain('{"bucket": 5}', true);
    expect(narrow.status).toBe(200);
    expect(narrow.body).toMatchObject({
      operation: 'search',
      analyzed: true,
      path: { kind: 'exact', efSearch: null },
      actualRows: BULK_RECORDS / 100,
      totalRows: BULK_RECORDS,
    });
    expect(narrow.body.path.reason).toMatch(/filter keeps about \d+ of \d+ records/);
    expect(narrow.body.estimatedRows).toBeLessThan(BULK_RECORDS * 0.05);
    expect(narrow.body.sql).toMatch(/SELECT .* FROM vecgate_records\."r_[0-9a-f]{32}"/s);
    expect(narrow.body.params).toContain('{"bucket":5}');
    expect(narrow.body.params.some((p: string) => /^vector\(8\) \[/.test(p))).toBe(true);
    expect(narrow.body.plan).toMatch(/actual time=/);
    expect(narrow.body.plan).not.toMatch(/_hnsw/);
    expect(narrow.body.steps.map((s: any) => s.name)).toEqual(
      expect.arrayContaining(['count the matching records', 'EXPLAIN ANALYZE (rolled back)']),
    );
    const broad = await explain('{"kind": {"$ne": "pop"}}');
    expect(broad.status).toBe(200);
    expect(broad.body).toMatchObject({
      analyzed: false,
      path: { kind: 'hnsw', iterativeScan: 'relaxed_order' },
      actualRows: (BULK_RECORDS * 2) / 3,
    });
    expect(broad.body.path.efSearch).toBeGreaterThanOrEqual(10);
    expect(broad.body.settings['hnsw.ef_search']).toBe(String(broad.body.path.efSearch));
    expect(broad.body.plan).toMatch(/Index Scan using r_[0-9a-f]{32}_hnsw/);
    expect(broad.body.plan).not.toMatch(/actual time=/);
    const find = await api('POST', `/collections/${ids.bulk}/explain`, { filter: '{"kind": "pop"}' });
    expect(find.body).toMatchObject({ operation: 'find', path: { kind: 'scan' }, actualRows: BULK_RECORDS / 3 });
  });

  it('runs EXPLAIN ANALYZE of a delete without deleting, then deletes by filter after a dry run', async () => {
    const filter = '{"genre": "rock"}';
    const explained = await api('POST', `/collections/${ids.chroma}/explain`, {
      operation: 'delete',
      filter,
      analyze: true,
    });
    expect(explained.status).toBe(200);
    expect(explained.body.sql).toMatch(/^WITH deleted AS \(DELETE FROM/);
    expect(explained.body.plan).toMatch(/Delete on .* \(actual time=/s);
    expect(explained.body.actualRows).toBe(10);
    expect((await api('GET', `/collections/${ids.chroma}`)).body.records).toBe(31);
    const chromaCount = await http(
      gw.url,
      'GET',
      `/api/v2/tenants/default_tenant/databases/default_database/collections/${ids.chroma}/count`,
    );
    expect(chromaCount.body).toBe(31);
    const dry = await api('POST', `/collections/${ids.chroma}/delete`, { filter, dryRun: true });
    expect(dry.body).toEqual({ matched: 10 });
    expect((await api('POST', `/collections/${ids.chroma}/delete`, { dryRun: false })).status).toBe(400);
    expect((await api('POST', `/collections/${ids.chroma}/delete`, { filter })).status).toBe(400);
    const done = await api('POST', `/collections/${ids.chroma}/delete`, { filter, dryRun: false });
    expect(done.body).toEqual({ deleted: 10 });
    expect((await api('GET', `/collections/${ids.chroma}`)).body.records).toBe(21);
  });

  it('samples vectors for the projection, coloured by a metadata key, within bounds', async () => {
    const res = await api('GET', `/collections/${ids.bulk}/projection?limit=500&color=kind`);
    expect(res.status).toBe(200);
    expect(res.body.dimension).toBe(8);
    expect(res.body.points).toHaveLength(500);
    expect(new Set(res.body.points.map((p: any) => p.color))).toEqual(new Set(['jazz', 'rock', 'pop']));
    expect(res.body.points[0].vector).toHaveLength(8);
    expect((await api('GET', `/collections/${ids.bulk}/projection?limit=5000`)).status).toBe(400);
    const pinecone = await api('GET', `/collections/${ids.pinecone}/projection?namespace=ns-b`);
    expect(pinecone.body.points.map((p: any) => p.id).sort()).toEqual([
      'ns-b-0',
      'ns-b-1',
      'ns-b-2',
      'ns-b-3',
      'ns-b-4',
    ]);
  });

  it('shows quality, latency over time, per-protocol metrics and jobs', async () => {
    // Summed over the points: a point is taken every 10 s, and may fall between these searches.
    const searches = (q: { body: { latency: { count: number }[] } }) =>
      q.body.latency.reduce((sum, p) => sum + p.count, 0);
    const before = searches(await api('GET', `/collections/${ids.bulk}/quality`));
    for (let i = 0; i < 3; i++)
      await http(
        gw.url,
        'POST',
        `/api/v2/tenants/default_tenant/databases/default_database/collections/${ids.bulk}/query`,
        {
          query_embeddings: [[1, 0, 0, 1, 0, 0, 1, 0]],
          n_results: 5,
        },
      );
    const quality = await api('GET', `/collections/${ids.bulk}/quality`);
    expect(quality.status).toBe(200);
    expect(quality.body).toMatchObject({ recallTarget: 0, vectors: [{ name: '', tuning: null }] });
    expect(searches(quality)).toBeGreaterThanOrEqual(before + 3);
    expect(quality.body.latency.filter((p: { count: number; p50: number }) => p.count > 0 && p.p50 > 0)).not.toEqual(
      [],
    );
    const metrics = await api('GET', '/metrics');
    const protocols = metrics.body.protocols.map((p: any) => p.protocol);
    expect(protocols).toEqual(expect.arrayContaining(['chroma', 'pinecone', 'vectorizer', 'qdrant', 'console']));
    const chroma = metrics.body.protocols.find((p: any) => p.protocol === 'chroma').series.at(-1);
    expect(chroma.count).toBeGreaterThan(0);
    expect(chroma.rate).toBeGreaterThan(0);
    // The percentiles' resolution: the request histogram's bucket bounds, in ms.
    expect(metrics.body.latencyBucketsMs).toEqual([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000]);
    const backup = await http(gw.url, 'POST', `/indexes/catalog/backups`, { name: 'nightly' });
    expect(backup.status).toBe(201);
    const file = join(importRoot, 'ns-c', 'part-0.parquet');
    mkdirSync(join(importRoot, 'ns-c'));
    const writer = await parquetWriter();
    writer.parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'id', data: ['i1', 'i2', 'i3'] },
        {
          name: 'values',
          data: [
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
          ],
        },
        { name: 'sparse_values', data: [null, null, null] },
        { name: 'metadata', data: [null, null, null] },
      ],
      schema: parquetSchema(false),
    });
    const started = await http(gw.url, 'POST', '/indexes/catalog/bulk/imports', {
      uri: pathToFileURL(importRoot).toString(),
    });
    expect(started.status).toBe(200);
    const jobs = await until(
      'the import listed as completed',
      async () => (await api('GET', '/jobs')).body,
      (j) => j.imports[0]?.state === 'Completed',
    );
    expect(jobs.imports).toEqual([
      expect.objectContaining({ id: started.body.id, collection: 'catalog', percent: 100, records: 3, error: null }),
    ]);
    expect(JSON.stringify(jobs.imports)).not.toContain(importRoot);
    expect(jobs.backups).toEqual([
      expect.objectContaining({ kind: 'backup', name: 'nightly', collection: 'catalog', state: 'Ready', records: 15 }),
    ]);
  });

  it('lets an admin key list, create and revoke its tenant’s keys; others are refused', async () => {
    const keys = gw.app.get(ApiKeysService);
    const admin = await keys.create('tenant-a', null, true);
    const plain = await keys.create('tenant-a', null);
    const other = await keys.create('tenant-b', null, true);
    // Auth is on now: no key, a wrong key, a key in the URL are all refused.
    expect((await api('GET', '/session')).status).toBe(401);
    expect((await api('GET', '/session', undefined, 'vg_0000000000000000_' + 'x'.repeat(43))).status).toBe(401);
    expect((await http(gw.url, 'GET', `/console/api/session?api_key=${admin.key}`)).status).toBe(401);
    const session = await api('GET', '/session', undefined, admin.key);
    expect(session.body).toEqual({
      auth: true,
      principal: { keyId: admin.id, tenant: 'tenant-a', databases: null, admin: true },
    });
    // A key sees its own tenant only.
    const tenants = await api('GET', '/tenants', undefined, admin.key);
    expect(tenants.body.map((t: any) => t.name)).toEqual(['tenant-a']);
    // Another tenant's collection answers as an unknown id does, word for word: ids cannot be told apart.
    const foreign = await api('GET', `/collections/${ids.chroma}`, undefined, admin.key);
    const unknown = await api('GET', `/collections/${randomUUID()}`, undefined, admin.key);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body).replace(ids.chroma, 'ID')).toBe(
      JSON.stringify(unknown.body).replace(/[0-9a-f-]{36}/, 'ID'),
    );
    for (const [method, path] of [
      ['POST', '/records'],
      ['POST', '/search'],
      ['POST', '/explain'],
      ['POST', '/delete'],
      ['GET', '/projection'],
      ['GET', '/quality'],
    ] as const)
      expect([
        path,
        (await api(method, `/collections/${ids.chroma}${path}`, method === 'GET' ? undefined : {}, admin.key)).status,
      ]).toEqual([path, 404]);
    const listed = await api('GET', '/keys', undefined, admin.key);
    expect(listed.body.map((k: any) => k.id).sort()).toEqual([admin.id, plain.id].sort());
    expect(JSON.stringify(listed.body)).not.toMatch(/vg_|secret/);
    const refused = await api('GET', '/keys', undefined, plain.key);
    expect(refused.status).toBe(403);
    // The refusal says how to get an admin key.
    expect(refused.body.error.message).toMatch(/npm run keys -- create --tenant tenant-a --admin/);
    expect((await api('POST', '/keys', { tenant: 'tenant-b' }, admin.key)).status).toBe(403);
    expect((await api('DELETE', `/keys/${other.id}`, undefined, admin.key)).status).toBe(404);
    const created = await api('POST', '/keys', { tenant: 'tenant-a', databases: ['db-one'] }, admin.key);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^vg_[0-9a-f]{16}_/);
    const fresh = await api('GET', '/session', undefined, created.body.key);
    expect(fresh.body.principal).toEqual({
      keyId: created.body.id,
      tenant: 'tenant-a',
      databases: ['db-one'],
      admin: false,
    });
    expect((await api('DELETE', `/keys/${created.body.id}`, undefined, admin.key)).body).toEqual({ revoked: true });
    expect((await api('GET', '/session', undefined, created.body.key)).status).toBe(401);
    for (const body of [{ tenant: '../x' }, { databases: 'all' }, { admin: 'yes' }]) {
      const res = await api('POST', '/keys', body, admin.key);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    // The key a request is signed in with is revoked only when the caller says it knows.
    const own = await api('DELETE', `/keys/${admin.id}`, undefined, admin.key);
    expect(own.status).toBe(409);
    expect(own.body.error).toEqual({
      code: 'own_key',
      message: `Key ${admin.id} is the key this request is signed in with: revoking it signs you out (send self=true to revoke it anyway)`,
    });
    expect((await api('GET', '/session', undefined, admin.key)).status).toBe(200);
    expect((await api('DELETE', `/keys/${admin.id}?self=true`, undefined, admin.key)).body).toEqual({ revoked: true });
    expect((await api('GET', '/session', undefined, admin.key)).status).toBe(401);
  });

  it('lets an admin key of some databases manage keys of those databases only', async () => {
    const keys = gw.app.get(ApiKeysService);
    const wide = await keys.create('tenant-c', null, true);
    const narrowAdmin = await keys.create('tenant-c', ['db-one'], true);
    const narrow = await keys.create('tenant-c', ['db-one']);
    const twoDatabases = await keys.create('tenant-c', ['db-one', 'db-two']);
    const otherDatabase = await keys.create('tenant-c', ['db-two']);
    const listed = await api('GET', '/keys', undefined, narrowAdmin.key);
    expect(listed.status).toBe(200);
    expect(listed.body.map((k: any) => k.id).sort()).toEqual([narrowAdmin.id, narrow.id].sort());
    // A key of every database, or of one more database, is not its to revoke: as unknown as any other.
    for (const id of [wide.id, twoDatabases.id, otherDatabase.id])
      expect((await api('DELETE', `/keys/${id}`, undefined, narrowAdmin.key)).status).toBe(404);
    expect((await api('GET', '/session', undefined, wide.key)).status).toBe(200);
    expect((await api('GET', '/session', undefined, twoDatabases.key)).status).toBe(200);
    expect((await api('DELETE', `/keys/${narrow.id}`, undefined, narrowAdmin.key)).body).toEqual({ revoked: true });
    // The tenant-wide admin sees them all.
    const all = await api('GET', '/keys', undefined, wide.key);
    expect(all.body.map((k: any) => k.id).sort()).toEqual(
      [wide.id, narrowAdmin.id, narrow.id, twoDatabases.id, otherDatabase.id].sort(),
    );
  });
});
