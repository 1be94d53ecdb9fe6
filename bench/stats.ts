/** Timing and summary statistics for the benchmark. All times are in milliseconds. */

export interface Stats {
  n: number;
  median: number;
  p95: number;
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
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sorted.reduce((s, x) => s + x, 0) / sorted.length : NaN,
  };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `fn` once and returns its result with the wall time it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

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

/** What `repeatInterleaved` gives back for one caller: its times and results, or the error that stopped it. */
export type Repeated<T> = { samples: number[]; values: T[] } | { error: unknown };

/**
 * As `repeat`, for several callers at once, one call at a time: call i goes to every caller before
 * call i + 1 goes to any, starting with a different caller each time. Timed one caller after the
 * other, a machine whose speed drifts (a shared VM) made whichever ran in a slow stretch lose;
 * interleaved, every caller sees the same stretches. A caller that throws is left out from then on.
 */
export async function repeatInterleaved<T>(
  fns: ((i: number) => Promise<T>)[],
  reps: number,
  warmup: number,
): Promise<Repeated<T>[]> {
  const runs = fns.map(() => ({
    samples: [] as number[],
    values: [] as T[],
    failed: false,
    error: undefined as unknown,
  }));
  const call = async (j: number, i: number, time: boolean) => {
    if (runs[j].failed) return;
    try {
      const { ms, value } = await timed(() => fns[j](i));
      if (!time) return;
      runs[j].samples.push(ms);
      runs[j].values.push(value);
    } catch (err) {
      runs[j].failed = true;
      runs[j].error = err;
    }
  };
  for (let j = 0; j < fns.length; j++) for (let w = 0; w < warmup; w++) await call(j, 0, false);
  for (let i = 0; i < reps; i++) for (let k = 0; k < fns.length; k++) await call((i + k) % fns.length, i, true);
  return runs.map((r) => (r.failed ? { error: r.error } : { samples: r.samples, values: r.values }));
}

/** A timed ingest: sequential batches, each timed from the client. */
export interface Ingest {
  records: number;
  totalMs: number;
  recordsPerSecond: number;
  batch: Stats;
  batchSamples: number[];
}
