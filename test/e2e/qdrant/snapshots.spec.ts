import { createHash } from 'node:crypto';
import { gatewayForFile, http } from '../../support/gateway';
import { createDense, indexName, pineconeClient } from '../../support/pinecone';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/** A collection of 1,200 points (three pages of a snapshot file) with a named vector beside the first. */
async function seeded(q: QdrantClient, label: string): Promise<string> {
  const name = collectionName(label);
  await q.createCollection(name, {
    vectors: { text: { size: 3, distance: 'Dot' }, image: { size: 2, distance: 'Euclid' } },
    sparse_vectors: { words: {} },
    hnsw_config: { m: 20 },
  });
  await q.createPayloadIndex(name, { field_name: 'n', field_schema: 'integer', wait: true });
  const points = Array.from({ length: 1200 }, (_, i) => ({
    id: i + 1,
    vector: {
      text: [i, 1, 0],
      ...(i % 2 === 0 ? { image: [i, -i] } : {}),
      words: { indices: [i % 7], values: [1] },
    },
    payload: { n: i, tag: i % 3 === 0 ? 'fizz' : 'plain', nested: { deep: [i] } },
  }));
  for (let i = 0; i < points.length; i += 400) await q.upsert(name, { wait: true, points: points.slice(i, i + 400) });
  return name;
}

/** Every point, vectors and payloads, in id order. */
async function everything(q: QdrantClient, name: string) {
  const out: unknown[] = [];
  let offset: unknown = undefined;
  do {
    const page = await q.scroll(name, { limit: 500, offset: offset as number, with_vector: true, with_payload: true });
    out.push(...page.points);
    offset = page.next_page_offset ?? undefined;
  } while (offset !== undefined && offset !== null);
  return out;
}

/** The snapshot file as a multipart form, as `curl -F snapshot=@file` sends it. */
function form(file: string | Buffer): FormData {
  const body = new FormData();
  body.append('snapshot', new Blob([file]), 'collection.snapshot');
  return body;
}

/**
 * Qdrant's collection snapshots: a copy taken at one instant, listed, downloaded as vecgate's
 * snapshot file, recovered by name or from an uploaded file (replacing the collection, in one
 * transaction), and deleted.
 */
describe('Qdrant snapshots', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  const upload = (name: string, body: FormData, query = '') =>
    fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/upload${query}`, { method: 'POST', body }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));
  const download = (name: string, snapshot: string) =>
    fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/${snapshot}`);

  it('takes a snapshot, lists it, and recovers the collection as it was then, named vectors and indexes too', async () => {
    const name = await seeded(q, 'snap');
    const before = await everything(q, name);
    const taken = await q.createSnapshot(name);
    expect(taken).toMatchObject({ name: expect.stringMatching(new RegExp(`^${name}-.*\\.snapshot$`)) });
    expect((await q.listSnapshots(name)).map((s) => s.name)).toEqual([taken!.name]);
    // Changes after the snapshot: a point gone, one changed, one new, a vector deleted.
    await q.delete(name, { wait: true, points: [1] });
    await q.setPayload(name, { wait: true, points: [2], payload: { tag: 'changed' } });
    await q.upsert(name, { wait: true, points: [{ id: 5000, vector: { text: [1, 1, 1] } }] });
    await q.deleteVectors(name, { wait: true, points: [3], vector: ['image'] });
    expect(await q.recoverSnapshot(name, { location: `file:///qdrant/snapshots/${name}/${taken!.name}` })).toBe(true);
    expect(await everything(q, name)).toEqual(before);
    const info = await q.getCollection(name);
    expect(info.points_count).toBe(1200);
    expect(info.config.params.vectors).toEqual({
      text: { size: 3, distance: 'Dot' },
      image: { size: 2, distance: 'Euclid' },
    });
    expect(info.config.params.sparse_vectors).toEqual({ words: {} });
    expect(info.config.hnsw_config).toMatchObject({ m: 20 });
    expect(info.payload_schema).toMatchObject({ n: { data_type: 'integer' } });
    // Searches of the named vector find the recovered points.
    expect((await q.query(name, { query: [4, -4], using: 'image', limit: 1 })).points[0].id).toBe(5);
    // The snapshot outlives the recovery, and goes when deleted.
    expect(await q.deleteSnapshot(name, taken!.name)).toBe(true);
    expect(await q.listSnapshots(name)).toEqual([]);
    expect((await download(name, taken!.name)).status).toBe(404);
  });

  it('downloads the snapshot file, and an upload of it makes the same collection under another name', async () => {
    const name = await seeded(q, 'file');
    const before = await everything(q, name);
    const { name: snapshot } = (await q.createSnapshot(name))!;
    const res = await download(name, snapshot);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/octet-stream/);
    const file = Buffer.from(await res.arrayBuffer());
    const lines = file.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1201);
    expect(JSON.parse(lines[0])).toMatchObject({
      format: 'vecgate-qdrant-snapshot',
      version: 1,
      collection: name,
      points_count: 1200,
      config: { vectors: { text: { size: 3, distance: 'Dot' } }, sparse_vectors: { words: {} } },
      payload_schema: { n: 'integer' },
    });
    expect(JSON.parse(lines[1])).toEqual({
      id: 1,
      vector: { text: [0, 1, 0], image: [0, 0], words: { indices: [0], values: [1] } },
      payload: { n: 0, tag: 'fizz', nested: { deep: [0] } },
    });
    // The same bytes each time: its checksum holds for a recovery.
    const again = Buffer.from(await (await download(name, snapshot)).arrayBuffer());
    expect(again.equals(file)).toBe(true);
    const checksum = createHash('sha256').update(file).digest('hex');
    const copy = `${name}_copy`;
    expect(await upload(copy, form(file), `?checksum=${checksum}&priority=snapshot`)).toMatchObject({
      status: 200,
      body: { result: true, status: 'ok' },
    });
    expect(await everything(q, copy)).toEqual(before);
    expect((await q.getCollection(copy)).payload_schema).toMatchObject({ n: { data_type: 'integer' } });
    // Recovered by name, with the file's checksum.
    expect(await q.recoverSnapshot(copy, { location: snapshot, checksum })).toBe(true);
    expect((await q.count(copy)).count).toBe(1200);
  });

  it('keeps the ids of records written through another protocol: the file says so, and an upload restores them', async () => {
    // A Chroma collection: ids a Qdrant upsert refuses ("a", "007") or would respell (an uppercase
    // UUID), beside ids that are Qdrant's as they are ("1", a lowercase UUID).
    const chroma = '/api/v2/tenants/default_tenant/databases/default_database/collections';
    const name = collectionName('chroma_ids');
    const made = await http(gw.url, 'POST', chroma, { name, configuration: { hnsw: { space: 'cosine' } } });
    expect(made.status).toBe(200);
    const upper = 'A1B2C3D4-0000-4000-8000-00000000000F';
    const lower = '5c56c793-69f3-4fbf-87e6-c4bf54c28c26';
    const ids = ['a', 'b', '007', '1', upper, lower];
    const added = await http(gw.url, 'POST', `${chroma}/${made.body.id}/add`, {
      ids,
      // Unit vectors: Qdrant's Cosine stores vectors normalized, Chroma's as sent.
      embeddings: ids.map((_, i) => [0, 1, 2].map((axis) => (axis === i % 3 ? (i < 3 ? 1 : -1) : 0))),
      metadatas: ids.map((id, i) => ({ n: i, id })),
    });
    expect(added.status).toBe(201);
    const { name: snapshot } = (await q.createSnapshot(name))!;
    const file = Buffer.from(await (await download(name, snapshot)).arrayBuffer());
    const points = file
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l));
    // In id order (bytes); the kept ids are marked, the Qdrant ones are as an upsert takes them.
    expect(points.map((p) => [p.id, p.vecgate_keep_id])).toEqual([
      ['007', true],
      [1, undefined],
      [lower, undefined],
      [upper, true],
      ['a', true],
      ['b', true],
    ]);

    const copy = `${name}_copy`;
    expect(await upload(copy, form(file))).toMatchObject({ status: 200, body: { result: true } });
    const read = async (collection: string) => {
      const id = (await http(gw.url, 'GET', `${chroma}/${collection}`)).body.id;
      const got = await http(gw.url, 'POST', `${chroma}/${id}/get`, { include: ['metadatas', 'embeddings'] });
      expect(got.status).toBe(200);
      // By id: Chroma's get answers in insertion order, and the copy was written in id order.
      return got.body.ids
        .map((x: string, i: number) => [x, got.body.metadatas[i], got.body.embeddings[i]])
        .sort((a: [string], b: [string]) => (a[0] < b[0] ? -1 : 1));
    };
    const original = await read(name);
    expect(original.map(([id]: [string]) => id)).toEqual([...ids].sort());
    expect(await read(copy)).toEqual(original);
    // Qdrant's clients see the copy's points as the original's.
    expect(await everything(q, copy)).toEqual(await everything(q, name));
    // The upload of the copy's own snapshot gives the same file again (but for its header).
    const { name: again } = (await q.createSnapshot(copy))!;
    const second = Buffer.from(await (await download(copy, again)).arrayBuffer()).toString('utf8');
    expect(second.split('\n').slice(1)).toEqual(file.toString('utf8').split('\n').slice(1));
  });

  it('refuses a vecgate_keep_id that is not true, or that keeps no string id, and changes nothing', async () => {
    const header = JSON.stringify({
      format: 'vecgate-qdrant-snapshot',
      version: 1,
      collection: 'x',
      created_at: new Date().toISOString(),
      points_count: 1,
      config: { vectors: { size: 2, distance: 'Cosine' } },
      payload_schema: {},
    });
    const name = collectionName('keep_bad');
    for (const [line, words] of [
      [
        { id: 'a', vecgate_keep_id: false, vector: [1, 0] },
        'snapshot line 2: vecgate_keep_id must be true when present',
      ],
      [
        { id: 5, vecgate_keep_id: true, vector: [1, 0] },
        "snapshot line 2: vecgate_keep_id keeps a string id, and this line's id is none",
      ],
      [
        { id: '', vecgate_keep_id: true, vector: [1, 0] },
        "snapshot line 2: vecgate_keep_id keeps a string id, and this line's id is none",
      ],
    ] as const) {
      const res = await upload(name, form(`${header}\n${JSON.stringify(line)}\n`));
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: expect.objectContaining({ status: { error: `Bad request: ${words}` } }),
      });
    }
    expect((await q.collectionExists(name)).exists).toBe(false);
    // Without the mark, a string that is no Qdrant id is refused as an upsert refuses it.
    const plain = await upload(name, form(`${header}\n${JSON.stringify({ id: 'a', vector: [1, 0] })}\n`));
    expect(plain.status).toBe(400);
    expect(plain.body.status.error).toMatch(/Unable to parse UUID: a/);
  });

  it('refuses what is no snapshot of its own, a wrong checksum and a bad line, and leaves the collection as it was', async () => {
    const name = await seeded(q, 'bad');
    const raw = qdrantHttp(gw);
    const { name: snapshot } = (await q.createSnapshot(name))!;
    const file = Buffer.from(await (await download(name, snapshot)).arrayBuffer());
    await q.delete(name, { wait: true, points: [7] });
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, { location: 'ftp://example.com/x.snapshot' }),
      400,
      /^Bad request: URL ftp:\/\/example.com\/x.snapshot with scheme ftp is not supported$/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, { location: snapshot, checksum: 'ab'.repeat(32) }),
      400,
      /checksum mismatch/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, {
        location: snapshot.replace(/[0-9a-f]{8}-/, '00000000-'),
      }),
      404,
      /Snapshot .* not found/,
    );
    // Uploads: a wrong checksum, a Qdrant segment archive, a bad point (on line 601: the second page).
    expectQdrantError(await upload(name, form(file), `?checksum=${'00'.repeat(32)}`), 400, /checksum mismatch/);
    expectQdrantError(
      await upload(name, form(Buffer.from('ustar\0binary segment data'))),
      400,
      /not a vecgate snapshot/,
    );
    const lines = file.toString('utf8').split('\n');
    lines[600] = JSON.stringify({ id: 600, vector: { text: [1, 2] } });
    expectQdrantError(
      await upload(name, form(lines.join('\n'))),
      400,
      /snapshot lines from 502.*expected dim: 3, got 2/,
    );
    expectQdrantError(
      await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
      400,
      /multipart/,
    );
    // Nothing of those reached the collection: point 7 is still gone, the rest as they were.
    expect((await q.count(name)).count).toBe(1199);
    expect(await q.retrieve(name, { ids: [7] })).toEqual([]);
    // Snapshots of a collection that does not exist, and of another collection's name.
    expectQdrantError(await raw.post(`/collections/${collectionName('none')}/snapshots`), 404, /doesn't exist/);
    const other = await seeded(q, 'other');
    expectQdrantError(await raw.del(`/collections/${other}/snapshots/${snapshot}`), 404, /not found/);
    expect((await download(other, snapshot)).status).toBe(404);
  });

  it('checks the payload indexes of a header as the create-index route does, at most 100 a collection', async () => {
    const raw = qdrantHttp(gw);
    const name = collectionName('schema');
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, { wait: true, points: [{ id: 1, vector: [1, 2], payload: { k0: 'a' } }] });
    const file = (payload_schema: unknown) =>
      form(
        [
          JSON.stringify({
            format: 'vecgate-qdrant-snapshot',
            version: 1,
            collection: name,
            config: { vectors: { size: 2, distance: 'Dot' } },
            payload_schema,
          }),
          JSON.stringify({ id: 2, vector: [2, 1], payload: { k0: 'b' } }),
        ].join('\n'),
      );
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'keyword']));
    expectQdrantError(
      await upload(name, file({ 'a[0].b': 'keyword' })),
      400,
      /array path is written a\[\]\.b, not a\[0\]\.b/,
    );
    expectQdrantError(await upload(name, file({ '': 'keyword' })), 400, /payload_schema key "" must be a non-empty/);
    expectQdrantError(await upload(name, file({ v: 'vector' })), 400, /payload_schema\.v: unknown variant "vector"/);
    expectQdrantError(await upload(name, file(['keyword'])), 400, /payload_schema must be an object/);
    expectQdrantError(await upload(name, file(keys(101))), 400, /names 101 payload indexes; .* at most 100/);
    // None of those replaced the collection.
    expect((await q.retrieve(name, { ids: [1, 2] })).map((p) => p.id)).toEqual([1]);
    expect((await q.getCollection(name)).payload_schema).toEqual({});
    // A hundred are taken; a hundred and first, through the route, is not (an indexed field's is replaced).
    expect(await upload(name, file(keys(100)))).toMatchObject({ status: 200 });
    const schema = (await q.getCollection(name)).payload_schema;
    expect(Object.keys(schema)).toHaveLength(100);
    expect(schema.k0).toEqual({ data_type: 'keyword', points: 1 });
    expectQdrantError(
      await raw.put(`/collections/${name}/index`, { field_name: 'k100', field_schema: 'keyword' }),
      400,
      /Collection already has the maximum number of payload indices \(100\)\. Help: Please delete an existing index/,
    );
    expect((await raw.put(`/collections/${name}/index`, { field_name: 'k5', field_schema: 'integer' })).status).toBe(
      200,
    );
    await q.deletePayloadIndex(name, 'k99', { wait: true });
    expect((await raw.put(`/collections/${name}/index`, { field_name: 'k100', field_schema: 'keyword' })).status).toBe(
      200,
    );
    expect(Object.keys((await q.getCollection(name)).payload_schema)).toHaveLength(100);
  });
});

describe('Qdrant snapshot uploads past VECGATE_SNAPSHOT_UPLOAD_MB', () => {
  const gw = gatewayForFile({ qdrantPort: 0, snapshotUploadBytes: 4096 });

  it('refuses the file with a 413 in Qdrant’s shape, and makes no collection', async () => {
    const q = await qdrantClient(gw);
    const name = collectionName('big');
    const header = JSON.stringify({
      format: 'vecgate-qdrant-snapshot',
      version: 1,
      collection: name,
      config: { vectors: { size: 2, distance: 'Dot' } },
      payload_schema: {},
    });
    const points = Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: i + 1, vector: [i, 1] }));
    const res = await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/upload`, {
      method: 'POST',
      body: form([header, ...points].join('\n')),
    });
    expectQdrantError({ status: res.status, body: await res.json() }, 413, /larger than VECGATE_SNAPSHOT_UPLOAD_MB/);
    expect(await q.collectionExists(name)).toEqual({ exists: false });
  });
});

describe('Qdrant snapshot lines bound as request bodies are (VECGATE_BODY_LIMIT_MB)', () => {
  const gw = gatewayForFile({ qdrantPort: 0, bodyLimitBytes: 64 * 1024, snapshotUploadBytes: 4 * 1024 * 1024 });

  const upload = (name: string, body: FormData | string, headers: Record<string, string> = {}) =>
    fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/upload`, { method: 'POST', body, headers }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
    );

  /** A collection of three points and its snapshot file's lines. */
  async function withSnapshot(q: QdrantClient, label: string): Promise<{ name: string; lines: string[] }> {
    const name = collectionName(label);
    await q.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await q.upsert(name, {
      wait: true,
      points: [1, 2, 3].map((id) => ({ id, vector: [id, 1], payload: { n: id } })),
    });
    const { name: snapshot } = (await q.createSnapshot(name))!;
    const file = await (await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/${snapshot}`)).text();
    return { name, lines: file.trimEnd().split('\n') };
  }

  it('refuses a point line past the body limit with a 413, as an upsert of that point is, and changes nothing', async () => {
    const q = await qdrantClient(gw);
    const { name, lines } = await withSnapshot(q, 'long');
    const before = await q.scroll(name, { limit: 10, with_vector: true, with_payload: true });
    const big = { id: 2, vector: [2, 1], payload: { text: 'x'.repeat(100 * 1024) } };
    expectQdrantError(
      await qdrantHttp(gw).put(`/collections/${name}/points?wait=true`, { points: [big] }),
      413,
      /larger than allowed/,
    );
    lines[2] = JSON.stringify(big);
    expectQdrantError(
      await upload(name, form(lines.join('\n'))),
      413,
      /snapshot line 3 is larger than allowed \(limit: 65536 bytes\).*VECGATE_BODY_LIMIT_MB/,
    );
    // A header line is bound the same way.
    const header = JSON.parse(lines[0]);
    header.config.optimizers_config = { padding: 'x'.repeat(100 * 1024) };
    expectQdrantError(
      await upload(name, form([JSON.stringify(header), ...lines.slice(1)].join('\n'))),
      413,
      /snapshot line 1 is larger than allowed/,
    );
    expect(await q.scroll(name, { limit: 10, with_vector: true, with_payload: true })).toEqual(before);
  });

  it('refuses a point with text a request may not hold (a lone surrogate), and changes nothing', async () => {
    const q = await qdrantClient(gw);
    const { name, lines } = await withSnapshot(q, 'surrogate');
    lines[3] = '{"id":3,"vector":[3,1],"payload":{"n":"\\ud800"}}';
    expectQdrantError(await upload(name, form(lines.join('\n'))), 400, /snapshot line 4: .*lone UTF-16 surrogate/);
    expect((await q.retrieve(name, { ids: [3] }))[0].payload).toEqual({ n: 3 });
  });

  it('refuses a form that ends before its closing boundary with a 400, and changes nothing', async () => {
    const q = await qdrantClient(gw);
    const { name, lines } = await withSnapshot(q, 'unclosed');
    await q.delete(name, { wait: true, points: [1] });
    const body =
      '--XX\r\nContent-Disposition: form-data; name="snapshot"; filename="c.snapshot"\r\n' +
      `Content-Type: application/octet-stream\r\n\r\n${lines.join('\n')}\n`;
    expectQdrantError(
      await upload(name, body, { 'content-type': 'multipart/form-data; boundary=XX' }),
      400,
      /the snapshot file was not received whole/,
    );
    expect((await q.count(name)).count).toBe(2);
  });
});

describe('backups a collection holds (VECGATE_MAX_BACKUPS_PER_COLLECTION), Qdrant snapshots and Pinecone backups together', () => {
  const gw = gatewayForFile({ qdrantPort: 0, maxBackupsPerCollection: 2 });

  it('refuses one past the bound in each protocol’s words, and takes one again once another is deleted', async () => {
    const q = await qdrantClient(gw);
    const pc = pineconeClient(gw);
    const name = indexName('quota');
    const other = indexName('quota-other');
    for (const n of [name, other]) {
      await createDense(pc, n, 2, 'dotproduct');
      await pc.index({ name: n }).upsert({ records: [{ id: 'a', values: [1, 2] }] });
    }
    const first = (await q.createSnapshot(name))!;
    const backup = await pc.backups.create(name, { name: 'nightly' });
    expectQdrantError(
      await qdrantHttp(gw).post(`/collections/${name}/snapshots`),
      400,
      /Collection already has the maximum number of snapshots \(2, its Pinecone backups included\)\. Help: Please delete an existing snapshot/,
    );
    expect(await http(gw.url, 'POST', `/indexes/${name}/backups`, { name: 'third' })).toMatchObject({
      status: 403,
      body: {
        error: {
          code: 'FORBIDDEN',
          message: expect.stringMatching(/reached the max backups allowed for index .* \(2,/),
        },
        status: 403,
      },
    });
    expect((await q.listSnapshots(name)).map((s) => s.name)).toEqual([first.name]);
    expect((await pc.backups.listByIndex(name)).data).toHaveLength(2);
    // Another collection's bound is its own; a deleted backup gives its place back.
    expect(await q.createSnapshot(other)).toMatchObject({ name: expect.any(String) });
    await pc.backups.delete(backup.backupId);
    expect(await q.createSnapshot(name)).toMatchObject({ name: expect.any(String) });
    expect(await q.listSnapshots(name)).toHaveLength(2);
    // Takers at once: one gets the last place, the others count it.
    const racing = await Promise.all([1, 2, 3].map(() => qdrantHttp(gw).post(`/collections/${other}/snapshots`)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 400, 400]);
    expect(await q.listSnapshots(other)).toHaveLength(2);
  });
});
