import { Pinecone } from 'pinecone-preview';
import { http, gatewayForFile } from '../../support/gateway';
import { indexName } from '../../support/pinecone';

/**
 * The TypeScript client 8.2's preview surface (`pc.preview`, API 2026-01.alpha): document indexes
 * as they were before 2026-07. Each field of the text clause names one `field`; fetch takes ids.
 */
describe('Pinecone document indexes through the v8.2 client preview (2026-01.alpha)', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;
  const name = indexName('preview');

  beforeAll(async () => {
    pc = new Pinecone({ apiKey: 'any', controllerHostUrl: gw.url });
    await pc.preview.indexes.create({
      name,
      schema: {
        fields: {
          body: { type: 'string', fullTextSearch: { language: 'en', stemming: true } },
          year: { type: 'float', filterable: true },
          emb: { type: 'dense_vector', dimension: 2, metric: 'cosine' },
        },
      },
    } as never);
  });

  it('creates, describes and lists the index', async () => {
    const described = await pc.preview.indexes.describe(name);
    expect(described.name).toBe(name);
    expect((described.schema?.fields as Record<string, unknown>).body).toMatchObject({ type: 'string' });
    const listed = await pc.preview.indexes.list();
    expect(listed.indexes?.map((i) => i.name)).toContain(name);
  });

  it('upserts, searches, fetches, lists, updates and deletes documents', async () => {
    const index = pc.preview.index({ name });
    const up = await index.upsertDocuments('ns', {
      documents: [
        { _id: 'a', body: 'pumps running hot', year: 2020, emb: [1, 0] },
        { _id: 'b', body: 'a cold motor', year: 2024, emb: [0, 1] },
      ],
    } as never);
    expect(up.upsertedCount).toBe(2);
    const found = await index.searchDocuments('ns', {
      scoreBy: [{ type: 'text', field: 'body', query: 'pump' }],
      topK: 5,
      includeFields: ['year'],
    } as never);
    expect(found.matches.map((m) => [m._id, (m as Record<string, unknown>).year])).toEqual([['a', 2020]]);
    const filtered = await index.searchDocuments('ns', {
      scoreBy: [{ type: 'dense_vector', field: 'emb', values: [1, 0] }],
      topK: 5,
      filter: { year: { $gte: 2021 } },
    } as never);
    expect(filtered.matches.map((m) => m._id)).toEqual(['b']);
    const fetched = await index.fetchDocuments('ns', { ids: ['b'] } as never);
    expect(fetched.documents.b).toMatchObject({ _id: 'b', body: 'a cold motor', year: 2024 });
    const listed = await index.listDocuments('ns', {} as never);
    expect(listed.documents.map((d) => d._id)).toEqual(['a', 'b']);
    await index.updateDocuments('ns', { documents: [{ _id: 'b', body: 'a hot motor' }] } as never);
    const hot = await index.searchDocuments('ns', {
      scoreBy: [{ type: 'text', field: 'body', query: 'hot' }],
      topK: 5,
    } as never);
    expect(hot.matches.map((m) => m._id).sort()).toEqual(['a', 'b']);
    await index.deleteDocuments('ns', { ids: ['a'] } as never);
    const left = await index.listDocuments('ns', {} as never);
    expect(left.documents.map((d) => d._id)).toEqual(['b']);
    const raw = await http(
      gw.url,
      'POST',
      `/indexes/${name}/namespaces/ns/documents/fetch`,
      { ids: ['b'] },
      { 'X-Pinecone-Api-Version': '2026-01.alpha' },
    );
    expect(raw.status).toBe(200);
  });
});
