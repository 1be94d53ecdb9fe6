import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayForFile } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/** A collection of `n` points with payloads, an integer index and a named vector beside the first. */
async function seeded(q: QdrantClient, label: string, n = 30): Promise<string> {
  const name = collectionName(label);
  await q.createCollection(name, {
    vectors: { text: { size: 3, distance: 'Dot' }, image: { size: 2, distance: 'Euclid' } },
  });
  await q.createPayloadIndex(name, { field_name: 'n', field_schema: 'integer', wait: true });
  await q.upsert(name, {
    wait: true,
    points: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      vector: { text: [i, 1, 0], ...(i % 2 === 0 ? { image: [i, -i] } : {}) },
      payload: { n: i, tag: i % 3 === 0 ? 'fizz' : 'plain' },
    })),
  });
  return name;
}

/** Every point, vectors and payloads, in id order. */
async function everything(q: QdrantClient, name: string) {
  return (await q.scroll(name, { limit: 1000, with_vector: true, with_payload: true })).points;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function fetched(url: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** The entries of a tar archive (ustar, regular files), read as `tar -x` would. */
function untar(archive: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at + 512 <= archive.length) {
    const header = archive.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.toString('ascii', 0, 100).replace(/\0.*$/s, '');
    const size = parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/s, ''), 8);
    let sum = 0;
    header.forEach((b, i) => (sum += i >= 148 && i < 156 ? 0x20 : b));
    expect(parseInt(header.toString('ascii', 148, 154), 8)).toBe(sum);
    out.set(name, archive.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** A file server on a loopback port, as a bucket or another host would serve a snapshot. */
async function fileServer(files: Map<string, Buffer>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function form(file: Buffer): FormData {
  const body = new FormData();
  body.append('snapshot', new Blob([file]), 'collection.snapshot');
  return body;
}

describe('Qdrant snapshot checksums, wait=false, shard snapshots and locations', () => {
  const gw = gatewayForFile({ qdrantPort: 0, snapshotUrlRecovery: true });
  let q: QdrantClient;
  const files = new Map<string, Buffer>();
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    q = await qdrantClient(gw);
    server = await fileServer(files);
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the checksum and size a snapshot was taken with, which its download has', async () => {
    const name = await seeded(q, 'sum');
    const taken = (await q.createSnapshot(name))!;
    expect(taken.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await q.listSnapshots(name)).toEqual([taken]);
    const file = await fetched(`${gw.qdrantUrl}/collections/${name}/snapshots/${taken.name}`);
    expect(file.status).toBe(200);
    expect(sha256(file.bytes)).toBe(taken.checksum);
    expect(file.bytes.length).toBe(taken.size);
  });

  it('answers wait=false with a 202 and no result, the work done', async () => {
    const raw = qdrantHttp(gw);
    const name = await seeded(q, 'nowait', 3);
    const created = await raw.post(`/collections/${name}/snapshots?wait=false`);
    expect(created).toMatchObject({ status: 202, body: { result: null, status: 'accepted' } });
    const [listed] = await q.listSnapshots(name);
    expect((await raw.del(`/collections/${name}/snapshots/${listed.name}?wait=false`)).status).toBe(202);
    expect(await q.listSnapshots(name)).toEqual([]);
    expect((await raw.post(`/collections/${name}/shards/0/snapshots?wait=false`)).status).toBe(202);
    expect(await q.listShardSnapshots(name, 0)).toHaveLength(1);
  });

  it('takes, lists, downloads, recovers and deletes shard 0’s snapshots, apart from the collection’s', async () => {
    const name = await seeded(q, 'shard');
    const before = await everything(q, name);
    const taken = await q.createShardSnapshot(name, 0, { wait: true });
    expect(taken.name).toMatch(new RegExp(`^${name}-shard-0-.*\\.snapshot$`));
    expect(await q.listShardSnapshots(name, 0)).toEqual([taken]);
    expect(await q.listSnapshots(name)).toEqual([]);
    const file = await fetched(`${gw.qdrantUrl}/collections/${name}/shards/0/snapshots/${taken.name}`);
    expect(sha256(file.bytes)).toBe(taken.checksum);
    // Changed after the snapshot, then recovered from it by name, with its checksum.
    await q.delete(name, { wait: true, points: [1, 2] });
    await q.setPayload(name, { wait: true, points: [3], payload: { tag: 'changed' } });
    expect(
      await q.recoverShardFromSnapshot(name, 0, { location: taken.name, checksum: taken.checksum ?? undefined }),
    ).toBe(true);
    expect(await everything(q, name)).toEqual(before);
    // The collection recovered is another, and the snapshot it was recovered from is still listed.
    expect(await q.listShardSnapshots(name, 0)).toEqual([taken]);
    // The collection's recovery takes a shard snapshot too (the same file).
    await q.delete(name, { wait: true, points: [4] });
    const copy = collectionName('shard_copy');
    expect(await q.recoverSnapshot(copy, { location: `file:///qdrant/snapshots/${name}/${taken.name}` })).toBe(true);
    expect(await everything(q, copy)).toEqual(before);
    // Its upload, into the collection (which must exist).
    const up = await fetch(`${gw.qdrantUrl}/collections/${name}/shards/0/snapshots/upload?checksum=${taken.checksum}`, {
      method: 'POST',
      body: form(file.bytes),
    });
    expect(up.status).toBe(200);
    expect(await everything(q, name)).toEqual(before);
    expect(await q.deleteShardSnapshot(name, 0, taken.name, { wait: true })).toBe(true);
    expect(await q.listShardSnapshots(name, 0)).toEqual([]);
  });

  it('answers other shards, missing collections and partial snapshots in Qdrant’s words', async () => {
    const raw = qdrantHttp(gw);
    const name = await seeded(q, 'other_shard', 2);
    expectQdrantError(await raw.get(`/collections/${name}/shards/1/snapshots`), 404, /^Not found: shard 1 not found$/);
    expectQdrantError(await raw.post(`/collections/${name}/shards/7/snapshots`), 404, /shard 7 not found/);
    expectQdrantError(
      await raw.put(`/collections/${name}/shards/2/snapshots/recover`, { location: 'x.snapshot' }),
      404,
      /shard 2 not found/,
    );
    expectQdrantError(await raw.get(`/collections/${name}/shards/x/snapshots`), 400, /can not parse "x" to a u32/);
    expectQdrantError(
      await raw.put(`/collections/${collectionName('none')}/shards/0/snapshots/recover`, { location: 'whatever' }),
      404,
      /doesn't exist/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/shards/0/snapshots/recover`, { location: 'file:///whatever.snapshot' }),
      400,
      /URLs with file scheme are not supported/,
    );
    const upload = (path: string) =>
      fetch(`${gw.qdrantUrl}/collections/${name}/shards/0/${path}?checksum=abc`, {
        method: 'POST',
        body: form(Buffer.from('not a snapshot')),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    for (const path of ['snapshots/upload', 'snapshot/partial/recover'])
      expectQdrantError(
        await upload(path),
        422,
        /^Validation error in query parameters: \[checksum: .*invalid_sha256_hash/,
      );
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, { location: 'x.snapshot', checksum: 'zz'.repeat(32) }),
      422,
      /checksum: invalid characters, expected 0-9, a-f, A-F/,
    );
    expectQdrantError(
      await raw.get(`/collections/${name}/shards/0/snapshot/partial/manifest`),
      400,
      /Partial snapshots are not served/,
    );
    expect(await q.count(name)).toEqual({ count: 2 });
  });

  it('recovers from a file:// location naming a snapshot it holds, and reads no other file', async () => {
    const raw = qdrantHttp(gw);
    const target = collectionName('file');
    expectQdrantError(
      await raw.put(`/collections/${target}/snapshots/recover`, { location: 'file://whatever.snapshot' }),
      400,
      /^Bad request: Invalid snapshot URI, file path must be absolute or on localhost$/,
    );
    expectQdrantError(
      await raw.put(`/collections/${target}/snapshots/recover`, { location: 'file://./etc/passwd' }),
      400,
      /must be absolute or on localhost/,
    );
    for (const location of ['file:///whatever.snapshot', 'file://localhost/whatever.snapshot'])
      expectQdrantError(
        await raw.put(`/collections/${target}/snapshots/recover`, { location }),
        400,
        /^Bad request: Snapshot file "\/whatever.snapshot" does not exist$/,
      );
    for (const location of ['file:///etc/passwd', 'file:///qdrant/snapshots/../../etc/shadow'])
      expectQdrantError(
        await raw.put(`/collections/${target}/snapshots/recover`, { location }),
        403,
        /^Forbidden: Snapshot file path must be inside the snapshots directory/,
      );
    expect((await q.collectionExists(target)).exists).toBe(false);
  });

  it('fetches an http(s) location, bound and checked, and changes nothing when it fails', async () => {
    const raw = qdrantHttp(gw);
    const name = await seeded(q, 'url');
    const before = await everything(q, name);
    const taken = (await q.createSnapshot(name))!;
    const file = await fetched(`${gw.qdrantUrl}/collections/${name}/snapshots/${taken.name}`);
    files.set('/bucket/cities.snapshot', file.bytes);
    await q.delete(name, { wait: true, points: [5] });
    // A wrong checksum, a file the server does not have, no server at all: the collection stays as it was.
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, {
        location: `${server.url}/bucket/cities.snapshot`,
        checksum: '3'.repeat(64),
      }),
      400,
      /Snapshot checksum mismatch: expected 3{64}, got [0-9a-f]{64}/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/snapshots/recover`, { location: `${server.url}/bucket/none.snapshot` }),
      400,
      /Failed to download snapshot from .*none.snapshot: status - 404/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/shards/0/snapshots/recover`, { location: 'http://127.0.0.1:1/x.snapshot' }),
      400,
      /Failed to download snapshot from http:\/\/127.0.0.1:1\/x.snapshot/,
    );
    expect((await q.count(name)).count).toBe(29);
    // The file fetched, checked, recovered: the collection as it was when the snapshot was taken.
    expect(
      await q.recoverSnapshot(name, { location: `${server.url}/bucket/cities.snapshot`, checksum: taken.checksum! }),
    ).toBe(true);
    expect(await everything(q, name)).toEqual(before);
    await q.delete(name, { wait: true, points: [6] });
    expect(
      await q.recoverShardFromSnapshot(name, 0, {
        location: `${server.url}/bucket/cities.snapshot`,
        checksum: taken.checksum!,
        wait: true,
      }),
    ).toBe(true);
    expect(await everything(q, name)).toEqual(before);
  });

  it('finds no snapshot by a path: a name it did not give is not found, on every route', async () => {
    const name = await seeded(q, 'traversal', 2);
    const hostile = [
      '/etc/passwd',
      '../../../../../../../etc/passwd',
      '..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      `..%2F${name}-00000000-0000-0000-0000-000000000000-2026-01-01-00-00-00.snapshot`,
      '%00.snapshot',
    ];
    for (const snapshot of hostile)
      for (const prefix of [
        `/collections/${name}/snapshots/`,
        `/collections/${name}/shards/0/snapshots/`,
        '/snapshots/',
      ]) {
        const res = await fetch(`${gw.qdrantUrl}${prefix}${snapshot}`);
        expect({ snapshot, prefix, status: res.status }).toEqual({ snapshot, prefix, status: 404 });
        await res.arrayBuffer();
      }
    // A real snapshot's name under another collection, or as another kind, is not found either.
    const taken = (await q.createSnapshot(name))!;
    expect((await fetch(`${gw.qdrantUrl}/collections/${name}/shards/0/snapshots/${taken.name}`)).status).toBe(404);
    expect((await fetch(`${gw.qdrantUrl}/snapshots/${taken.name}`)).status).toBe(404);
  });
});

describe('Qdrant full-storage snapshots', () => {
  const gw = gatewayForFile({ qdrantPort: 0, maxBackupsPerCollection: 2 });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  it('takes every collection in one archive, whose files recover each collection as it was', async () => {
    const raw = qdrantHttp(gw);
    expect(await q.listFullSnapshots()).toEqual([]);
    const a = await seeded(q, 'full_a', 40);
    const b = await seeded(q, 'full_b', 5);
    const c = await seeded(q, 'full_c', 2);
    const before = { [a]: await everything(q, a), [b]: await everything(q, b) };
    const taken = await q.createFullSnapshot({ wait: true });
    expect(taken.name).toMatch(/^full-snapshot-.*\.snapshot$/);
    expect(await q.listFullSnapshots()).toEqual([taken]);
    // A full snapshot does not count against a collection's own snapshots.
    await q.createSnapshot(c);
    await q.createSnapshot(c);
    expect(await q.listSnapshots(c)).toHaveLength(2);

    const archive = await fetched(`${gw.qdrantUrl}/snapshots/${taken.name}`);
    expect(archive.status).toBe(200);
    expect(sha256(archive.bytes)).toBe(taken.checksum);
    expect(archive.bytes.length).toBe(taken.size);
    const entries = untar(archive.bytes);
    const config = JSON.parse(entries.get('config.json')!.toString('utf8'));
    expect(Object.keys(config.collections_mapping).sort()).toEqual([a, b, c].sort());

    // Changes after it; then each collection's file, uploaded, makes it again as it was.
    await q.delete(a, { wait: true, points: [1, 2, 3] });
    await q.deleteCollection(b);
    for (const name of [a, b]) {
      const file = entries.get(config.collections_mapping[name])!;
      const res = await fetch(`${gw.qdrantUrl}/collections/${name}/snapshots/upload?checksum=${sha256(file)}`, {
        method: 'POST',
        body: form(file),
      });
      expect(res.status).toBe(200);
      expect(await everything(q, name)).toEqual(before[name]);
    }

    // At most VECGATE_MAX_BACKUPS_PER_COLLECTION of them; wait=false answers 202.
    const second = await raw.post('/snapshots?wait=false');
    expect(second).toMatchObject({ status: 202, body: { result: null, status: 'accepted' } });
    expectQdrantError(await raw.post('/snapshots'), 400, /maximum number of full snapshots \(2\)/);
    const listed = await q.listFullSnapshots();
    expect(listed).toHaveLength(2);
    expect(await q.deleteFullSnapshot(taken.name, { wait: true })).toBe(true);
    expect((await raw.del(`/snapshots/${listed[1].name}?wait=false`)).status).toBe(202);
    expect(await q.listFullSnapshots()).toEqual([]);
    expectQdrantError(await raw.del(`/snapshots/${taken.name}`), 404, /Snapshot .* not found/);
    expect((await fetch(`${gw.qdrantUrl}/snapshots/${taken.name}`)).status).toBe(404);
    // The collections' own snapshots are left as they were.
    expect(await q.listSnapshots(c)).toHaveLength(2);
  });
});

describe('Qdrant snapshot recovery from URLs off by default (VECGATE_SNAPSHOT_URL_RECOVERY unset)', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });

  it('refuses an http(s) location in Qdrant’s words, and still takes its own snapshots’ URLs', async () => {
    const q = await qdrantClient(gw);
    const raw = qdrantHttp(gw);
    const name = await seeded(q, 'nourl', 4);
    for (const path of [`/collections/${name}/snapshots/recover`, `/collections/${name}/shards/0/snapshots/recover`])
      expectQdrantError(
        await raw.put(path, { location: 'http://169.254.169.254/latest/meta-data.snapshot' }),
        403,
        /^Forbidden: Snapshot recovery from remote URLs is disabled in the configuration$/,
      );
    const taken = (await q.createSnapshot(name))!;
    await q.delete(name, { wait: true, points: [1] });
    expect(
      await q.recoverSnapshot(name, { location: `${gw.qdrantUrl}/collections/${name}/snapshots/${taken.name}` }),
    ).toBe(true);
    expect((await q.count(name)).count).toBe(4);
  });
});

describe('Qdrant snapshots fetched past VECGATE_SNAPSHOT_UPLOAD_MB', () => {
  const gw = gatewayForFile({ qdrantPort: 0, snapshotUploadBytes: 4096, snapshotUrlRecovery: true });

  it('stops reading at the bound with a 413, and makes no collection', async () => {
    const server = await fileServer(new Map([['/big.snapshot', Buffer.alloc(64 * 1024, 0x61)]]));
    try {
      const name = collectionName('big');
      expectQdrantError(
        await qdrantHttp(gw).put(`/collections/${name}/snapshots/recover`, { location: `${server.url}/big.snapshot` }),
        413,
        /larger than VECGATE_SNAPSHOT_UPLOAD_MB/,
      );
      expect((await (await qdrantClient(gw)).collectionExists(name)).exists).toBe(false);
    } finally {
      await server.close();
    }
  });
});
