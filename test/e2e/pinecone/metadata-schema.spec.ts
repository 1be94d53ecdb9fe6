import type { Pinecone } from '@pinecone-database/pinecone';
import { http, gatewayForFile } from '../../support/gateway';
import { indexName, pineconeClient } from '../../support/pinecone';

/**
 * Pinecone's metadata schemas (selective metadata indexing): an index's or a namespace's
 * `schema.fields.{key}.filterable` names the keys indexed for filters; a filter on another key
 * finds it absent from every record.
 */
describe('Pinecone metadata schemas', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(() => {
    pc = pineconeClient(gw);
  });

  const RECORDS = [
    { id: 'd1', values: [1, 0], metadata: { genre: 'drama', year: 2001 } },
    { id: 'd2', values: [0, 1], metadata: { genre: 'comedy', year: 1999 } },
  ];

  async function matched(name: string, namespace: string, filter: object): Promise<string[]> {
    const res = await pc
      .index({ name })
      .namespace(namespace)
      .query({ vector: [1, 1], topK: 10, filter });
    return res.matches.map((m) => m.id).sort();
  }

  it('indexes only the keys of an index schema (2025-10 body), and echoes it', async () => {
    const name = indexName('schema-legacy');
    const created = await http(gw.url, 'POST', '/indexes', {
      name,
      dimension: 2,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1', schema: { fields: { genre: { filterable: true } } } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.spec.serverless.schema).toEqual({ fields: { genre: { filterable: true } } });
    expect(created.body.schema.fields.genre).toEqual({ filterable: true });
    await pc.index({ name }).upsert({ records: RECORDS });

    expect(await matched(name, '', { genre: 'drama' })).toEqual(['d1']);
    expect(await matched(name, '', { genre: { $in: ['drama', 'comedy'] } })).toEqual(['d1', 'd2']);
    // year is not indexed: absent from every record, to filters.
    expect(await matched(name, '', { year: 2001 })).toEqual([]);
    expect(await matched(name, '', { year: { $gte: 1990 } })).toEqual([]);
    expect(await matched(name, '', { year: { $ne: 2001 } })).toEqual([]);
    expect(await matched(name, '', { year: { $exists: false } })).toEqual(['d1', 'd2']);
    expect(await matched(name, '', { $or: [{ genre: 'comedy' }, { year: 2001 }] })).toEqual(['d2']);
    // The values are still stored and returned.
    const fetched = await pc.index({ name }).fetch({ ids: ['d1'] });
    expect(fetched.records.d1.metadata).toEqual({ genre: 'drama', year: 2001 });
    // Deletes by filter follow the same rule: nothing deleted through an unindexed key.
    await pc.index({ name }).deleteMany({ filter: { year: 2001 } });
    expect((await pc.index({ name }).describeIndexStats()).totalRecordCount).toBe(2);
  });

  it("gives a namespace its own schema, which wins over the index's, and keeps it in a backup", async () => {
    const name = indexName('schema-ns');
    const created = await http(gw.url, 'POST', '/indexes', {
      name,
      deployment: { deployment_type: 'managed', cloud: 'aws', region: 'us-east-1' },
      schema: {
        fields: { _values: { type: 'dense_vector', dimension: 2, metric: 'cosine' }, genre: { filterable: true } },
      },
    });
    expect(created.status).toBe(201);
    const index = pc.index({ name });
    const described = await index.createNamespace({
      name: 'by-year',
      schema: { fields: { year: { filterable: true } } },
    });
    expect(described.name).toBe('by-year');
    const raw = await http(gw.url, 'GET', `/indexes/${name}/namespaces/by-year`);
    expect(raw.body).toEqual({
      name: 'by-year',
      record_count: 0,
      schema: { fields: { year: { filterable: true } } },
      indexed_fields: { fields: ['year'] },
    });
    await index.namespace('by-year').upsert({ records: RECORDS });
    await index.namespace('plain').upsert({ records: RECORDS });

    expect(await matched(name, 'by-year', { year: 2001 })).toEqual(['d1']);
    expect(await matched(name, 'by-year', { genre: 'drama' })).toEqual([]);
    // A namespace without a schema of its own has the index's.
    expect(await matched(name, 'plain', { genre: 'drama' })).toEqual(['d1']);
    expect(await matched(name, 'plain', { year: 2001 })).toEqual([]);
    const listed = await http(gw.url, 'GET', `/indexes/${name}/namespaces`);
    const plain = listed.body.namespaces.find((n: { name: string }) => n.name === 'plain');
    expect(plain.schema).toEqual({ fields: { genre: { filterable: true } } });

    // Each declared key gets its range index without waiting for a range filter.
    const { rows } = await gw.db.query(
      `SELECT k.key FROM vecgate_range_keys k JOIN vecgate_collections c ON c.id = k.collection_id WHERE c.name = $1 AND k.kind <> 'values' ORDER BY 1`,
      [name],
    );
    expect(rows.map((r: any) => r.key)).toEqual([['genre'], ['year']]);

    const backup = await pc.backups.create(name);
    const target = indexName('schema-ns-dst');
    await pc.backups.createIndex(backup.backupId, { name: target });
    const restored = await http(gw.url, 'GET', `/indexes/${target}/namespaces/by-year`);
    expect(restored.body.schema).toEqual({ fields: { year: { filterable: true } } });
    expect(await matched(target, 'by-year', { genre: 'drama' })).toEqual([]);
    expect(await matched(target, 'by-year', { year: 2001 })).toEqual(['d1']);
  });

  it('refuses schemas Pinecone refuses, in its words, and creates nothing', async () => {
    const name = indexName('schema-bad');
    const bad: [unknown, string][] = [
      [
        { fields: { genre: { filterable: false } } },
        "Field 'genre' is set to filterable: false. Only filterable: true is supported.",
      ],
      [{ fields: { genre: {} } }, "Field 'genre' is set to filterable: false. Only filterable: true is supported."],
      [{ fields: { $genre: { filterable: true } } }, 'Invalid field name "$genre"'],
      [
        { fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, { filterable: true }])) },
        'at most 50',
      ],
      [{ nope: true }, 'schema must be an object with a fields object'],
    ];
    for (const [schema, message] of bad) {
      const res = await http(gw.url, 'POST', '/indexes', {
        name,
        dimension: 2,
        spec: { serverless: { cloud: 'aws', region: 'us-east-1', schema } },
      });
      expect({ schema, status: res.status }).toEqual({ schema, status: 400 });
      expect(res.body.error.message).toContain(message);
    }
    expect((await http(gw.url, 'GET', `/indexes/${name}`)).status).toBe(404);

    await http(gw.url, 'POST', '/indexes', {
      name,
      dimension: 2,
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    const ns = await http(gw.url, 'POST', `/indexes/${name}/namespaces`, {
      name: 'x',
      schema: { fields: { genre: { filterable: false } } },
    });
    expect(ns.status).toBe(400);
    expect(ns.body).toEqual({
      code: 3,
      message: "Field 'genre' is set to filterable: false. Only filterable: true is supported.",
      details: [],
    });
    expect((await http(gw.url, 'GET', `/indexes/${name}/namespaces/x`)).status).toBe(404);
  });
});
