import { ChromaClient, type Collection } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';

const P = '/api/v2/tenants/default_tenant/databases/default_database';

/** Chroma 1.0.0's `where` and `where_document` semantics, plus the array operators of newer Chroma. */
describe('Chroma where and where_document', () => {
  const gw = gatewayForFile();
  let col: Collection;

  beforeAll(async () => {
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'where', embeddingFunction: null });
    await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
      ids: ['int2', 'float2', 'str2', 'bool', 'tags', 'bare', 'nodoc'],
      embeddings: [[1], [2], [3], [4], [5], [6], [7]],
      documents: ['Hello world', 'hello there', 'another doc', 'HELLO', 'tagged', 'plain', null],
      metadatas: [
        { n: 2, cat: 'a' },
        { n: 2.5, cat: 'b' },
        { n: '2', cat: 'a' },
        { n: true },
        { tags: ['red', 'blue'], n: 10 },
        null,
        { cat: 'c', n: 3 },
      ],
    });
  });

  async function ids(where?: object, whereDocument?: object): Promise<string[]> {
    const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { where, where_document: whereDocument });
    expect(res.status).toBe(200);
    return res.body.ids;
  }

  it('compares numbers across int and float, never with strings or booleans', async () => {
    expect(await ids({ n: 2 })).toEqual(['int2']);
    expect(await ids({ n: 2.0 })).toEqual(['int2']);
    expect(await ids({ n: { $in: [2, 2.5] } })).toEqual(['int2', 'float2']);
    expect(await ids({ n: '2' })).toEqual(['str2']);
    expect(await ids({ n: 1 })).toEqual([]);
    expect(await ids({ n: { $gte: 2.5 } })).toEqual(['float2', 'tags', 'nodoc']);
    expect(await ids({ n: { $lt: 3 } })).toEqual(['int2', 'float2']);
    // One operator per key, as Chroma: a range is spelled with $and.
    expect(
      (await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { where: { n: { $gt: 2, $lte: 10 } } })).status,
    ).toBe(400);
    expect(await ids({ $and: [{ n: { $gt: 2 } }, { n: { $lte: 10 } }] })).toEqual(['float2', 'tags', 'nodoc']);
  });

  it('matches $ne and $nin on records that lack the key or have no metadata', async () => {
    expect(await ids({ cat: { $ne: 'a' } })).toEqual(['float2', 'bool', 'tags', 'bare', 'nodoc']);
    expect(await ids({ cat: { $nin: ['a', 'b'] } })).toEqual(['bool', 'tags', 'bare', 'nodoc']);
    expect(await ids({ n: { $ne: 2 } })).toEqual(['float2', 'str2', 'bool', 'tags', 'bare', 'nodoc']);
  });

  it('treats $and: [] as all and $or: [] as none, and nests', async () => {
    expect((await ids({ $and: [] })).length).toBe(7);
    expect(await ids({ $or: [] })).toEqual([]);
    expect(await ids({ $or: [{ cat: 'c' }, { $and: [{ cat: 'a' }, { n: { $gt: 1 } }] }] })).toEqual(['int2', 'nodoc']);
  });

  it('tests array membership with $contains and $not_contains', async () => {
    expect(await col.get({ where: { tags: { $contains: 'red' } } }).then((r) => r.ids)).toEqual(['tags']);
    expect(await ids({ tags: { $not_contains: 'red' } })).toEqual(['int2', 'float2', 'str2', 'bool', 'bare', 'nodoc']);
  });

  it('searches documents case-sensitively, negations matching null documents', async () => {
    expect(await ids(undefined, { $contains: 'hello' })).toEqual(['float2']);
    expect(await ids(undefined, { $not_contains: 'hello' })).toEqual(['int2', 'str2', 'bool', 'tags', 'bare', 'nodoc']);
    expect(await ids(undefined, { $regex: '(?i)^hello' })).toEqual(['int2', 'float2', 'bool']);
    expect(await ids(undefined, { $not_regex: 'o' })).toEqual(['bool', 'tags', 'bare', 'nodoc']);
    expect(await ids(undefined, { $contains: '' })).toEqual(['int2', 'float2', 'str2', 'bool', 'tags', 'bare']);
    expect(await ids(undefined, { $or: [{ $contains: 'world' }, { $contains: 'doc' }] })).toEqual(['int2', 'str2']);
    expect(await ids(undefined, { $and: [{ $contains: 'e' }, { $not_contains: 'there' }] })).toEqual([
      'int2',
      'str2',
      'tags',
    ]);
  });

  it('takes #document inside where, as newer Chroma does', async () => {
    expect(await ids({ '#document': { $contains: 'world' } })).toEqual(['int2']);
    expect(await ids({ $and: [{ cat: 'a' }, { '#document': { $regex: 'doc$' } }] })).toEqual(['str2']);
  });

  it('combines where and where_document with AND', async () => {
    expect(await ids({ cat: 'a' }, { $contains: 'world' })).toEqual(['int2']);
  });
});
