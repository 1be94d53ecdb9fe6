import { ChromaClient, type Collection } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const UNKNOWN = '00000000-0000-4000-8000-000000000001';

/**
 * Every error of protocols.md section 1.8, and the 4xx cases around it: Chroma's status code and
 * `{error, message}` body, and nothing changed by the failed call.
 */
describe('Chroma errors', () => {
  const gw = gatewayForFile();
  let col: Collection;
  let snapshot: unknown;

  beforeAll(async () => {
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'errors', embeddingFunction: null });
    await col.add({
      ids: ['a', 'b'],
      embeddings: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      documents: ['one', 'two'],
      metadatas: [{ k: 1 }, { k: 2 }],
    });
    snapshot = await col.get({ include: ['embeddings', 'documents', 'metadatas', 'uris'] });
  });
  afterEach(async () => {
    expect(await col.get({ include: ['embeddings', 'documents', 'metadatas', 'uris'] })).toEqual(snapshot);
  });

  const post = (action: string, body: unknown) => http(gw.url, 'POST', `${P}/collections/${col.id}/${action}`, body);

  it.each([
    [
      'a missing collection by name (GET)',
      'GET',
      `${P}/collections/does_not_exist`,
      'Collection [does_not_exist] does not exists',
    ],
    [
      'a missing collection by name (DELETE)',
      'DELETE',
      `${P}/collections/does_not_exist`,
      'Collection [does_not_exist] does not exists',
    ],
    [
      'a missing collection by uuid (get)',
      'POST',
      `${P}/collections/${UNKNOWN}/get`,
      `Collection [${UNKNOWN}] does not exists.`,
    ],
    [
      'a missing collection by uuid (count)',
      'GET',
      `${P}/collections/${UNKNOWN}/count`,
      `Collection [${UNKNOWN}] does not exists.`,
    ],
    [
      'a missing collection by uuid (modify)',
      'PUT',
      `${P}/collections/${UNKNOWN}`,
      `Collection [${UNKNOWN}] does not exists.`,
    ],
  ])('answers %s with 404 NotFoundError', async (_, method, path, message) => {
    const res = await http(gw.url, method, path, method === 'POST' || method === 'PUT' ? {} : undefined);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'NotFoundError', message });
  });

  it('answers a collection id that is not a uuid with 400', async () => {
    const res = await http(gw.url, 'POST', `${P}/collections/errors/get`, {});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'InvalidArgumentError', message: 'Collection ID is not a valid UUIDv4' });
  });

  const OPERATORS = '$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $not_contains';
  it.each([
    ['two keys in one object', { k: 1, j: 2 }, 'a where clause must have exactly one key, got "k", "j"'],
    ['an empty object', {}, 'a where clause must have exactly one key, got none'],
    [
      'two operators on one key',
      { k: { $eq: 1, $ne: 2 } },
      'the operator object on key "k" must have exactly one key, got "$eq", "$ne"',
    ],
    ['an unknown operator', { k: { $foo: 1 } }, `unknown operator "$foo" on key "k"; expected one of ${OPERATORS}`],
    // A top-level $ key is a metadata key (Chroma 1.0.0): its object's keys are then operators.
    [
      'an operator under a $ key',
      { $not: { k: 1 } },
      `unknown operator "k" on key "$not"; expected one of ${OPERATORS}`,
    ],
    ['$gt on a string', { k: { $gt: 'a' } }, '$gt on key "k" takes a number, got "a"'],
    [
      'a null value',
      { k: null },
      'the value on key "k" must be a string, a number, a boolean or an operator object, got null',
    ],
    [
      'an empty $in',
      { k: { $in: [] } },
      '$in on key "k" takes a non-empty list of strings, numbers or booleans, all of one type, got []',
    ],
    [
      'a mixed-type $in',
      { k: { $in: [1, 'a'] } },
      '$in on key "k" takes a non-empty list of strings, numbers or booleans, all of one type, got [1,"a"]',
    ],
    ['$and that is not a list', { $and: { k: 1 } }, '$and takes a list of clauses, got {"k":1}'],
    ['#id with a number', { '#id': { $in: [1] } }, '$in on "#id" takes a list of ids (strings), got [1]'],
  ])('refuses a where with %s: 400 Invalid where clause, and what is wrong', async (_, where, detail) => {
    const res = await post('get', { where });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'InvalidArgumentError', message: `Invalid where clause: ${detail}` });
  });

  it.each([
    ['an empty object', {}, 'a where document clause must have exactly one key, got none'],
    [
      'an unknown operator',
      { $matches: 'x' },
      'unknown operator "$matches"; expected one of $contains, $not_contains, $regex, $not_regex, $and, $or',
    ],
    ['a non-string operand', { $contains: 1 }, '$contains takes a string, got 1'],
    [
      'two operators',
      { $contains: 'a', $regex: 'b' },
      'a where document clause must have exactly one key, got "$contains", "$regex"',
    ],
  ])(
    'refuses a where_document with %s: 400 Invalid where document clause, and what is wrong',
    async (_, where_document, detail) => {
      const res = await post('get', { where_document });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'InvalidArgumentError', message: `Invalid where document clause: ${detail}` });
    },
  );

  it('refuses a regular expression that does not compile with 400', async () => {
    const res = await post('get', { where_document: { $regex: '(' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
    expect(res.body.message).toMatch(/^Regex syntax errror: /);
  });

  it.each(['add', 'upsert', 'update'])('refuses %s with a wrong dimension', async (action) => {
    const res = await post(action, { ids: ['a'], embeddings: [[1, 2]] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Collection expecting embedding with dimension of 3, got 2',
    });
  });

  it('refuses an empty embedding with the dimension message', async () => {
    const res = await post('add', { ids: ['z'], embeddings: [[]] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Collection expecting embedding with dimension of 3, got 0');
  });

  it('refuses an empty id', async () => {
    const res = await post('add', { ids: [''], embeddings: [[1, 2, 3]] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Empty ID, ID must have at least one character',
    });
  });

  it('refuses arrays of different lengths', async () => {
    const res = await post('add', { ids: ['x', 'y'], embeddings: [[1, 2, 3]] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Inconsistent number of IDs, embeddings, documents, URIs and metadatas',
    });
  });

  it.each(['add', 'upsert'])(
    'refuses %s without embeddings with 400 (Chroma 1.0.0 answers 500 and may corrupt the collection)',
    async (action) => {
      const res = await post(action, { ids: ['x'], documents: ['no vector'] });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('InvalidArgumentError');
      expect(res.body.message).toMatch(/Embeddings are required/);
    },
  );

  it('refuses empty ids on delete without where', async () => {
    const res = await post('delete', { ids: [] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Validation error: ids, where: Either ids or where must be specified',
    });
  });

  it.each([
    ['too short', 'ab', 'Expected a name containing 3-512 characters'],
    ['with a bad character', 'bad name', 'Expected a name containing 3-512 characters'],
    ['ending in a period', 'abc.', 'Expected a name containing 3-512 characters'],
    ['with two periods', 'ab..cd', 'Expected a name that does not contains two consecutive periods (..). Got ab..cd'],
    ['an IP address', '192.168.1.1', 'Expected a name that is not a valid ip address. Got 192.168.1.1'],
  ])('refuses a collection name %s', async (_, name, message) => {
    const res = await http(gw.url, 'POST', `${P}/collections`, { name });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
    expect(res.body.message).toContain(`Validation error: name: ${message}`);
  });

  it('answers an existing collection name with 409 ChromaError', async () => {
    const res = await http(gw.url, 'POST', `${P}/collections`, { name: 'errors' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'ChromaError', message: 'Collection [errors] already exists' });
  });

  it('refuses empty collection metadata', async () => {
    const res = await http(gw.url, 'POST', `${P}/collections`, { name: 'empty-meta', metadata: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Validation error: metadata: Metadata cannot be empty');
  });

  it.each([
    ['a missing ids field', 'add', { embeddings: [[1, 2, 3]] }],
    ['a non-number embedding', 'add', { ids: ['x'], embeddings: [['a', 'b', 'c']] }],
    ['a nested metadata object', 'add', { ids: ['x'], embeddings: [[1, 2, 3]], metadatas: [{ k: { nested: 1 } }] }],
    ['a null metadata value on add', 'add', { ids: ['x'], embeddings: [[1, 2, 3]], metadatas: [{ k: null }] }],
    ['an unknown include', 'get', { include: ['bogus'] }],
    ['a negative limit', 'get', { limit: -1 }],
    ['a missing query_embeddings', 'query', { n_results: 1 }],
    ['a non-integer n_results', 'query', { query_embeddings: [[1, 2, 3]], n_results: 1.5 }],
  ])('answers %s with 422 ChromaError', async (_, action, body) => {
    const res = await post(action, body);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('ChromaError');
    expect(res.body.message).toMatch(/^Failed to deserialize the JSON body into the target type: /);
  });

  it.each([
    ['an unknown hnsw key', { hnsw: { bogus: 1 } }, 422],
    ['an unknown space', { hnsw: { space: 'dot' } }, 422],
    ['both hnsw and spann', { hnsw: { space: 'l2' }, spann: { space: 'l2' } }, 400],
    ['max_neighbors past pgvector limits', { hnsw: { max_neighbors: 1000 } }, 400],
  ])('refuses a collection configuration with %s', async (_, configuration, status) => {
    const res = await http(gw.url, 'POST', `${P}/collections`, { name: 'bad-config', configuration });
    expect(res.status).toBe(status);
    expect((await http(gw.url, 'GET', `${P}/collections/bad-config`)).status).toBe(404);
  });

  it('answers malformed JSON with 400 and a bad limit in a query string with 400', async () => {
    const bad = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, '{"ids": [');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Failed to parse the request body as JSON/);
    const limit = await http(gw.url, 'GET', `${P}/collections?limit=-1`);
    expect(limit.status).toBe(400);
    expect(limit.body).toEqual({
      error: 'InvalidArgumentError',
      message: 'Failed to deserialize query string: limit: invalid digit found in string',
    });
  });

  it('refuses a rename onto an existing name with 409 (Chroma 1.0.0 answers 500)', async () => {
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    await client.createCollection({ name: 'other-name', embeddingFunction: null });
    const res = await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_name: 'other-name' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('ChromaError');
    expect((await client.getCollectionById(col.id)).name).toBe('errors');
  });
});
