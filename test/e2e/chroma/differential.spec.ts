/**
 * Differential test: vecgate against the real Chroma 1.0.0 server.
 *
 * What it proves: for one scripted, stateful sequence of Chroma v2 REST requests (tenants,
 * databases, collections, records, filters, nearest-neighbour queries and the error cases of
 * protocols.md §1.8), vecgate answers every request with the same status code and the same JSON
 * body as the reference implementation, after a normalisation that removes only what cannot or
 * need not match: server-generated uuids, heartbeat clocks, internal log positions, float noise
 * past 5 significant digits, the order of lists whose order Chroma does not specify, the order of a
 * validator's parameters (random in Chroma), the tail of parser error messages (serde's
 * "… at line L column C") after a fixed prefix, and what vecgate's filter errors add after
 * Chroma's words ("Invalid where clause: unknown operator …" is compared as "Invalid where clause").
 *
 * Where vecgate deliberately answers differently, the difference is listed in DOCUMENTED_DIFFERENCES
 * below with the reason, and the step asserts vecgate's own expected answer (and, when the request
 * is safe to send, Chroma's documented answer too). Requests known to damage a Chroma 1.0.0
 * collection are sent to vecgate alone.
 *
 * The reference server is started by test/support/chroma-reference.ts; when it cannot be started
 * the test fails (it is never skipped). vecgate runs on embedded PGlite, or on the Postgres at
 * DATABASE_URL when that is set.
 */
import { isDeepStrictEqual } from 'node:util';
import { startChromaReference, type ChromaReference } from '../../support/chroma-reference';
import { http, startGateway, type TestGateway } from '../../support/gateway';

jest.setTimeout(300_000);

/** CHROMA_DIFF_VERBOSE=1 prints every request with both normalised answers. */
const VERBOSE = process.env.CHROMA_DIFF_VERBOSE === '1';

// ---------------------------------------------------------------------------------------------
// Documented differences
// ---------------------------------------------------------------------------------------------

type DifferenceId =
  | 'deleteCount'
  | 'writeWithoutEmbeddings'
  | 'renameOntoExistingName'
  | 'databaseInUnknownTenant'
  | 'arrayMetadata'
  | 'mixedIntFloatIn'
  | 'queryUnknownIds'
  | 'uriWithoutMetadata'
  | 'documentKeyInWhere'
  | 'floatAgainstInt';

/** Every request where vecgate deliberately differs from Chroma 1.0.0, and why. */
const DOCUMENTED_DIFFERENCES: Record<DifferenceId, { request: string; why: string }> = {
  deleteCount: {
    request: 'POST …/collections/{id}/delete',
    why:
      'vecgate answers {"deleted": n}, the shape of newer Chroma servers that the 3.x JS client reads ' +
      '(data?.deleted ?? 0); Chroma 1.0.0 answers {}. Documented in seed 000.',
  },
  writeWithoutEmbeddings: {
    request: 'POST …/add or …/upsert with ids (and documents) but no embeddings',
    why:
      'Chroma 1.0.0 accepts the write, then fails with 500 "Error in compaction" and can corrupt the ' +
      'collection; vecgate stores vectors and does not compute them, so it answers 400. Not sent to Chroma.',
  },
  renameOntoExistingName: {
    request: 'PUT …/collections/{id} {"new_name": <name of another collection>}',
    why:
      'Chroma 1.0.0 answers 500 "Database error: … UNIQUE constraint failed" (a server bug); vecgate answers ' +
      '409 like a duplicate create. Not sent to Chroma.',
  },
  databaseInUnknownTenant: {
    request: 'POST /api/v2/tenants/{unknown}/databases',
    why: 'Chroma 1.0.0 creates an orphan database (200 {}); vecgate answers 404 "Tenant [x] not found".',
  },
  arrayMetadata: {
    request: 'array metadata values on add, and $contains / $not_contains on them in where',
    why:
      'Chroma 1.0.0 rejects both (422 on the write, 400 "Invalid where clause" on the filter); vecgate accepts ' +
      'them as Chroma ≥ 1.5 and the 3.3+ JS client do.',
  },
  mixedIntFloatIn: {
    request: 'where {"n": {"$in": [2, 3.5]}}',
    why:
      'Chroma 1.0.0 sees an int and a float, "mixed types", and answers 400 "Invalid where clause"; JSON has one ' +
      'number type (a JS client cannot send 2.0), so vecgate treats all numbers as one type, as it does for ' +
      'equality (int 2 equals float 2.0 on both servers).',
  },
  queryUnknownIds: {
    request: 'POST …/query with "ids" naming a record that does not exist',
    why:
      'Chroma 1.0.0 answers 500 "Error executing plan: Internal error: Error finding id" (a server bug); vecgate ' +
      'ignores unknown ids, as get and delete do on both servers.',
  },
  uriWithoutMetadata: {
    request: 'get/query of a record written with a uri and no metadata',
    why:
      'Chroma 1.0.0 keeps the uri inside the metadata map (as "chroma:uri") and strips it on read, so it answers ' +
      'metadata {} for such a record, but null for one with neither; vecgate answers null for both: what was written.',
  },
  documentKeyInWhere: {
    request: 'where {"#document": {"$contains": "x"}}',
    why: 'Chroma 1.0.0 answers 400 "Invalid where clause"; vecgate accepts the document key inside where, as newer Chroma does.',
  },
  floatAgainstInt: {
    request: 'where {"b": {"$eq": 4.1}} or {"b": {"$gte": 10.5}} on records whose b is an integer',
    why:
      'Chroma 1.0.0 truncates the float before comparing it with an integer value (4.1 matches 4, $gte 10.5 ' +
      'matches 10); vecgate compares numbers exactly, as it compares 2 and 2.0 (equal on both servers).',
  },
};

// ---------------------------------------------------------------------------------------------
// The script model
// ---------------------------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Answer {
  status: number;
  body: unknown;
}

interface Step {
  label: string;
  method: Method;
  /** `{{name}}` stands for the uuid the server at hand gave collection `name`. */
  path: string;
  /** A string is sent verbatim (malformed JSON, or `2.0` that JSON.stringify would print as `2`). */
  body?: unknown;
  /** Compare an error message only up to and including this prefix (the rest is serde's, or a parser's, own text). */
  messagePrefix?: string;
  /** The order of this list is unspecified: compare it sorted by this key. */
  sortBy?: 'name';
  /** A documented difference: what each server must answer. No `chroma` means "not sent to Chroma". */
  differs?: { because: DifferenceId; chroma?: Answer; vecgate: Answer };
}

const T = '/api/v2/tenants';
const P = `${T}/default_tenant/databases/default_database`;
const C = `${P}/collections`;
const UNKNOWN_UUID = '00000000-0000-0000-0000-000000000001';

const get = (label: string, path: string, more: Partial<Step> = {}): Step => ({ label, method: 'GET', path, ...more });
const post = (label: string, path: string, body: unknown, more: Partial<Step> = {}): Step => ({
  label,
  method: 'POST',
  path,
  body,
  ...more,
});
const put = (label: string, path: string, body: unknown, more: Partial<Step> = {}): Step => ({
  label,
  method: 'PUT',
  path,
  body,
  ...more,
});
const del = (label: string, path: string, more: Partial<Step> = {}): Step => ({
  label,
  method: 'DELETE',
  path,
  ...more,
});
/** A record operation (add, upsert, update, get, query, delete) on collection `name`. */
const op = (label: string, name: string, operation: string, body: unknown, more: Partial<Step> = {}): Step =>
  post(label, `${C}/{{${name}}}/${operation}`, body, more);
/** A get with no payload columns: for filters, only the matching ids matter. */
const idsWhere = (label: string, name: string, filter: Record<string, unknown>, more: Partial<Step> = {}): Step =>
  op(label, name, 'get', { ...filter, include: [] }, more);
/** A record delete: Chroma 1.0.0 answers {}, vecgate {"deleted": n}. */
const deleteRecords = (label: string, name: string, body: unknown, deleted: number): Step =>
  op(label, name, 'delete', body, {
    differs: { because: 'deleteCount', chroma: { status: 200, body: {} }, vecgate: { status: 200, body: { deleted } } },
  });

/** The raw little-endian float32 bytes of a vector, in base64, as the 3.x client sends embeddings. */
function base64(vector: number[]): string {
  const bytes = Buffer.alloc(4 * vector.length);
  vector.forEach((x, i) => bytes.writeFloatLE(x, 4 * i));
  return bytes.toString('base64');
}

/** A get's answer with include: [] (the ids alone). */
const idsOnly = (ids: string[]) => ({
  ids,
  embeddings: null,
  documents: null,
  uris: null,
  metadatas: null,
  include: [],
});

const INVALID_WHERE = { error: 'InvalidArgumentError', message: 'Invalid where clause' };
/**
 * 422 answers carry serde's text plus " at line L column C"; vecgate reproduces the frame but not
 * every serde phrase nor the position, so these compare status, error and this prefix.
 */
const SERDE_422 = { messagePrefix: 'Failed to deserialize the JSON body into the target type: ' };

/**
 * The script. Collections:
 * - alpha  (l2, 3 dims): a [1,0,0], b [0,2,0], c [0,0,3], d [1,1,0], e [2,0,1], f [.5,.5,.5];
 *          the two queries below have no distance ties (see the comments beside them).
 * - cos (cosine), ipc (ip) over a [1,0], b [0,2], c [3,4], d [-1,0]; queries [2,0] and [1,2].
 * - legacy (ip through the `hnsw:space` metadata key) over x [1,2], y [2,-1], z [-3,.5], all base64.
 * - ragged (l2, 4 dims, first add fails): empty-collection cases, duplicate ids, uris, and documents
 *          with characters that SQL LIKE patterns and Postgres regexes treat specially.
 * - quirks: array metadata and uri-only records, where the servers differ by design; deleted before
 *          the final listing so that the documented differences do not leak into later answers.
 * - dollars: metadata keys that start with $ (keys to Chroma 1.0.0 in where, but for $and and $or),
 *          and integer values under float filters; deleted before the final listing too.
 */
function script(): Step[] {
  const ALL_INCLUDES = ['documents', 'metadatas', 'embeddings', 'uris'];
  return [
    // --- system ------------------------------------------------------------------------------
    get('heartbeat', '/api/v2/heartbeat'),
    get('version', '/api/v2/version'),
    get('pre-flight checks', '/api/v2/pre-flight-checks'),

    // --- tenants and databases ---------------------------------------------------------------
    post('create tenant', T, { name: 'acme' }),
    post('create duplicate tenant → 409', T, { name: 'acme' }),
    post('create tenant with a 2-character name → 400', T, { name: 'ab' }),
    get('get tenant', `${T}/acme`),
    get('get unknown tenant → 404', `${T}/nope_tenant`),
    post('create database', `${T}/acme/databases`, { name: 'shop' }),
    post('create second database', `${T}/acme/databases`, { name: 'warehouse' }),
    post('create duplicate database → 409', `${T}/acme/databases`, { name: 'shop' }),
    post('create database with a 2-character name → 400', `${T}/acme/databases`, { name: 'db' }),
    get('get database', `${T}/acme/databases/shop`),
    get('get unknown database → 404', `${T}/acme/databases/nope_db`),
    get('list databases', `${T}/acme/databases`),
    get('list databases of an unknown tenant → []', `${T}/ghost_tenant/databases`),
    post(
      'create database in an unknown tenant',
      `${T}/ghost_tenant/databases`,
      { name: 'orphan' },
      {
        differs: {
          because: 'databaseInUnknownTenant',
          chroma: { status: 200, body: {} },
          vecgate: { status: 404, body: { error: 'NotFoundError', message: 'Tenant [ghost_tenant] not found' } },
        },
      },
    ),
    post('create collection in a non-default database', `${T}/acme/databases/shop/collections`, { name: 'in_shop' }),
    get('list collections of that database', `${T}/acme/databases/shop/collections`),
    post('create collection in an unknown database → 400', `${T}/acme/databases/nope_db/collections`, { name: 'lost' }),
    del('delete database (cascades to its collections)', `${T}/acme/databases/shop`),
    get('get deleted database → 404', `${T}/acme/databases/shop`),
    del('delete deleted database → 404', `${T}/acme/databases/shop`),
    get('list databases after delete', `${T}/acme/databases`),
    get('get collection in an unknown database → 404', `${T}/acme/databases/nope_db/collections/anything`),
    get('count collections of an unknown database', `${T}/acme/databases/nope_db/collections_count`),
    get('get the default tenant', `${T}/default_tenant`),
    get('get the default database', `${P}`),

    // --- collections -------------------------------------------------------------------------
    post('create collection with metadata', C, { name: 'alpha', metadata: { topic: 'fruit', n: 1, ok: true } }),
    post('create collection with configuration hnsw space cosine', C, {
      name: 'cos',
      configuration: { hnsw: { space: 'cosine' }, embedding_function: { type: 'legacy' } },
    }),
    post('create collection with configuration hnsw space ip and ef_search', C, {
      name: 'ipc',
      configuration: { hnsw: { space: 'ip', ef_search: 50 } },
    }),
    post('create collection with legacy hnsw:space metadata', C, {
      name: 'legacy',
      metadata: { 'hnsw:space': 'ip', topic: 'legacy' },
    }),
    post('create duplicate collection → 409', C, { name: 'alpha' }),
    post('get_or_create returns the existing collection unchanged', C, {
      name: 'alpha',
      metadata: { topic: 'changed' },
      configuration: { hnsw: { space: 'ip' } },
      get_or_create: true,
    }),
    post('get_or_create creates a missing collection', C, { name: 'temp', metadata: { v: 1 }, get_or_create: true }),
    post('invalid name: too short → 400', C, { name: 'ab' }),
    post('invalid name: starts with a dash → 400', C, { name: '-abc' }),
    post('invalid name: forbidden character → 400', C, { name: 'has space' }),
    post('invalid name: too long → 400', C, { name: 'x'.repeat(513) }),
    post('invalid name: two consecutive periods → 400', C, { name: 'probe..x' }),
    post('invalid name: an ip address → 400', C, { name: '192.168.1.1' }),
    post('empty collection metadata → 400', C, { name: 'empty_meta', metadata: {} }),
    post('collection metadata with a null value → 422', C, { name: 'null_meta', metadata: { k: null } }, SERDE_422),
    post('both hnsw and spann configuration → 400', C, {
      name: 'both_idx',
      configuration: { hnsw: { space: 'l2' }, spann: { space: 'l2' } },
    }),
    post('unknown hnsw space → 422', C, { name: 'bad_space', configuration: { hnsw: { space: 'dot' } } }, SERDE_422),
    post('unknown hnsw key → 422', C, { name: 'bad_key', configuration: { hnsw: { bogus: 1 } } }, SERDE_422),
    post('collection name of the wrong type → 422', C, { name: 5 }, SERDE_422),
    get('get collection by name', `${C}/alpha`),
    get('get collection by unknown name → 404', `${C}/does_not_exist`),
    get('get collection by uuid in the name slot → 404 (it is taken as a name)', `${C}/{{alpha}}`),
    get('list collections', `${C}?limit=100&offset=0`, { sortBy: 'name' }),
    get('count collections', `${P}/collections_count`),
    put('modify: rename and replace metadata', `${C}/{{temp}}`, {
      new_name: 'renamed',
      new_metadata: { v: 2, w: 'x' },
    }),
    get('get renamed collection', `${C}/renamed`),
    get('get old name after rename → 404', `${C}/temp`),
    put('modify: empty metadata → 400', `${C}/{{temp}}`, { new_metadata: {} }),
    put('modify: name only keeps the metadata', `${C}/{{temp}}`, { new_name: 'renamed' }),
    put('modify: hnsw ef_search', `${C}/{{temp}}`, { new_configuration: { hnsw: { ef_search: 50 } } }),
    get('get collection after configuration change', `${C}/renamed`),
    put('modify: hnsw space → 422', `${C}/{{temp}}`, { new_configuration: { hnsw: { space: 'ip' } } }, SERDE_422),
    put(
      'modify: rename onto an existing name',
      `${C}/{{temp}}`,
      { new_name: 'alpha' },
      {
        differs: {
          because: 'renameOntoExistingName',
          vecgate: { status: 409, body: { error: 'ChromaError', message: 'Collection [alpha] already exists' } },
        },
      },
    ),
    put('modify: by name instead of uuid → 400', `${C}/renamed`, { new_name: 'renamed2' }),
    put('modify: unknown uuid → 404', `${C}/${UNKNOWN_UUID}`, { new_name: 'renamed2' }),
    del('delete collection', `${C}/renamed`),
    del('delete deleted collection → 404', `${C}/renamed`),
    get('count collections after delete', `${P}/collections_count`),

    // --- records: writes ---------------------------------------------------------------------
    op('add with documents, metadatas and uris', 'alpha', 'add', {
      ids: ['a', 'b', 'c', 'd'],
      embeddings: [
        [1, 0, 0],
        [0, 2, 0],
        [0, 0, 3],
        [1, 1, 0],
      ],
      documents: ['apple pie', 'Banana split', null, 'cherry apple tart'],
      metadatas: [
        { color: 'red', n: 1, price: 2.5, ok: true },
        { color: 'yellow', n: 2, ok: false },
        { color: 'green', n: '2' },
        null,
      ],
      uris: ['s3://a', null, null, null],
    }),
    // Raw JSON: base64 embeddings, and a float 2.0 that JSON.stringify would turn into 2.
    op(
      'add with base64 embeddings and a float metadata value',
      'alpha',
      'add',
      `{"ids":["e","f"],"embeddings":["${base64([2, 0, 1])}","${base64([0.5, 0.5, 0.5])}"],` +
        `"documents":["apple","Hello there"],"metadatas":[{"color":"red","n":2.0,"price":10},{"ok":1,"n":3.5}]}`,
    ),
    op('add an existing id: ignored', 'alpha', 'add', {
      ids: ['a'],
      embeddings: [[9, 9, 9]],
      documents: ['replaced?'],
    }),
    // Base64 Chroma's decoder refuses (Rust's base64: standard alphabet, canonical padding, no stray
    // bits), each in its words; the good first embedding is not written either (count below).
    ...[
      ['without its padding', base64([1, 2, 3]).replace(/=+$/, '') + 'AA'],
      ['with stray bits in its last symbol', 'AACAPwAAAEB='],
      ['with a character outside base64', 'AACA PwAAAEAAAEBA'],
      ['with the URL-safe alphabet', 'AACAPwAAAEAAAE-A'],
      ['with a newline after it', `${base64([1, 2, 3])}\n`],
      ['with padding inside', 'AA==AAAAAAAAAAAA'],
      ['with a non-ASCII character', 'AACAP\u00e9AAAEAAAEBA'],
      ['of a length that leaves one symbol', 'AAAAAAAAAAAAAAAAA'],
      ['of 2 bytes', 'AAA='],
    ].map(([what, bad]) =>
      op(`add with base64 ${what}: 400, nothing written`, 'alpha', 'add', {
        ids: ['g', 'h'],
        embeddings: [base64([1, 1, 1]), bad],
      }),
    ),
    op('add with no ids: nothing', 'alpha', 'add', { ids: [], embeddings: [] }),
    get('count records', `${C}/{{alpha}}/count`),
    get('get collection after the first add (dimension known)', `${C}/alpha`),
    op('get everything with default include', 'alpha', 'get', {}),
    op('get by ids, all includes (order is insertion order, unknown id omitted)', 'alpha', 'get', {
      ids: ['e', 'a', 'zz'],
      include: ALL_INCLUDES,
    }),
    op('get with ids: [] → nothing', 'alpha', 'get', { ids: [] }),
    op('get with limit', 'alpha', 'get', { limit: 2, include: ['documents'] }),
    op('get with limit and offset', 'alpha', 'get', { limit: 2, offset: 3, include: ['documents'] }),
    op('get with limit 0', 'alpha', 'get', { limit: 0 }),
    op('get with offset past the end', 'alpha', 'get', { offset: 10 }),
    op('get with include uris only', 'alpha', 'get', { include: ['uris'] }),
    op('get with ids and where (intersection)', 'alpha', 'get', {
      ids: ['a', 'b', 'e'],
      where: { color: 'red' },
      include: ['metadatas'],
    }),
    op('get with where and where_document (AND)', 'alpha', 'get', {
      where: { color: 'red' },
      where_document: { $contains: 'pie' },
      include: [],
    }),

    // --- where: every operator, with Chroma 1.0.0's typing -------------------------------------
    idsWhere('where shorthand equality', 'alpha', { where: { color: 'red' } }),
    idsWhere('where $eq', 'alpha', { where: { color: { $eq: 'red' } } }),
    idsWhere('where $ne also matches records lacking the key', 'alpha', { where: { color: { $ne: 'red' } } }),
    idsWhere('where int 2 equals float 2.0, never the string "2"', 'alpha', { where: { n: 2 } }),
    op('where $eq 2.0 (raw float) matches int 2 too', 'alpha', 'get', '{"where":{"n":{"$eq":2.0}},"include":[]}'),
    idsWhere('where string "2" matches only the string', 'alpha', { where: { n: '2' } }),
    idsWhere('where $ne 2 keeps the string "2" and records lacking n', 'alpha', { where: { n: { $ne: 2 } } }),
    idsWhere('where $gt skips strings', 'alpha', { where: { n: { $gt: 1 } } }),
    idsWhere('where $gte', 'alpha', { where: { n: { $gte: 2 } } }),
    idsWhere('where $lt', 'alpha', { where: { n: { $lt: 2 } } }),
    idsWhere('where $lte', 'alpha', { where: { n: { $lte: 2 } } }),
    idsWhere('where $gt on a float', 'alpha', { where: { price: { $gt: 2.4 } } }),
    idsWhere('where $in numbers (int 2 matches float 2.0)', 'alpha', { where: { n: { $in: [2, 5] } } }),
    op('where $in of raw floats matches int 2 too', 'alpha', 'get', '{"where":{"n":{"$in":[2.0,3.5]}},"include":[]}'),
    idsWhere(
      'where $in with an int and a float',
      'alpha',
      { where: { n: { $in: [2, 3.5] } } },
      {
        differs: {
          because: 'mixedIntFloatIn',
          chroma: { status: 400, body: INVALID_WHERE },
          vecgate: {
            status: 200,
            body: { ids: ['b', 'e', 'f'], embeddings: null, documents: null, uris: null, metadatas: null, include: [] },
          },
        },
      },
    ),
    idsWhere('where $in strings', 'alpha', { where: { n: { $in: ['2'] } } }),
    idsWhere('where $nin also matches records lacking the key', 'alpha', {
      where: { color: { $nin: ['red', 'green'] } },
    }),
    idsWhere('where bool true', 'alpha', { where: { ok: true } }),
    idsWhere('where number 1 never equals bool true', 'alpha', { where: { ok: 1 } }),
    idsWhere('where $ne false', 'alpha', { where: { ok: { $ne: false } } }),
    idsWhere('where $and', 'alpha', { where: { $and: [{ color: 'red' }, { n: { $gt: 1 } }] } }),
    idsWhere('where $or', 'alpha', { where: { $or: [{ color: 'green' }, { ok: false }] } }),
    idsWhere('where $and: [] matches all', 'alpha', { where: { $and: [] } }),
    idsWhere('where $or: [] matches none', 'alpha', { where: { $or: [] } }),
    idsWhere('where single-child $and', 'alpha', { where: { $and: [{ color: 'yellow' }] } }),
    idsWhere('where nested $or of $and', 'alpha', {
      where: { $or: [{ $and: [{ color: 'red' }, { price: { $lt: 5 } }] }, { n: { $in: [3.5] } }] },
    }),
    idsWhere('where $ne on a key nobody has matches all', 'alpha', { where: { missing: { $ne: 'z' } } }),
    idsWhere('where $nin on a key nobody has matches all', 'alpha', { where: { missing: { $nin: ['z'] } } }),
    idsWhere('where $eq on a key nobody has matches none', 'alpha', { where: { missing: 'z' } }),
    idsWhere(
      'where #document $contains',
      'alpha',
      { where: { '#document': { $contains: 'apple' } } },
      {
        differs: {
          because: 'documentKeyInWhere',
          chroma: { status: 400, body: INVALID_WHERE },
          vecgate: {
            status: 200,
            body: { ids: ['a', 'd', 'e'], embeddings: null, documents: null, uris: null, metadatas: null, include: [] },
          },
        },
      },
    ),

    // --- where_document ------------------------------------------------------------------------
    idsWhere('where_document $contains (case-sensitive)', 'alpha', { where_document: { $contains: 'apple' } }),
    idsWhere('where_document $contains with another case', 'alpha', { where_document: { $contains: 'Apple' } }),
    idsWhere('where_document $contains "" matches every non-null document', 'alpha', {
      where_document: { $contains: '' },
    }),
    idsWhere('where_document $not_contains also matches null documents', 'alpha', {
      where_document: { $not_contains: 'apple' },
    }),
    idsWhere('where_document $regex (search, not full match)', 'alpha', { where_document: { $regex: '^[A-Z]' } }),
    idsWhere('where_document $regex with (?i)', 'alpha', { where_document: { $regex: '(?i)banana' } }),
    idsWhere('where_document $not_regex also matches null documents', 'alpha', {
      where_document: { $not_regex: 'pie$' },
    }),
    idsWhere('where_document $and', 'alpha', {
      where_document: { $and: [{ $contains: 'apple' }, { $not_contains: 'pie' }] },
    }),
    idsWhere('where_document $or', 'alpha', { where_document: { $or: [{ $contains: 'pie' }, { $regex: '^Hello' }] } }),

    // --- query ---------------------------------------------------------------------------------
    // [1,.1,0]: a .01, f .66, d .81, e 2.01, b 4.61, c 10.01   [.1,1.2,1]: f .90, b 1.65, d 1.85, a 3.25, e 5.05, c 5.45
    op('query two embeddings, default include', 'alpha', 'query', {
      query_embeddings: [
        [1, 0.1, 0],
        [0.1, 1.2, 1],
      ],
      n_results: 3,
    }),
    op('query with include distances and embeddings', 'alpha', 'query', {
      query_embeddings: [[1, 0.1, 0]],
      n_results: 2,
      include: ['distances', 'embeddings'],
    }),
    op('query with every include', 'alpha', 'query', {
      query_embeddings: [[0.1, 1.2, 1]],
      n_results: 2,
      include: [...ALL_INCLUDES, 'distances'],
    }),
    op('query with n_results above the count returns all', 'alpha', 'query', {
      query_embeddings: [[1, 0.1, 0]],
      n_results: 50,
      include: ['distances'],
    }),
    op('query with where pre-filter', 'alpha', 'query', {
      query_embeddings: [[0.1, 1.2, 1]],
      n_results: 5,
      where: { color: 'red' },
      include: ['distances'],
    }),
    op('query with where_document pre-filter', 'alpha', 'query', {
      query_embeddings: [[1, 0.1, 0]],
      n_results: 5,
      where_document: { $not_contains: 'apple' },
      include: ['distances', 'documents'],
    }),
    op('query restricted to ids', 'alpha', 'query', {
      query_embeddings: [[1, 0.1, 0]],
      ids: ['b', 'c'],
      include: ['distances'],
    }),
    op(
      'query restricted to ids, one unknown',
      'alpha',
      'query',
      { query_embeddings: [[1, 0.1, 0]], ids: ['b', 'zz'], include: ['distances'] },
      {
        differs: {
          because: 'queryUnknownIds',
          chroma: {
            status: 500,
            body: { error: 'InternalError', message: 'Error executing plan: Internal error: Error finding id' },
          },
          vecgate: {
            status: 200,
            body: {
              ids: [['b']],
              embeddings: null,
              documents: null,
              uris: null,
              metadatas: null,
              distances: [[4.61]],
              include: ['distances'],
            },
          },
        },
      },
    ),
    op('query with n_results 0', 'alpha', 'query', { query_embeddings: [[1, 0.1, 0]], n_results: 0 }),
    op('query with no query embeddings', 'alpha', 'query', { query_embeddings: [] }),
    op('query with a dimension mismatch → 400', 'alpha', 'query', { query_embeddings: [[1, 0]] }),

    // --- distances per space -------------------------------------------------------------------
    ...['cos', 'ipc'].flatMap((name) => [
      op(`add to ${name}`, name, 'add', {
        ids: ['a', 'b', 'c', 'd'],
        embeddings: [
          [1, 0],
          [0, 2],
          [3, 4],
          [-1, 0],
        ],
      }),
      // cosine [2,0]: a 0, c .4, b 1, d 2; [1,2]: c .016, b .106, a .553, d 1.447
      // ip     [2,0]: c -5, a -1, b 1, d 3;   [1,2]: c -10, b -3, a 0, d 2
      op(`query ${name} distances`, name, 'query', {
        query_embeddings: [
          [2, 0],
          [1, 2],
        ],
        include: ['distances'],
      }),
    ]),
    op('add to legacy (all base64; "AACAPwAAAEA=" is [1,2])', 'legacy', 'add', {
      ids: ['x', 'y', 'z'],
      embeddings: ['AACAPwAAAEA=', base64([2, -1]), base64([-3, 0.5])],
      metadatas: [{ k: 1 }, { k: 2 }, { k: 3 }],
    }),
    // ip [1,1]: x -2, y 0, z 3.5
    op('query legacy (ip from metadata)', 'legacy', 'query', {
      query_embeddings: [[1, 1]],
      include: ['distances', 'embeddings', 'metadatas'],
    }),
    get('get legacy collection (configuration space ip)', `${C}/legacy`),

    // --- upsert and update ---------------------------------------------------------------------
    op('upsert merges metadata and keeps the unsent document', 'alpha', 'upsert', {
      ids: ['a', 'g'],
      embeddings: [
        [1, 0, 0.5],
        [3, 3, 3],
      ],
      metadatas: [{ n: 10, extra: 'y' }, { color: 'blue' }],
    }),
    op('get after upsert', 'alpha', 'get', { ids: ['a', 'g'], include: ALL_INCLUDES }),
    op('upsert with a null document and a null metadata value', 'alpha', 'upsert', {
      ids: ['e'],
      embeddings: [[2, 0, 1]],
      documents: [null],
      metadatas: [{ price: null }],
    }),
    op('get after upsert with nulls', 'alpha', 'get', { ids: ['e'], include: ['documents', 'metadatas'] }),
    op('update: a null metadata value deletes the key, unknown ids are ignored', 'alpha', 'update', {
      ids: ['b', 'zz'],
      metadatas: [{ ok: null, color: 'blue' }, { x: 1 }],
    }),
    op('update the document only', 'alpha', 'update', { ids: ['d'], documents: ['cherry tart'] }),
    op('update the embedding only', 'alpha', 'update', { ids: ['f'], embeddings: [[0.5, 0.5, 0.25]] }),
    op('update with a dimension mismatch → 400', 'alpha', 'update', { ids: ['f'], embeddings: [[1, 2]] }),
    op('get after updates', 'alpha', 'get', { include: ['documents', 'metadatas', 'embeddings'] }),
    // [1,.1,0] now: a .26, f .4725, d .81, e 2.01, b 4.61, g 21.41, c 10.01
    op('query after upsert and update', 'alpha', 'query', {
      query_embeddings: [[1, 0.1, 0]],
      n_results: 4,
      include: ['distances', 'metadatas'],
    }),
    get('count after upsert', `${C}/{{alpha}}/count`),

    // --- record errors -------------------------------------------------------------------------
    op('add with a dimension mismatch → 400', 'alpha', 'add', { ids: ['h'], embeddings: [[1, 2]] }),
    op('add with an empty id → 400', 'alpha', 'add', { ids: [''], embeddings: [[1, 2, 3]] }),
    op('add with inconsistent lengths → 400', 'alpha', 'add', { ids: ['h', 'i'], embeddings: [[1, 2, 3]] }),
    op(
      'add with a null metadata value → 422',
      'alpha',
      'add',
      { ids: ['h'], embeddings: [[1, 2, 3]], metadatas: [{ k: null }] },
      SERDE_422,
    ),
    op(
      'add with a nested metadata value → 422',
      'alpha',
      'add',
      { ids: ['h'], embeddings: [[1, 2, 3]], metadatas: [{ k: { a: 1 } }] },
      SERDE_422,
    ),
    op('add with ids of the wrong type → 422', 'alpha', 'add', { ids: 'h', embeddings: [[1, 2, 3]] }, SERDE_422),
    op('add with a non-number embedding → 422', 'alpha', 'add', { ids: ['h'], embeddings: [['x', 2, 3]] }, SERDE_422),
    op('add with malformed JSON → 400', 'alpha', 'add', '{bad', {
      messagePrefix: 'Failed to parse the request body as JSON: ',
    }),
    op(
      'add without embeddings',
      'alpha',
      'add',
      { ids: ['h'], documents: ['no vector'] },
      {
        differs: {
          because: 'writeWithoutEmbeddings',
          vecgate: {
            status: 400,
            body: {
              error: 'InvalidArgumentError',
              message:
                'Embeddings are required: vecgate stores vectors and does not compute them; embed on the client and send embeddings',
            },
          },
        },
      },
    ),
    op(
      'upsert without embeddings',
      'alpha',
      'upsert',
      { ids: ['a'], documents: ['no vector'] },
      {
        differs: {
          because: 'writeWithoutEmbeddings',
          vecgate: {
            status: 400,
            body: {
              error: 'InvalidArgumentError',
              message:
                'Embeddings are required: vecgate stores vectors and does not compute them; embed on the client and send embeddings',
            },
          },
        },
      },
    ),
    post('create collection for a first add', C, { name: 'ragged' }),
    op('first add with ragged embeddings → 400', 'ragged', 'add', {
      ids: ['r1', 'r2'],
      embeddings: [
        [1, 2],
        [1, 2, 3],
      ],
    }),
    get('get collection after the failed first add (no dimension)', `${C}/ragged`),
    op('query an empty collection (no dimension check)', 'ragged', 'query', {
      query_embeddings: [[1, 2, 3, 4, 5]],
      n_results: 3,
    }),
    op('get from an empty collection', 'ragged', 'get', {}),
    get('count an empty collection', `${C}/{{ragged}}/count`),
    op('add with a duplicated id in one request', 'ragged', 'add', {
      ids: ['dup', 'dup', 'other'],
      embeddings: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
      ],
      documents: ['first', 'second', 'third'],
    }),
    op('get after a duplicated id', 'ragged', 'get', { include: ['documents', 'embeddings'] }),
    op('get with include distances (no distances key)', 'ragged', 'get', { include: ['distances'] }),
    op('upsert with uris', 'ragged', 'upsert', {
      ids: ['other', 'new'],
      embeddings: [
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      uris: ['s3://o', 's3://n'],
      metadatas: [{ m: 1 }, { m: 2 }],
    }),
    op('get after upsert with uris', 'ragged', 'get', { include: ['uris', 'metadatas'] }),
    op('query with a filter matching nothing', 'ragged', 'query', {
      query_embeddings: [[1, 0, 0, 0]],
      where: { m: 99 },
    }),
    op('get with where, limit and offset', 'ragged', 'get', {
      where: { m: { $gte: 1 } },
      limit: 1,
      offset: 1,
      include: ['metadatas'],
    }),
    get('collection dimension after a later first add', `${C}/ragged`),
    // Text that SQL LIKE patterns and Postgres regexes treat specially.
    op('add documents with %, _, a backslash and a newline', 'ragged', 'add', {
      ids: ['t1', 't2', 't3', 't4'],
      embeddings: [
        [1, 1, 0, 0],
        [0, 1, 1, 0],
        [0, 0, 1, 1],
        [1, 0, 0, 1],
      ],
      documents: ['50% off_now', 'apple pie\nsecond line', 'applepie', 'C:\\temp\\x'],
      metadatas: [{ 'a.b': 1, tag: 'ünïcode' }, { 'a.b': 2 }, { tag: 'x' }, null],
    }),
    idsWhere('where_document $contains "%"', 'ragged', { where_document: { $contains: '%' } }),
    idsWhere('where_document $contains "_"', 'ragged', { where_document: { $contains: '_' } }),
    idsWhere('where_document $contains a backslash', 'ragged', { where_document: { $contains: '\\' } }),
    idsWhere('where_document $not_contains "%"', 'ragged', { where_document: { $not_contains: '%' } }),
    idsWhere('where_document $regex \\b word boundary', 'ragged', { where_document: { $regex: '\\bpie\\b' } }),
    idsWhere('where_document $regex \\d and a literal %', 'ragged', { where_document: { $regex: '\\d+% off' } }),
    idsWhere('where_document $regex ^ does not match after a newline', 'ragged', {
      where_document: { $regex: '^second' },
    }),
    idsWhere('where_document $regex (?m)^ matches after a newline', 'ragged', {
      where_document: { $regex: '(?m)^second' },
    }),
    idsWhere('where_document $regex . does not match a newline', 'ragged', {
      where_document: { $regex: 'pie.second' },
    }),
    idsWhere('where_document $regex \\s matches a newline', 'ragged', { where_document: { $regex: 'pie\\ssecond' } }),
    idsWhere('where_document $regex \\z end of text', 'ragged', { where_document: { $regex: 'pie\\z' } }),
    idsWhere('where_document $regex \\p{Lu} Unicode class', 'ragged', { where_document: { $regex: '^\\p{Lu}:' } }),
    idsWhere('where on a key with a dot', 'ragged', { where: { 'a.b': { $gte: 1 } } }),
    idsWhere('where on a non-ASCII value', 'ragged', { where: { tag: 'ünïcode' } }),
    idsWhere('where $nin numbers keeps strings and missing keys', 'alpha', { where: { n: { $nin: [2] } } }),
    idsWhere('where $in booleans', 'alpha', { where: { ok: { $in: [false] } } }),
    op('where $gte 2.0 (raw float)', 'alpha', 'get', '{"where":{"n":{"$gte":2.0}},"include":[]}'),
    op('upsert with empty metadata keeps the metadata', 'ragged', 'upsert', {
      ids: ['t1'],
      embeddings: [[1, 1, 0, 0]],
      metadatas: [{}],
    }),
    op('update deleting the only metadata key', 'ragged', 'update', { ids: ['t3'], metadatas: [{ tag: null }] }),
    op('get after metadata edge cases', 'ragged', 'get', { ids: ['t1', 't3'], include: ['metadatas'] }),
    op('ragged embeddings on a collection with a dimension → 400', 'ipc', 'add', {
      ids: ['r1', 'r2'],
      embeddings: [
        [1, 2],
        [1, 2, 3],
      ],
    }),
    op('get with a negative limit → 422', 'alpha', 'get', { limit: -1 }, SERDE_422),
    op('get with an unknown include → 422', 'alpha', 'get', { include: ['bogus'] }, SERDE_422),
    op('query without query_embeddings → 422', 'alpha', 'query', { n_results: 1 }, SERDE_422),
    op(
      'query with n_results of the wrong type → 422',
      'alpha',
      'query',
      { query_embeddings: [[1, 0, 0]], n_results: 'x' },
      SERDE_422,
    ),
    idsWhere('where with two keys → 400', 'alpha', { where: { color: 'red', n: 1 } }),
    idsWhere('where {} → 400', 'alpha', { where: {} }),
    idsWhere('where $gt on a string → 400', 'alpha', { where: { n: { $gt: 'x' } } }),
    idsWhere('where null operand → 400', 'alpha', { where: { color: null } }),
    idsWhere('where $in [] → 400', 'alpha', { where: { n: { $in: [] } } }),
    idsWhere('where $in with mixed types → 400', 'alpha', { where: { n: { $in: [1, 'a'] } } }),
    idsWhere('where two operators on one key → 400', 'alpha', { where: { n: { $gt: 1, $lt: 5 } } }),
    idsWhere('where unknown operator → 400', 'alpha', { where: { n: { $foo: 1 } } }),
    idsWhere('where unknown top-level $ key → 400', 'alpha', { where: { $not: [{ n: 1 }] } }),
    idsWhere('where_document {} → 400', 'alpha', { where_document: {} }),
    idsWhere('where_document unknown operator → 400', 'alpha', { where_document: { $foo: 'x' } }),
    idsWhere(
      'where_document invalid regex → 400',
      'alpha',
      { where_document: { $regex: '(' } },
      { messagePrefix: 'Regex syntax errror: ' },
    ),
    get('count on an unknown collection uuid → 404', `${C}/${UNKNOWN_UUID}/count`),
    post('get on an unknown collection uuid → 404', `${C}/${UNKNOWN_UUID}/get`, {}),
    post('add on an unknown collection uuid → 404', `${C}/${UNKNOWN_UUID}/add`, {
      ids: ['a'],
      embeddings: [[1, 2, 3]],
    }),
    get('count on a non-uuid collection id → 400', `${C}/alpha/count`),
    post('query on a non-uuid collection id → 400', `${C}/alpha/query`, { query_embeddings: [[1, 0, 0]] }),

    // --- array metadata (a newer Chroma feature) ----------------------------------------------
    post('create collection for the known quirks', C, { name: 'quirks' }),
    op(
      'add with array metadata',
      'quirks',
      'add',
      { ids: ['t1'], embeddings: [[1, 0]], metadatas: [{ tags: ['x', 'y'] }] },
      {
        differs: {
          because: 'arrayMetadata',
          chroma: {
            status: 422,
            body: {
              error: 'ChromaError',
              message:
                'Failed to deserialize the JSON body into the target type: metadatas[0].tags: data did not match any variant of untagged enum MetadataValue at line 1 column 66',
            },
          },
          vecgate: { status: 201, body: {} },
        },
      },
    ),
    idsWhere(
      'where $contains on an array',
      'quirks',
      { where: { tags: { $contains: 'x' } } },
      {
        differs: {
          because: 'arrayMetadata',
          chroma: { status: 400, body: INVALID_WHERE },
          vecgate: {
            status: 200,
            body: { ids: ['t1'], embeddings: null, documents: null, uris: null, metadatas: null, include: [] },
          },
        },
      },
    ),
    op('add records with and without a uri, all without metadata', 'quirks', 'add', {
      ids: ['u1', 'u2', 'u3'],
      embeddings: [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
      documents: ['has uri', 'no uri', null],
      uris: ['s3://u1', null, null],
    }),
    op(
      'get records with and without a uri',
      'quirks',
      'get',
      { ids: ['u1', 'u2', 'u3'], include: ['metadatas', 'uris'] },
      {
        differs: {
          because: 'uriWithoutMetadata',
          chroma: {
            status: 200,
            body: {
              ids: ['u1', 'u2', 'u3'],
              embeddings: null,
              documents: null,
              uris: ['s3://u1', null, null],
              metadatas: [{}, null, null],
              include: ['metadatas', 'uris'],
            },
          },
          vecgate: {
            status: 200,
            body: {
              ids: ['u1', 'u2', 'u3'],
              embeddings: null,
              documents: null,
              uris: ['s3://u1', null, null],
              metadatas: [null, null, null],
              include: ['metadatas', 'uris'],
            },
          },
        },
      },
    ),
    del('delete the quirks collection', `${C}/quirks`),

    // --- metadata keys that start with $ ----------------------------------------------------------
    post('create collection for $ keys', C, { name: 'dollars' }),
    op('add records with $ metadata keys', 'dollars', 'add', {
      ids: ['d1', 'd2', 'd3', 'd4'],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
        [2, 2],
      ],
      metadatas: [{ $x: 1, b: 4 }, { $x: 2, $and: 'q' }, { $eq: 1, $or: 5 }, { b: 10 }],
    }),
    idsWhere('where on a $ key', 'dollars', { where: { $x: 1 } }),
    idsWhere('where $eq on a $ key', 'dollars', { where: { $x: { $eq: 1 } } }),
    idsWhere('where $gt on a $ key', 'dollars', { where: { $x: { $gt: 1 } } }),
    idsWhere('where $ne on a $ key (records without it too)', 'dollars', { where: { $x: { $ne: 1 } } }),
    idsWhere('where $in on a $ key', 'dollars', { where: { $x: { $in: [1, 2] } } }),
    idsWhere('where on a key named $eq', 'dollars', { where: { $eq: 1 } }),
    idsWhere('where $eq on a key named $eq', 'dollars', { where: { $eq: { $eq: 1 } } }),
    idsWhere('where on a key named $contains', 'dollars', { where: { $contains: 'x' } }),
    idsWhere('where $and of $ keys', 'dollars', { where: { $and: [{ $x: { $gte: 1 } }, { b: 4 }] } }),
    idsWhere('where $or of $ keys', 'dollars', { where: { $or: [{ $x: 2 }, { $eq: 1 }] } }),
    idsWhere('where $or that is not a list → 400', 'dollars', { where: { $or: 5 } }),
    idsWhere('where $and that is an object → 400', 'dollars', { where: { $and: { $eq: 'q' } } }),
    idsWhere('where unknown operator under a $ key → 400', 'dollars', { where: { $x: { $bad: 1 } } }),
    idsWhere('where list under a $ key → 400', 'dollars', { where: { $x: [1] } }),
    idsWhere('where $ key beside another key → 400', 'dollars', { where: { $x: 1, b: 4 } }),
    idsWhere(
      'where float $eq on an integer value',
      'dollars',
      { where: { b: { $eq: 4.1 } } },
      {
        differs: {
          because: 'floatAgainstInt',
          chroma: { status: 200, body: idsOnly(['d1']) },
          vecgate: { status: 200, body: idsOnly([]) },
        },
      },
    ),
    idsWhere(
      'where float $gte on an integer value',
      'dollars',
      { where: { b: { $gte: 10.5 } } },
      {
        differs: {
          because: 'floatAgainstInt',
          chroma: { status: 200, body: idsOnly(['d4']) },
          vecgate: { status: 200, body: idsOnly([]) },
        },
      },
    ),
    deleteRecords('delete by a where on a $ key', 'dollars', { where: { $x: 2 } }, 1),
    op('get after the delete by a $ key', 'dollars', 'get', { include: ['metadatas'] }),
    del('delete the $ keys collection', `${C}/dollars`),

    // --- delete --------------------------------------------------------------------------------
    deleteRecords('delete by ids (unknown ids are fine)', 'alpha', { ids: ['c', 'zz'] }, 1),
    deleteRecords('delete by where', 'alpha', { where: { color: 'blue' } }, 2),
    deleteRecords('delete by where_document', 'alpha', { where_document: { $contains: 'tart' } }, 1),
    deleteRecords('delete by ids and where (AND)', 'alpha', { ids: ['a', 'f'], where: { color: 'red' } }, 1),
    deleteRecords('delete with {} deletes nothing', 'alpha', {}, 0),
    op('delete with ids: [] → 400', 'alpha', 'delete', { ids: [] }),
    op('delete with a bad where → 400', 'alpha', 'delete', { where: { color: 'red', n: 1 } }),
    op('delete with a bad where_document → 400', 'alpha', 'delete', { where_document: { $nope: 'x' } }),
    post('delete on an unknown collection uuid → 404', `${C}/${UNKNOWN_UUID}/delete`, { ids: ['a'] }),
    get('count after deletes', `${C}/{{alpha}}/count`),
    op('get after deletes', 'alpha', 'get', { include: ['documents', 'metadatas'] }),
    del('delete collection with records', `${C}/cos`),
    del('delete unknown collection → 404', `${C}/cos`),
    get('list collections at the end', `${C}`, { sortBy: 'name' }),
    get('count collections at the end', `${P}/collections_count`),
  ];
}

// ---------------------------------------------------------------------------------------------
// One server's view: send a step, remember the collection ids it hands out, normalise answers
// ---------------------------------------------------------------------------------------------

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

class Server {
  /** collection name → uuid, as this server gave it. */
  private readonly idsByName = new Map<string, string>();
  /** uuid → stable placeholder, for collections and databases seen in answers. */
  private readonly labels = new Map<string, string>();

  constructor(
    readonly name: string,
    private readonly url: string,
  ) {}

  async send(step: Step): Promise<Answer> {
    const path = step.path.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => {
      const id = this.idsByName.get(name);
      if (!id) throw new Error(`${this.name}: no id captured for collection "${name}" (step "${step.label}")`);
      return id;
    });
    const res = await http(this.url, step.method, path, step.body);
    const body = res.body === undefined && res.text !== '' ? { unparsedText: res.text } : res.body;
    this.remember(body);
    return { status: res.status, body };
  }

  /** Learns ids from collection objects ({id, name, configuration_json}) and databases ({id, name, tenant}). */
  private remember(body: unknown): void {
    for (const item of Array.isArray(body) ? body : [body]) {
      if (!isObject(item) || typeof item.id !== 'string' || typeof item.name !== 'string') continue;
      if ('configuration_json' in item) {
        this.idsByName.set(item.name, item.id);
        if (!this.labels.has(item.id)) this.labels.set(item.id, `<collection ${item.name}>`);
      } else if (typeof item.tenant === 'string' && !this.labels.has(item.id)) {
        this.labels.set(item.id, `<database ${item.tenant}/${item.name}>`);
      }
    }
  }

  normalise(answer: Answer, step: Step): Answer {
    let body = this.normaliseValue(answer.body);
    if (step.sortBy && Array.isArray(body)) {
      const key = step.sortBy;
      body = [...body].sort((a, b) => String(isObject(a) ? a[key] : a).localeCompare(String(isObject(b) ? b[key] : b)));
    }
    // vecgate names the key and operator at fault after Chroma's own words, which alone are compared.
    if (isObject(body) && typeof body.message === 'string') {
      const chromaWords = /^(Invalid where (?:document )?clause): /.exec(body.message);
      if (chromaWords) body = { ...body, message: chromaWords[1] };
    }
    const prefix = step.messagePrefix;
    if (prefix && isObject(body) && typeof body.message === 'string' && body.message.startsWith(prefix)) {
      body = { ...body, message: `${prefix}…` };
    }
    return { status: answer.status, body };
  }

  private normaliseValue(value: unknown): unknown {
    if (typeof value === 'string')
      return canonicalParams(value.replace(UUID_RE, (id) => this.labels.get(id.toLowerCase()) ?? id));
    if (typeof value === 'number') return roundFloat(value);
    if (Array.isArray(value)) return value.map((v) => this.normaliseValue(v));
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === 'nanosecond heartbeat' && typeof v === 'number') out[key] = '<clock>';
      // Fields of newer Chroma that 1.0.0 lacks; the schema is checked in collection-schema.spec.ts.
      else if ((key === 'log_position' || key === 'version' || key === 'schema') && 'configuration_json' in value)
        continue;
      else out[key] = this.normaliseValue(v);
    }
    return out;
  }
}

/**
 * Chroma prints a validator's parameters from a Rust HashMap, whose order changes from one request
 * to the next (`length [{"min": Number(3), "value": String("ab")}]` or the other way round): sort them.
 */
function canonicalParams(text: string): string {
  return text.replace(
    /\[\{("[^[\]{}]*)\}\]/g,
    (_, params: string) =>
      `[{${params
        .split(/, (?=")/)
        .sort()
        .join(', ')}}]`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Distances and embeddings are float32 on Chroma's side: compare them to 5 significant digits. */
function roundFloat(x: number): number {
  if (Number.isInteger(x) || !Number.isFinite(x)) return x;
  const rounded = Number(x.toPrecision(5));
  return Object.is(rounded, -0) ? 0 : rounded;
}

function show(answer: Answer): string {
  return `${answer.status} ${JSON.stringify(answer.body)}`;
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

describe('Chroma v2 differential: vecgate against the real Chroma 1.0.0', () => {
  let gateway: TestGateway | undefined;
  let chroma: ChromaReference | undefined;

  beforeAll(async () => {
    // Both start in parallel; the first run of the reference server installs it from npm.
    const [gw, ref] = await Promise.allSettled([startGateway(), startChromaReference()]);
    if (gw.status === 'fulfilled') gateway = gw.value;
    if (ref.status === 'fulfilled') chroma = ref.value;
    if (gw.status === 'rejected') throw new Error(`vecgate did not start: ${String(gw.reason)}`);
    if (ref.status === 'rejected')
      throw new Error(
        `The Chroma reference server did not start, so nothing can be compared: ${(ref.reason as Error).message}`,
      );
  }, 240_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), chroma?.stop()]);
  });

  it('answers a scripted sequence of requests as Chroma 1.0.0 does, except for the documented differences', async () => {
    if (!gateway || !chroma) throw new Error('servers not started');
    const reference = new Server('chroma', chroma.url);
    const vecgate = new Server('vecgate', gateway.url);
    const steps = script();
    expect(base64([1, 2])).toBe('AACAPwAAAEA=');
    expect(steps.length).toBeGreaterThanOrEqual(60);

    const failures: string[] = [];
    const counts = { sent: 0, identical: 0, documented: 0, vecgateOnly: 0 };
    const usedDifferences = new Set<DifferenceId>();
    const trace: string[] = [];

    for (const [index, step] of steps.entries()) {
      const where = `#${index + 1} ${step.label}\n    ${step.method} ${step.path}${step.body === undefined ? '' : ` ${typeof step.body === 'string' ? step.body : JSON.stringify(step.body)}`}`;
      const sendToChroma = !step.differs || step.differs.chroma !== undefined;
      const theirs = sendToChroma ? reference.normalise(await reference.send(step), step) : undefined;
      const ours = vecgate.normalise(await vecgate.send(step), step);
      counts.sent += sendToChroma ? 2 : 1;
      if (VERBOSE)
        trace.push(`${where}\n    chroma:  ${theirs ? show(theirs) : '(not sent)'}\n    vecgate: ${show(ours)}`);

      if (!step.differs) {
        if (isDeepStrictEqual(ours, theirs)) counts.identical++;
        else failures.push(`${where}\n    chroma:  ${show(theirs!)}\n    vecgate: ${show(ours)}`);
        continue;
      }

      const { because } = step.differs;
      usedDifferences.add(because);
      if (theirs) counts.documented++;
      else counts.vecgateOnly++;
      const expectedOurs = vecgate.normalise(step.differs.vecgate, step);
      if (!isDeepStrictEqual(ours, expectedOurs)) {
        failures.push(
          `${where}\n    [${because}] vecgate should answer: ${show(expectedOurs)}\n    vecgate answered:        ${show(ours)}`,
        );
      }
      if (theirs && step.differs.chroma) {
        const expectedTheirs = reference.normalise(step.differs.chroma, step);
        if (!isDeepStrictEqual(theirs, expectedTheirs)) {
          failures.push(
            `${where}\n    [${because}] the documented Chroma answer is: ${show(expectedTheirs)}\n    but Chroma answered:             ${show(theirs)}`,
          );
        }
      }
    }

    const summary = [
      `Chroma differential (${gateway.backend}): ${steps.length} steps, ${counts.sent} requests sent`,
      `  identical answers:        ${counts.identical}`,
      `  documented differences:   ${counts.documented} (both servers asked)`,
      `  vecgate-only steps:       ${counts.vecgateOnly} (unsafe to send to Chroma 1.0.0)`,
      `  differences used:         ${[...usedDifferences].join(', ')}`,
      `  unexpected differences:   ${failures.length}`,
    ].join('\n');
    if (VERBOSE) console.log(trace.join('\n\n'));
    console.log(summary);

    // Every documented difference is exercised: a stale entry in the table is a defect too.
    expect([...usedDifferences].sort()).toEqual(Object.keys(DOCUMENTED_DIFFERENCES).sort());
    if (failures.length > 0)
      throw new Error(`${failures.length} answers differ:\n\n${failures.join('\n\n')}\n\n${summary}`);
  });
});
