import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import initSqlJs from 'sql.js';
import { startChromaReference, type ChromaReference } from '../../support/chroma-reference';
import { gatewayForFile, http } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { until } from '../../support/wait';
import { ensureGatewayBuilt } from '../cluster/cluster';
import { cli, CLI, newStore, type Store } from '../../support/cli-store';

/**
 * `vecgate import` and `vecgate export`, run as a user runs them (node dist/src/cli/vecgate.js),
 * into a store of their own: a scratch PostgreSQL database, or an embedded data directory. What
 * they wrote is then read through a gateway opened on that store and compared with the source,
 * record by record.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';

/** Every record of a Chroma collection, by id (the gateway's or a real Chroma's). */
async function allRecords(url: string, name: string) {
  const coll = await http(url, 'GET', `${P}/collections/${name}`);
  expect(coll.status).toBe(200);
  const got = await http(url, 'POST', `${P}/collections/${coll.body.id}/get`, {
    include: ['embeddings', 'documents', 'metadatas', 'uris'],
  });
  const byId = new Map<string, unknown>();
  got.body.ids.forEach((id: string, i: number) =>
    byId.set(id, {
      embedding: got.body.embeddings[i].map((x: number) => Math.fround(x)),
      document: got.body.documents[i],
      uri: got.body.uris[i],
      // Chroma 1.0 answers {} for a record with a uri and no metadata, vecgate null (README).
      metadata: got.body.metadatas[i] && Object.keys(got.body.metadatas[i]).length ? got.body.metadatas[i] : null,
    }),
  );
  return { configuration: coll.body.configuration_json, byId };
}

describe('vecgate import / export', () => {
  const source = gatewayForFile();
  let dir: string;
  const stores: Store[] = [];
  const store = async () => {
    const s = await newStore(dir);
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-transfer-'));
    await ensureGatewayBuilt();
    // A Chroma collection: cosine, documents, uris, metadata of every type.
    const made = await http(source.url, 'POST', `${P}/collections`, {
      name: 'docs',
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { owner: 'tests' },
    });
    const gen = prng(5);
    const n = 1500;
    const added = await http(source.url, 'POST', `${P}/collections/${made.body.id}/add`, {
      ids: Array.from({ length: n }, (_, i) => `doc-${i}`),
      embeddings: Array.from({ length: n }, () => [gen(), gen(), gen(), gen()]),
      documents: Array.from({ length: n }, (_, i) => `document number ${i}`),
      uris: Array.from({ length: n }, (_, i) => (i % 3 ? null : `s3://bucket/${i}`)),
      metadatas: Array.from({ length: n }, (_, i) => ({ n: i, half: i % 2 === 0, price: i + 0.5, tag: `t${i % 7}` })),
    });
    expect(added.status).toBe(201);
    // A Pinecone index: namespaces and sparse values.
    const index = await http(source.url, 'POST', '/indexes', {
      name: 'hybrid',
      dimension: 2,
      metric: 'dotproduct',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(index.status).toBe(201);
    for (const namespace of ['', 'alpha', 'beta']) {
      const up = await http(source.url, 'POST', '/indexes/hybrid/vectors/upsert', {
        namespace,
        vectors: Array.from({ length: 30 }, (_, i) => ({
          id: `${namespace || 'default'}-${i}`,
          values: [i, 1],
          sparseValues: { indices: [i, 100 + i], values: [0.5, 1.5] },
          metadata: { namespace: namespace || 'default', i },
        })),
      });
      expect(up.status).toBe(200);
    }
  });

  afterAll(async () => {
    for (const s of stores) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports every collection of a live Chroma API, verifies it, and keeps records and settings', async () => {
    const target = await store();
    const run = await cli(['import', source.url, '--batch', '200', '--collection', 'docs'], target.env, dir);
    expect(run.stderr).not.toMatch(/vecgate:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /docs -> docs: 1500 imported, 0 skipped; source 1500, vecgate 1500 \(match\); 20 sampled, 0 differ/,
    );
    const gw = await target.open();
    try {
      const theirs = await allRecords(source.url, 'docs');
      const ours = await allRecords(gw.url, 'docs');
      expect(ours.byId).toEqual(theirs.byId);
      expect(ours.configuration.hnsw.space).toBe('cosine');
      expect((await http(gw.url, 'GET', `${P}/collections/docs`)).body.metadata).toEqual({ owner: 'tests' });
      // The import left no checkpoint behind: it finished.
      expect(readdirSync(dir).filter((f) => f.startsWith('.vecgate-import-'))).toEqual([]);
    } finally {
      await gw.close();
    }
  });

  it('imports a Pinecone-compatible API: every namespace, sparse values and metadata', async () => {
    const target = await store();
    const run = await cli(
      ['import', source.url, '--api-key', 'unused', '--collection', 'hybrid', '--as', 'copy'],
      target.env,
      dir,
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/hybrid -> copy: 90 imported, 0 skipped; source 90, vecgate 90 \(match\)/);
    const gw = await target.open();
    try {
      const stats = await http(gw.url, 'POST', '/indexes/copy/describe_index_stats', {});
      expect(stats.body.namespaces).toEqual({
        __default__: { vectorCount: 30 },
        alpha: { vectorCount: 30 },
        beta: { vectorCount: 30 },
      });
      const fetched = await http(gw.url, 'GET', '/indexes/copy/vectors/fetch?ids=alpha-7&namespace=alpha');
      expect(fetched.body.vectors['alpha-7']).toMatchObject({
        values: [7, 1],
        sparseValues: { indices: [7, 107], values: [0.5, 1.5] },
        metadata: { namespace: 'alpha', i: 7 },
      });
      const described = await http(gw.url, 'GET', '/indexes/copy');
      expect(described.body).toMatchObject({ dimension: 2, metric: 'dotproduct' });
    } finally {
      await gw.close();
    }
  });

  it("imports a Qdrant API's collections through scroll: ids, vectors and payloads", async () => {
    const made = await http(source.url, 'PUT', '/qdrant/collections/points_q', {
      vectors: { size: 3, distance: 'Dot' },
    });
    expect(made.status).toBe(200);
    const points = Array.from({ length: 250 }, (_, i) => ({
      id: i + 1,
      vector: [i, 1, -i],
      payload: { colour: i % 2 ? 'red' : 'blue', i },
    }));
    expect((await http(source.url, 'PUT', '/qdrant/collections/points_q/points', { points })).status).toBe(200);
    const target = await store();
    const run = await cli(
      ['import', `${source.url}/qdrant`, '--type', 'qdrant', '--collection', 'points_q', '--batch', '60'],
      target.env,
      dir,
    );
    expect(run.stderr).not.toMatch(/vecgate:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /points_q -> points_q: 250 imported, 0 skipped; source 250, vecgate 250 \(match\); 20 sampled, 0 differ/,
    );
    const gw = await target.open();
    try {
      const coll = await http(gw.url, 'GET', `${P}/collections/points_q`);
      expect(coll.body.configuration_json.hnsw.space).toBe('ip');
      const got = await http(gw.url, 'POST', `${P}/collections/${coll.body.id}/get`, {
        ids: ['7'],
        include: ['embeddings', 'metadatas'],
      });
      expect(got.body.embeddings).toEqual([[6, 1, -6]]);
      expect(got.body.metadatas).toEqual([{ colour: 'blue', i: 6 }]);
    } finally {
      await gw.close();
    }
  });

  it('--type qdrant at a URL that is not a Qdrant says what it expected and what it found', async () => {
    const target = await store();
    // A gateway's root: its /collections is the Vectorizer API's, Qdrant's are under /qdrant.
    const root = await cli(['import', source.url, '--type', 'qdrant', '--dry-run'], target.env, dir);
    expect({ status: root.status, stdout: root.stdout }).toEqual({ status: 1, stdout: '' });
    expect(root.stderr).toContain(
      `vecgate: ${source.url} does not answer as a Qdrant server: GET ${source.url}/collections answered Vectorizer's collection list (with total_collections), not Qdrant's.`,
    );
    expect(root.stderr).toContain(
      `--type qdrant expects a Qdrant server's URL (e.g. http://qdrant:6333); for a vecgate gateway's Qdrant-style routes, add /qdrant (${source.url}/qdrant).`,
    );
    expect(root.stderr).not.toMatch(/describes no vectors/);
    // Another API altogether (the gateway's Chroma routes): no /collections there.
    const chroma = await cli(['import', `${source.url}/api/v2`, '--type', 'qdrant', '--dry-run'], target.env, dir);
    expect(chroma.status).toBe(1);
    expect(chroma.stderr).toMatch(
      /does not answer as a Qdrant server: GET \S+\/api\/v2\/collections: 404 .*--type qdrant expects a Qdrant server's URL/,
    );
  });

  it('reads named vectors from a Qdrant server: the one asked for, or the first', async () => {
    // A Qdrant of named vectors with UUID ids, answering as Qdrant does (vecgate's routes have one vector a point).
    const points = Array.from({ length: 40 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      vector: { text: [i, 1, 0], image: [0, i] },
      payload: { i },
    }));
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const send = (result: unknown) => res.end(JSON.stringify({ result, status: 'ok', time: 0 }));
        const json = body ? JSON.parse(body) : {};
        if (req.url === '/collections') return send({ collections: [{ name: 'named' }] });
        if (req.url === '/collections/named')
          return send({
            config: {
              params: { vectors: { text: { size: 3, distance: 'Cosine' }, image: { size: 2, distance: 'Euclid' } } },
            },
          });
        if (req.url === '/collections/named/points/count') return send({ count: points.length });
        if (req.url === '/collections/named/points/scroll') {
          const from = json.offset === null ? 0 : points.findIndex((p) => p.id === json.offset);
          const page = points.slice(from, from + json.limit);
          return send({ points: page, next_page_offset: points[from + json.limit]?.id ?? null });
        }
        if (req.url === '/collections/named/points') return send(points.filter((p) => json.ids.includes(p.id)));
        res.statusCode = 404;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const target = await store();
      const image = await cli(
        ['import', url, '--type', 'qdrant', '--vector', 'image', '--as', 'images', '--batch', '15'],
        target.env,
        dir,
      );
      expect(image.status).toBe(0);
      expect(image.stdout).toMatch(
        /named -> images: 40 imported, 0 skipped; source 40, vecgate 40 \(match\); 20 sampled, 0 differ/,
      );
      const text = await cli(['import', url, '--type', 'qdrant', '--as', 'texts'], target.env, dir);
      expect(text.status).toBe(0);
      const missing = await cli(['import', url, '--type', 'qdrant', '--vector', 'audio'], target.env, dir);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/no vector named audio; it has text, image/);
      const gw = await target.open();
      try {
        const images = await http(gw.url, 'GET', `${P}/collections/images`);
        expect(images.body).toMatchObject({ dimension: 2, configuration_json: { hnsw: { space: 'l2' } } });
        const got = await http(gw.url, 'POST', `${P}/collections/${images.body.id}/get`, {
          ids: [points[5].id],
          include: ['embeddings', 'metadatas'],
        });
        expect(got.body).toMatchObject({ embeddings: [[0, 5]], metadatas: [{ i: 5 }] });
        const texts = await http(gw.url, 'GET', `${P}/collections/texts`);
        expect(texts.body).toMatchObject({ dimension: 3, configuration_json: { hnsw: { space: 'cosine' } } });
      } finally {
        await gw.close();
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('exports to JSONL that imports back the same, and reports what a dry run would do', async () => {
    const first = await store();
    expect((await cli(['import', source.url, '--collection', 'docs'], first.env, dir)).status).toBe(0);
    const file = join(dir, 'docs.jsonl');
    const exported = await cli(['export', 'docs', '--to', file], first.env, dir);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(/docs: 1500 records exported/);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      format: 'vecgate-export/1',
      collection: { name: 'docs', metric: 'cosine', dimension: 4, metadata: { owner: 'tests' } },
    });
    expect(lines).toHaveLength(1501);
    const second = await store();
    const dry = await cli(['import', file, '--dry-run'], second.env, dir);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/docs: 1500 records would be imported as docs/);
    const back = await cli(['import', file, '--as', 'docs-again'], second.env, dir);
    expect(back.status).toBe(0);
    const gw = await second.open();
    try {
      expect((await http(gw.url, 'GET', `${P}/collections/docs`)).status).toBe(404); // the dry run wrote nothing
      const again = await allRecords(gw.url, 'docs-again');
      expect(again.byId).toEqual((await allRecords(source.url, 'docs')).byId);
    } finally {
      await gw.close();
    }
  });

  it("exports Parquet in Pinecone's import layout, one directory per namespace, that imports back the same", async () => {
    const first = await store();
    expect(
      (await cli(['import', source.url, '--api-key', 'unused', '--collection', 'hybrid'], first.env, dir)).status,
    ).toBe(0);
    expect((await cli(['import', source.url, '--collection', 'docs'], first.env, dir)).status).toBe(0);
    const layout = join(dir, 'hybrid-parquet');
    const exported = await cli(['export', 'hybrid', '--to', layout], first.env, dir);
    expect(exported.status).toBe(0);
    expect(readdirSync(layout).sort()).toEqual(['__default__', 'alpha', 'beta']);
    expect(readdirSync(join(layout, 'alpha'))).toEqual(['part-00000.parquet']);
    // A single file for a collection of one namespace; several namespaces need the directory.
    const single = join(dir, 'docs.parquet');
    expect((await cli(['export', 'docs', '--to', single], first.env, dir)).status).toBe(0);
    const refused = await cli(['export', 'hybrid', '--to', join(dir, 'x.parquet')], first.env, dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/3 namespaces: export it to a directory/);
    const second = await store();
    const back = await cli(['import', layout, '--as', 'hybrid-back'], second.env, dir);
    expect(back.stderr).not.toMatch(/vecgate:/);
    expect(back.status).toBe(0);
    expect(back.stdout).toMatch(
      /hybrid -> hybrid-back: 90 imported, 0 skipped; source 90, vecgate 90 \(match\); 20 sampled, 0 differ/,
    );
    const docs = await cli(['import', single, '--as', 'docs-back'], second.env, dir);
    expect(docs.status).toBe(0);
    const gw = await second.open();
    try {
      const fetched = await http(gw.url, 'GET', '/indexes/hybrid-back/vectors/fetch?ids=beta-3&namespace=beta');
      expect(fetched.body.vectors['beta-3']).toMatchObject({
        values: [3, 1],
        sparseValues: { indices: [3, 103], values: [0.5, 1.5] },
        metadata: { namespace: 'beta', i: 3 },
      });
      expect((await http(gw.url, 'GET', '/indexes/hybrid-back')).body.metric).toBe('dotproduct');
      expect((await allRecords(gw.url, 'docs-back')).byId).toEqual((await allRecords(source.url, 'docs')).byId);
    } finally {
      await gw.close();
    }
  });

  it('resumes after a kill -9 mid-import: every record exactly once', async () => {
    const target = await store();
    const file = join(dir, 'big.jsonl');
    const n = 6000;
    const lines = [
      JSON.stringify({
        format: 'vecgate-export/1',
        collection: { name: 'big', metric: 'l2', dimension: 3, metadata: null },
      }),
      ...Array.from({ length: n }, (_, i) =>
        JSON.stringify({ namespace: '', id: `r${i}`, embedding: [i, i / 2, 1], document: `d${i}`, metadata: { i } }),
      ),
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const checkpoint = join(dir, 'big.checkpoint.json');
    const child = spawn(process.execPath, [CLI, 'import', file, '--batch', '25', '--checkpoint', checkpoint], {
      env: { PATH: process.env.PATH ?? '', ...target.env },
      cwd: dir,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const progress = () =>
      existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')).collections.big ?? null) : null;
    await until('a few batches committed', progress, (p) => p !== null && p.imported >= 500);
    child.kill('SIGKILL');
    await exited;
    const atKill = progress();
    expect(atKill.done).toBe(false);
    // Without --resume an unfinished import is not restarted over.
    const refused = await cli(['import', file, '--checkpoint', checkpoint], target.env, dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/unfinished import: add --resume/);
    const resumed = await cli(
      ['import', file, '--batch', '500', '--checkpoint', checkpoint, '--resume'],
      target.env,
      dir,
    );
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`big -> big: ${n} imported, 0 skipped; source ${n}, vecgate ${n} \\(match\\)`),
    );
    expect(existsSync(checkpoint)).toBe(false);
    const gw = await target.open();
    try {
      const coll = await http(gw.url, 'GET', `${P}/collections/big`);
      expect((await http(gw.url, 'GET', `${P}/collections/${coll.body.id}/count`)).body).toBe(n);
      const got = await http(gw.url, 'POST', `${P}/collections/${coll.body.id}/get`, { include: ['metadatas'] });
      const seen = got.body.metadatas.map((m: { i: number }) => m.i).sort((a: number, b: number) => a - b);
      expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    } finally {
      await gw.close();
    }
  });

  it('skips or refuses records the store will not take, naming them', async () => {
    const target = await store();
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          format: 'vecgate-export/1',
          collection: { name: 'bad', metric: 'l2', dimension: 2, metadata: null },
        }),
        JSON.stringify({ id: 'ok-1', embedding: [1, 2] }),
        JSON.stringify({ id: 'wrong-dimension', embedding: [1, 2, 3] }),
        JSON.stringify({ id: 'ok-2', embedding: [3, 4] }),
      ].join('\n'),
    );
    const aborted = await cli(['import', file, '--checkpoint', join(dir, 'bad-abort.json')], target.env, dir);
    expect(aborted.status).toBe(1);
    expect(aborted.stderr).toMatch(/a batch of 3 records \(ok-1 … ok-2\) was refused, nothing of it written/);
    const skipped = await cli(
      ['import', file, '--on-error', 'skip', '--checkpoint', join(dir, 'bad-skip.json')],
      target.env,
      dir,
    );
    expect({ status: skipped.status, stderr: skipped.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(skipped.stdout).toMatch(/bad -> bad: 2 imported, 1 skipped; source 3, vecgate 2 \(match\)/);
    expect(skipped.stdout).toMatch(/skipped wrong-dimension: .*dimension/i);
    // Usage mistakes touch nothing and exit 2.
    expect((await cli(['import'], target.env, dir)).status).toBe(2);
    expect((await cli(['import', file, '--batch', '0'], target.env, dir)).status).toBe(2);
    expect((await cli(['import', file, '--into', 'no-slash'], target.env, dir)).status).toBe(2);
  });

  it('says each count once when stderr is not a terminal', async () => {
    const target = await store();
    const file = join(dir, 'fifty.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({
          format: 'vecgate-export/1',
          collection: { name: 'fifty', metric: 'l2', dimension: 2, metadata: null },
        }),
        ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `f${i}`, embedding: [i, 1] })),
      ].join('\n') + '\n',
    );
    // --batch 50: the page that brings all 50 cannot tell it is the last; an empty page then ends the run.
    const imported = await cli(['import', file, '--batch', '50'], target.env, dir);
    expect(imported.status).toBe(0);
    const importLines = imported.stderr.split('\n').filter((l) => l.startsWith('fifty: '));
    expect(importLines).toEqual([expect.stringMatching(/^fifty: 50\/50 records, \d+\/s$/)]);
    // An export counts its last batch, then ends with the same count.
    const exported = await cli(['export', 'fifty', '--to', join(dir, 'fifty-out.jsonl')], target.env, dir);
    expect(exported.status).toBe(0);
    const exportLines = exported.stderr.split('\n').filter((l) => l.startsWith('export fifty: '));
    expect(exportLines).toEqual([expect.stringMatching(/^export fifty: 50\/50 records, \d+\/s$/)]);
  });

  describe('from a real Chroma 1.0.0 server', () => {
    const SPACES = ['l2', 'cosine', 'ip'] as const;
    /** 300 added, 10 more without metadata or document, 2 deleted, 2 upserted. */
    const RECORDS = 310;
    const QUERY = [0.1, -0.2, 0.3, 0, 0.2, -0.1, 0.05, 0.4];
    let chroma: ChromaReference;

    const queryAll = async (url: string, space: string) => {
      const id = (await http(url, 'GET', `${P}/collections/ref-${space}`)).body.id;
      const res = await http(url, 'POST', `${P}/collections/${id}/query`, {
        query_embeddings: [QUERY],
        n_results: 10,
        include: ['distances'],
      });
      expect(res.status).toBe(200);
      return res.body as { ids: string[][]; distances: number[][] };
    };
    const sameAnswers = (ours: { ids: string[][]; distances: number[][] }, theirs: typeof ours) => {
      expect(ours.ids).toEqual(theirs.ids);
      ours.distances[0].forEach((d, k) => expect(d).toBeCloseTo(theirs.distances[0][k], 4));
    };

    beforeAll(async () => {
      chroma = await startChromaReference();
      const client = new ChromaClient({ path: chroma.url });
      const gen = prng(9);
      const vector = () => Array.from({ length: 8 }, () => gen() - 0.5);
      for (const space of SPACES) {
        // l2 keeps Chroma's sync threshold (1000), so its vectors stay in Chroma's log table;
        // the others write their HNSW files every 100 records, then log what came after.
        const coll = await client.createCollection({
          name: `ref-${space}`,
          configuration: { hnsw: space === 'l2' ? { space } : { space, sync_threshold: 100 } },
          metadata: { space, made: 2026, ratio: 0.5, indexed: true },
          embeddingFunction: null,
        });
        await coll.add({
          ids: Array.from({ length: 300 }, (_, i) => `${space}-${i}`),
          embeddings: Array.from({ length: 300 }, vector),
          documents: Array.from({ length: 300 }, (_, i) => `text ${i} of ${space}`),
          metadatas: Array.from({ length: 300 }, (_, i) => ({
            i,
            even: i % 2 === 0,
            ratio: i / 7,
            label: `l${i % 5}`,
          })),
        });
        await coll.add({
          ids: Array.from({ length: 10 }, (_, i) => `${space}-bare-${i}`),
          embeddings: Array.from({ length: 10 }, vector),
        });
        await coll.delete({ ids: [`${space}-1`, `${space}-2`] });
        await coll.update({
          ids: [`${space}-3`],
          embeddings: [vector()],
          documents: ['updated'],
          metadatas: [{ changed: true }],
        });
        await coll.update({ ids: [`${space}-4`], metadatas: [{ label: 'relabelled' }] });
        // "__proto__" is an id like any other, in the files' id maps as everywhere.
        await coll.upsert({ ids: [`${space}-new`], embeddings: [vector()], uris: ['s3://bucket/new'] });
        await coll.upsert({ ids: ['__proto__'], embeddings: [vector()], documents: ['an ordinary id'] });
        expect(await coll.count()).toBe(RECORDS);
      }
      await client.createCollection({ name: 'ref-empty', embeddingFunction: null });
    });
    afterAll(async () => {
      await chroma?.stop();
    });

    it('imports every collection live, with the same records and the same query answers', async () => {
      const target = await store();
      // Every record sampled: the verification compares all of them with the source, not a random few.
      const run = await cli(['import', chroma.url, '--batch', '100', '--sample', '1000'], target.env, dir);
      expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toMatchObject({ status: 0 });
      for (const space of SPACES) {
        expect(run.stdout).toMatch(
          new RegExp(
            `ref-${space} -> ref-${space}: ${RECORDS} imported, 0 skipped; source ${RECORDS}, vecgate ${RECORDS} \\(match\\); ${RECORDS} sampled, 0 differ`,
          ),
        );
      }
      const gw = await target.open();
      try {
        for (const space of SPACES) {
          const theirs = await allRecords(chroma.url, `ref-${space}`);
          const ours = await allRecords(gw.url, `ref-${space}`);
          expect(ours.byId).toEqual(theirs.byId);
          expect(ours.configuration.hnsw.space).toBe(space);
          sameAnswers(await queryAll(gw.url, space), await queryAll(chroma.url, space));
        }
      } finally {
        await gw.close();
      }
    });

    it('imports its data directory with Chroma stopped: the same records, settings and query answers', async () => {
      // What the server answers, kept to compare with once it has stopped.
      const theirs = new Map<string, Awaited<ReturnType<typeof allRecords>>>();
      const answers = new Map<string, Awaited<ReturnType<typeof queryAll>>>();
      for (const space of SPACES) {
        theirs.set(space, await allRecords(chroma.url, `ref-${space}`));
        answers.set(space, await queryAll(chroma.url, space));
      }
      const collectionMetadata = (await http(chroma.url, 'GET', `${P}/collections/ref-cosine`)).body.metadata;
      const target = await store();
      // While Chroma runs, it has chroma.sqlite3 open (and leaves nothing else that says so): refused,
      // or read with a warning when asked to.
      const running = await cli(['import', chroma.dataDir, '--dry-run'], target.env, dir);
      expect({ status: running.status, stdout: running.stdout }).toEqual({ status: 1, stdout: '' });
      expect(running.stderr).toMatch(
        /chroma\.sqlite3 is open in process \d+ \([^)]*cli\.mjs run[^)]*\): a Chroma is running on this directory/,
      );
      expect(running.stderr).toContain('Stop that Chroma and import again, or import from its API while it runs');
      const anyway = await cli(['import', chroma.dataDir, '--dry-run', '--ignore-running-chroma'], target.env, dir);
      expect(anyway.status).toBe(0);
      expect(anyway.stderr).toMatch(/warning: \S+chroma\.sqlite3 is open in process \d+ .*--ignore-running-chroma/);
      expect(anyway.stdout).toMatch(new RegExp(`ref-cosine: ${RECORDS} records would be imported`));
      await chroma.stop({ keepData: true });
      // cosine and ip wrote HNSW files (and logged what came after); l2 only ever logged.
      const flushed = readdirSync(chroma.dataDir).filter((d) =>
        existsSync(join(chroma.dataDir, d, 'index_metadata.pickle')),
      );
      expect(flushed).toHaveLength(2);
      try {
        const run = await cli(['import', chroma.dataDir, '--batch', '64', '--sample', '1000'], target.env, dir);
        expect(run.stderr).not.toMatch(/error/i);
        expect(run.stderr).not.toMatch(/is open in process/);
        expect(run.status).toBe(0);
        for (const space of SPACES)
          expect(run.stdout).toMatch(
            new RegExp(
              `ref-${space} -> ref-${space}: ${RECORDS} imported, 0 skipped; source ${RECORDS}, vecgate ${RECORDS} \\(match\\); ${RECORDS} sampled, 0 differ`,
            ),
          );
        expect(run.stdout).toMatch(/ref-empty -> ref-empty: 0 imported/);
        const gw = await target.open();
        try {
          for (const space of SPACES) {
            const ours = await allRecords(gw.url, `ref-${space}`);
            const expected = theirs.get(space)!;
            expect([...ours.byId.keys()].sort()).toEqual([...expected.byId.keys()].sort());
            for (const [id, record] of expected.byId) {
              const { embedding, ...rest } = record as { embedding: number[] };
              const got = ours.byId.get(id) as { embedding: number[] };
              expect({ ...got, embedding: undefined }).toEqual({ ...rest, embedding: undefined });
              // Cosine vectors come back from hnswlib's normalized copy times the kept length.
              got.embedding.forEach((x, k) => expect(Math.abs(x - embedding[k])).toBeLessThan(1e-6));
            }
            expect(ours.configuration.hnsw.space).toBe(space);
            sameAnswers(await queryAll(gw.url, space), answers.get(space)!);
          }
          expect((await http(gw.url, 'GET', `${P}/collections/ref-cosine`)).body.metadata).toEqual(collectionMetadata);
        } finally {
          await gw.close();
        }

        // Files it cannot trust are refused with the reason, before anything is written.
        const dryRun = () => cli(['import', chroma.dataDir, '--dry-run'], target.env, dir);
        writeFileSync(join(chroma.dataDir, 'chroma.sqlite3-journal'), 'half a transaction');
        let refused = await dryRun();
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/chroma\.sqlite3-journal is not empty: Chroma stopped in the middle of a write/);
        rmSync(join(chroma.dataDir, 'chroma.sqlite3-journal'));
        // A segment id is a folder's name: one that climbs out of the directory is refused.
        const sqliteFile = join(chroma.dataDir, 'chroma.sqlite3');
        const original = readFileSync(sqliteFile);
        const SQL = await initSqlJs();
        // A copy: sql.js writes into the very bytes it is given (a Buffer's slice shares them).
        const edited = new SQL.Database(Buffer.from(original));
        edited.run(
          `UPDATE segments SET id = '../../elsewhere' WHERE id = (SELECT id FROM segments WHERE scope = 'VECTOR' LIMIT 1)`,
        );
        writeFileSync(sqliteFile, edited.export());
        edited.close();
        refused = await dryRun();
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/a vector segment id that is not a UUID/);
        writeFileSync(sqliteFile, original);
        const data = join(chroma.dataDir, flushed[0], 'data_level0.bin');
        writeFileSync(data, readFileSync(data).subarray(0, 1000));
        refused = await dryRun();
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/data_level0\.bin: shorter than its \d+ elements/);
        refused = await cli(['import', dir, '--type', 'chroma-dir', '--dry-run'], target.env, dir);
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/no chroma\.sqlite3, so not a Chroma data directory/);
      } finally {
        rmSync(chroma.dataDir, { recursive: true, force: true });
      }
    });
  });
});
