import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChromaReference, type ChromaReference } from '../../support/chroma-reference';
import { gatewayForFile, http } from '../../support/gateway';
import { canon, MEMBER_KEYS, obj } from '../../support/member-keys';
import { ensureGatewayBuilt } from '../cluster/cluster';
import { cli, newStore, type Store } from '../../support/cli-store';

/**
 * `vecgate import` and `vecgate export` with ids, namespaces, metadata and payload keys, and
 * collection names that name what every JavaScript object inherits (`constructor`, `__proto__` …):
 * each goes through JSONL, Parquet and every source as any other string does, or the command
 * stops with an error that says why. The records read back are compared with the source's as
 * canonical JSON text (sorted keys), which sees an own `__proto__` key where object equality may not.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';

/** Record i's metadata: its own key "mine", the other member keys i, and a key that is not a member. */
const metadataOf = (i: number) =>
  obj([...MEMBER_KEYS.map((k, j): [string, unknown] => [k, j === i ? 'mine' : i]), ['a.b', `ab${i}`]]);

/** A Chroma collection's records as canonical JSON, sorted by id; `{}` metadata counts as none (Chroma 1.0 answers it). */
async function chromaRecords(url: string, name: string, scope = P): Promise<string> {
  const coll = await http(url, 'GET', `${scope}/collections/${name}`);
  expect([name, coll.status]).toEqual([name, 200]);
  const got = await http(url, 'POST', `${scope}/collections/${coll.body.id}/get`, {
    include: ['embeddings', 'documents', 'metadatas', 'uris'],
  });
  const rows = got.body.ids.map((id: string, i: number) => ({
    id,
    embedding: got.body.embeddings[i].map((x: number) => Math.fround(x)),
    document: got.body.documents[i],
    uri: got.body.uris[i],
    metadata: got.body.metadatas[i] && Object.keys(got.body.metadatas[i]).length ? got.body.metadatas[i] : null,
  }));
  return canon(rows.sort((a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

/** A Pinecone index's records in each namespace, as canonical JSON. */
async function pineconeRecords(url: string, index: string, namespaces: string[]): Promise<string> {
  const out: [string, unknown][] = [];
  for (const namespace of namespaces) {
    const query = MEMBER_KEYS.map((id) => `ids=${encodeURIComponent(id)}`).join('&');
    const res = await http(
      url,
      'GET',
      `/indexes/${index}/vectors/fetch?namespace=${encodeURIComponent(namespace)}&${query}`,
    );
    expect(res.status).toBe(200);
    expect([namespace, Object.keys(res.body.vectors).sort()]).toEqual([namespace, [...MEMBER_KEYS].sort()]);
    out.push([namespace, res.body.vectors]);
  }
  return canon(obj(out));
}

/** Throws with everything the command printed unless it succeeded. */
function succeeded(run: { status: number | null; stdout: string; stderr: string }): string {
  if (run.status !== 0 || /vecgate:/.test(run.stderr))
    throw new Error(`exit ${run.status}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** "<source> -> <target>: n imported, 0 skipped; source n, vecgate n (match); k sampled, 0 differ". */
const clean = (source: string, target: string, n: number) =>
  new RegExp(
    `${source.replace(/[.$]/g, '\\$&')} -> ${target.replace(/[.$]/g, '\\$&')}: ${n} imported, 0 skipped; source ${n}, vecgate ${n} \\(match\\); \\d+ sampled, 0 differ`,
  );

describe('vecgate import / export of member-named keys', () => {
  const source = gatewayForFile();
  let dir: string;
  const stores: Store[] = [];
  const store = async () => {
    const s = await newStore(dir);
    stores.push(s);
    return s;
  };
  const NAMESPACES = ['', '__proto__', 'constructor'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-member-keys-'));
    await ensureGatewayBuilt();
    // A Chroma collection named like a member: member ids, member metadata keys, documents and uris.
    const made = await http(source.url, 'POST', `${P}/collections`, {
      name: 'constructor',
      metadata: obj([
        ['__proto__', 'collection'],
        ['toString', 1],
      ]),
    });
    expect(made.status).toBe(200);
    const added = await http(source.url, 'POST', `${P}/collections/${made.body.id}/add`, {
      ids: MEMBER_KEYS,
      embeddings: MEMBER_KEYS.map((_k, i) => [i + 1, 0.5, -i]),
      documents: MEMBER_KEYS.map((k) => `document ${k}`),
      uris: MEMBER_KEYS.map((k, i) => (i % 2 ? `s3://bucket/${k}` : null)),
      metadatas: MEMBER_KEYS.map((_k, i) => metadataOf(i)),
    });
    expect(added.status).toBe(201);
    // A Pinecone index: member ids in namespaces named like members, sparse values too.
    const index = await http(source.url, 'POST', '/indexes', {
      name: 'prototype',
      dimension: 2,
      metric: 'dotproduct',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(index.status).toBe(201);
    for (const namespace of NAMESPACES) {
      const up = await http(source.url, 'POST', '/indexes/prototype/vectors/upsert', {
        namespace,
        vectors: MEMBER_KEYS.map((id, i) => ({
          id,
          values: [i + 1, 1],
          sparseValues: { indices: [i, 50 + i], values: [0.5, 1.5] },
          metadata: obj([...Object.entries(metadataOf(i)), ['list', [id, namespace]]]),
        })),
      });
      expect(up.status).toBe(200);
    }
    // A Qdrant collection named __proto__: string point ids, payloads with member keys nested.
    expect(
      (await http(source.url, 'PUT', '/qdrant/collections/__proto__', { vectors: { size: 3, distance: 'Cosine' } }))
        .status,
    ).toBe(200);
    const points = MEMBER_KEYS.map((id, i) => ({
      id,
      vector: [i + 1, 1, 0],
      payload: obj([...Object.entries(metadataOf(i)), ['nested', obj([[id, obj([['constructor', [i]]])]])]]),
    }));
    expect((await http(source.url, 'PUT', '/qdrant/collections/__proto__/points', { points })).status).toBe(200);
  });

  afterAll(async () => {
    for (const s of stores) await s.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a Chroma API, and exports JSONL and Parquet that import back the same', async () => {
    const expected = await chromaRecords(source.url, 'constructor');
    const first = await store();
    const run = await cli(['import', source.url, '--collection', 'constructor', '--sample', '100'], first.env, dir);
    succeeded(run);
    expect(run.stdout).toMatch(clean('constructor', 'constructor', 7));
    const jsonl = join(dir, 'constructor.jsonl');
    const parquet = join(dir, 'constructor.parquet');
    for (const file of [jsonl, parquet]) {
      const exported = await cli(['export', 'constructor', '--to', file], first.env, dir);
      succeeded(exported);
    }
    const second = await store();
    // Each file into a collection of its own; the JSONL one keeps its name (the checkpoint is keyed by it).
    const fromJsonl = await cli(['import', jsonl, '--sample', '100'], second.env, dir);
    expect(fromJsonl.stdout).toMatch(clean('constructor', 'constructor', 7));
    const fromParquet = await cli(['import', parquet, '--as', 'valueOf', '--sample', '100'], second.env, dir);
    expect(fromParquet.stdout).toMatch(clean('constructor', 'valueOf', 7));
    for (const s of [first, second]) {
      const gw = await s.open();
      try {
        expect(await chromaRecords(gw.url, 'constructor')).toBe(expected);
        const metadata = (await http(gw.url, 'GET', `${P}/collections/constructor`)).body.metadata;
        expect(canon(metadata)).toBe(
          canon(
            obj([
              ['__proto__', 'collection'],
              ['toString', 1],
            ]),
          ),
        );
        if (s === second) expect(await chromaRecords(gw.url, 'valueOf')).toBe(expected);
      } finally {
        await gw.close();
      }
    }
  });

  it("imports a Pinecone API's member-named namespaces, and exports them to JSONL and a Parquet directory", async () => {
    const expected = await pineconeRecords(source.url, 'prototype', NAMESPACES);
    const first = await store();
    const run = await cli(['import', source.url, '--api-key', 'unused', '--collection', 'prototype'], first.env, dir);
    succeeded(run);
    expect(run.stdout).toMatch(clean('prototype', 'prototype', 21));
    const jsonl = join(dir, 'prototype.jsonl');
    const layout = join(dir, 'prototype-layout');
    for (const target of [jsonl, layout]) {
      const exported = await cli(['export', 'prototype', '--to', target], first.env, dir);
      succeeded(exported);
    }
    expect(readdirSync(layout).sort()).toEqual(['__default__', '__proto__', 'constructor']);
    const second = await store();
    expect((await cli(['import', jsonl, '--as', 'from-jsonl'], second.env, dir)).stdout).toMatch(
      clean('prototype', 'from-jsonl', 21),
    );
    expect((await cli(['import', layout, '--as', 'from-parquet'], second.env, dir)).stdout).toMatch(
      clean('prototype', 'from-parquet', 21),
    );
    const gw = await second.open();
    try {
      for (const index of ['from-jsonl', 'from-parquet'])
        expect([index, await pineconeRecords(gw.url, index, NAMESPACES)]).toEqual([index, expected]);
    } finally {
      await gw.close();
    }
  });

  it('refuses to export a namespace that cannot be a directory of its own, and writes nothing outside', async () => {
    const first = await store();
    const index = await http(source.url, 'POST', '/indexes', {
      name: 'paths',
      dimension: 2,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(index.status).toBe(201);
    for (const namespace of ['..', 'a/b'])
      expect(
        (
          await http(source.url, 'POST', '/indexes/paths/vectors/upsert', {
            namespace,
            vectors: [{ id: namespace, values: [1, 2] }],
          })
        ).status,
      ).toBe(200);
    expect((await cli(['import', source.url, '--api-key', 'k', '--collection', 'paths'], first.env, dir)).status).toBe(
      0,
    );
    const outside = join(dir, 'outside');
    const target = join(outside, 'layout');
    const refused = await cli(['export', 'paths', '--to', target], first.env, dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /the namespace ("\.\." is a relative path, not a name|"a\/b" holds a path separator)/,
    );
    expect(existsSync(outside)).toBe(false);
    // JSONL keeps every namespace.
    const jsonl = join(dir, 'paths.jsonl');
    expect((await cli(['export', 'paths', '--to', jsonl], first.env, dir)).status).toBe(0);
    const second = await store();
    expect((await cli(['import', jsonl], second.env, dir)).stdout).toMatch(clean('paths', 'paths', 2));
    // One Parquet file keeps no namespace: a collection whose one namespace is not the default is refused.
    const single = await store();
    const lone = await http(source.url, 'POST', '/indexes', {
      name: 'lone',
      dimension: 2,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(lone.status).toBe(201);
    await http(source.url, 'POST', '/indexes/lone/vectors/upsert', {
      namespace: '__proto__',
      vectors: [{ id: 'y', values: [1, 2] }],
    });
    expect((await cli(['import', source.url, '--api-key', 'k', '--collection', 'lone'], single.env, dir)).status).toBe(
      0,
    );
    const oneFile = await cli(['export', 'lone', '--to', join(dir, 'lone.parquet')], single.env, dir);
    expect(oneFile.status).toBe(1);
    expect(oneFile.stderr).toMatch(
      /in the namespace "__proto__", which one file does not keep: export it to a directory/,
    );
    expect(existsSync(join(dir, 'lone.parquet'))).toBe(false);
  });

  it('imports a Qdrant collection named __proto__ with nested payload keys', async () => {
    const target = await store();
    const run = await cli(
      ['import', `${source.url}/qdrant`, '--type', 'qdrant', '--collection', '__proto__', '--sample', '100'],
      target.env,
      dir,
    );
    succeeded(run);
    expect(run.stdout).toMatch(clean('__proto__', '__proto__', 7));
    const payloads = async (url: string) => {
      const res = await http(url, 'POST', '/qdrant/collections/__proto__/points', {
        ids: MEMBER_KEYS,
        with_payload: true,
        with_vector: true,
      });
      expect(res.body.result).toHaveLength(7);
      return canon(Object.fromEntries(res.body.result.map((p: any) => [p.id, p])));
    };
    const gw = await target.open();
    try {
      expect(await payloads(gw.url)).toBe(await payloads(source.url));
    } finally {
      await gw.close();
    }
  });

  it("skips an id a Pinecone source lists but no longer holds, whatever the id's name", async () => {
    // A Pinecone that lists ids its fetch then leaves out (deleted in between): `constructor` is not a record.
    const server = createServer((req, res) => {
      const send = (body: unknown) => res.end(JSON.stringify(body));
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/indexes')
        return send({
          indexes: [{ name: 'gone', host: `http://${req.headers.host}`, metric: 'cosine', dimension: 2 }],
        });
      if (url.pathname === '/describe_index_stats')
        return send({ namespaces: obj([['__proto__', { vectorCount: 1 }]]), totalVectorCount: 1 });
      if (url.pathname === '/vectors/list') return send({ vectors: [{ id: 'constructor' }, { id: 'kept' }] });
      if (url.pathname === '/vectors/fetch') return send({ vectors: { kept: { id: 'kept', values: [1, 2] } } });
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const target = await store();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await cli(['import', url, '--api-key', 'k'], target.env, dir);
      succeeded(run);
      expect(run.stdout).toMatch(clean('gone', 'gone', 1));
      const gw = await target.open();
      try {
        const listed = await http(gw.url, 'GET', '/indexes/gone/vectors/list?namespace=__proto__');
        expect(listed.body.vectors).toEqual([{ id: 'kept' }]);
      } finally {
        await gw.close();
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('from Chroma 1.0.0', () => {
    let chroma: ChromaReference;
    const SCOPE = '/api/v2/tenants/__proto__/databases/constructor';

    beforeAll(async () => {
      chroma = await startChromaReference();
      expect((await http(chroma.url, 'POST', '/api/v2/tenants', { name: '__proto__' })).status).toBe(200);
      expect(
        (await http(chroma.url, 'POST', '/api/v2/tenants/__proto__/databases', { name: 'constructor' })).status,
      ).toBe(200);
      const made = await http(chroma.url, 'POST', `${SCOPE}/collections`, {
        name: 'toString',
        metadata: obj([
          ['constructor', 'c'],
          ['__proto__', 2],
        ]),
      });
      expect(made.status).toBe(200);
      const added = await http(chroma.url, 'POST', `${SCOPE}/collections/${made.body.id}/add`, {
        ids: MEMBER_KEYS,
        embeddings: MEMBER_KEYS.map((_k, i) => [i + 1, 0.25, i]),
        documents: MEMBER_KEYS.map((k) => `doc ${k}`),
        metadatas: MEMBER_KEYS.map((_k, i) => metadataOf(i)),
      });
      expect(added.status).toBe(201);
    });

    afterAll(async () => {
      await chroma?.stop();
    });

    it('imports its API and then its data directory: every member-named key, id and name', async () => {
      const expected = await chromaRecords(chroma.url, 'toString', SCOPE);
      const collectionMetadata = canon((await http(chroma.url, 'GET', `${SCOPE}/collections/toString`)).body.metadata);
      const live = await store();
      const run = await cli(
        ['import', chroma.url, '--from', '__proto__/constructor', '--into', '__proto__/constructor', '--sample', '100'],
        live.env,
        dir,
      );
      succeeded(run);
      expect(run.stdout).toMatch(clean('toString', 'toString', 7));
      await chroma.stop({ keepData: true });
      const fromDir = await store();
      const read = await cli(
        [
          'import',
          chroma.dataDir,
          '--from',
          '__proto__/constructor',
          '--into',
          '__proto__/constructor',
          '--sample',
          '100',
        ],
        fromDir.env,
        dir,
      );
      succeeded(read);
      expect(read.stdout).toMatch(clean('toString', 'toString', 7));
      for (const s of [live, fromDir]) {
        const gw = await s.open();
        try {
          expect(await chromaRecords(gw.url, 'toString', SCOPE)).toBe(expected);
          const metadata = (await http(gw.url, 'GET', `${SCOPE}/collections/toString`)).body.metadata;
          expect(canon(metadata)).toBe(collectionMetadata);
        } finally {
          await gw.close();
        }
      }
    });
  });
});
