/** Concurrency drivers: many clients calling at once, for a fixed time or a fixed number of calls. */
import { errorMessage } from '../report';
import { nowMs, percentile } from '../stats';

export interface Driven {
  calls: number;
  errors: number;
  firstError?: string;
  qps: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Runs `clients` loops calling `call` back to back until `seconds` have passed; the calls of a
 * warm-up (a quarter of the time, at most 2 s) are not counted. QPS: completed calls per second.
 * `call` is given the call's number and its loop's (0 to clients - 1), for a client of its own.
 */
export async function driveFor(
  clients: number,
  seconds: number,
  call: (i: number, client: number) => Promise<unknown>,
): Promise<Driven> {
  let next = 0;
  const run = async (until: number, samples?: number[], failures?: string[]) => {
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (nowMs() < until) {
          const i = next++;
          const start = nowMs();
          try {
            await call(i, client);
            samples?.push(nowMs() - start);
          } catch (err) {
            failures?.push(errorMessage(err));
          }
        }
      }),
    );
  };
  await run(nowMs() + Math.min(2000, (seconds * 1000) / 4));
  const samples: number[] = [];
  const failures: string[] = [];
  const start = nowMs();
  await run(start + seconds * 1000, samples, failures);
  const elapsed = (nowMs() - start) / 1000;
  samples.sort((a, b) => a - b);
  return {
    calls: samples.length,
    errors: failures.length,
    firstError: failures[0],
    qps: samples.length / elapsed,
    p50: percentile(samples, 0.5),
    p95: percentile(samples, 0.95),
    p99: percentile(samples, 0.99),
  };
}

/** Calls from `clients` concurrent loops until each has made `calls`; answers per second. */
export async function driveCalls(
  clients: number,
  calls: number,
  run: (i: number) => Promise<unknown>,
): Promise<number> {
  const start = nowMs();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let k = 0; k < calls; k++) await run(c * calls + k);
    }),
  );
  return (clients * calls * 1000) / (nowMs() - start);
}
