/**
 * A Chroma-shaped workload, run with the official chromadb client against vecgate on Postgres,
 * vecgate on embedded PGlite and a Chroma server, plus the gateway's own SQL sent straight to
 * Postgres ("direct SQL") and the HTTP floor, printed as one table.
 *
 * Targets: vecgate on DATABASE_URL (when it is set), vecgate embedded (when DATABASE_URL is unset,
 * or with --embedded), Chroma (unless --no-chroma), direct SQL and the HTTP floor (with
 * DATABASE_URL). Each server is filled alone, the others up and idle; the reads are then timed on
 * every target together, interleaved call by call, so that a machine whose speed drifts slows
 * them all alike; deletes and count follow, one server at a time. Direct SQL (bench/sql/records.ts)
 * has no server of its own: it reads the collection vecgate-on-Postgres filled, so both read the
 * same table with the same index. The HTTP floor (bench/servers/http-floor.ts) answers the same
 * client with the gateway's own response bytes and does nothing else: what the call costs before
 * any server work. Every call is made one at a time and timed from the caller: through the client
 * (HTTP and JSON included) for the servers, from the repository call to its last row for direct SQL.
 */
import { common, int, on, workload } from '../options';
import { Dataset } from '../data';
import { bullets, details, errorMessage, loadAverage, machineInfo, ms, progress, writeJson } from '../report';
import { external, startChromaReference, startVecgate, type Server } from '../servers/start';
import { openDirect, openFloor, type Companion } from './chroma/companions';
import { DELETE_BUDGET, K, plan, WARMUP } from './chroma/plan';
import { checks, recallOf, resultTable } from './chroma/report';
import {
  finishSession,
  KEYS,
  newResult,
  openSession,
  runPhase,
  TITLES,
  type Reader,
  type Session,
  type TargetKey,
  type TargetResult,
} from './chroma/targets';
import { dropCollection } from '../clients/chroma';

export default workload({
  name: 'chroma',
  about: 'vecgate on Postgres and embedded, Chroma 1.0.0, the same SQL sent directly, the HTTP floor',
  flags: {
    vecgate: common.vecgate,
    embedded: on('with DATABASE_URL: also run vecgate on embedded PGlite (always done without it)'),
    chroma: common.chroma,
    noChroma: common.noChroma,
    records: int('records to add', 20_000, { min: 200, smoke: 1000 }),
    dim: int('embedding dimension', 384, { min: 2, smoke: 32 }),
    reps: int('timed repetitions per read operation (default 100; deletes use fewer)', 100, { min: 1, smoke: 3 }),
    batch: int('records per add call', 500, { min: 1 }),
    seed: common.seed,
    json: common.json,
    smoke: on('tiny run for CI: 1000 records, dim 32, 3 reps (explicit flags still win)'),
  },
  notes:
    'A running vecgate (--vecgate) takes the Postgres column when DATABASE_URL is set (direct SQL then\n' +
    'expects it to run on DATABASE_URL), else the embedded one. Direct SQL and the HTTP floor run when\n' +
    "DATABASE_URL is set: the gateway's repository SQL, sent with pg from here.",
  check: (o) => (o.chroma && o.noChroma ? '--chroma and --no-chroma exclude each other' : undefined),
  async run(o) {
    const machine = machineInfo();
    const databaseUrl = process.env.DATABASE_URL || undefined;
    const name = `bench_${Date.now().toString(36)}_${process.pid}`;
    progress(`${o.records} records x ${o.dim} dims in batches of ${o.batch}, ${o.reps} reps, collection ${name}`);
    const data = new Dataset(o.seed, o.records, o.dim);
    const p = plan(data, o.reps, o.seed);

    // --vecgate stands in for the gateway of one column: Postgres when DATABASE_URL is set, else embedded.
    const externalKey: TargetKey = databaseUrl ? 'postgres' : 'embedded';
    const servers: { key: TargetKey; start: () => Promise<Server>; note?: [string, string] }[] = [];
    const vecgate = (key: TargetKey, start: () => Promise<Server>) =>
      servers.push(
        o.vecgate && key === externalKey
          ? { key, start: async () => external(o.vecgate!), note: ['backend', 'external (given by --vecgate)'] }
          : { key, start },
      );
    if (databaseUrl) vecgate('postgres', () => startVecgate({ databaseUrl }));
    if (!databaseUrl || o.embedded) vecgate('embedded', () => startVecgate({ databaseUrl: null }));
    if (o.chroma)
      servers.push({
        key: 'chroma',
        start: async () => external(o.chroma!),
        note: ['server', 'external (given by --chroma)'],
      });
    else if (!o.noChroma) servers.push({ key: 'chroma', start: () => startChromaReference() });
    const companions: Companion[] = [];

    // Each server is filled alone (the others up and idle), then all of them and the companions are
    // timed on the reads together, interleaved; deletes and count follow, one server at a time.
    const results: Partial<Record<TargetKey, TargetResult>> = {};
    const started: Server[] = [];
    const sessions: Session[] = [];
    try {
      for (const { key, start, note } of servers) {
        let server: Server;
        try {
          progress(`starting ${TITLES[key]}`);
          started.push((server = await start()));
          progress(`${TITLES[key]} up at ${server.url}`);
        } catch (err) {
          progress(`${TITLES[key]} did not start: ${errorMessage(err)}`);
          results[key] = { ...newResult(key), error: `did not start: ${errorMessage(err)}` };
          continue;
        }
        const { result, session } = await openSession(key, server, data, p, o, name);
        if (note) result.info[note[0]] = note[1];
        results[key] = result;
        if (session) sessions.push(session);
      }
      const readers: Reader[] = sessions.map((s) => s.reader);
      const gateway = sessions.find((s) => s.result.key === 'postgres');
      if (gateway && databaseUrl) {
        companions.push(await openDirect(databaseUrl, gateway, data, p, o), await openFloor(gateway, data, p, o));
        readers.push(...companions.flatMap((c) => c.reader ?? []));
      }
      await runPhase(readers, p.ops, 'read');
      while (sessions.length > 0) {
        const s = sessions.shift()!;
        await finishSession(s, p, s === gateway ? companions : []);
      }
    } finally {
      // Sessions left here were cut short by an error: their collections go all the same.
      for (const s of sessions) await dropCollection(s.client, s.collection.name, TITLES[s.result.key]);
      for (const c of companions) await c.close().catch(() => {});
      for (const server of started) await server.stop();
    }
    for (const c of companions) results[c.result.key] = c.result;
    const notRun = 'not run: vecgate on Postgres failed before its reads were done';
    if (databaseUrl && companions.length === 0)
      for (const key of ['direct', 'floor'] as const) results[key] = { ...newResult(key), error: notRun };
    machine['load average at end'] = loadAverage();

    const all = KEYS.map((k) => results[k]).filter((t): t is TargetResult => !!t);
    // The vecgate compared with Chroma: on Postgres when this run has it, else embedded.
    const vecgateKey: TargetKey = results.postgres ? 'postgres' : 'embedded';
    const table = resultTable(o, p, results, vecgateKey);
    const { ok, wrong } = checks(p, all);
    const out = [
      `# vecgate vs Chroma vs direct SQL: ${o.records} records x ${o.dim} dims, batches of ${o.batch}, ${o.reps} reps per read (after ${WARMUP} warm-up calls), seed ${o.seed}${o.smoke ? ' (smoke)' : ''}`,
      '',
      ...bullets(machine),
      ...all.map(
        (t) => `- ${TITLES[t.key]}: ${t.url || '(not started)'}${details(t.info) ? ` (${details(t.info)})` : ''}`,
      ),
      '',
      `cells: median ms (p95 ms); ratios: of the medians, vecgate/Chroma with ${TITLES[vecgateKey]}; recall@${K}: ${TITLES[vecgateKey]} (Chroma)`,
      '',
      table,
      '',
      'ingest (one client, sequential batches):',
    ];
    for (const t of all.filter((x) => x.key !== 'floor')) {
      const i = t.ingest;
      const ready =
        t.indexReadyMs !== undefined ? `, index ready ${(t.indexReadyMs / 1000).toFixed(2)} s after the last add` : '';
      out.push(
        `- ${TITLES[t.key]}: ${i ? `${(i.totalMs / 1000).toFixed(2)} s, ${Math.round(i.recordsPerSecond)} records/s, batch median ${ms(i.batch.median)} ms${ready}` : 'none'}`,
      );
    }
    out.push(
      `- deletes: ${p.deleteReps} of each kind by the servers, as many more of other records by direct SQL (at most ${DELETE_BUDGET * 100}% of the records in all)`,
      '',
      'checks:',
      ...ok.map((line) => `- ${line}`),
      ...wrong.map((line) => `- WRONG: ${line}`),
    );
    for (const t of all) {
      if (t.error) out.push(`- ${TITLES[t.key]} ERROR: ${t.error}`);
      for (const op of p.ops)
        if (t.ops[op.key]?.error) out.push(`- ${TITLES[t.key]} "${op.label}" ERROR: ${t.ops[op.key].error}`);
    }
    console.log(out.join('\n'));

    const strip = (t: TargetResult) => ({
      ...t,
      ops: Object.fromEntries(
        Object.entries(t.ops).map(([k, r]) => [k, { ...r, values: undefined, rows: r.values?.map((x) => x.rows) }]),
      ),
    });
    const recalls = p.ops
      .filter((op) => op.truth)
      .map((op) => [op.key, Object.fromEntries(all.map((t) => [t.key, recallOf(t, op)]))]);
    writeJson(o.json, {
      machine,
      options: o,
      collection: name,
      deleteReps: p.deleteReps,
      targets: Object.fromEntries(all.map((t) => [t.key, strip(t)])),
      recall: Object.fromEntries(recalls),
      table,
      checks: { ok, wrong },
    });
    return !all.some((t) => t.error || Object.values(t.ops).some((r) => r.error)) && wrong.length === 0;
  },
});
