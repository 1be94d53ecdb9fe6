import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import type { AppConfig } from '../../../src/config/app-config';
import { loadConfig } from '../../../src/config/load-config';
import { parquetSchema } from '../../../src/transfer/parquet-format';
import { parquetWriter } from '../../../src/transfer/parquet-files';
import { createScratchDatabase, http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { createDense, indexName, pineconeClient, prng } from '../../support/pinecone';
import { until } from '../../support/wait';

const { PineconeBadRequestError, PineconeNotFoundError } = Errors;
/** The import settings a server has unless told otherwise. */
const importDefaults = loadConfig({}).imports;

interface Row {
  id: string;
  values: number[];
  sparse?: { indices: number[]; values: number[] };
  metadata?: Record<string, unknown>;
}

/** One Parquet file in Pinecone's import layout, written as vecgate's exporter writes them. */
async function writeParquet(file: string, rows: Row[], rowGroupSize?: number): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const writer = await parquetWriter();
  writer.parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'id', data: rows.map((r) => r.id) },
      { name: 'values', data: rows.map((r) => r.values) },
      { name: 'sparse_values', data: rows.map((r) => r.sparse ?? null) },
      { name: 'metadata', data: rows.map((r) => (r.metadata ? JSON.stringify(r.metadata) : null)) },
    ],
    schema: parquetSchema(false),
    ...(rowGroupSize ? { rowGroupSize } : {}),
  });
}

/** `count` rows of ids `${prefix}${k}` and small vectors that are not zero. */
const numbered = (prefix: string, count: number, dimension = 4): Row[] =>
  Array.from({ length: count }, (_, k) => ({
    id: `${prefix}${k}`,
    values: Array.from({ length: dimension }, (_, d) => (d === k % dimension ? 1 : 0.5)),
  }));

/** `count` rows of ids `${prefix}${k}` and vectors of distinct values, which no encoding makes smaller. */
const randomRows = (prefix: string, count: number, dimension: number): Row[] => {
  const random = prng(11);
  return Array.from({ length: count }, (_, k) => ({
    id: `${prefix}${k}`,
    values: Array.from({ length: dimension }, () => random() + 0.01),
  }));
};

interface Thrift {
  deserializeTCompactProtocol(reader: { view: DataView; offset: number }): Record<string, any>;
}
interface ThriftWriter {
  ByteWriter: new () => { getBuffer(): ArrayBuffer };
  serializeTCompactProtocol(writer: unknown, value: Record<string, any>): void;
}

/**
 * Rewrites the footer of a Parquet file (Thrift FileMetaData: field 3 is num_rows, field 4 the
 * row groups, whose field 3 is theirs) with `change`, the data before it left as it is: a file
 * whose footer lies.
 */
async function patchFooter(file: string, change: (footer: Record<string, any>) => void): Promise<void> {
  const { deserializeTCompactProtocol } = (await import('hyparquet/src/thrift.js')) as unknown as Thrift;
  const { serializeTCompactProtocol } = (await import('hyparquet-writer/src/thrift.js')) as unknown as ThriftWriter;
  const { ByteWriter } = (await import('hyparquet-writer')) as unknown as ThriftWriter;
  const bytes = readFileSync(file);
  const length = bytes.readUInt32LE(bytes.length - 8);
  const start = bytes.length - 8 - length;
  const footer = deserializeTCompactProtocol({
    view: new DataView(bytes.buffer, bytes.byteOffset + start, length),
    offset: 0,
  });
  change(footer);
  const writer = new ByteWriter();
  serializeTCompactProtocol(writer, footer);
  const patched = Buffer.from(writer.getBuffer());
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(patched.length, 0);
  tail.write('PAR1', 4);
  writeFileSync(file, Buffer.concat([bytes.subarray(0, start), patched, tail]));
}

/**
 * Moves the chunk of `column` in row group 0 to a page of its own at the end of the data, one
 * whose header says it holds `values` values, all null (a run-length run that says so in two
 * bytes): a file of a few hundred bytes that claims a billion values where its footer says a few.
 */
async function lieInPage(file: string, column: string, values: number): Promise<void> {
  const { deserializeTCompactProtocol } = (await import('hyparquet/src/thrift.js')) as unknown as Thrift;
  const { serializeTCompactProtocol } = (await import('hyparquet-writer/src/thrift.js')) as unknown as ThriftWriter;
  const { snappyCompress } = (await import('hyparquet-writer/src/snappy.js')) as unknown as {
    snappyCompress(input: Uint8Array): Uint8Array;
  };
  const { ByteWriter } = (await import('hyparquet-writer')) as unknown as {
    ByteWriter: new () => { getBuffer(): ArrayBuffer; appendVarInt(n: number): void; appendUint8(n: number): void };
  };
  const bytes = readFileSync(file);
  const length = bytes.readUInt32LE(bytes.length - 8);
  const dataEnd = bytes.length - 8 - length;
  const footer = deserializeTCompactProtocol({
    view: new DataView(bytes.buffer, bytes.byteOffset + dataEnd, length),
    offset: 0,
  });
  const chunk = footer.field_4[0].field_1
    .map((c: Record<string, any>) => c.field_3)
    .find((m: Record<string, any>) => new TextDecoder().decode(m.field_3[0]) === column);
  // Definition levels: their byte length, then one run of `values` zeros (null) at bit width 1.
  const run = new ByteWriter();
  run.appendVarInt(values * 2);
  run.appendUint8(0);
  const levels = Buffer.from(run.getBuffer());
  const data = Buffer.concat([Buffer.alloc(4), levels]);
  data.writeUInt32LE(levels.length, 0);
  const body = chunk.field_4 === 1 ? Buffer.from(snappyCompress(data)) : data; // 1: SNAPPY
  const header = new ByteWriter();
  serializeTCompactProtocol(header, {
    field_1: 0, // DATA_PAGE
    field_2: data.length,
    field_3: body.length,
    field_5: { field_1: values, field_2: 0, field_3: 3, field_4: 3 }, // PLAIN values, RLE levels
  });
  const page = Buffer.concat([Buffer.from(header.getBuffer()), body]);
  chunk.field_9 = BigInt(dataEnd); // data_page_offset
  delete chunk.field_11; // dictionary_page_offset
  chunk.field_7 = BigInt(page.length);
  chunk.field_6 = BigInt(page.length - body.length + data.length);
  const writer = new ByteWriter();
  serializeTCompactProtocol(writer, footer);
  const patched = Buffer.from(writer.getBuffer());
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(patched.length, 0);
  tail.write('PAR1', 4);
  writeFileSync(file, Buffer.concat([bytes.subarray(0, dataEnd), page, patched, tail]));
}

// Values a float32 holds exactly, so that what is fetched equals what was written.
const DEFAULT_ROWS: Row[] = [
  { id: 'd1', values: [1, 0.5, 0.25, 0], metadata: { genre: 'drama', year: 1994 } },
  { id: 'd2', values: [0, 1, 0.5, 0.25], sparse: { indices: [3, 17], values: [0.5, 0.125] } },
  { id: 'd3', values: [0.25, 0, 1, 0.5], metadata: { tags: ['a', 'b'], ok: true } },
];
const NS_A_0: Row[] = [
  { id: 'a1', values: [1, 1, 0, 0], metadata: { n: 1 } },
  { id: 'a2', values: [0, 1, 1, 0], sparse: { indices: [0], values: [2] } },
];
const NS_A_1: Row[] = [{ id: 'a3', values: [0, 0, 1, 1], metadata: { n: 3 } }];

/** Pinecone's bulk import API (data plane, 2024-10 and later) through the v9 client. */
describe('Pinecone bulk import', () => {
  const root = mkdtempSync(join(tmpdir(), 'vecgate-bulk-'));
  const roots = join(root, 'allowed');
  const outside = join(root, 'outside');
  const layout = join(roots, 'layout');
  const bad = join(roots, 'bad');
  const big = join(roots, 'big');
  const BIG_ROWS = 4000;
  let files: Server;
  let filesUrl: string;
  let gw: TestGateway;
  let pc: Pinecone;

  beforeAll(async () => {
    await writeParquet(join(layout, '__default__', 'part-0.parquet'), DEFAULT_ROWS);
    await writeParquet(join(layout, 'ns-a', 'part-0.parquet'), NS_A_0);
    await writeParquet(join(layout, 'ns-a', 'part-1.parquet'), NS_A_1);
    writeFileSync(join(layout, 'ns-a', 'notes.log'), 'not parquet: ignored');
    await writeParquet(join(bad, '__default__', 'part-0.parquet'), [
      { id: 'ok1', values: [1, 0, 0, 0] },
      { id: 'short', values: [1, 0, 0] },
      { id: 'ok2', values: [0, 1, 0, 0] },
    ]);
    const random = prng(7);
    await writeParquet(
      join(big, '__default__', 'part-0.parquet'),
      Array.from({ length: BIG_ROWS }, (_, k) => ({
        id: `b${k}`,
        values: [random() + 0.01, random(), random(), random()],
        metadata: { k },
      })),
    );
    await writeParquet(join(outside, 'secret.parquet'), [{ id: 's', values: [1, 0, 0, 0] }]);
    symlinkSync(outside, join(roots, 'link-out'));
    symlinkSync(join(outside, 'secret.parquet'), join(roots, 'to-secret'));
    symlinkSync(join(outside, 'nothing.parquet'), join(roots, 'to-nothing'));
    // A file server for http(s):// imports: HEAD and GET of the files of `layout` under /data/, and
    // of `outside` under /secret/ (whole bodies, no ranges). It decodes and normalizes the path
    // before it looks, as many servers do, so that /data/..%2fsecret/ is /secret/ to it.
    files = createServer((req, res) => {
      let body: Buffer;
      try {
        const path = posix.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://files').pathname));
        const [, top, ...rest] = path.split('/');
        body = readFileSync(join({ data: layout, secret: outside }[top] ?? '/nonexistent', ...rest));
      } catch {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    gw = await startGateway({
      imports: { ...importDefaults, roots: [roots], urls: [`${filesUrl}/data/`], batch: 2, run: true },
    });
    pc = pineconeClient(gw);
  });

  afterAll(async () => {
    await gw?.close();
    if (files) await new Promise((resolve) => files.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  const fileUri = (path: string) => pathToFileURL(path).toString();

  async function waitFinished(name: string, id: string) {
    return until(
      `import ${id} into ${name}`,
      () => pc.index({ name }).describeImport(id),
      (op) => ['Completed', 'Failed', 'Cancelled'].includes(op.status),
    );
  }

  async function fetchAll(name: string, namespace: string, ids: string[]) {
    return (await pc.index({ name }).namespace(namespace).fetch({ ids })).records;
  }

  it('imports every namespace of a directory, records equal to the files', async () => {
    const name = indexName('imp-layout');
    await createDense(pc, name, 4, 'dotproduct');
    const started = await pc.index({ name }).startImport({ uri: fileUri(layout) });
    expect(started.id).toEqual(expect.any(String));
    const done = await waitFinished(name, started.id!);
    expect(done).toMatchObject({
      id: started.id,
      uri: fileUri(layout),
      status: 'Completed',
      percentComplete: 100,
      recordsImported: 6,
    });
    expect(done.error).toBeUndefined();
    expect(done.createdAt).toBeInstanceOf(Date);
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.createdAt.getTime());

    const check = (fetched: Record<string, unknown>, rows: Row[]) => {
      expect(Object.keys(fetched).sort()).toEqual(rows.map((r) => r.id).sort());
      for (const row of rows)
        expect(fetched[row.id]).toEqual({
          id: row.id,
          values: row.values,
          ...(row.sparse ? { sparseValues: row.sparse } : {}),
          ...(row.metadata ? { metadata: row.metadata } : {}),
        });
    };
    check(await fetchAll(name, '', ['d1', 'd2', 'd3', 'a1']), DEFAULT_ROWS);
    check(await fetchAll(name, 'ns-a', ['a1', 'a2', 'a3', 'd1']), [...NS_A_0, ...NS_A_1]);
    const stats = await pc.index({ name }).describeIndexStats();
    expect(stats.totalRecordCount).toBe(6);
    expect(stats.namespaces?.['ns-a']?.recordCount).toBe(3);

    // Cancelling a finished import leaves it as it is, as Pinecone does.
    expect(await http(gw.url, 'DELETE', `/indexes/${name}/bulk/imports/${started.id}`)).toMatchObject({
      status: 200,
      body: {},
    });
    expect((await pc.index({ name }).describeImport(started.id!)).status).toBe('Completed');
  });

  it('imports one .parquet file from an allowed http:// URL into the default namespace', async () => {
    const name = indexName('imp-http');
    await createDense(pc, name, 4, 'dotproduct');
    const uri = `${filesUrl}/data/ns-a/part-0.parquet`;
    const { id } = await pc.index({ name }).startImport({ uri });
    expect(await waitFinished(name, id!)).toMatchObject({ status: 'Completed', recordsImported: 2 });
    expect(Object.keys(await fetchAll(name, '', ['a1', 'a2'])).sort()).toEqual(['a1', 'a2']);

    // Not under the allowed prefix, or not one file: refused at start.
    const index = `/indexes/${name}/bulk/imports`;
    const elsewhere = await http(gw.url, 'POST', index, { uri: `${filesUrl}/other/x.parquet` });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toEqual({ code: 7, message: expect.stringContaining('VECGATE_IMPORT_URLS'), details: [] });
    const directory = await http(gw.url, 'POST', index, { uri: `${filesUrl}/data/ns-a/` });
    expect(directory.status).toBe(400);
    expect(directory.body.message).toContain('one .parquet file');
  });

  it('compares URLs decoded: an encoded way out of the allowed prefix is refused, and nothing is read', async () => {
    const name = indexName('imp-encoded');
    await createDense(pc, name, 4, 'dotproduct');
    const start = (uri: string) => http(gw.url, 'POST', `/indexes/${name}/bulk/imports`, { uri });
    for (const way of ['..%2fsecret', '..%2Fsecret', '%2e%2e%2fsecret', '%2E%2E%2Fsecret']) {
      const uri = `${filesUrl}/data/${way}/secret.parquet`;
      // The server would serve the secret file to this very URL.
      const served = await fetch(uri);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer())).toEqual(readFileSync(join(outside, 'secret.parquet')));
      const res = await start(uri);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: `The path of ${filesUrl}/data/${way}/secret.parquet holds an encoded slash or backslash (%2F, %5C): an import URI must name its file plainly`,
        details: [],
      });
    }
    for (const [way, why] of [
      ['%252e%252e%252fsecret', 'a double encoding'],
      ['%zz', 'invalid percent-encoding'],
      ['x%00', 'an encoded NUL'],
    ]) {
      const res = await start(`${filesUrl}/data/${way}/secret.parquet`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(why);
    }
    // A file:// URI with an encoded slash is refused the same way (it was a 500).
    const file = await start(`${fileUri(layout)}%2fns-a`);
    expect(file.status).toBe(400);
    expect(file.body).toEqual({ code: 3, message: expect.stringContaining('an encoded slash'), details: [] });
    expect((await pc.index({ name }).listImports()).data).toEqual([]);
    expect(await fetchAll(name, '', ['s'])).toEqual({});

    // Characters encoded that are not separators are the same path decoded: allowed.
    const { id } = await pc.index({ name }).startImport({ uri: `${filesUrl}/%64ata/ns-a/part%2D0.parquet` });
    expect(await waitFinished(name, id!)).toMatchObject({ status: 'Completed', recordsImported: 2 });
    expect(Object.keys(await fetchAll(name, '', ['a1', 'a2', 's'])).sort()).toEqual(['a1', 'a2']);
  });

  it('lists imports by page', async () => {
    const name = indexName('imp-list');
    await createDense(pc, name, 4, 'dotproduct');
    const index = pc.index({ name });
    const ids: string[] = [];
    for (let k = 0; k < 3; k++) ids.push((await index.startImport({ uri: fileUri(join(layout, 'ns-a')) })).id!);
    for (const id of ids) await waitFinished(name, id);

    const first = await index.listImports(2);
    expect(first.data?.map((op) => op.id)).toEqual(ids.slice(0, 2));
    expect(first.pagination?.next).toEqual(expect.any(String));
    const second = await index.listImports(2, first.pagination!.next);
    expect(second.data?.map((op) => op.id)).toEqual(ids.slice(2));
    expect(second.pagination).toBeUndefined();
    expect((await index.listImports()).data).toHaveLength(3);
    // Imports are the index's own: another index lists none of them, nor describes them.
    const other = indexName('imp-list-other');
    await createDense(pc, other, 4);
    expect((await pc.index({ name: other }).listImports()).data).toEqual([]);
    await expect(pc.index({ name: other }).describeImport(ids[0])).rejects.toBeInstanceOf(PineconeNotFoundError);
    // Records imported three times over are the same records (upserts).
    expect((await index.describeIndexStats()).totalRecordCount).toBe(3);
  });

  it('skips a bad record with errorMode continue, and counts and names it', async () => {
    const name = indexName('imp-continue');
    await createDense(pc, name, 4);
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(bad), errorMode: 'continue' });
    const done = await waitFinished(name, id!);
    expect(done).toMatchObject({ status: 'Completed', recordsImported: 2, percentComplete: 100 });
    expect(done.error).toMatch(
      /1 record\(s\) skipped.*"short".*dimension 3 does not match the dimension of the index 4/,
    );
    expect(Object.keys(await fetchAll(name, '', ['ok1', 'short', 'ok2'])).sort()).toEqual(['ok1', 'ok2']);
  });

  it('fails the import at a bad record with errorMode abort, its batch not written', async () => {
    const name = indexName('imp-abort');
    await createDense(pc, name, 4);
    // Batches of 2: ok1 and short are one batch, refused whole.
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(bad), errorMode: 'abort' });
    const done = await waitFinished(name, id!);
    expect(done.status).toBe('Failed');
    expect(done.error).toMatch(/"short".*dimension 3 does not match the dimension of the index 4/);
    expect(done.recordsImported).toBe(0);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(await fetchAll(name, '', ['ok1', 'short', 'ok2'])).toEqual({});
  });

  it('cancels an import in progress between two batches, each batch written whole or not at all', async () => {
    const name = indexName('imp-stop');
    await createDense(pc, name, 4);
    const index = pc.index({ name });
    const { id } = await index.startImport({ uri: fileUri(big) });
    await until(
      'the first batches',
      () => index.describeImport(id!),
      (op) => op.recordsImported > 0,
      { everyMs: 5 },
    );
    expect(await index.cancelImport(id!)).toEqual({});
    const cancelled = await index.describeImport(id!);
    expect(cancelled.status).toBe('Cancelled');
    expect(cancelled.recordsImported).toBeLessThan(BIG_ROWS);
    // The batch under way when the cancel came was rolled back, or committed before it with its count.
    expect((await index.describeIndexStats()).totalRecordCount).toBe(cancelled.recordsImported);
    expect((await index.describeImport(id!)).recordsImported).toBe(cancelled.recordsImported);
  });

  it('refuses URIs it cannot or may not read, in the data plane error shape', async () => {
    const name = indexName('imp-refused');
    await createDense(pc, name, 4);
    const start = (body: unknown) => http(gw.url, 'POST', `/indexes/${name}/bulk/imports`, body);

    for (const uri of ['s3://bucket/dir', 'gs://bucket/dir', 'ftp://host/x.parquet']) {
      const res = await start({ uri });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 3, message: expect.stringContaining('not supported'), details: [] });
    }
    await expect(pc.index({ name }).startImport({ uri: 's3://bucket/dir' })).rejects.toBeInstanceOf(
      PineconeBadRequestError,
    );
    // Outside the roots, as written or through a symbolic link: 403, nothing said of what is there.
    for (const path of [
      outside,
      join(outside, 'secret.parquet'),
      '/etc',
      join(roots, 'link-out'),
      `${roots}/../outside`,
    ]) {
      const res = await start({ uri: fileUri(path) });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ code: 7, message: expect.stringContaining('outside the directories'), details: [] });
    }
    // A link out answers the same whether or not its target exists: nothing outside can be probed.
    const answer = async (path: string) => {
      const res = await start({ uri: fileUri(path) });
      return { status: res.status, body: { ...res.body, message: res.body.message.replace(path, '<path>') } };
    };
    const leadsOut = {
      status: 403,
      body: {
        code: 7,
        message: '<path> leads outside the directories this server imports from (VECGATE_IMPORT_ROOTS)',
        details: [],
      },
    };
    for (const [there, notThere] of [
      [join(roots, 'to-secret'), join(roots, 'to-nothing')],
      [join(roots, 'link-out', 'secret.parquet'), join(roots, 'link-out', 'nothing.parquet')],
    ]) {
      expect(await answer(there)).toEqual(leadsOut);
      expect(await answer(notThere)).toEqual(leadsOut);
    }
    expect((await start({ uri: fileUri(join(roots, 'nothing-here')) })).status).toBe(400);
    expect((await start({ uri: 'not a uri' })).status).toBe(400);
    expect((await start({})).status).toBe(400);
    expect((await start({ uri: fileUri(layout), errorMode: { onError: 'explode' } })).status).toBe(400);
    expect((await start({ uri: 'x'.repeat(1501) })).status).toBe(400);
    // An unknown index is a 404, an unknown or malformed import id too.
    expect((await http(gw.url, 'POST', '/indexes/no-such-index/bulk/imports', { uri: fileUri(layout) })).status).toBe(
      404,
    );
    for (const id of ['999999', 'abc', '1%20OR%201=1']) {
      const res = await http(gw.url, 'GET', `/indexes/${name}/bulk/imports/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 5, message: expect.stringContaining('not found'), details: [] });
      expect((await http(gw.url, 'DELETE', `/indexes/${name}/bulk/imports/${id}`)).status).toBe(404);
    }
    expect((await pc.index({ name }).listImports()).data).toEqual([]);
  });

  describe('on a runner that writes batches of 1,000 records', () => {
    const MB = 1024 * 1024;
    const swap = join(roots, 'swap');
    const swapOut = join(outside, 'swap');
    const SWAP_ROWS = 12_000;
    const long = join(roots, 'long');
    const LONG_ROWS = 40_000;
    let tg: TestGateway;
    let pct: Pinecone;

    beforeAll(async () => {
      // Row groups of 10,000 rows: a turn of the runner reads 10,000 rows, one row group of these.
      await writeParquet(join(swap, '__default__', 'part-0.parquet'), numbered('in-', SWAP_ROWS), 10_000);
      await writeParquet(join(swapOut, '__default__', 'part-0.parquet'), numbered('ex-', SWAP_ROWS), 10_000);
      // The same layout byte for byte but the ids' letters: a reader that reopened the name would read it without a fault.
      expect(statSync(join(swapOut, '__default__', 'part-0.parquet')).size).toBe(
        statSync(join(swap, '__default__', 'part-0.parquet')).size,
      );
      await writeParquet(join(long, 'part-0.parquet'), numbered('l', LONG_ROWS), 10_000);
      tg = await startGateway({
        imports: {
          ...importDefaults,
          roots: [roots],
          urls: [],
          batch: 1000,
          run: true,
          maxRowGroupRows: 10_000,
          maxRowGroupBytes: 2 * MB,
        },
      });
      pct = pineconeClient(tg);
    });
    afterAll(() => tg?.close());

    const finished = (name: string, id: string) =>
      until(
        `import ${id} into ${name}`,
        () => pct.index({ name }).describeImport(id),
        (op) => ['Completed', 'Failed', 'Cancelled'].includes(op.status),
      );

    it('reads a file through the descriptor it opened: a directory swapped for a link out mid-import changes nothing read', async () => {
      const name = indexName('imp-swap');
      await createDense(pct, name, 4);
      const index = pct.index({ name });
      const { id } = await index.startImport({ uri: fileUri(swap) });
      await until(
        'the first batch',
        () => index.describeImport(id!),
        (op) => op.recordsImported > 0,
        { everyMs: 5 },
      );
      // The runner's next progress update waits for this lock: the swap is done while it is held.
      const doneAtSwap = await tg.db.transaction(async (tx) => {
        await tx.query('LOCK TABLE vecgate_imports IN EXCLUSIVE MODE');
        const { rows } = await tx.query('SELECT rows_done FROM vecgate_imports WHERE id = $1::bigint', [id]);
        renameSync(swap, `${swap}-moved`);
        symlinkSync(swapOut, swap);
        return Number(rows[0].rows_done);
      });
      // Before the runner read the file's second row group (its rows 10,000 on).
      expect(doneAtSwap).toBeLessThan(10_000);
      expect(await finished(name, id!)).toMatchObject({ status: 'Completed', recordsImported: SWAP_ROWS });
      const ids = ['in-0', 'in-10000', `in-${SWAP_ROWS - 1}`, 'ex-0', 'ex-10000', `ex-${SWAP_ROWS - 1}`];
      expect(Object.keys((await index.fetch({ ids })).records).sort()).toEqual([
        'in-0',
        'in-10000',
        `in-${SWAP_ROWS - 1}`,
      ]);
      expect((await index.describeIndexStats()).totalRecordCount).toBe(SWAP_ROWS);
      // Started again, the path now leads out.
      const again = await http(tg.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(swap) });
      expect(again.status).toBe(403);
    });

    it('refuses a file whose footer counts more rows than its row groups hold', async () => {
      const file = join(roots, 'lying', 'footer.parquet');
      await writeParquet(file, numbered('f', 100), 40);
      await patchFooter(file, (footer) => (footer.field_3 = 10n ** 12n));
      const name = indexName('imp-lying');
      await createDense(pct, name, 4);
      const res = await http(tg.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(file) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 3,
        message: `${file}: its footer says 1000000000000 rows, but its row groups hold 100`,
        details: [],
      });
      // Nor a row group that claims more rows than its bytes could hold.
      await writeParquet(file, numbered('f', 100), 40);
      await patchFooter(file, (footer) => {
        footer.field_3 = 10n ** 9n + 60n;
        footer.field_4[0].field_3 = 10n ** 9n;
      });
      const more = await http(tg.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(file) });
      expect(more.status).toBe(400);
      expect(more.body.message).toMatch(
        /row group 0 holds 1000000000 rows in \d+ bytes, more than that many bytes can hold/,
      );
      expect((await pct.index({ name }).listImports()).data).toEqual([]);
    });

    it('fails an import whose row group reads short of what its footer says, writing none of it', async () => {
      const file = join(roots, 'lying', 'group.parquet');
      await writeParquet(file, numbered('g', 100), 40);
      // Row group 0 holds 40 rows and says 100; the footer's total agrees with the lie.
      await patchFooter(file, (footer) => {
        footer.field_3 = 160n;
        footer.field_4[0].field_3 = 100n;
      });
      const name = indexName('imp-short');
      await createDense(pct, name, 4);
      const { id } = await pct.index({ name }).startImport({ uri: fileUri(file) });
      const done = await finished(name, id!);
      expect(done).toMatchObject({ status: 'Failed', recordsImported: 0 });
      expect(done.error).toBe(
        `Reading ${file} failed: ${file}: rows 0 to 160 were read, but column id holds values only up to row 40: the file holds fewer rows than its footer says`,
      );
      expect(done.finishedAt).toBeInstanceOf(Date);
      expect((await pct.index({ name }).describeIndexStats()).totalRecordCount ?? 0).toBe(0);
    });

    it('fails an import whose page claims more values than its footer, before decoding it', async () => {
      // Decoded, the page's 2^30 nulls ran the process out of memory (a heap of 1 GB, in 0.3 s).
      const file = join(roots, 'lying', 'page.parquet');
      await writeParquet(file, numbered('p', 3));
      await lieInPage(file, 'metadata', 2 ** 30);
      const name = indexName('imp-page');
      await createDense(pct, name, 4);
      const { id } = await pct.index({ name }).startImport({ uri: fileUri(file) });
      const done = await finished(name, id!);
      expect(done).toMatchObject({ status: 'Failed', recordsImported: 0 });
      expect(done.error).toBe(
        `Reading ${file} failed: ${file}: a page of column metadata in row group 0 takes the chunk to 1073741824 values, more than the 3 its footer says`,
      );
      // The same file with an honest page (3 values) imports: the page itself is sound.
      await writeParquet(file, numbered('p', 3));
      await lieInPage(file, 'metadata', 3);
      const { id: again } = await pct.index({ name }).startImport({ uri: fileUri(file) });
      expect(await finished(name, again!)).toMatchObject({ status: 'Completed', recordsImported: 3 });
    });

    it('takes turns: an import started later finishes while a long one is still running', async () => {
      const longName = indexName('imp-long');
      const shortName = indexName('imp-later');
      await createDense(pct, longName, 4);
      await createDense(pct, shortName, 4, 'dotproduct');
      const longIndex = pct.index({ name: longName });
      const { id: longId } = await longIndex.startImport({ uri: fileUri(long) });
      await until(
        'the long import under way',
        () => longIndex.describeImport(longId!),
        (op) => op.recordsImported > 0,
        {
          everyMs: 5,
        },
      );
      const { id: shortId } = await pct.index({ name: shortName }).startImport({ uri: fileUri(layout) });
      expect(await finished(shortName, shortId!)).toMatchObject({ status: 'Completed', recordsImported: 6 });
      const longThen = await longIndex.describeImport(longId!);
      expect(longThen.status).toBe('InProgress');
      expect(longThen.recordsImported).toBeLessThan(LONG_ROWS);
      expect(await finished(longName, longId!)).toMatchObject({ status: 'Completed', recordsImported: LONG_ROWS });
      expect((await longIndex.describeIndexStats()).totalRecordCount).toBe(LONG_ROWS);
    });

    it('refuses a file whose row groups are over the limits, saying which and how to rewrite it', async () => {
      const name = indexName('imp-heavy');
      await createDense(pct, name, 1000);
      const start = (path: string) => http(tg.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(path) });
      // 10,001 rows in one row group: over 10,000 rows.
      const rows = join(roots, 'heavy', 'rows.parquet');
      await writeParquet(rows, numbered('r', 10_001), 10_001);
      const byRows = await start(rows);
      expect(byRows.status).toBe(400);
      expect(byRows.body.code).toBe(3);
      expect(byRows.body.message).toMatch(
        new RegExp(
          `^${rows}: row group 0 holds 10001 rows and [\\d.]+ MB; an import decodes a row group whole, and this server takes at most 10000 rows and 2 MB a row group \\(VECGATE_IMPORT_MAX_ROW_GROUP_ROWS, VECGATE_IMPORT_MAX_ROW_GROUP_MB\\): write the file in smaller row groups, e\\.g\\. pyarrow\\.parquet\\.write_table\\(table, path, row_group_size=10000\\)$`,
        ),
      );
      // 600 rows of 1,000 dimensions in one row group: over 2 MB.
      const bytes = join(roots, 'heavy', 'bytes.parquet');
      const heavy = randomRows('b', 600, 1000);
      await writeParquet(bytes, heavy, 600);
      const byBytes = await start(bytes);
      expect(byBytes.status).toBe(400);
      expect(byBytes.body.message).toContain(`${bytes}: row group 0 holds 600 rows and 2.`);
      // The same rows in row groups within the limits are imported.
      const fits = join(roots, 'heavy', 'fits.parquet');
      await writeParquet(fits, heavy, 300);
      const { id } = await pct.index({ name }).startImport({ uri: fileUri(fits) });
      expect(await finished(name, id!)).toMatchObject({ status: 'Completed', recordsImported: 600 });
    });
  });

  describe('with the default settings', () => {
    let defaults: TestGateway;
    beforeAll(async () => {
      defaults = await startGateway();
    });
    afterAll(() => defaults?.close());

    it('reads neither the server disk nor URLs', async () => {
      expect(loadConfig({}).imports).toMatchObject({ roots: [], urls: [] });
      const pcd = pineconeClient(defaults);
      const name = indexName('imp-off');
      await createDense(pcd, name, 4);
      const file = await http(defaults.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(layout) });
      expect(file.status).toBe(403);
      expect(file.body.message).toContain('VECGATE_IMPORT_ROOTS');
      const url = await http(defaults.url, 'POST', `/indexes/${name}/bulk/imports`, {
        uri: `${filesUrl}/data/ns-a/part-0.parquet`,
      });
      expect(url.status).toBe(403);
      expect(url.body.message).toContain('VECGATE_IMPORT_URLS');
    });
  });

  describe('on a replica that does not run imports', () => {
    let paused: TestGateway;
    beforeAll(async () => {
      paused = await startGateway({ imports: { ...importDefaults, roots: [roots], urls: [], batch: 2, run: false } });
    });
    afterAll(() => paused?.close());

    it('keeps an import Pending until it is cancelled', async () => {
      const pcp = pineconeClient(paused);
      const name = indexName('imp-cancel');
      await createDense(pcp, name, 4, 'dotproduct');
      const index = pcp.index({ name });
      const { id } = await index.startImport({ uri: fileUri(layout) });
      expect(await index.describeImport(id!)).toMatchObject({
        status: 'Pending',
        recordsImported: 0,
        percentComplete: 0,
      });
      expect(await index.cancelImport(id!)).toEqual({});
      const cancelled = await index.describeImport(id!);
      expect(cancelled.status).toBe('Cancelled');
      expect(cancelled.finishedAt).toBeInstanceOf(Date);
      await index.cancelImport(id!);
      expect((await index.describeImport(id!)).status).toBe('Cancelled');
    });

    it("ends an index's imports with the index", async () => {
      const pcp = pineconeClient(paused);
      const name = indexName('imp-deleted');
      await createDense(pcp, name, 4, 'dotproduct');
      await pcp.index({ name }).startImport({ uri: fileUri(layout) });
      const count = async () => (await paused.db.query('SELECT count(*)::int AS n FROM vecgate_imports')).rows[0].n;
      const before = await count();
      await pcp.deleteIndex(name);
      expect(await count()).toBe(before - 1);
    });
  });

  it('resumes an import after its replica stopped, every record once', async () => {
    const dataDir = usingPostgres() ? undefined : mkdtempSync(join(tmpdir(), 'vecgate-bulk-data-'));
    const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
    const shared = scratch && { databaseUrl: scratch.url };
    const config: Partial<AppConfig> = {
      ...(dataDir ? { dataDir } : {}),
      imports: { ...importDefaults, roots: [roots], urls: [], batch: 10, run: true },
    };
    let second: TestGateway | undefined;
    try {
      const first = await startGateway(config, shared);
      const name = indexName('imp-resume');
      let id: string;
      try {
        const pc1 = pineconeClient(first);
        await createDense(pc1, name, 4);
        id = (await on(first, name).startImport({ uri: fileUri(big) })).id!;
        await until(
          'the first batches',
          () => on(first, name).describeImport(id),
          (op) => op.recordsImported > 0,
          { everyMs: 5 },
        );
      } finally {
        await first.app.close();
      }
      // Where the first replica left it, seen from one that runs no imports.
      const still = await startGateway({ ...config, imports: { ...config.imports!, run: false } }, shared);
      let stopped;
      try {
        stopped = await on(still, name).describeImport(id);
      } finally {
        await still.app.close();
      }
      // Stopped half-way: otherwise this test would not test a resume.
      expect(stopped.status).toBe('InProgress');
      expect(stopped.recordsImported).toBeGreaterThan(0);
      expect(stopped.recordsImported).toBeLessThan(BIG_ROWS);

      second = await startGateway(config, shared);
      const index = on(second, name);
      const done = await until(
        'the resumed import',
        () => index.describeImport(id),
        (op) => op.status !== 'InProgress',
      );
      expect(done).toMatchObject({ status: 'Completed', recordsImported: BIG_ROWS, percentComplete: 100 });
      expect((await index.describeIndexStats()).totalRecordCount).toBe(BIG_ROWS);
      const sample = (await index.fetch({ ids: ['b0', `b${BIG_ROWS - 1}`, 'b1234'] })).records;
      expect(Object.keys(sample)).toHaveLength(3);
      expect(sample.b1234.metadata).toEqual({ k: 1234 });
    } finally {
      await second?.app.close();
      await scratch?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });

  /** The client caches an index's host by name: each replica of the resume test is named by its host. */
  function on(gateway: TestGateway, name: string) {
    return pineconeClient(gateway).index({ name, host: `${gateway.url}/indexes/${name}` });
  }
});
