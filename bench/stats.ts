/** Timing, repetition and summary statistics. All times are in milliseconds. */
import { errorMessage, ms, progress } from './report';

export interface Stats {
  n: number;
  median: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** Linear-interpolated percentile (the "type 7" estimator) of an ascending array; q in [0, 1]. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : NaN,
  };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` once and returns its result with the wall time it took. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** What repeating a call gave: its times and results, or the error that stopped it. */
export type Repeated<T> = { samples: number[]; values: T[] } | { error: unknown };

/**
 * Calls `fn(i)` for i = 0..reps-1, one call at a time, and returns each call's time and result.
 * `warmup` untimed calls of `fn(0)` come first (pass 0 for operations that must not repeat).
 */
export async function repeat<T>(
  reps: number,
  warmup: number,
  fn: (i: number) => Promise<T>,
): Promise<{ samples: number[]; values: T[] }> {
  for (let w = 0; w < warmup; w++) await fn(0);
  const samples: number[] = [];
  const values: T[] = [];
  for (let i = 0; i < reps; i++) {
    const { ms, value } = await timed(() => fn(i));
    samples.push(ms);
    values.push(value);
  }
  return { samples, values };
}

/** One caller of `repeatInterleaved`: its call, and what it must do before its warm-up (untimed). */
export interface Caller<T> {
  call: (i: number) => Promise<T>;
  before?: () => Promise<void>;
}

/**
 * As `repeat`, for several callers at once, one call at a time: call i goes to every caller before
 * call i + 1 goes to any, starting with a different caller each time. Timed one caller after the
 * other, a machine whose speed drifts (a shared VM) made whichever ran in a slow stretch lose;
 * interleaved, every caller sees the same stretches. A caller that throws is left out from then on.
 */
export async function repeatInterleaved<T>(callers: Caller<T>[], reps: number, warmup: number): Promise<Repeated<T>[]> {
  const runs = callers.map(() => ({
    samples: [] as number[],
    values: [] as T[],
    failed: false,
    error: undefined as unknown,
  }));
  const guard = async (j: number, work: () => Promise<void>) => {
    if (runs[j].failed) return;
    try {
      await work();
    } catch (err) {
      Object.assign(runs[j], { failed: true, error: err });
    }
  };
  for (let j = 0; j < callers.length; j++) {
    await guard(j, async () => {
      await callers[j].before?.();
      for (let w = 0; w < warmup; w++) await callers[j].call(0);
    });
  }
  for (let i = 0; i < reps; i++) {
    for (let k = 0; k < callers.length; k++) {
      const j = (i + k) % callers.length;
      await guard(j, async () => {
        const { ms, value } = await timed(() => callers[j].call(i));
        runs[j].samples.push(ms);
        runs[j].values.push(value);
      });
    }
  }
  return runs.map((r) => (r.failed ? { error: r.error } : { samples: r.samples, values: r.values }));
}

/** One operation's result on one target: its times (and answers), or its error. */
export interface OpResult<V = unknown> {
  stats?: Stats;
  samples?: number[];
  values?: V[];
  error?: string;
}

/** A repeated run as an OpResult, its median (or error) printed under `who: label`. */
export function opResult<V>(who: string, label: string, run: Repeated<V>): OpResult<V> {
  if ('error' in run) {
    progress(`${who}: ${label}: ERROR ${errorMessage(run.error)}`);
    return { error: errorMessage(run.error) };
  }
  const stats = summarize(run.samples);
  progress(`${who}: ${label}: median ${ms(stats.median)} ms`);
  return { stats, samples: run.samples, values: run.values };
}

/** A timed ingest: sequential batches, each timed from the client. */
export interface Ingest {
  records: number;
  /** The sum of the calls. */
  totalMs: number;
  recordsPerSecond: number;
  batch: Stats;
  batchSamples: number[];
  /** First call to last, the making of the batches between calls included. */
  wallMs: number;
  /** Of wallMs, the making of the batches (data generation, preparation). */
  generateMs: number;
}

/**
 * Sends `records` records in sequential batches of `size`, each call timed; `make(start, size)` (the
 * data and its preparation) runs outside the timer. `report` sees each batch's end and time.
 */
export async function ingest<B>(
  records: number,
  size: number,
  make: (start: number, size: number) => B,
  send: (batch: B) => Promise<unknown>,
  report: (done: number, ms: number, elapsedMs: number) => void = () => {},
): Promise<Ingest> {
  const samples: number[] = [];
  let generateMs = 0;
  const wallStart = nowMs();
  for (let start = 0; start < records; start += size) {
    const made = await timed(() => make(start, Math.min(size, records - start)));
    generateMs += made.ms;
    const { ms } = await timed(() => send(made.value));
    samples.push(ms);
    report(Math.min(records, start + size), ms, nowMs() - wallStart);
  }
  const totalMs = samples.reduce((s, x) => s + x, 0);
  const wallMs = nowMs() - wallStart;
  return {
    records,
    totalMs,
    recordsPerSecond: (records / totalMs) * 1000,
    batch: summarize(samples),
    batchSamples: samples,
    wallMs,
    generateMs,
  };
}

/** A progress reporter for `ingest`: a line every `every` batches of `size` and at the end. */
export const ingestProgress =
  (label: string, records: number, size: number, every: number) =>
  (done: number): void => {
    if (done % (size * every) === 0 || done === records) progress(`${label}: added ${done}/${records}`);
  };

/**
 * The share of the exact answers found (recall@k): hits over the exact answers' records, or over
 * `k` per query when given (a query with fewer matches then counts its missing places as misses).
 */
export function recall(found: string[][], truth: string[][], k?: number): number {
  let hits = 0;
  let wanted = 0;
  truth.forEach((ids, i) => {
    const got = new Set(found[i] ?? []);
    hits += ids.filter((id) => got.has(id)).length;
    wanted += k ?? ids.length;
  });
  return wanted === 0 ? 1 : hits / wanted;
}

/** Calls `check` until it says yes, backing off from 20 ms to `maxPauseMs`; throws after `timeoutMs`. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
  maxPauseMs = 250,
): Promise<number> {
  const start = Date.now();
  let pause = 20;
  let polls = 1;
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`${typeof what === 'string' ? what : what()} not there after ${timeoutMs / 1000} s`);
    await sleep(pause);
    pause = Math.min(maxPauseMs, pause * 2);
    polls++;
  }
  return polls;
}

/**
 * One untimed call of `run(0, true)` (warm), then `run(i, false)` for each of `queries` in turn:
 * the mean ms per call, and recall@10 of the ids each returned against `truth`.
 */
export async function timeSearches(
  queries: number,
  run: (i: number, warm: boolean) => Promise<string[]>,
  truth: string[][],
): Promise<{ recall: number; ms: number }> {
  await run(0, true);
  const found: string[][] = [];
  const start = nowMs();
  for (let i = 0; i < queries; i++) found.push(await run(i, false));
  return { ms: (nowMs() - start) / queries, recall: recall(found, truth, 10) };
}
