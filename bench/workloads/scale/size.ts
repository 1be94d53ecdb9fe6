/** One size of the scale workload, on a fresh vecgate (or Chroma 1.0.0) and a fresh collection. */
import type { Collection } from 'chromadb';
import type { Client as PgClient } from 'pg';
import {
  chromaClient,
  chromaRunner,
  QUERY_INCLUDE,
  waitIndexed,
  waitTuned,
  WITHOUT_EMBEDDINGS,
  type Call,
  type Where,
} from '../../clients/chroma';
import { addBatch, BUCKETS, Dataset, int, params, recordId, sample } from '../../data';
import { errorMessage, failed, ms, progress, thousands } from '../../report';
import { MemorySampler, startChromaReference, startVecgate, type Server } from '../../servers/start';
import { exactTopK, tableSizes } from '../../sql/tables';
import { ingest, recall, repeat, summarize } from '../../stats';
import {
  K,
  WARMUP,
  type Known,
  type EfSearchResult,
  type Engine,
  type KindResult,
  type QueryKind,
  type Settings,
  type SizeResult,
} from './report';

/** Collections created and not deleted yet, to name on Ctrl-C. */
export const live = new Map<string, string>();

export async function runSize(
  databaseUrl: string,
  o: Settings,
  size: number,
  runTag: string,
  pg: PgClient,
  engine: Engine,
  known: Known,
): Promise<SizeResult> {
  const started = Date.now();
  const name = `scale_${size}_${runTag}`;
  const vecgate = engine === 'vecgate';
  const result: SizeResult = {
    size,
    engine,
    collection: name,
    gateway: { info: {} },
    kinds: {},
    efSearch: [],
    deleted: false,
    warnings: [],
  };
  const data = new Dataset(o.seed, size, o.dim);
  const truthCount = Math.min(o.queries, o.truth ?? (size <= 100_000 ? o.queries : 30));
  const at = `size ${thousands(size)}`;

  // Every call's parameters, fixed before the gateway starts.
  const pick = params(o.seed, 'param', 'scale');
  const qVectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('scale-none', i));
  const fVectors = Array.from({ length: o.queries }, (_, i) => data.queryVector('scale-bucket', i));
  const fBuckets = pick('bucket', o.queries, (r) => int(r, BUCKETS));
  const idSets = pick('ids', o.queries, (r) => sample(r, size, Math.min(100, size)).map(recordId));

  progress(`${at}: starting ${vecgate ? 'the gateway on DATABASE_URL' : 'Chroma 1.0.0'}`);
  let server: Server;
  try {
    server = vecgate ? await startVecgate({ databaseUrl }) : await startChromaReference();
  } catch (err) {
    result.error = `${engine} did not start: ${errorMessage(err)}`;
    return result;
  }
  result.gateway = { url: server.url, pid: server.pid, info: server.info };
  const sampler = server.pid ? new MemorySampler(server.pid) : undefined;
  const client = chromaClient(server.url);
  let collection: Collection | undefined;
  try {
    collection = await client.createCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: o.space } },
    });
    live.set(name, collection.id);
    result.collectionId = collection.id;
    if (vecgate) result.table = `r_${collection.id.replace(/-/g, '')}`;
    const space = collection.configuration?.hnsw?.space;
    if (space !== o.space) result.warnings.push(`asked for space ${o.space}, the collection says ${String(space)}`);
    progress(`${at}: collection ${name} (${collection.id}), ${o.space}, gateway ${server.url} pid ${server.pid}`);

    let nextReport = Math.ceil(size / 10);
    const c = collection;
    const ingested = await ingest(
      size,
      o.batch,
      (start, n) => addBatch(data, start, n),
      (b) => c.add(b),
      (done, last, elapsedMs) => {
        if (done < nextReport && done !== size) return;
        const elapsedS = elapsedMs / 1000;
        const etaS = done < size ? ((size - done) / done) * elapsedS : 0;
        progress(
          `${at}: added ${thousands(done)} in ${ms(elapsedS, 0)} s (${Math.round(done / elapsedS)} records/s so far, last batch ${ms(last)} ms, ` +
            `gateway RSS ${ms(sampler?.maxRssMiB, 0)} MiB peak${etaS ? `, ~${ms(etaS / 60, 1)} min to go at this rate` : ''})`,
        );
        nextReport += Math.ceil(size / 10);
      },
    );
    result.ingest = { ...ingested, batches: ingested.batchSamples.length };

    // Index build: from the last add until the gateway says everything is indexed; then vecgate's
    // search tuner measures the collection's recall and chooses its ef_search: the timed calls run
    // with what it chose, as a user's would. Chroma 1.0.0 has no indexing status: it indexes as it
    // takes the records, within the add calls.
    if (vecgate) {
      result.indexBuild = await waitIndexed(c, o.indexTimeout * 1000);
      const tuning = await waitTuned(c, o.indexTimeout * 1000);
      if (tuning) result.tuning = tuning;
      else result.warnings.push('no search tuning reported (VECGATE_RECALL_TARGET=0?)');
      progress(
        `${at}: ingest ${ms(ingested.totalMs / 1000, 1)} s, index ready ${ms(result.indexBuild.ms / 1000, 2)} s after the last add (${result.indexBuild.polls} polls)`,
      );
    }
    const count = await c.count();
    if (count !== size) result.warnings.push(`count after ingest is ${count}, expected ${size}`);
    if (vecgate) {
      result.storage = await tableSizes(pg, result.table!).catch(
        (err) => void result.warnings.push(`table size: ${errorMessage(err)}`),
      );
      if (result.storage && result.storage.hnswMiB === undefined)
        result.warnings.push('the record table has no HNSW index: queries are exact scans');
    }

    // Latency.
    const run = chromaRunner(c);
    const query = (vector: number[], where?: Where): Call => ({
      op: 'query',
      vector,
      n: K,
      where,
      include: QUERY_INCLUDE,
    });
    // The 1% filter expects K: a bucket of at least 200 records can hold fewer only at tiny sizes (checked below).
    const kinds: { key: QueryKind; label: string; expect: (i: number) => number; call: (i: number) => Call }[] = [
      {
        key: 'query',
        label: `query top ${K}, no filter`,
        expect: () => Math.min(K, size),
        call: (i) => query(qVectors[i]),
      },
      {
        key: 'query_filtered',
        label: `query top ${K}, bucket = b (1%)`,
        expect: () => K,
        call: (i) => query(fVectors[i], { bucket: fBuckets[i] }),
      },
      {
        key: 'get_ids',
        label: 'get 100 ids',
        expect: (i) => idSets[i].length,
        call: (i) => ({ op: 'get', ids: idSets[i], include: WITHOUT_EMBEDDINGS }),
      },
      { key: 'count', label: 'count', expect: () => size, call: () => ({ op: 'count' }) },
    ];
    /** Times one kind (--queries calls after the warm-up), keeping the ids each call returned. */
    const measure = async (kind: (typeof kinds)[number], tag = ''): Promise<{ kr: KindResult; ids?: string[][] }> => {
      const kr: KindResult = { label: kind.label, wrong: 0 };
      try {
        for (let w = 0; w < WARMUP; w++) await run(kind.call(w % o.queries));
        const { samples, values } = await repeat(o.queries, 0, (i) => run(kind.call(i)));
        kr.wrong = values.filter((v, i) => v.rows !== kind.expect(i)).length;
        kr.latency = summarize(samples);
        kr.samples = samples;
        progress(
          `${at}${tag}: ${kind.label}: p50 ${ms(kr.latency.median)} ms, p99 ${ms(kr.latency.p99)} ms${kr.wrong ? `, ${kr.wrong} WRONG` : ''}`,
        );
        return { kr, ids: values.map((v) => v.ids) };
      } catch (err) {
        failed(kr, `${at}${tag}: ${kind.label}`, err);
        return { kr };
      }
    };
    // A bucket with fewer than K records makes a short answer right (tiny sizes only).
    const recountShortBuckets = async (kr: KindResult, ids: string[][]) => {
      if (kr.wrong === 0) return;
      if (!known.inBucket && vecgate) {
        const { rows } = await pg.query(
          `SELECT (metadata->>'bucket')::int AS b, count(*)::int AS n FROM vecgate_records."${result.table}" WHERE (metadata->>'bucket')::int = ANY($1::int[]) GROUP BY 1`,
          [fBuckets],
        );
        known.inBucket = new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
      }
      const inBucket = known.inBucket;
      if (inBucket)
        kr.wrong = ids.filter((got, i) => got.length !== Math.min(K, inBucket.get(fBuckets[i]) ?? 0)).length;
    };
    const found: Partial<Record<QueryKind, string[][]>> = {};
    for (const kind of kinds) {
      const { kr, ids } = await measure(kind);
      result.kinds[kind.key] = kr;
      if (ids) found[kind.key] = ids;
    }
    if (result.kinds.query_filtered && found.query_filtered)
      await recountShortBuckets(result.kinds.query_filtered, found.query_filtered);

    // Recall against exact search in SQL (after the timed calls, so it does not disturb them); Chroma's on vecgate's exact answers.
    const truths = known.truths;
    const scored = (key: 'query' | 'query_filtered', kr: KindResult, ids: string[][], tag: string) => {
      kr.recall = recall(ids.slice(0, truthCount), truths[key]!);
      kr.truthQueries = truthCount;
      const exact = kr.truthMs ? ` (exact search ${ms(kr.truthMs / truthCount)} ms per query)` : '';
      progress(`${at}${tag}: ${kr.label}: recall@${K} ${ms(kr.recall * 100, 1)}%${exact}`);
    };
    for (const [key, vectors, buckets] of [
      ['query', qVectors, undefined],
      ['query_filtered', fVectors, fBuckets],
    ] as const) {
      const kr = result.kinds[key];
      if (!kr || !found[key]) continue;
      if (vecgate && truthCount > 0) {
        progress(`${at}: exact top ${K} in SQL for ${truthCount} "${kr.label}" queries`);
        const start = Date.now();
        truths[key] = await exactTopK(
          pg,
          result.table!,
          o,
          K,
          vectors.slice(0, truthCount),
          buckets?.slice(0, truthCount),
        );
        kr.truthMs = Date.now() - start;
      }
      if (truths[key]) scored(key, kr, found[key]!, vecgate ? '' : ' on chroma');
    }

    // The same two query kinds at other ef_search values, recall against the same exact answers.
    // Chroma 1.0.0 keeps the ef_search a collection was created with (measured: docs/benchmarks.md).
    for (const ef of vecgate ? o.efSearch : []) {
      const er: EfSearchResult = { efSearch: ef };
      result.efSearch.push(er);
      try {
        await c.modify({ configuration: { hnsw: { ef_search: ef } } });
      } catch (err) {
        er.error = `modify ef_search: ${errorMessage(err)}`;
        progress(`${at}: ${er.error}`);
        continue;
      }
      for (const key of ['query', 'query_filtered'] as const) {
        const { kr, ids } = await measure(
          kinds.find((k) => k.key === key)!,
          ` ef_search ${ef}`,
        );
        if (ids && key === 'query_filtered') await recountShortBuckets(kr, ids);
        if (ids && truths[key]) scored(key, kr, ids, ` ef_search ${ef}`);
        if (key === 'query') er.query = kr;
        else er.queryFiltered = kr;
      }
    }
  } catch (err) {
    failed(result, at, err);
  } finally {
    if (collection) {
      if (o.keep) progress(`${at}: keeping collection ${name} (${collection.id})`);
      else
        await client.deleteCollection({ name }).then(
          () => (result.deleted = true),
          (err) => result.warnings.push(`could not delete collection ${name}: ${errorMessage(err)}`),
        );
      live.delete(name);
    }
    if (sampler) {
      const hwm = sampler.stop();
      const peakRssMiB = Math.max(sampler.maxRssMiB, hwm ?? 0);
      result.memory = {
        peakRssMiB,
        hwmMiB: hwm,
        sampledMaxRssMiB: sampler.maxRssMiB,
        samplePeriodMs: sampler.periodMs,
        timeline: sampler.timeline,
      };
    } else result.warnings.push('no pid for the gateway: memory not measured');
    await server.stop();
    result.totalMs = Date.now() - started;
  }
  return result;
}
