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
function percentile(sorted: number[], q: number): number {
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
export async function repeat<T>(reps: number, warmup: number, fn: (i: number) => Promise<T>): Promise<{ samples: number[]; values: T[] }> {
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

/** A timed ingest: sequential batches, each timed from the client. */
export interface Ingest {
  records: number;
  totalMs: number;
  recordsPerSecond: number;
  batch: Stats;
  batchSamples: number[];
}
