import { startChromaReference, type ChromaReference } from '../../support/chroma-reference';
import { gatewayForFile, http } from '../../support/gateway';
import { canon, MEMBER_KEYS, obj } from '../../support/member-keys';

/**
 * Keys that name what every JavaScript object inherits (`constructor`, `__proto__`, `toString` …)
 * are ordinary strings to every protocol: as metadata and payload keys at any depth, filter keys
 * (bare and under operators), record ids, namespaces and collection names. Each is stored,
 * returned and matched exactly as any other key, or refused with a 4xx; never dropped.
 *
 * Objects with such keys are built with Object.fromEntries or JSON.parse (own properties:
 * `{__proto__: x}` in a literal would set a prototype instead), and answers are compared as
 * canonical JSON text, which sees an own `__proto__` where an equality of objects may not.
 */

/** Keys that are not members but that a parser might still treat apart. */
const ODD_KEYS = ['', 'a.b', '$x', '#x'];

const own = (o: unknown, key: string): boolean => o !== null && typeof o === 'object' && Object.hasOwn(o, key);

const enc = encodeURIComponent;

describe('keys named like JavaScript members', () => {
  const gw = gatewayForFile();

  describe('Chroma, against Chroma 1.0.0', () => {
    let chroma: ChromaReference;
    /** The collection's id on each server. */
    const ids = { ours: '', theirs: '' };
    // A tenant and a database named like members: the scope every request below goes through.
    const P = '/api/v2/tenants/__proto__/databases/constructor';

    beforeAll(async () => {
      chroma = await startChromaReference();
    });

    afterAll(async () => {
      await chroma?.stop();
    });

    type Answer = { status: number; body: any };

    /** The same request to vecgate and to Chroma; `{id}` in the path is each server's collection id. */
    async function both(method: string, path: string, body?: unknown): Promise<{ ours: Answer; theirs: Answer }> {
      const [ours, theirs] = await Promise.all([
        http(gw.url, method, path.replace('{id}', ids.ours), body),
        http(chroma.url, method, path.replace('{id}', ids.theirs), body),
      ]);
      return { ours, theirs };
    }

    /** A get answer as rows sorted by id: Chroma does not say in which order get returns records. */
    function rows(body: any): string {
      const out = body.ids.map((id: string, i: number) => ({
        id,
        metadata: body.metadatas?.[i] ?? null,
        document: body.documents?.[i] ?? null,
      }));
      return canon(out.sort((a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    }

    /** Both servers answer 2xx, with the same rows. */
    async function sameGet(body: unknown, label: string): Promise<string[]> {
      const { ours, theirs } = await both('POST', `${P}/collections/{id}/get`, body);
      expect([label, ours.status]).toEqual([label, theirs.status]);
      expect(theirs.status).toBe(200);
      expect([label, rows(ours.body)]).toEqual([label, rows(theirs.body)]);
      return [...ours.body.ids].sort();
    }

    // Record i holds its own key as "mine", the next record's key as the number i, and n = i.
    const records = MEMBER_KEYS.map((key, i) => ({
      id: key,
      embedding: [i + 1, 1, 0],
      metadata: obj([
        [key, 'mine'],
        [MEMBER_KEYS[(i + 1) % MEMBER_KEYS.length], i],
        ['n', i],
      ]),
    }));
    const odd = { id: 'odd', embedding: [0, 0, 1], metadata: obj(ODD_KEYS.map((k, i) => [k, `odd-${i}`])) };

    it('creates a tenant, a database and collections named like members, with such metadata keys', async () => {
      for (const [path, body] of [
        ['/api/v2/tenants', { name: '__proto__' }],
        ['/api/v2/tenants/__proto__/databases', { name: 'constructor' }],
      ] as const) {
        const { ours, theirs } = await both('POST', path, body);
        expect(ours.status).toBe(theirs.status);
        expect(ours.status).toBe(200);
      }
      const metadata = obj(MEMBER_KEYS.map((k, i) => [k, i % 2 ? `m${i}` : i]));
      for (const name of ['constructor', 'toString', 'valueOf', 'prototype', 'hasOwnProperty']) {
        const { ours, theirs } = await both('POST', `${P}/collections`, { name, metadata });
        expect([name, ours.status]).toEqual([name, theirs.status]);
        expect(canon({ name: ours.body.name, metadata: ours.body.metadata })).toBe(canon({ name, metadata }));
        expect(canon(ours.body.metadata)).toBe(canon(theirs.body.metadata));
        if (name === 'constructor') {
          ids.ours = ours.body.id;
          ids.theirs = theirs.body.id;
        }
      }
      const listed = await both('GET', `${P}/collections`);
      const named = (list: any[]) =>
        canon(list.map((c) => ({ name: c.name, metadata: c.metadata })).sort((a, b) => (a.name < b.name ? -1 : 1)));
      expect(named(listed.ours.body)).toBe(named(listed.theirs.body));
      expect(listed.ours.body).toHaveLength(5);
      for (const name of ['toString', 'constructor']) {
        const one = await both('GET', `${P}/collections/${name}`);
        expect(one.ours.status).toBe(200);
        expect(canon(one.ours.body.metadata)).toBe(canon(one.theirs.body.metadata));
      }
      // A database or collection that does not exist is a 404, whatever its name.
      for (const path of [`/api/v2/tenants/__proto__/databases/toString`, `${P}/collections/__defineGetter__`]) {
        const { ours, theirs } = await both('GET', path);
        expect([path, ours.status]).toEqual([path, theirs.status]);
        expect(ours.status).toBe(404);
      }
    });

    it('stores records whose ids and metadata keys are member names, and returns them exactly', async () => {
      const all = [...records, odd];
      const added = await both('POST', `${P}/collections/{id}/add`, {
        ids: all.map((r) => r.id),
        embeddings: all.map((r) => r.embedding),
        metadatas: all.map((r) => r.metadata),
        documents: all.map((r) => `document of ${r.id}`),
      });
      expect(added.ours.status).toBe(added.theirs.status);
      expect(added.ours.status).toBe(201);
      const got = await both('POST', `${P}/collections/{id}/get`, { include: ['metadatas', 'documents'] });
      expect(rows(got.ours.body)).toBe(rows(got.theirs.body));
      // What was sent, key for key: nothing dropped, nothing renamed.
      expect(rows(got.ours.body)).toBe(
        canon(
          all
            .map((r) => ({ id: r.id, metadata: r.metadata, document: `document of ${r.id}` }))
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        ),
      );
      // By id: every member-named id, and one that is not stored.
      expect(await sameGet({ ids: [...MEMBER_KEYS, '__lookupGetter__'], include: ['metadatas'] }, 'ids')).toEqual(
        [...MEMBER_KEYS].sort(),
      );
      expect(await sameGet({ ids: ['__lookupGetter__'] }, 'missing id')).toEqual([]);
      // Query answers carry the same metadata.
      const queried = await both('POST', `${P}/collections/{id}/query`, {
        query_embeddings: [[1, 1, 0]],
        n_results: 8,
        include: ['metadatas', 'distances'],
      });
      expect(queried.ours.status).toBe(200);
      expect(canon(queried.ours.body.ids)).toBe(canon(queried.theirs.body.ids));
      expect(canon(queried.ours.body.metadatas)).toBe(canon(queried.theirs.body.metadatas));
      expect(canon(queried.ours.body.distances)).toBe(canon(queried.theirs.body.distances));
    });

    it('filters on member-named keys with equality and every operator, as Chroma does', async () => {
      for (const [i, key] of MEMBER_KEYS.entries()) {
        const before = MEMBER_KEYS[(i + MEMBER_KEYS.length - 1) % MEMBER_KEYS.length];
        expect(await sameGet({ where: obj([[key, 'mine']]) }, `${key} = mine`)).toEqual([key]);
        expect(await sameGet({ where: obj([[key, { $eq: 'mine' }]]) }, `${key} $eq`)).toEqual([key]);
        expect(await sameGet({ where: obj([[key, { $in: ['mine', 'other'] }]]) }, `${key} $in`)).toEqual([key]);
        expect(await sameGet({ where: obj([[key, { $gte: 0 }]]) }, `${key} $gte`)).toEqual([before]);
        expect(await sameGet({ where: obj([[key, { $lt: 100 }]]) }, `${key} $lt`)).toEqual([before]);
        const ne = await sameGet({ where: obj([[key, { $ne: 'mine' }]]) }, `${key} $ne`);
        expect(ne).not.toContain(key);
        expect(ne).toHaveLength(MEMBER_KEYS.length); // the other member records and odd
        await sameGet({ where: obj([[key, { $nin: ['mine'] }]]) }, `${key} $nin`);
      }
      expect(await sameGet({ where: { $and: [obj([['constructor', 'mine']]), { n: { $lt: 5 } }] } }, '$and')).toEqual([
        'constructor',
      ]);
      expect(
        await sameGet({ where: { $or: [obj([['__proto__', 'mine']]), obj([['toString', { $eq: 'mine' }]])] } }, '$or'),
      ).toEqual(['__proto__', 'toString']);
      // Keys that are not members, but look like paths or markers, are keys too.
      // `$x` too: a key to Chroma 1.0.0 and to vecgate; only `$and` and `$or` are operators there.
      for (const [i, key] of ODD_KEYS.entries())
        expect(await sameGet({ where: obj([[key, `odd-${i}`]]) }, `odd key ${JSON.stringify(key)}`)).toEqual(['odd']);
      // A query's where too.
      const queried = await both('POST', `${P}/collections/{id}/query`, {
        query_embeddings: [[1, 1, 0]],
        n_results: 3,
        where: obj([['valueOf', { $ne: 'mine' }]]),
        include: ['metadatas'],
      });
      expect(queried.ours.status).toBe(200);
      expect(canon(queried.ours.body)).toBe(canon({ ...queried.theirs.body, include: queried.ours.body.include }));
    });

    it('merges, updates and deletes by member-named keys and ids', async () => {
      for (const [route, body] of [
        [
          'upsert',
          {
            ids: ['__proto__'],
            embeddings: [[2, 1, 0]],
            metadatas: [
              obj([
                ['__proto__', null],
                ['toString', 'merged'],
                ['prototype', true],
              ]),
            ],
          },
        ],
        [
          'update',
          {
            ids: ['constructor'],
            metadatas: [
              obj([
                ['valueOf', 2.5],
                ['constructor', 'changed'],
              ]),
            ],
          },
        ],
        ['delete', { ids: ['prototype'] }],
        ['delete', { where: obj([['hasOwnProperty', 'mine']]) }],
      ] as const) {
        const { ours, theirs } = await both('POST', `${P}/collections/{id}/${route}`, body);
        expect([route, ours.status]).toEqual([route, theirs.status]);
        expect(ours.status).toBeLessThan(300);
      }
      const remaining = await sameGet({ include: ['metadatas'] }, 'after the writes');
      expect(remaining).toEqual(
        ['odd', ...MEMBER_KEYS.filter((k) => k !== 'prototype' && k !== 'hasOwnProperty')].sort(),
      );
      const proto = await http(gw.url, 'POST', `${P}/collections/${ids.ours}/get`, { ids: ['__proto__'] });
      expect(canon(proto.body.metadatas[0])).toBe(
        canon(
          obj([
            ['toString', 'merged'],
            ['prototype', true],
            ['n', 1],
          ]),
        ),
      );
      const counts = await both('GET', `${P}/collections/{id}/count`);
      expect(counts.ours.body).toBe(counts.theirs.body);
      // The collection's metadata, replaced by one of member keys.
      const modified = await both('PUT', `${P}/collections/{id}`, {
        new_metadata: obj([
          ['__proto__', 'new'],
          ['prototype', 0],
        ]),
      });
      expect(modified.ours.status).toBe(modified.theirs.status);
      const after = await both('GET', `${P}/collections/constructor`);
      expect(canon(after.ours.body.metadata)).toBe(canon(after.theirs.body.metadata));
      expect(canon(after.ours.body.metadata)).toBe(
        canon(
          obj([
            ['__proto__', 'new'],
            ['prototype', 0],
          ]),
        ),
      );
    });
  });

  describe("Chroma's schema and search API", () => {
    const P = '/api/v2/tenants/default_tenant/databases/default_database';
    const disabled = { string: { string_inverted_index: { enabled: false, config: {} } } };

    it('keeps schema entries for member-named keys and applies them to filters', async () => {
      const schema = {
        defaults: {},
        keys: obj([
          ['__proto__', disabled],
          ['constructor', disabled],
          // A value type Chroma does not know is ignored, whatever its name.
          [
            'valueOf',
            obj([
              ['constructor', {}],
              ['toString', { x: 1 }],
            ]),
          ],
        ]),
      };
      const made = await http(gw.url, 'POST', `${P}/collections`, { name: 'member-schema', schema });
      expect(made.status).toBe(200);
      const keys = made.body.schema.keys;
      for (const key of ['__proto__', 'constructor']) {
        expect(own(keys, key)).toBe(true);
        expect(canon(Object.getOwnPropertyDescriptor(keys, key)!.value)).toBe(canon(disabled));
      }
      expect(canon(Object.getOwnPropertyDescriptor(keys, 'valueOf')!.value)).toBe('{}');
      const again = await http(gw.url, 'GET', `${P}/collections/member-schema`);
      expect(canon(again.body.schema)).toBe(canon(made.body.schema));
      const id = made.body.id;
      await http(gw.url, 'POST', `${P}/collections/${id}/add`, {
        ids: ['a'],
        embeddings: [[1, 2]],
        metadatas: [
          obj([
            ['__proto__', 's'],
            ['toString', 's'],
          ]),
        ],
      });
      for (const key of ['__proto__', 'constructor']) {
        const refused = await http(gw.url, 'POST', `${P}/collections/${id}/get`, { where: obj([[key, 's']]) });
        expect(refused.status).toBe(400);
        expect(refused.body.message).toBe(
          `Cannot filter using metadata key '${key}' with type 'Str' because indexing is disabled`,
        );
      }
      const allowed = await http(gw.url, 'POST', `${P}/collections/${id}/get`, { where: obj([['toString', 's']]) });
      expect(allowed.status).toBe(200);
      expect(allowed.body.ids).toEqual(['a']);
    });

    it('indexes a sparse vector under a member-named key, and selects member-named fields', async () => {
      const sparseOn = (key: string) => ({
        defaults: {},
        keys: obj([[key, { sparse_vector: { sparse_vector_index: { enabled: true, config: { bm25: false } } } }]]),
      });
      const made = await http(gw.url, 'POST', `${P}/collections`, {
        name: 'member-sparse',
        schema: sparseOn('toString'),
      });
      expect(made.status).toBe(200);
      const id = made.body.id;
      const sparse = { indices: [3, 9], values: [1, 2] };
      const added = await http(gw.url, 'POST', `${P}/collections/${id}/add`, {
        ids: ['with', 'without'],
        embeddings: [
          [1, 0],
          [0, 1],
        ],
        metadatas: [
          obj([
            ['toString', sparse],
            ['constructor', 'c'],
          ]),
          obj([['valueOf', 1]]),
        ],
      });
      expect(added.status).toBe(201);
      // An upsert of other keys leaves the record's sparse vector alone: it does not "have" toString.
      const upserted = await http(gw.url, 'POST', `${P}/collections/${id}/upsert`, {
        ids: ['with'],
        embeddings: [[1, 0]],
        metadatas: [obj([['hasOwnProperty', 'h']])],
      });
      expect(upserted.status).toBe(200);
      const search = (select: string[]) =>
        http(gw.url, 'POST', `${P}/collections/${id}/search`, {
          searches: [
            { rank: { $knn: { query: { indices: [9], values: [1] }, key: 'toString' } }, select: { keys: select } },
          ],
        });
      const found = await search(['#score', 'toString', 'constructor', '__proto__']);
      expect(found.status).toBe(200);
      expect(found.body.ids).toEqual([['with']]);
      expect(canon(found.body.metadatas[0][0])).toBe(
        canon(
          obj([
            ['toString', sparse],
            ['constructor', 'c'],
          ]),
        ),
      );
      // Fields a record lacks are not there, member names or not: a record with none of them has null.
      const plain = await http(gw.url, 'POST', `${P}/collections/${id}/search`, {
        searches: [{ select: { keys: ['toString', 'constructor', '__proto__', 'valueOf'] } }],
      });
      expect(plain.status).toBe(200);
      const byId = Object.fromEntries(
        plain.body.ids[0].map((rid: string, i: number) => [rid, plain.body.metadatas[0][i]]),
      );
      expect(canon(byId.without)).toBe(canon({ valueOf: 1 }));
      expect(canon(byId.with)).toBe(
        canon(
          obj([
            ['toString', sparse],
            ['constructor', 'c'],
          ]),
        ),
      );
      const none = await http(gw.url, 'POST', `${P}/collections/${id}/search`, {
        searches: [{ filter: { valueOf: 1 }, select: { keys: ['toString', 'constructor', '__proto__'] } }],
      });
      expect(none.body.metadatas).toEqual([[null]]);
    });
  });

  describe('Pinecone', () => {
    const DIM = 2;
    /** Metadata of every Pinecone value type under member keys: record i has "mine" under its own key, i under the others. */
    const metadataOf = (i: number) =>
      obj([
        ...MEMBER_KEYS.map((k, j): [string, unknown] => [k, j === i ? 'mine' : i]),
        ['list', [MEMBER_KEYS[i], 'shared']],
        ['flag', i % 2 === 0],
      ]);
    const vectors = MEMBER_KEYS.map((id, i) => ({ id, values: [i + 1, 1], metadata: metadataOf(i) }));
    const post = (path: string, body: unknown) => http(gw.url, 'POST', path, body);
    const fetchIds = (index: string, namespace: string, fetched: string[]) =>
      http(
        gw.url,
        'GET',
        `/indexes/${index}/vectors/fetch?namespace=${enc(namespace)}&${fetched.map((i) => `ids=${enc(i)}`).join('&')}`,
      );

    beforeAll(async () => {
      const made = await post('/indexes', {
        name: 'constructor',
        dimension: DIM,
        metric: 'euclidean',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        tags: obj([
          ['constructor', 'c'],
          ['__proto__', 'p'],
        ]),
      });
      expect(made.status).toBe(201);
      for (const namespace of ['__proto__', 'constructor', 'toString']) {
        const up = await post('/indexes/constructor/vectors/upsert', { namespace, vectors });
        expect(up.status).toBe(200);
        expect(up.body.upsertedCount).toBe(MEMBER_KEYS.length);
      }
    });

    it('fetches records whose ids are member names, each under its own key of the answer', async () => {
      const res = await fetchIds('constructor', '__proto__', [...MEMBER_KEYS, '__lookupGetter__']);
      expect(res.status).toBe(200);
      expect(res.body.namespace).toBe('__proto__');
      expect(Object.keys(res.body.vectors).sort()).toEqual([...MEMBER_KEYS].sort());
      for (const v of vectors) {
        expect(own(res.body.vectors, v.id)).toBe(true);
        const got = Object.getOwnPropertyDescriptor(res.body.vectors, v.id)!.value;
        expect(canon(got)).toBe(canon(v));
      }
      // The same records through query: fetch and query agree.
      const queried = await post('/indexes/constructor/query', {
        namespace: '__proto__',
        vector: [1, 1],
        topK: 10,
        includeMetadata: true,
        includeValues: true,
      });
      expect(queried.status).toBe(200);
      expect(queried.body.matches.map((m: { id: string }) => m.id).sort()).toEqual([...MEMBER_KEYS].sort());
      for (const m of queried.body.matches) {
        const sent = vectors.find((v) => v.id === m.id)!;
        expect(canon({ id: m.id, values: m.values, metadata: m.metadata })).toBe(canon(sent));
      }
    });

    it('filters on member-named keys with equality and operators, in query and fetch_by_metadata', async () => {
      for (const [i, key] of MEMBER_KEYS.entries()) {
        const filters: [unknown, string[]][] = [
          [obj([[key, 'mine']]), [key]],
          [obj([[key, { $eq: 'mine' }]]), [key]],
          [obj([[key, { $in: ['mine'] }]]), [key]],
          [obj([[key, { $ne: 'mine' }]]), MEMBER_KEYS.filter((k) => k !== key)],
          [obj([[key, { $gte: i }]]), MEMBER_KEYS.filter((_k, j) => j > i)],
          [obj([[key, { $exists: true }]]), MEMBER_KEYS],
          [{ list: { $in: [key] } }, [key]],
        ];
        for (const [filter, expected] of filters) {
          const queried = await post('/indexes/constructor/query', {
            namespace: 'toString',
            vector: [1, 1],
            topK: 10,
            filter,
          });
          expect([canon(filter), queried.status]).toEqual([canon(filter), 200]);
          expect([canon(filter), queried.body.matches.map((m: { id: string }) => m.id).sort()]).toEqual([
            canon(filter),
            [...expected].sort(),
          ]);
          const byMetadata = await post('/indexes/constructor/vectors/fetch_by_metadata', {
            namespace: 'toString',
            filter,
          });
          expect(byMetadata.status).toBe(200);
          expect([canon(filter), Object.keys(byMetadata.body.vectors).sort()]).toEqual([
            canon(filter),
            [...expected].sort(),
          ]);
        }
      }
      const both = await post('/indexes/constructor/query', {
        namespace: 'toString',
        vector: [1, 1],
        topK: 10,
        filter: { $or: [obj([['__proto__', 'mine']]), obj([['valueOf', { $eq: 'mine' }]])] },
      });
      expect(both.body.matches.map((m: { id: string }) => m.id).sort()).toEqual(['__proto__', 'valueOf']);
    });

    it('updates, lists, counts and deletes by member-named ids, keys and namespaces', async () => {
      const byId = await post('/indexes/constructor/vectors/update', {
        namespace: 'constructor',
        id: '__proto__',
        setMetadata: obj([
          ['__proto__', 'changed'],
          ['__defineGetter__', 'g'],
        ]),
      });
      expect(byId.status).toBe(200);
      const byFilter = await post('/indexes/constructor/vectors/update', {
        namespace: 'constructor',
        filter: obj([['toString', 'mine']]),
        setMetadata: obj([['prototype', 'set']]),
      });
      expect(byFilter.body.matchedRecords).toBe(1);
      const fetched = await fetchIds('constructor', 'constructor', ['__proto__', 'toString']);
      expect(own(fetched.body.vectors, '__proto__')).toBe(true);
      const proto = Object.getOwnPropertyDescriptor(fetched.body.vectors, '__proto__')!.value;
      expect(proto.metadata.__defineGetter__).toBe('g');
      expect(Object.getOwnPropertyDescriptor(proto.metadata, '__proto__')!.value).toBe('changed');
      expect(fetched.body.vectors.toString.metadata.prototype).toBe('set');

      const listed = await http(gw.url, 'GET', '/indexes/constructor/vectors/list?namespace=__proto__&prefix=__');
      expect(listed.body.vectors.map((v: { id: string }) => v.id)).toEqual(['__defineGetter__', '__proto__']);

      const stats = await post('/indexes/constructor/describe_index_stats', {});
      expect(canon(stats.body.namespaces)).toBe(
        canon(
          obj([
            ['__proto__', { vectorCount: 7 }],
            ['constructor', { vectorCount: 7 }],
            ['toString', { vectorCount: 7 }],
          ]),
        ),
      );
      const filteredStats = await post('/indexes/constructor/describe_index_stats', {
        filter: obj([['constructor', 'mine']]),
      });
      expect(filteredStats.body.totalVectorCount).toBe(3);
      const namespaces = await http(gw.url, 'GET', '/indexes/constructor/namespaces');
      expect(namespaces.body.namespaces.map((n: { name: string }) => n.name).sort()).toEqual([
        '__proto__',
        'constructor',
        'toString',
      ]);
      const described = await http(gw.url, 'GET', '/indexes/constructor/namespaces/__proto__');
      expect(described.body).toMatchObject({ name: '__proto__', record_count: 7 });

      expect(
        (await post('/indexes/constructor/vectors/delete', { namespace: '__proto__', ids: ['__proto__'] })).status,
      ).toBe(200);
      const deleted = await post('/indexes/constructor/vectors/delete', {
        namespace: '__proto__',
        filter: obj([['constructor', { $eq: 'mine' }]]),
      });
      expect(deleted.status).toBe(200);
      const left = await fetchIds('constructor', '__proto__', MEMBER_KEYS);
      expect(Object.keys(left.body.vectors).sort()).toEqual(
        MEMBER_KEYS.filter((k) => k !== '__proto__' && k !== 'constructor').sort(),
      );
      // Other namespaces named like members are untouched.
      const other = await fetchIds('constructor', 'toString', MEMBER_KEYS);
      expect(Object.keys(other.body.vectors)).toHaveLength(7);
      expect((await http(gw.url, 'DELETE', '/indexes/constructor/namespaces/__proto__')).status).toBeLessThan(300);
      const gone = await post('/indexes/constructor/describe_index_stats', {});
      expect(Object.keys(gone.body.namespaces).sort()).toEqual(['constructor', 'toString']);
    });

    it('keeps member-named tags and metadata schema fields of an index', async () => {
      const described = await http(gw.url, 'GET', '/indexes/constructor');
      expect(canon(described.body.tags)).toBe(
        canon(
          obj([
            ['constructor', 'c'],
            ['__proto__', 'p'],
          ]),
        ),
      );
      const configured = await http(gw.url, 'PATCH', '/indexes/constructor', {
        tags: obj([
          ['__proto__', ''],
          ['valueOf', 'v'],
        ]),
      });
      expect(configured.status).toBe(200);
      expect(canon(configured.body.tags)).toBe(
        canon(
          obj([
            ['constructor', 'c'],
            ['valueOf', 'v'],
          ]),
        ),
      );

      const made = await post('/indexes', {
        name: 'prototype',
        dimension: DIM,
        metric: 'cosine',
        spec: {
          serverless: {
            cloud: 'aws',
            region: 'us-east-1',
            schema: {
              fields: obj([
                ['constructor', { filterable: true }],
                ['__proto__', { filterable: true }],
              ]),
            },
          },
        },
      });
      expect(made.status).toBe(201);
      const fields = made.body.schema.fields;
      for (const key of ['constructor', '__proto__']) {
        expect(own(fields, key)).toBe(true);
        expect(Object.getOwnPropertyDescriptor(fields, key)!.value).toEqual({ filterable: true });
      }
      await post('/indexes/prototype/vectors/upsert', { vectors });
      const query = (filter: unknown) =>
        post('/indexes/prototype/query', { vector: [1, 1], topK: 10, filter }).then((r) =>
          r.body.matches.map((m: { id: string }) => m.id),
        );
      expect(await query(obj([['__proto__', 'mine']]))).toEqual(['__proto__']);
      expect(await query(obj([['constructor', { $in: ['mine'] }]]))).toEqual(['constructor']);
      // A key the schema leaves out is absent from every record, member name or not.
      expect(await query(obj([['toString', 'mine']]))).toEqual([]);
    });
  });

  describe('Vectorizer and its /qdrant routes', () => {
    /** A payload with member keys at the top and nested two levels down. */
    const payloadOf = (i: number) =>
      obj([
        [MEMBER_KEYS[i], 'mine'],
        ['n', i],
        [
          'nested',
          obj([
            [
              MEMBER_KEYS[i],
              obj([
                ['constructor', i],
                ['__proto__', [MEMBER_KEYS[i]]],
              ]),
            ],
          ]),
        ],
        ['deep', obj(MEMBER_KEYS.map((k) => [k, obj([['valueOf', k === MEMBER_KEYS[i] ? 'mine' : 'other']])]))],
      ]);
    const items = MEMBER_KEYS.map((id, i) => ({ id, embedding: [i + 1, 1, 0], payload: payloadOf(i) }));

    beforeAll(async () => {
      // (Pinecone's indexes above are collections of the same store: `constructor` and `prototype` are taken.)
      for (const name of ['__proto__', 'toString']) {
        const made = await http(gw.url, 'POST', '/collections', { name, dimension: 3, metric: 'euclidean' });
        expect([name, made.status]).toEqual([name, 200]);
        const inserted = await http(gw.url, 'POST', '/insert_vectors', { collection: name, vectors: items });
        expect(inserted.status).toBe(200);
        expect(inserted.body.inserted).toBe(MEMBER_KEYS.length);
      }
    });

    const searchIds = async (collection: string, filter: unknown): Promise<string[]> => {
      const res = await http(gw.url, 'POST', `/collections/${enc(collection)}/search`, {
        vector: [1, 1, 0],
        limit: 10,
        filter,
      });
      expect([canon(filter), res.status]).toEqual([canon(filter), 200]);
      return res.body.results.map((r: { id: string }) => r.id).sort();
    };

    it('lists collections named like members, and reads vectors by member-named ids with nested payloads', async () => {
      const listed = await http(gw.url, 'GET', '/collections');
      const names = listed.body.collections.map((c: { name: string }) => c.name);
      expect(names).toEqual(expect.arrayContaining(['__proto__', 'toString']));
      for (const name of ['__proto__', 'toString']) {
        const described = await http(gw.url, 'GET', `/collections/${enc(name)}`);
        expect(described.status).toBe(200);
        expect(described.body.name).toBe(name);
        for (const item of items) {
          const one = await http(gw.url, 'GET', `/collections/${enc(name)}/vectors/${enc(item.id)}`);
          expect(one.status).toBe(200);
          expect(canon(one.body.payload)).toBe(canon(item.payload));
        }
        const all = await http(gw.url, 'GET', `/collections/${enc(name)}/vectors?limit=100`);
        const byId = Object.fromEntries(all.body.vectors.map((v: any) => [v.id, v.payload]));
        expect(canon(byId)).toBe(canon(Object.fromEntries(items.map((item) => [item.id, item.payload]))));
      }
      const missing = await http(gw.url, 'GET', `/collections/${enc('__lookupGetter__')}`);
      expect(missing.status).toBe(404);
    });

    it('filters on member-named keys at any depth, in every filter shape', async () => {
      for (const [i, key] of MEMBER_KEYS.entries()) {
        expect(await searchIds('__proto__', obj([[key, 'mine']]))).toEqual([key]);
        expect(await searchIds('__proto__', obj([[key, { $eq: 'mine' }]]))).toEqual([key]);
        expect(await searchIds('__proto__', obj([[key, { $in: ['mine'] }]]))).toEqual([key]);
        expect(await searchIds('__proto__', obj([[key, { $exists: false }]]))).toEqual(
          MEMBER_KEYS.filter((k) => k !== key).sort(),
        );
        expect(await searchIds('__proto__', obj([[`deep.${key}.valueOf`, 'mine']]))).toEqual([key]);
        expect(await searchIds('__proto__', obj([[`nested.${key}.constructor`, { $gte: i }]]))).toEqual([key]);
        expect(await searchIds('__proto__', obj([[`nested.${key}.__proto__`, key]]))).toEqual([key]);
        // The SDK's Qdrant shape and the server's tagged conditions.
        expect(await searchIds('__proto__', { must: [{ key, match: { value: 'mine' } }] })).toEqual([key]);
        expect(await searchIds('__proto__', { must: [{ key, match: { any: ['mine', 'x'] } }] })).toEqual([key]);
        expect(await searchIds('__proto__', { must: [{ type: 'match', key, match_value: 'mine' }] })).toEqual([key]);
        expect(
          await searchIds('__proto__', {
            must: [{ type: 'range', key: `nested.${key}.constructor`, range: { lte: i } }],
          }),
        ).toEqual([key]);
        expect(await searchIds('__proto__', { must_not: [{ key, match: { value: 'mine' } }] })).toHaveLength(
          MEMBER_KEYS.length - 1,
        );
      }
    });

    it('updates and deletes by member-named ids and filters', async () => {
      const updated = await http(gw.url, 'POST', '/batch_update', {
        collection: 'toString',
        updates: [
          {
            id: '__proto__',
            payload: obj([
              ['__proto__', obj([['toString', 'x']])],
              ['prototype', 1],
            ]),
          },
        ],
      });
      expect(updated.status).toBe(200);
      const one = await http(gw.url, 'GET', `/collections/toString/vectors/__proto__`);
      expect(canon(one.body.payload)).toBe(
        canon(
          obj([
            ['__proto__', obj([['toString', 'x']])],
            ['prototype', 1],
          ]),
        ),
      );
      expect(await searchIds('toString', obj([['__proto__.toString', 'x']]))).toEqual(['__proto__']);

      const removed = await http(gw.url, 'DELETE', '/collections/toString/vectors/constructor');
      expect(removed.status).toBe(200);
      const byFilter = await http(gw.url, 'POST', '/collections/toString/delete_by_filter', {
        filter: obj([['hasOwnProperty', 'mine']]),
      });
      expect(byFilter.status).toBe(200);
      expect(byFilter.body.deleted).toBe(1);
      const all = await http(gw.url, 'GET', '/collections/toString/vectors?limit=100');
      expect(all.body.vectors.map((v: { id: string }) => v.id).sort()).toEqual(
        MEMBER_KEYS.filter((k) => k !== 'constructor' && k !== 'hasOwnProperty').sort(),
      );
    });

    it('serves member-named collections, point ids and payload keys on /qdrant', async () => {
      const Q = '/qdrant/collections/valueOf';
      expect((await http(gw.url, 'PUT', Q, { vectors: { size: 3, distance: 'Dot' } })).status).toBe(200);
      const points = items.map((item) => ({ id: item.id, vector: item.embedding, payload: item.payload }));
      expect((await http(gw.url, 'PUT', `${Q}/points`, { points })).status).toBe(200);
      const payloads = (result: any[]) =>
        canon(Object.fromEntries(result.map((p: { id: string; payload: unknown }) => [p.id, p.payload])));
      const expected = canon(Object.fromEntries(items.map((item) => [item.id, item.payload])));
      const retrieved = await http(gw.url, 'POST', `${Q}/points`, { ids: MEMBER_KEYS, with_payload: true });
      expect(retrieved.status).toBe(200);
      expect(payloads(retrieved.body.result)).toBe(expected);
      const byQuery = await http(gw.url, 'GET', `${Q}/points?ids=${MEMBER_KEYS.map(enc).join(',')}`);
      expect(payloads(byQuery.body.result)).toBe(expected);
      const scrolled = await http(gw.url, 'POST', `${Q}/points/scroll`, {
        limit: 100,
        filter: { must: [{ key: 'deep.toString.valueOf', match: { value: 'mine' } }] },
      });
      expect(scrolled.body.result.points.map((p: { id: string }) => p.id)).toEqual(['toString']);
      const counted = await http(gw.url, 'POST', `${Q}/points/count`, {
        filter: {
          should: [
            { key: '__proto__', match: { value: 'mine' } },
            { key: 'valueOf', match: { value: 'mine' } },
          ],
        },
      });
      expect(counted.body.result.count).toBe(2);
      const searched = await http(gw.url, 'POST', `${Q}/points/search`, {
        vector: [1, 1, 0],
        limit: 10,
        filter: { must: [{ key: 'nested.__defineGetter__.__proto__', match: { value: '__defineGetter__' } }] },
      });
      expect(searched.body.result.map((p: { id: string }) => p.id)).toEqual(['__defineGetter__']);
      expect((await http(gw.url, 'POST', `${Q}/points/delete`, { points: ['__proto__', 'constructor'] })).status).toBe(
        200,
      );
      const left = await http(gw.url, 'POST', `${Q}/points/count`, {});
      expect(left.body.result.count).toBe(MEMBER_KEYS.length - 2);
      const listed = await http(gw.url, 'GET', '/qdrant/collections');
      expect(JSON.stringify(listed.body)).toContain('"valueOf"');
    });
  });
});
