import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pinecone } from '@pinecone-database/pinecone';
import { loadConfig } from '../../../src/config/load-config';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { indexName, pineconeClient } from '../../support/pinecone';
import { until } from '../../support/wait';

interface Doc {
  _id: string;
  title?: string;
  emb?: number[];
  sp?: { indices: number[]; values: number[] };
  [metadata: string]: unknown;
}

const TOPICS = ['pump', 'valve', 'motor', 'seal'];

/** `count` documents of ids `${prefix}${k}`: a title of a topic (plural every other one), vectors, metadata. */
const documents = (prefix: string, count: number): Doc[] =>
  Array.from({ length: count }, (_, k) => ({
    _id: `${prefix}${k}`,
    title: `The ${TOPICS[k % TOPICS.length]}${k % 2 === 0 ? 's' : ''} of unit ${k}`,
    emb: [1, k / 10, 0.5],
    ...(k % 3 === 0 ? { sp: { indices: [k, 100 + k], values: [0.5, 0.25] } } : {}),
    unit: k,
    tags: [`t${k % 2}`],
  }));

/** A JSONL file, one document a line, with a blank line in the middle (skipped, as editors leave them). */
function writeJsonl(file: string, lines: unknown[]): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
  text.splice(Math.floor(text.length / 2), 0, '');
  writeFileSync(file, text.join('\n') + '\n');
}

describe('Pinecone bulk import of JSONL documents into a document index (API 2026-07)', () => {
  const root = mkdtempSync(join(tmpdir(), 'vecgate-docs-import-'));
  const layout = join(root, 'layout');
  const bad = join(root, 'bad');
  const DEFAULT = documents('d', 7);
  const NS_A = [...documents('a', 3), ...documents('b', 4)];
  let files: Server;
  let filesUrl: string;
  let gw: TestGateway;
  let pc: Pinecone;

  const fileUri = (path: string) => pathToFileURL(path).toString();
  const schema = {
    title: { type: 'string', full_text_search: { stemming: true } },
    emb: { type: 'dense_vector', dimension: 3, metric: 'cosine' },
    sp: { type: 'sparse_vector' },
  };

  async function documentIndex(prefix: string, fields: Record<string, unknown> = schema): Promise<string> {
    const name = indexName(prefix);
    const created = await http(gw.url, 'POST', '/indexes', { name, schema: { fields } });
    expect(created.status).toBe(201);
    return name;
  }

  const waitFinished = (name: string, id: string) =>
    until(
      `import ${id} into ${name}`,
      () => pc.index({ name }).describeImport(id),
      (op) => ['Completed', 'Failed', 'Cancelled'].includes(op.status),
    );

  const fetchDocs = async (name: string, namespace: string, ids: string[]) =>
    (await http(gw.url, 'POST', `/indexes/${name}/namespaces/${namespace}/documents/fetch`, { ids })).body.documents;

  beforeAll(async () => {
    writeJsonl(join(layout, '__default__', 'part-0.jsonl'), DEFAULT);
    writeJsonl(join(layout, 'ns-a', 'part-0.jsonl'), NS_A.slice(0, 3));
    writeJsonl(join(layout, 'ns-a', 'part-1.jsonl'), NS_A.slice(3));
    writeFileSync(join(layout, 'ns-a', 'notes.parquet'), 'not a document file: ignored');
    writeJsonl(join(bad, '__default__', 'part-0.jsonl'), [
      { _id: 'ok1', title: 'first good one' },
      '{"_id": "broken", ',
      { _id: 'short', emb: [1, 0] },
      { _id: 'bare', note: 'metadata only' },
      { _id: 'ok2', title: 'second good one' },
    ]);
    files = createServer((req, res) => {
      try {
        const body = readFileSync(join(layout, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    gw = await startGateway({
      imports: { ...loadConfig({}).imports, roots: [root], urls: [`${filesUrl}/`], batch: 2, run: true },
    });
    pc = pineconeClient(gw);
  });

  afterAll(async () => {
    await gw?.close();
    if (files) await new Promise((resolve) => files.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  it('imports every namespace of a directory, documents equal to the lines, their text searchable', async () => {
    const name = await documentIndex('docimp');
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(layout) });
    const done = await waitFinished(name, id!);
    expect(done).toMatchObject({ status: 'Completed', percentComplete: 100, recordsImported: 14 });
    expect(done.error).toBeUndefined();

    const expectSame = (fetched: Record<string, unknown>, docs: Doc[]) => {
      expect(Object.keys(fetched).sort()).toEqual(docs.map((d) => d._id).sort());
      for (const doc of docs) {
        const { emb, ...rest } = doc;
        expect(fetched[doc._id]).toEqual({ ...rest, emb: emb!.map((x) => expect.closeTo(x, 6)) });
      }
    };
    expectSame(
      await fetchDocs(
        name,
        '__default__',
        DEFAULT.map((d) => d._id),
      ),
      DEFAULT,
    );
    expectSame(
      await fetchDocs(
        name,
        'ns-a',
        NS_A.map((d) => d._id),
      ),
      NS_A,
    );

    // The title was analysed as an upsert's is: stemmed, so "pump" finds "pumps" too.
    const found = await pc
      .index(name)
      .namespace('ns-a')
      .documents.search({ scoreBy: [{ type: 'text', fields: ['title'], query: 'pump' }], topK: 10 });
    const expected = NS_A.filter((d) => /pump/.test(d.title!)).map((d) => d._id);
    expect(found.matches.map((m) => m._id).sort()).toEqual(expected.sort());
    expect(expected.some((id) => /pumps/.test(NS_A.find((d) => d._id === id)!.title!))).toBe(true);
    const filtered = await http(gw.url, 'POST', `/indexes/${name}/namespaces/__default__/documents/search`, {
      score_by: [{ type: 'dense_vector', field: 'emb', values: [1, 0.6, 0.5] }],
      top_k: 1,
      filter: { unit: { $gte: 5 } },
    });
    expect(filtered.body.matches.map((m: { _id: string }) => m._id)).toEqual(['d6']);
  });

  it('imports one .jsonl file from an allowed URL into the default namespace', async () => {
    const name = await documentIndex('docimp-http');
    const { id } = await pc.index({ name }).startImport({ uri: `${filesUrl}/ns-a/part-1.jsonl` });
    expect(await waitFinished(name, id!)).toMatchObject({ status: 'Completed', recordsImported: 4 });
    expect(
      Object.keys(
        await fetchDocs(
          name,
          '__default__',
          NS_A.map((d) => d._id),
        ),
      ).sort(),
    ).toEqual(NS_A.slice(3).map((d) => d._id));
  });

  it('skips bad lines with errorMode continue, counting and naming the first', async () => {
    const name = await documentIndex('docimp-continue');
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(bad), errorMode: 'continue' });
    const done = await waitFinished(name, id!);
    expect(done).toMatchObject({ status: 'Completed', recordsImported: 2, percentComplete: 100 });
    expect(done.error).toMatch(/3 record\(s\) skipped.*part-0\.jsonl line 2 is not JSON/);
    expect(Object.keys(await fetchDocs(name, '__default__', ['ok1', 'broken', 'short', 'bare', 'ok2'])).sort()).toEqual(
      ['ok1', 'ok2'],
    );
  });

  it('fails at the first bad line with errorMode abort, its batch not written', async () => {
    const name = await documentIndex('docimp-abort');
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(bad), errorMode: 'abort' });
    const done = await waitFinished(name, id!);
    expect(done.status).toBe('Failed');
    expect(done.error).toMatch(/part-0\.jsonl line 2 is not JSON/);
    // Batches of 2: ok1 and the broken line are one batch, refused whole.
    expect(done.recordsImported).toBe(0);
    expect(await fetchDocs(name, '__default__', ['ok1', 'ok2'])).toEqual({});
  });

  it('names a dimension or a missing schema field as an upsert would', async () => {
    const only = join(root, 'only-bad');
    writeJsonl(join(only, 'x.jsonl'), [
      { _id: 'short', emb: [1, 0] },
      { _id: 'bare', note: 'metadata only' },
    ]);
    const name = await documentIndex('docimp-why');
    const { id } = await pc.index({ name }).startImport({ uri: fileUri(only), errorMode: 'continue' });
    const done = await waitFinished(name, id!);
    expect(done).toMatchObject({ status: 'Completed', recordsImported: 0 });
    expect(done.error).toMatch(/2 record\(s\) skipped.*dimension/i);
  });

  it('refuses at start what a document index does not import, in the data plane error shape', async () => {
    const name = await documentIndex('docimp-refuse');
    const parquetOnly = join(root, 'parquet-only');
    mkdirSync(parquetOnly, { recursive: true });
    writeFileSync(join(parquetOnly, 'part-0.parquet'), 'vectors, not documents');
    const none = await http(gw.url, 'POST', `/indexes/${name}/bulk/imports`, { uri: fileUri(parquetOnly) });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 3, message: expect.stringContaining('holds no .jsonl files') });

    // Pinecone's imports do not embed: an index with integrated embedding takes upserts only.
    const embedding = await documentIndex('docimp-embed', {
      body: { type: 'string', sparse_embed: { model: 'vecgate-bm25' } },
    });
    const refused = await http(gw.url, 'POST', `/indexes/${embedding}/bulk/imports`, { uri: fileUri(layout) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 3, message: expect.stringContaining('bulk import does not support') });
    expect((await http(gw.url, 'GET', `/indexes/${embedding}/bulk/imports`)).body.data).toEqual([]);

    // A vectors-API index still reads Parquet only: a directory of JSONL holds nothing for it.
    const vectors = indexName('vecimp');
    await http(gw.url, 'POST', '/indexes', {
      name: vectors,
      schema: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'cosine' } } },
    });
    const jsonl = await http(gw.url, 'POST', `/indexes/${vectors}/bulk/imports`, {
      uri: fileUri(join(layout, 'ns-a')),
    });
    expect(jsonl.status).toBe(400);
    expect(jsonl.body.message).toContain('is not a readable Parquet file');
  });
});
