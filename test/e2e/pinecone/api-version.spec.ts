import { PINECONE_API_VERSIONS } from '../../../src/protocols/pinecone/api-version.guard';
import { http, gatewayForFile } from '../../support/gateway';
import { indexName, pineconeClient } from '../../support/pinecone';

/**
 * X-Pinecone-Api-Version over raw HTTP: every version Pinecone has published is served, a request
 * without the header too; any other value is a 400 in the shape of the route's plane, naming the
 * versions, before anything is read or changed.
 */
describe('Pinecone API versions (X-Pinecone-Api-Version)', () => {
  const gw = gatewayForFile();
  const name = indexName('versions');
  const version = (v: string) => ({ 'X-Pinecone-Api-Version': v });
  const supported = expect.stringContaining(`Supported versions: ${PINECONE_API_VERSIONS.join(', ')}.`);

  beforeAll(async () => {
    await pineconeClient(gw).indexes.create({
      name,
      schema: { fields: { body: { type: 'string', fullTextSearch: {} } } },
    });
  });

  it('serves every published version, and a request without the header', async () => {
    for (const v of PINECONE_API_VERSIONS)
      expect((await http(gw.url, 'GET', '/indexes', undefined, version(v))).status).toBe(200);
    expect((await http(gw.url, 'GET', '/indexes')).status).toBe(200);
    expect((await http(gw.url, 'GET', `/indexes/${name}`)).status).toBe(200);
  });

  it.each(['2099-01', 'garbage', '2026-7', '', '2026-07, 2026-07'])(
    'refuses %j on the control plane with a 400 naming the supported versions',
    async (v) => {
      const res = await http(gw.url, 'GET', '/indexes', undefined, version(v));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'INVALID_ARGUMENT', message: supported }, status: 400 });
      expect(res.body.error.message).toContain('X-Pinecone-Api-Version');
    },
  );

  it("refuses an unknown version in each plane's shape, and changes nothing", async () => {
    const created = await http(
      gw.url,
      'POST',
      '/indexes',
      { name: 'never-made', schema: { fields: { body: { type: 'string', full_text_search: {} } } } },
      version('2099-01'),
    );
    expect(created.status).toBe(400);
    expect(created.body.error.message).toMatch(/^Unsupported API version "2099-01"/);
    expect((await http(gw.url, 'GET', '/indexes/never-made')).status).toBe(404);

    const upsert = await http(
      gw.url,
      'POST',
      `/indexes/${name}/namespaces/ns/documents/upsert`,
      { documents: [{ _id: 'a', body: 'pump' }] },
      version('garbage'),
    );
    expect(upsert.status).toBe(400);
    expect(upsert.body).toEqual({ error: { code: 'INVALID_ARGUMENT', message: supported }, status: 400 });
    const fetched = await http(gw.url, 'POST', `/indexes/${name}/namespaces/ns/documents/fetch`, { ids: ['a'] });
    expect(fetched.status).toBe(200);
    expect(fetched.body.documents).toEqual({});

    // The data plane of vector operations answers in its gRPC-status shape.
    const stats = await http(gw.url, 'POST', `/indexes/${name}/describe_index_stats`, {}, version('2099-01'));
    expect(stats.status).toBe(400);
    expect(stats.body).toEqual({ code: 3, message: supported, details: [] });
    const embed = await http(gw.url, 'GET', '/models', undefined, version('garbage'));
    expect(embed.status).toBe(400);
  });
});
