import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pinecone } from '@pinecone-database/pinecone';
import { gatewayForFile } from '../../support/gateway';
import { round } from '../../support/bm25';
import { indexName, pineconeClient, prng } from '../../support/pinecone';
import { leafTsquery } from '../../../src/core/text/text-query';

/**
 * Phrases decided from the postings' positions (migrations/031), not from each record's analysed
 * value: every answer is checked against `t<n> @@ tsquery` on the records themselves (what a
 * phrase was decided by before), for phrases with stop-word gaps, repeated words, words held many
 * times by a record, slops, records whose text changes, and postings made before the positions
 * were kept.
 */
describe('Pinecone document phrases, decided from the postings', () => {
  const gw = gatewayForFile();
  let pc: Pinecone;
  const name = indexName('phrases');
  const NS = 'ns';
  const WORDS = ['pump', 'valve', 'seal', 'tank', 'motor'];
  let table = '';
  let positions: Record<'title' | 'body', number>;

  beforeAll(async () => {
    pc = pineconeClient(gw);
    await pc.indexes.create({
      name,
      schema: {
        fields: {
          title: { type: 'string', fullTextSearch: {} },
          body: { type: 'string', fullTextSearch: { language: 'en', stemming: true, stopWords: true } },
        },
      },
    });
    // Few words, long titles: most records hold each word of a phrase, most of them many times.
    const next = prng(11);
    const documents = Array.from({ length: 90 }, (_, i) => ({
      _id: `d${String(i).padStart(2, '0')}`,
      title: Array.from({ length: 3 + Math.floor(next() * 14) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(
        ' ',
      ),
      body: [
        'the valve of the tank leaked',
        'a valve and a tank',
        'tanks of valves, valves of tanks',
        'pumps are running and the pumps are leaking',
      ][i % 4],
    }));
    await pc.index(name).namespace(NS).documents.upsert({ documents });
    const { rows } = await gw.db.query<{ table_name: string; path: string[]; position: number }>(
      `SELECT c.table_name, f.path, f.position FROM vecgate_collections c
       JOIN vecgate_text_fields f ON f.collection_id = c.id WHERE c.name = $1`,
      [name],
    );
    table = rows[0].table_name;
    positions = Object.fromEntries(rows.map((r) => [r.path[0], r.position])) as typeof positions;
  });

  const search = async (query: string) =>
    (
      await pc
        .index(name)
        .namespace(NS)
        .documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 1000 })
    ).matches.map((m) => [m._id, m._score as number] as [string, number]);

  /** The records whose analysed value holds the phrase, as `@@` decides it (the tsquery search compiled before). */
  async function holding(field: 'title' | 'body', text: string, slop: number, namespace = NS): Promise<string[]> {
    const position = positions[field];
    const { rows: lexemes } = await gw.db.query<{ lexeme: string; pos: number }>(
      `SELECT l.lexeme, l.pos FROM vecgate_collections c JOIN vecgate_text_fields f ON f.collection_id = c.id,
         vecgate_text_query_lexemes(f.config, f.analyzer, $3) l
       WHERE c.name = $1 AND f.position = $2 ORDER BY l.pos`,
      [name, position, text],
    );
    const tsquery = leafTsquery({ kind: 'phrase', position, text, slop, prefix: false, boost: 1 }, lexemes);
    const { rows } = await gw.db.query<{ id: string }>(
      `SELECT id FROM vecgate_records."${table}" WHERE namespace = $1 AND t${position} @@ $2::tsquery
       ORDER BY id COLLATE "C"`,
      [namespace, tsquery],
    );
    return rows.map((r) => r.id);
  }

  /** The phrase's answer: the records `@@` finds, each scored as the sum of its words' BM25 (a words search of them). */
  async function expectAsBefore(field: 'title' | 'body', text: string, slop = 0) {
    const found = await search(`${field}:("${text}"${slop ? `~${slop}` : ''})`);
    const held = await holding(field, text, slop);
    expect({ text, slop, ids: found.map(([id]) => id).sort() }).toEqual({ text, slop, ids: held });
    const words = new Map(
      (
        await pc
          .index(name)
          .namespace(NS)
          .documents.search({ scoreBy: [{ type: 'text', fields: [field], query: text }], topK: 1000 })
      ).matches.map((m) => [m._id, m._score as number]),
    );
    expect(round(found)).toEqual(round(found.map(([id]) => [id, words.get(id)!])));
    return found.map(([id]) => id);
  }

  it('answers every phrase as the records’ own analysed values do, with and without slop', async () => {
    const next = prng(5);
    let matched = 0;
    for (let i = 0; i < 24; i++) {
      const length = 2 + Math.floor(next() * 3);
      const text = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
      for (const slop of [0, 1, 3]) matched += (await expectAsBefore('title', text, slop)).length;
    }
    expect(matched).toBeGreaterThan(100); // the phrases match, not only fail alike
  });

  it('matches repeated words, and words a record holds many times, at their own distances', async () => {
    const ns = pc.index(name).namespace('own');
    await ns.documents.upsert({
      documents: [
        { _id: 'twice', title: 'pump pump valve' },
        { _id: 'apart', title: 'pump valve pump' },
        // pump at 1, 4, 6; seal at 2, 5; valve at 3, 7.
        { _id: 'many', title: 'pump seal valve pump seal pump valve' },
      ],
    });
    const ids = async (query: string) =>
      (await ns.documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 10 })).matches
        .map((m) => m._id)
        .sort();
    expect(await ids('title:("pump pump")')).toEqual(['twice']);
    expect(await ids('title:("pump pump"~1)')).toEqual(['apart', 'many', 'twice']); // many: 4, 6
    expect(await ids('title:("pump valve")')).toEqual(['apart', 'many', 'twice']); // many: 6, 7
    expect(await ids('title:("seal valve pump")')).toEqual(['many']); // 2, 3, 4
    expect(await ids('title:("valve seal")')).toEqual([]);
    expect(await ids('title:("valve seal"~1)')).toEqual(['many']); // 3, 5
    expect(await ids('title:("seal pump")')).toEqual(['many']); // 5, 6
    expect(await ids('title:("valve pump pump")')).toEqual([]);
    expect(await ids('title:("valve pump pump"~2)')).toEqual(['many']); // 3, 4, 6
    for (const [text, slop] of [
      ['pump pump', 0],
      ['pump pump', 1],
      ['valve seal', 1],
      ['valve pump pump', 2],
      ['pump pump pump', 4],
    ] as const)
      expect(await ids(`title:("${text}"~${slop})`)).toEqual(await holding('title', text, slop, 'own'));
  });

  it('keeps the gaps stop words leave, in the query and in the value', async () => {
    // Query "valve of a tank": valve 1, tank 4. Values: "the valve of the tank leaked" and "a valve
    // and a tank", valve 2, tank 5 (23 records each); "tanks of valves, valves of tanks", valv 3
    // and 4, tank 1 and 6 (22); "pumps are running and the pumps are leaking", pump 1 and 6 (22).
    expect((await expectAsBefore('body', 'valve of a tank')).length).toBe(68);
    expect(await expectAsBefore('body', 'valve tank')).toEqual([]);
    expect((await expectAsBefore('body', 'valve tank', 2)).length).toBe(68);
    expect((await expectAsBefore('body', 'valves of tanks')).length).toBe(22); // stemmed: valv 4, tank 6
    expect((await expectAsBefore('body', 'pumps are running')).length).toBe(22);
    expect((await expectAsBefore('body', 'pump the pump', 3)).length).toBe(22); // a gap of 2, widened to 5
    expect(await expectAsBefore('body', 'pump the pump', 2)).toEqual([]);
  });

  it('follows a record whose text changes, and one whose words only move', async () => {
    const ns = pc.index(name).namespace('moved');
    const ids = async (query: string) =>
      (await ns.documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 10 })).matches.map((m) => m._id);
    await ns.documents.upsert({ documents: [{ _id: 'm', title: 'pump seal valve' }] });
    expect(await ids('title:("pump seal")')).toEqual(['m']);
    expect(await ids('title:("pump valve")')).toEqual([]);
    // The same words, moved: every posting's positions change, no word does.
    await ns.documents.update({ documents: [{ _id: 'm', title: 'seal pump valve' }] });
    expect(await ids('title:("pump seal")')).toEqual([]);
    expect(await ids('title:("pump valve")')).toEqual(['m']);
    await ns.documents.upsert({ documents: [{ _id: 'm', title: 'tank pump tank seal', k: 1 }] });
    expect(await ids('title:("pump valve")')).toEqual([]);
    expect(await ids('title:("pump tank seal")')).toEqual(['m']);
    await ns.documents.update({ filter: { k: { $eq: 1 } }, setFields: { title: 'seal seal pump' } });
    expect(await ids('title:("seal pump")')).toEqual(['m']);
    expect(await ids('title:("pump tank")')).toEqual([]);
  });

  /** The statements a search sends that read the postings, as sent: text and values. */
  async function statementsOf(run: () => Promise<unknown>): Promise<string[][]> {
    const calls: string[][] = [];
    const query = gw.db.query.bind(gw.db);
    const session = gw.db.withSessionSettings.bind(gw.db);
    const keep = (text: unknown, values?: unknown[]) => {
      if (String(text).includes(`${table}_tp`)) calls.push([String(text), JSON.stringify(values ?? [])]);
    };
    const spy = jest.spyOn(gw.db, 'query').mockImplementation(((text: string, values?: unknown[]) => {
      keep(text, values);
      return query(text, values);
    }) as never);
    const sessions = jest.spyOn(gw.db, 'withSessionSettings').mockImplementation((settings, run, options) =>
      session(
        settings,
        (client) =>
          run({
            query: ((text: string, values?: unknown[]) => {
              keep(text, values);
              return client.query(text, values);
            }) as never,
          }),
        options,
      ),
    );
    try {
      await run();
    } finally {
      spy.mockRestore();
      sessions.mockRestore();
    }
    return calls;
  }

  it('reads no record before the top for a phrase: its statement plans one join with the record table', async () => {
    const calls = await statementsOf(() => search('title:("pump valve" seal)'));
    expect(calls).toHaveLength(1);
    const [text, values] = calls[0];
    const { rows } = await gw.db.query(`EXPLAIN (FORMAT JSON) ${text}`, JSON.parse(values));
    const plan = JSON.stringify(Object.values(rows[0])[0]);
    // The postings read, and the record table once: for the top's own rows, after the limit.
    expect(plan).toContain(`"Relation Name":"${table}_tp"`);
    expect(plan.split(`"Relation Name":"${table}"`).length - 1).toBe(1);
  });

  it('reads a phrase of a rare and a common word from the rare one’s postings, with the same answers', async () => {
    // pump in every record, gauge in 4: the statement reads gauge's 4 postings and probes pump's
    // for those records (migrations/033's frequencies decide), instead of merging all of pump's.
    const skew = pc.index(name).namespace('skew');
    await skew.documents.upsert({
      documents: Array.from({ length: 60 }, (_, i) => ({
        _id: `s${String(i).padStart(2, '0')}`,
        title:
          i % 15 === 0
            ? `pump gauge tank pump ${'valve '.repeat(i % 4)}gauge pump`
            : `pump tank ${'seal '.repeat(i % 5)}pump`,
      })),
    });
    const scored = async (query: string) =>
      (await skew.documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 100 })).matches.map(
        (m) => [m._id, m._score as number] as [string, number],
      );
    const words = new Map(await scored('title:(pump gauge)'));
    for (const [query, text, slop] of [
      ['title:("gauge pump")', 'gauge pump', 0],
      ['title:("pump gauge")', 'pump gauge', 0],
      ['title:("gauge pump"~2)', 'gauge pump', 2],
    ] as const) {
      const found = await scored(query);
      expect({ query, ids: found.map(([id]) => id).sort() }).toEqual({
        query,
        ids: await holding('title', text, slop, 'skew'),
      });
      expect(round(found)).toEqual(round(found.map(([id]) => [id, words.get(id)!])));
    }
    const both = await scored('title:(+gauge +pump)');
    expect(both.map(([id]) => id).sort()).toEqual(['s00', 's15', 's30', 's45']);
    expect(round(both)).toEqual(round(both.map(([id]) => [id, words.get(id)!])));
    // The probes ran once for each of gauge's 4 postings; the merge's ranges never.
    const [[text, values]] = await statementsOf(() => scored('title:("gauge pump")'));
    const { rows } = await gw.db.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${text}`, JSON.parse(values));
    const plan = rows.map((r) => String(Object.values(r)[0])).join('\n');
    const lines = plan.split('\n');
    const probes = lines.flatMap((l, i) => (/Index Cond: .*\(seq = /.test(l) ? [lines[i - 1]] : []));
    expect(probes.some((l) => /loops=4\)/.test(l))).toBe(true);
  });

  it('gives the postings made before positions were kept their positions (migration 031)', async () => {
    const before = await search('title:("pump valve")');
    const tp = `vecgate_records."${table}_tp"`;
    // A database migrated up to 030: postings without positions, written by 027's functions.
    const m027 = readFileSync(join(__dirname, '../../../migrations/027_text_postings.sql'), 'utf8');
    for (const fn of ['vecgate_text_postings_create', 'vecgate_text_postings_sync']) {
      const start = m027.indexOf(`CREATE FUNCTION ${fn}(`);
      const end = m027.indexOf('END $fn$;', start) + 'END $fn$;'.length;
      await gw.db.query(m027.slice(start, end).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    }
    await gw.db.query(`ALTER TABLE ${tp} DROP COLUMN pos`);
    await pc
      .index(name)
      .namespace('old')
      .documents.upsert({ documents: [{ _id: 'o', title: 'valve pump valve' }] });
    // Then 031 and what follows it that writes postings (033, their document frequencies).
    for (const m of ['031_text_posting_positions.sql', '033_text_document_frequencies.sql'])
      await gw.db.query(readFileSync(join(__dirname, '../../../migrations', m), 'utf8'));
    const { rows } = await gw.db.query<{ missing: number; differing: number; postings: number }>(
      `SELECT count(*) FILTER (WHERE p.pos IS NULL)::int AS missing,
              count(*) FILTER (WHERE p.pos IS DISTINCT FROM u.positions)::int AS differing, count(*)::int AS postings
       FROM ${tp} p JOIN vecgate_records."${table}" r ON r.namespace = p.namespace AND r.seq = p.seq
       CROSS JOIN LATERAL unnest(r.t${positions.title}) u WHERE p.position = $1 AND u.lexeme = p.term`,
      [positions.title],
    );
    expect(rows[0]).toMatchObject({ missing: 0, differing: 0 });
    expect(rows[0].postings).toBeGreaterThan(300);
    expect(round(await search('title:("pump valve")'))).toEqual(round(before));
    await expectAsBefore('title', 'seal tank pump', 1);
    const old = pc.index(name).namespace('old');
    const ids = async (query: string) =>
      (await old.documents.search({ scoreBy: [{ type: 'query_string', query }], topK: 10 })).matches.map((m) => m._id);
    expect(await ids('title:("pump valve")')).toEqual(['o']);
    expect(await ids('title:("pump pump")')).toEqual([]);
    // Written after: the new functions keep positions.
    await old.documents.upsert({ documents: [{ _id: 'n', title: 'pump pump' }] });
    expect(await ids('title:("pump pump")')).toEqual(['n']);
  });
});
