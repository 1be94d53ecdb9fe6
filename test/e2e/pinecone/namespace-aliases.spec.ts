import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors, type Pinecone } from '@pinecone-database/pinecone';
import type { AppConfig } from '../../../src/config/app-config';
import {
  createScratchDatabase,
  gatewayForFile,
  http,
  startGateway,
  usingPostgres,
  type TestGateway,
} from '../../support/gateway';
import { createDense, indexName, pineconeClient } from '../../support/pinecone';

const { PineconeConflictError, PineconeBadRequestError, PineconeFailedPreconditionError } = Errors;

const V2026_07 = { 'x-pinecone-api-version': '2026-07' };

/** A raw call on an index's data plane, as the 2026-07 clients send it (the v9 client has no alias methods). */
function call(
  base: string,
  index: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = V2026_07,
) {
  return http(base, method, `/indexes/${index}${path}`, body, headers);
}

/** The reason of a data-plane error's first `details` entry. */
const reason = (res: { body: any }) => res.body?.details?.[0]?.reason;

/**
 * Pinecone's namespace aliases (API 2026-07): their routes through raw HTTP (the v9 client does not
 * expose them), reads through an alias through the official client, and every refusal in Pinecone's
 * status, shape and reason.
 */
describe('Pinecone namespace aliases (API 2026-07)', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;

  beforeAll(() => {
    pc = pineconeClient(gw);
  });

  const aliases = (
    index: string,
    path = '',
    method = 'GET',
    body?: unknown,
    headers: Record<string, string> = V2026_07,
  ) => call(gw.url, index, method, `/namespace-aliases${path}`, body, headers);

  describe('on a vectors index', () => {
    const name = indexName('al-vec');

    beforeAll(async () => {
      await createDense(pc, name, 3);
      const index = pc.index({ name });
      await index.namespace('v1').upsert({
        records: [
          { id: 'a', values: [1, 0, 0], metadata: { gen: 1 } },
          { id: 'b', values: [0.9, 0.1, 0], metadata: { gen: 1 } },
        ],
      });
      await index.namespace('v2').upsert({ records: [{ id: 'c', values: [1, 0, 0], metadata: { gen: 2 } }] });
      await index.upsert({ records: [{ id: 'd', values: [1, 0, 0], metadata: { gen: 0 } }] });
    });

    it('creates, describes, repoints and deletes an alias in the 2026-07 shapes', async () => {
      const created = await aliases(name, '', 'POST', { name: 'current', target_namespace: 'v1' });
      expect(created.status).toBe(200);
      expect(created.body).toEqual({
        name: 'current',
        target_namespace: 'v1',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        updated_at: created.body.created_at,
      });
      expect((await aliases(name, '/current')).body).toEqual(created.body);

      const repointed = await aliases(name, '/current', 'PATCH', { target_namespace: 'v2' });
      expect(repointed.status).toBe(200);
      expect(repointed.body).toMatchObject({
        name: 'current',
        target_namespace: 'v2',
        created_at: created.body.created_at,
      });
      expect(Date.parse(repointed.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
      // To the same target again: updated_at still advances.
      const again = await aliases(name, '/current', 'PATCH', { target_namespace: 'v2' });
      expect(Date.parse(again.body.updated_at)).toBeGreaterThan(Date.parse(repointed.body.updated_at));

      const toDefault = await aliases(name, '', 'POST', { name: 'home', target_namespace: '__default__' });
      expect(toDefault.body.target_namespace).toBe('__default__');

      expect(await aliases(name, '/home', 'DELETE')).toMatchObject({ status: 200, body: {} });
      const gone = await aliases(name, '/home', 'DELETE');
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ code: 5, message: 'Namespace alias home not found', details: [] });
      expect((await aliases(name, '/home')).status).toBe(404);
      expect((await aliases(name, '/home', 'PATCH', { target_namespace: 'v1' })).status).toBe(404);
    });

    it('serves every read through an alias from its target, and names the target in the answer', async () => {
      await aliases(name, '', 'POST', { name: 'reads', target_namespace: 'v1' });
      const index = pc.index({ name }).namespace('reads');
      const query = await index.query({ vector: [1, 0, 0], topK: 5, includeMetadata: true });
      expect(query.matches.map((m) => m.id).sort()).toEqual(['a', 'b']);
      // The v9 client reports the namespace it asked for on a query; the answer names the target.
      const raw = await call(gw.url, name, 'POST', '/query', { namespace: 'reads', vector: [1, 0, 0], topK: 5 });
      expect(raw.body.namespace).toBe('v1');
      const byId = await index.query({ id: 'a', topK: 5 });
      expect(byId.matches.map((m) => m.id).sort()).toEqual(['a', 'b']);
      const rawById = await call(gw.url, name, 'POST', '/query', { namespace: 'reads', id: 'a', topK: 5 });
      expect(rawById.body.namespace).toBe('v1');
      const fetched = await index.fetch({ ids: ['a', 'c'] });
      expect(Object.keys(fetched.records)).toEqual(['a']);
      expect(fetched.namespace).toBe('v1');
      const byMetadata = await index.fetchByMetadata({ filter: { gen: 1 } });
      expect(Object.keys(byMetadata.records).sort()).toEqual(['a', 'b']);
      expect(byMetadata.namespace).toBe('v1');
      const listed = await index.listPaginated({ limit: 1 });
      expect(listed.vectors?.map((v) => v.id)).toEqual(['a']);
      expect(listed.namespace).toBe('v1');
      const next = await index.listPaginated({ limit: 1, paginationToken: listed.pagination?.next });
      expect(next.vectors?.map((v) => v.id)).toEqual(['b']);
      const search = await call(gw.url, name, 'POST', '/records/namespaces/reads/search', {
        query: { top_k: 5, vector: { values: [1, 0, 0] } },
      });
      expect(search.status).toBe(200);
      expect(search.body.namespace).toBe('v1');
      expect(search.body.result.hits.map((h: any) => h._id).sort()).toEqual(['a', 'b']);

      // A repoint is seen by the very next read; and an alias of the default namespace reads it.
      const queried = () => call(gw.url, name, 'POST', '/query', { namespace: 'reads', vector: [1, 0, 0], topK: 5 });
      await aliases(name, '/reads', 'PATCH', { target_namespace: 'v2' });
      expect((await index.query({ vector: [1, 0, 0], topK: 5 })).matches.map((m) => m.id)).toEqual(['c']);
      expect((await queried()).body).toMatchObject({ namespace: 'v2', matches: [{ id: 'c' }] });
      await aliases(name, '/reads', 'PATCH', { target_namespace: '__default__' });
      expect((await queried()).body).toMatchObject({ namespace: '__default__', matches: [{ id: 'd' }] });
      expect((await index.fetch({ ids: ['d'] })).namespace).toBe('__default__');

      // Once deleted, the name reads as a namespace that does not exist: empty, not an error.
      await aliases(name, '/reads', 'DELETE');
      expect((await queried()).body).toMatchObject({ matches: [], namespace: 'reads' });
      expect((await index.query({ vector: [1, 0, 0], topK: 5 })).matches).toEqual([]);
    });

    it('refuses writes through an alias as Pinecone does, and changes nothing', async () => {
      await aliases(name, '', 'POST', { name: 'ro', target_namespace: 'v1' });
      const index = pc.index({ name });
      const before = await index.describeIndexStats();

      await expect(index.namespace('ro').upsert({ records: [{ id: 'x', values: [1, 1, 1] }] })).rejects.toBeInstanceOf(
        PineconeConflictError,
      );
      const upsert = await call(gw.url, name, 'POST', '/vectors/upsert', {
        namespace: 'ro',
        vectors: [{ id: 'x', values: [1, 1, 1] }],
      });
      expect(upsert.status).toBe(409);
      expect(upsert.body).toMatchObject({ code: 6, message: expect.stringContaining('alias') });
      expect(reason(upsert)).toBe('NAME_IN_USE_BY_ALIAS');

      await expect(index.namespace('ro').deleteOne({ id: 'a' })).rejects.toBeInstanceOf(PineconeBadRequestError);
      for (const body of [{ ids: ['a'] }, { deleteAll: true }, { filter: { gen: 1 } }]) {
        const res = await call(gw.url, name, 'POST', '/vectors/delete', { namespace: 'ro', ...body });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe(3);
        expect(reason(res)).toBe('WRITE_TO_ALIAS');
      }
      await expect(index.namespace('ro').update({ id: 'a', metadata: { gen: 9 } })).rejects.toBeInstanceOf(
        PineconeBadRequestError,
      );
      const update = await call(gw.url, name, 'POST', '/vectors/update', {
        namespace: 'ro',
        filter: { gen: 1 },
        setMetadata: { gen: 9 },
      });
      expect(update.status).toBe(400);
      expect(reason(update)).toBe('WRITE_TO_ALIAS');

      expect(await index.describeIndexStats()).toEqual(before);
      expect((await index.namespace('v1').fetch({ ids: ['a'] })).records.a.metadata).toEqual({ gen: 1 });
      const namespaces = (await index.listNamespaces()).namespaces?.map((n) => n.name);
      expect(namespaces).not.toContain('ro');
    });

    it('keeps namespace and alias names apart, and a targeted namespace until its aliases go', async () => {
      await aliases(name, '', 'POST', { name: 'held', target_namespace: 'v2' });
      const index = pc.index({ name });

      const create = await call(gw.url, name, 'POST', '/namespaces', { name: 'held' });
      expect(create.status).toBe(409);
      expect(reason(create)).toBe('NAME_IN_USE_BY_ALIAS');
      await expect(index.createNamespace({ name: 'held' })).rejects.toBeInstanceOf(PineconeConflictError);

      const describe = await call(gw.url, name, 'GET', '/namespaces/held');
      expect(describe.status).toBe(400);
      expect(reason(describe)).toBe('NAMESPACE_OPERATION_ON_ALIAS');
      const deleteAlias = await call(gw.url, name, 'DELETE', '/namespaces/held');
      expect(deleteAlias.status).toBe(400);
      expect(reason(deleteAlias)).toBe('NAMESPACE_OPERATION_ON_ALIAS');

      const deleteTarget = await call(gw.url, name, 'DELETE', '/namespaces/v2');
      expect(deleteTarget.status).toBe(400);
      expect(reason(deleteTarget)).toBe('NAMESPACE_TARGETED_BY_ALIAS');
      expect((await index.describeNamespace('v2')).recordCount).toBe('1');

      const taken = await aliases(name, '', 'POST', { name: 'v1', target_namespace: 'v2' });
      expect(taken.status).toBe(409);
      expect(reason(taken)).toBe('NAME_IN_USE_BY_NAMESPACE');
      const twice = await aliases(name, '', 'POST', { name: 'held', target_namespace: 'v1' });
      expect(twice.status).toBe(409);
      expect(twice.body.details[0]).toMatchObject({
        reason: 'ALIAS_ALREADY_EXISTS',
        metadata: { target_namespace: 'v2' },
      });
      const missing = await aliases(name, '', 'POST', { name: 'nowhere', target_namespace: 'absent' });
      expect(missing.status).toBe(400);
      expect(reason(missing)).toBe('TARGET_NAMESPACE_NOT_FOUND');
      const chained = await aliases(name, '', 'POST', { name: 'chain', target_namespace: 'held' });
      expect(chained.status).toBe(400);
      expect(reason(chained)).toBe('TARGET_IS_ALIAS');
      const repointToAlias = await aliases(name, '/held', 'PATCH', { target_namespace: 'held' });
      expect(repointToAlias.status).toBe(400);
      expect(reason(repointToAlias)).toBe('TARGET_IS_ALIAS');
      // A failed repoint keeps the alias's target.
      expect((await aliases(name, '/held')).body.target_namespace).toBe('v2');
      for (const body of [{ name: 'x' }, { name: 'x', target_namespace: '' }, { name: 'x', target_namespace: null }]) {
        const res = await aliases(name, '', 'POST', body);
        expect(res.status).toBe(400);
        expect(reason(res)).toBe('TARGET_NAMESPACE_REQUIRED');
      }

      await aliases(name, '/held', 'DELETE');
      // 'current', from the first test, still resolves to v2.
      expect(reason(await call(gw.url, name, 'DELETE', '/namespaces/v2'))).toBe('NAMESPACE_TARGETED_BY_ALIAS');
      await aliases(name, '/current', 'DELETE');
      await index.deleteNamespace('v2');
      await expect(index.describeNamespace('v2')).rejects.toThrow();
    });

    it('lists aliases by name, a page at a time, by prefix and by target, with total_count', async () => {
      const list = pc.index({ name });
      await list.namespace('t1').upsert({ records: [{ id: 'z', values: [0, 0, 1] }] });
      const made = ['ls-a', 'ls-b', 'ls-c', 'ls-d', 'other'];
      for (const [k, alias] of made.entries())
        expect((await aliases(name, '', 'POST', { name: alias, target_namespace: k % 2 ? 't1' : 'v1' })).status).toBe(
          200,
        );

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ prefix: 'ls-', limit: '3', ...(token ? { paginationToken: token } : {}) });
        const page = await aliases(name, `?${query}`);
        expect(page.status).toBe(200);
        expect(page.body.total_count).toBe(4);
        seen.push(...page.body.namespace_aliases.map((a: any) => a.name));
        token = page.body.pagination?.next;
        pages++;
      } while (token);
      expect(seen).toEqual(['ls-a', 'ls-b', 'ls-c', 'ls-d']);
      expect(pages).toBe(2);

      const byTarget = await aliases(name, '?target_namespace=t1');
      expect(byTarget.body).toEqual({
        namespace_aliases: [
          expect.objectContaining({ name: 'ls-b', target_namespace: 't1' }),
          expect.objectContaining({ name: 'ls-d', target_namespace: 't1' }),
        ],
        total_count: 2,
      });
      const both = await aliases(name, '?target_namespace=v1&prefix=ls-');
      expect(both.body.namespace_aliases.map((a: any) => a.name)).toEqual(['ls-a', 'ls-c']);
      // Aliases are never targets, so an alias name as target matches nothing.
      expect((await aliases(name, '?target_namespace=ls-a')).body).toEqual({ namespace_aliases: [], total_count: 0 });

      // The token carries its filters: repeated, they must match; new ones cannot be added.
      const first = await aliases(name, '?prefix=ls-&limit=1');
      const next = first.body.pagination.next;
      expect((await aliases(name, `?paginationToken=${next}`)).body.namespace_aliases[0].name).toBe('ls-b');
      expect((await aliases(name, `?paginationToken=${next}&prefix=ls-`)).status).toBe(200);
      expect(reason(await aliases(name, `?paginationToken=${next}&prefix=ot`))).toBe('LIST_INVALID_TOKEN_WITH_PREFIX');
      expect(reason(await aliases(name, `?paginationToken=${next}&target_namespace=t1`))).toBe(
        'LIST_INVALID_TOKEN_WITH_NEW_TARGET',
      );
      const byTargetFirst = await aliases(name, '?target_namespace=t1&limit=1');
      const targetToken = byTargetFirst.body.pagination.next;
      expect(reason(await aliases(name, `?paginationToken=${targetToken}&target_namespace=v1`))).toBe(
        'LIST_INVALID_TOKEN_WITH_TARGET',
      );
      expect(reason(await aliases(name, `?paginationToken=${targetToken}&prefix=ls-`))).toBe(
        'LIST_INVALID_TOKEN_WITH_NEW_PREFIX',
      );

      for (const [query, why] of [
        ['?limit=0', 'LIST_INVALID_LIMIT'],
        ['?limit=101', 'LIST_INVALID_LIMIT'],
        ['?limit=ten', 'LIST_INVALID_LIMIT'],
        ['?paginationToken=not*a*token', 'INVALID_PAGINATION_TOKEN'],
        ['?paginationToken=bm9wZQ', 'INVALID_PAGINATION_TOKEN'],
        ['?target_namespace=', 'TARGET_FILTER_EMPTY'],
        [`?prefix=${'p'.repeat(513)}`, 'PREFIX_TOO_LONG'],
        ['?prefix=%C3%BC', 'PREFIX_MUST_BE_ASCII'],
        ['?prefix=a%00b', 'PREFIX_MUST_NOT_CONTAIN_NULL_CHARACTER'],
      ]) {
        const res = await aliases(name, query);
        expect([query, res.status, reason(res)]).toEqual([query, 400, why]);
      }
      const unknown = await aliases(name, '?namespace=v1');
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('namespace');
    });
  });

  describe('on a document index', () => {
    const name = indexName('al-docs');

    beforeAll(async () => {
      await pc.indexes.create({ name, schema: { fields: { body: { type: 'string', fullTextSearch: {} } } } });
      const index = pc.index(name);
      await index.namespace('d1').documents.upsert({
        documents: [
          { _id: 'p1', body: 'the pump leaks', kind: 'pump' },
          { _id: 'p2', body: 'the valve sticks', kind: 'valve' },
        ],
      });
      await index.namespace('d2').documents.upsert({ documents: [{ _id: 'q1', body: 'a pump again', kind: 'pump' }] });
      expect((await aliases(name, '', 'POST', { name: 'live', target_namespace: 'd1' })).status).toBe(200);
    });

    it('searches, fetches and lists through an alias from its target', async () => {
      const live = pc.index(name).namespace('live');
      const search = await live.documents.search({
        scoreBy: [{ type: 'text', fields: ['body'], query: 'pump' }],
        topK: 5,
      });
      expect(search.namespace).toBe('d1');
      expect(search.matches.map((m) => m._id)).toEqual(['p1']);
      const fetched = await live.documents.fetch({ ids: ['p1', 'q1'] });
      expect(Object.keys(fetched.documents)).toEqual(['p1']);
      expect(fetched.namespace).toBe('d1');
      const byFilter = await live.documents.fetch({ filter: { kind: { $eq: 'valve' } } });
      expect(Object.keys(byFilter.documents)).toEqual(['p2']);
      const listed = await live.documents.list({});
      expect(listed.documents.map((d) => d._id)).toEqual(['p1', 'p2']);
      expect(listed.namespace).toBe('d1');
    });

    it('refuses upsert (409), update and delete (412) through an alias, in the documents error shape', async () => {
      const live = pc.index(name).namespace('live');
      await expect(live.documents.upsert({ documents: [{ _id: 'n', body: 'new' }] })).rejects.toBeInstanceOf(
        PineconeConflictError,
      );
      const path = '/namespaces/live/documents';
      const upsert = await call(gw.url, name, 'POST', `${path}/upsert`, { documents: [{ _id: 'n', body: 'new' }] });
      expect(upsert.status).toBe(409);
      expect(upsert.body).toEqual({ error: { code: 'ALREADY_EXISTS', message: expect.any(String) }, status: 409 });

      await expect(live.documents.delete({ ids: ['p1'] })).rejects.toBeInstanceOf(PineconeFailedPreconditionError);
      for (const body of [{ ids: ['p1'] }, { filter: { kind: { $eq: 'pump' } } }, { delete_all: true }]) {
        const res = await call(gw.url, name, 'POST', `${path}/delete`, body);
        expect(res.status).toBe(412);
        expect(res.body).toEqual({
          error: { code: 'FAILED_PRECONDITION', message: expect.stringContaining('alias') },
          status: 412,
        });
      }
      await expect(live.documents.update({ documents: [{ _id: 'p1', kind: 'x' }] })).rejects.toBeInstanceOf(
        PineconeFailedPreconditionError,
      );
      const update = await call(gw.url, name, 'POST', `${path}/update`, {
        filter: { kind: { $eq: 'pump' } },
        set_fields: { kind: 'x' },
      });
      expect(update.status).toBe(412);
      expect(update.body.error.code).toBe('FAILED_PRECONDITION');

      const d1 = await pc
        .index(name)
        .namespace('d1')
        .documents.fetch({ ids: ['p1', 'p2', 'n'] });
      expect(Object.values(d1.documents).map((d: any) => [d._id, d.kind])).toEqual([
        ['p1', 'pump'],
        ['p2', 'valve'],
      ]);
    });
  });

  it('answers API_VERSION_TOO_OLD to clients of older versions on every alias route', async () => {
    const name = indexName('al-old');
    await createDense(pc, name, 2);
    for (const headers of [{}, { 'x-pinecone-api-version': '2025-10' }, { 'x-pinecone-api-version': '2026-01.alpha' }])
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['POST', '', { name: 'a', target_namespace: '__default__' }],
        ['GET', '/a', undefined],
        ['PATCH', '/a', { target_namespace: '__default__' }],
        ['DELETE', '/a', undefined],
      ] as const) {
        const res = await aliases(name, path, method, body, headers as Record<string, string>);
        expect([method, path, res.status, reason(res)]).toEqual([method, path, 400, 'API_VERSION_TOO_OLD']);
      }
    expect((await aliases(name)).body.total_count).toBe(0);
  });

  it('refuses hostile names with a 4xx, never a 500, and changes nothing', async () => {
    const name = indexName('al-hostile');
    await createDense(pc, name, 2);
    await pc
      .index({ name })
      .namespace('ok')
      .upsert({ records: [{ id: 'r', values: [1, 0] }] });
    const long = 'a'.repeat(513);
    const badNames: unknown[] = [
      '',
      '__default__',
      '.',
      '..',
      'has space',
      'slash/in',
      'semi;colon',
      'plus+',
      'per%cent',
      'back\\slash',
      'ünïcode',
      '😀',
      long,
      'x'.repeat(100_000),
      42,
      null,
      ['a'],
      { a: 1 },
    ];
    for (const bad of badNames) {
      const res = await aliases(name, '', 'POST', { name: bad, target_namespace: 'ok' });
      expect([String(bad).slice(0, 20), res.status, reason(res)]).toEqual([
        String(bad).slice(0, 20),
        400,
        'ALIAS_NAME_INVALID',
      ]);
    }
    // A NUL is refused whatever the field (PostgreSQL's JSON cannot hold it).
    expect((await aliases(name, '', 'POST', { name: 'nul\u0000', target_namespace: 'ok' })).status).toBe(400);
    // Quotes and other punctuation the rule allows make a good alias.
    const quoted = `it's "quoted" <x>`.replace(/ /g, '_');
    const made = await aliases(name, '', 'POST', { name: quoted, target_namespace: 'ok' });
    expect(made.status).toBe(200);
    expect((await aliases(name, `/${encodeURIComponent(quoted)}`)).body.name).toBe(quoted);
    const read = await pc
      .index({ name })
      .namespace(quoted)
      .fetch({ ids: ['r'] });
    expect(read.namespace).toBe('ok');

    for (const target of [long, 'ünï', 7, ['ok']]) {
      const res = await aliases(name, '', 'POST', { name: 'fine', target_namespace: target });
      expect(res.status).toBe(400);
      expect(['NAMESPACE_TOO_LONG', 'NAMESPACE_INVALID']).toContain(reason(res));
    }
    // ('..' is not tried in a path: the URL parser removes it before it is sent.)
    for (const path of ['/%2F', `/${long}`, '/%C3%BC', '/a%20b', '/%00']) {
      for (const [method, body] of [
        ['GET', undefined],
        ['DELETE', undefined],
        ['PATCH', { target_namespace: 'ok' }],
      ] as const) {
        const res = await aliases(name, path, method, body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
    for (const body of ['not json', '[1,2]', 'null', '"text"']) {
      const res = await http(gw.url, 'POST', `/indexes/${name}/namespace-aliases`, body, {
        ...V2026_07,
        'content-type': 'application/json',
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    // Through a namespace of every sort, a read or write that names no alias is what it was.
    for (const ns of [`it's`, '"q"', 'ünï', 'x'.repeat(600)]) {
      const res = await call(gw.url, name, 'POST', '/query', { namespace: ns, vector: [1, 0], topK: 1 });
      expect(res.status).toBeLessThan(500);
    }
    expect((await aliases(name)).body.namespace_aliases.map((a: any) => a.name)).toEqual([quoted]);
    expect((await aliases(name, '/nope')).status).toBe(404);
    expect((await call(gw.url, 'no-such-index', 'GET', '/namespace-aliases')).status).toBe(404);
  });

  it('bounds the aliases of an index', async () => {
    const name = indexName('al-limit');
    await createDense(pc, name, 2);
    await pc
      .index({ name })
      .namespace('ok')
      .upsert({ records: [{ id: 'r', values: [1, 0] }] });
    // 999 made directly, the 1,000th and 1,001st through the API.
    await gw.db.query(
      `INSERT INTO vecgate_namespace_aliases (collection_id, name, target, created_at, updated_at)
       SELECT c.id, 'pre-' || n, 'ok', now(), now() FROM vecgate_collections c, generate_series(1, 999) n
       WHERE c.name = $1`,
      [name],
    );
    expect((await aliases(name, '', 'POST', { name: 'last', target_namespace: 'ok' })).status).toBe(200);
    const over = await aliases(name, '', 'POST', { name: 'over', target_namespace: 'ok' });
    expect(over.status).toBe(400);
    expect(reason(over)).toBe('ALIASES_PER_INDEX_EXCEEDED');
    expect((await aliases(name, '?limit=1')).body.total_count).toBe(1000);
  });

  it('deletes an index with its aliases, and carries them through a backup and restore', async () => {
    const name = indexName('al-life');
    await createDense(pc, name, 2);
    const index = pc.index({ name });
    await index.namespace('blue').upsert({ records: [{ id: 'b', values: [1, 0] }] });
    await index.namespace('green').upsert({ records: [{ id: 'g', values: [0, 1] }] });
    await aliases(name, '', 'POST', { name: 'prod', target_namespace: 'green' });
    await aliases(name, '', 'POST', { name: 'base', target_namespace: '__default__' });

    const backup = await pc.backups.create(name, { name: 'with-aliases' });
    const restored = indexName('al-restored');
    await pc.backups.createIndex(backup.backupId, { name: restored });
    const listed = await aliases(restored);
    expect(listed.body.namespace_aliases.map((a: any) => [a.name, a.target_namespace])).toEqual([
      ['base', '__default__'],
      ['prod', 'green'],
    ]);
    const read = await pc
      .index({ name: restored })
      .namespace('prod')
      .fetch({ ids: ['g'] });
    expect(read).toMatchObject({ namespace: 'green', records: { g: expect.anything() } });

    const count = async (index: string) =>
      (
        await gw.db.query(
          `SELECT count(*)::int AS n FROM vecgate_namespace_aliases a JOIN vecgate_collections c ON c.id = a.collection_id
           WHERE c.name = $1`,
          [index],
        )
      ).rows[0].n;
    expect(await count(name)).toBe(2);
    await pc.deleteIndex(name);
    expect(await count(name)).toBe(0);
    expect((await gw.db.query('SELECT count(*)::int AS n FROM vecgate_namespace_aliases')).rows[0].n).toBeGreaterThan(
      0,
    );
    // The same name again is a new index, without the old one's aliases.
    await createDense(pc, name, 2);
    expect((await aliases(name)).body).toEqual({ namespace_aliases: [], total_count: 0 });
  });
});

describe('Pinecone namespace aliases across restarts and replicas', () => {
  it('survive a restart, and a repoint is read by the other replica at once', async () => {
    const dataDir = usingPostgres() ? undefined : mkdtempSync(join(tmpdir(), 'vecgate-aliases-'));
    const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
    const shared = scratch && { databaseUrl: scratch.url };
    const config: Partial<AppConfig> = dataDir ? { dataDir } : {};
    const name = indexName('al-restart');
    const opened: TestGateway[] = [];
    const open = async () => {
      const gw = await startGateway(config, shared);
      opened.push(gw);
      return gw;
    };
    try {
      const first = await open();
      const pc1 = pineconeClient(first);
      await createDense(pc1, name, 2);
      await pc1
        .index({ name })
        .namespace('one')
        .upsert({ records: [{ id: '1', values: [1, 0] }] });
      await pc1
        .index({ name })
        .namespace('two')
        .upsert({ records: [{ id: '2', values: [0, 1] }] });
      await call(first.url, name, 'POST', '/namespace-aliases', { name: 'cur', target_namespace: 'one' });
      await first.app.close();

      // Raw HTTP from here: the client keeps an index's host by name for the whole process.
      const query = (gw: TestGateway) =>
        call(gw.url, name, 'POST', '/query', { namespace: 'cur', vector: [1, 1], topK: 5 }).then((r) => r.body);
      const second = await open();
      expect(await query(second)).toMatchObject({ namespace: 'one', matches: [{ id: '1' }] });
      // Another replica on the same PostgreSQL database (PGlite's data directory has one process).
      const other = usingPostgres() ? await open() : second;
      expect(await query(other)).toMatchObject({ namespace: 'one' });
      const repoint = await call(second.url, name, 'PATCH', '/namespace-aliases/cur', { target_namespace: 'two' });
      expect(repoint.status).toBe(200);
      expect(await query(other)).toMatchObject({ namespace: 'two', matches: [{ id: '2' }] });
    } finally {
      for (const gw of opened) await gw.app.close().catch(() => undefined);
      await scratch?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
