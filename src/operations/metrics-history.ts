import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Metrics } from './metrics';

/** One point of a series: requests a second over the interval, and latency percentiles in ms. */
export interface RatePoint {
  at: Date;
  count: number;
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** How often a point is taken, and how many are kept (30 minutes). */
export const HISTORY_INTERVAL_MS = 10_000;
export const HISTORY_POINTS = 180;
/** Collections whose search latencies are kept (the least recently searched go first), and times kept per interval. */
const MAX_COLLECTIONS = 1000;
const TIMES_PER_INTERVAL = 512;

interface Cumulative {
  count: number;
  /** By upper bound (ms), cumulative as Prometheus keeps them. */
  buckets: Map<number, number>;
}

/**
 * The q-quantile of a histogram's counts (cumulative, by upper bound in ms, as Prometheus keeps
 * them), interpolated within its bucket as Prometheus's histogram_quantile does.
 */
export function percentileOfBuckets(buckets: [number, number][], total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  let lower = 0;
  for (const [upper, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(upper)) return lower;
      const inside = count - below;
      return inside > 0 ? lower + ((rank - below) / inside) * (upper - lower) : upper;
    }
    below = count;
    lower = upper;
  }
  return lower;
}

function percentileOfTimes(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * The last half hour of this replica's own metrics, for the web console's charts: requests a
 * second and latency percentiles per protocol (from the request histogram /metrics exports), and
 * the search latencies of each collection. In memory, per replica: Prometheus is the place for more.
 */
@Injectable()
export class MetricsHistory implements OnModuleInit, OnModuleDestroy {
  private readonly protocols = new Map<string, RatePoint[]>();
  private last = new Map<string, Cumulative>();
  private lastAt = Date.now();
  private readonly searches = new Map<string, { current: number[]; seen: number; points: RatePoint[] }>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: Metrics) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick().catch(() => {}), HISTORY_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** A served search of a collection took `ms` (a reservoir of times per interval keeps memory bounded). */
  searched(collectionId: string, ms: number): void {
    let entry = this.searches.get(collectionId);
    if (entry) this.searches.delete(collectionId);
    else {
      entry = { current: [], seen: 0, points: [] };
      if (this.searches.size >= MAX_COLLECTIONS) this.searches.delete(this.searches.keys().next().value!);
    }
    this.searches.set(collectionId, entry);
    entry.seen++;
    if (entry.current.length < TIMES_PER_INTERVAL) entry.current.push(ms);
    else {
      const i = Math.floor(Math.random() * entry.seen);
      if (i < TIMES_PER_INTERVAL) entry.current[i] = ms;
    }
  }

  /** Per protocol, the points taken and one for the interval under way. */
  async protocolSeries(): Promise<Map<string, RatePoint[]>> {
    const now = await this.read();
    const at = Date.now();
    const series = new Map<string, RatePoint[]>();
    for (const protocol of new Set([...this.protocols.keys(), ...now.keys()]))
      series.set(protocol, [
        ...(this.protocols.get(protocol) ?? []),
        pointOf(new Date(at), at - this.lastAt, now.get(protocol), this.last.get(protocol)),
      ]);
    return series;
  }

  /** A collection's search latencies: the points taken and the interval under way. */
  collectionSeries(collectionId: string): RatePoint[] {
    const entry = this.searches.get(collectionId);
    if (!entry) return [];
    return [...entry.points, timesPoint(new Date(), Date.now() - this.lastAt, entry.current, entry.seen)];
  }

  private async tick(): Promise<void> {
    const now = await this.read();
    const at = Date.now();
    for (const [protocol, cumulative] of now) {
      const points = this.protocols.get(protocol) ?? [];
      points.push(pointOf(new Date(at), at - this.lastAt, cumulative, this.last.get(protocol)));
      if (points.length > HISTORY_POINTS) points.shift();
      this.protocols.set(protocol, points);
    }
    for (const entry of this.searches.values()) {
      entry.points.push(timesPoint(new Date(at), at - this.lastAt, entry.current, entry.seen));
      if (entry.points.length > HISTORY_POINTS) entry.points.shift();
      entry.current = [];
      entry.seen = 0;
    }
    this.last = now;
    this.lastAt = at;
  }

  /** The request histogram now, summed over methods and routes, per protocol (bounds in ms). */
  private async read(): Promise<Map<string, Cumulative>> {
    const { values } = await this.metrics.duration.get();
    const byProtocol = new Map<string, Cumulative>();
    for (const v of values) {
      const protocol = String(v.labels.protocol ?? 'other');
      const entry = byProtocol.get(protocol) ?? { count: 0, buckets: new Map() };
      byProtocol.set(protocol, entry);
      if (v.metricName?.endsWith('_count')) entry.count += v.value;
      else if (v.metricName?.endsWith('_bucket')) {
        const bound = (v.labels as Record<string, string | number | undefined>).le;
        const le = bound === '+Inf' ? Infinity : Number(bound) * 1000;
        entry.buckets.set(le, (entry.buckets.get(le) ?? 0) + v.value);
      }
    }
    return byProtocol;
  }
}

function pointOf(at: Date, ms: number, now: Cumulative | undefined, before: Cumulative | undefined): RatePoint {
  const count = (now?.count ?? 0) - (before?.count ?? 0);
  const buckets: [number, number][] = [...(now?.buckets ?? new Map<number, number>())]
    .map(([le, n]): [number, number] => [le, n - (before?.buckets.get(le) ?? 0)])
    .sort((a, b) => a[0] - b[0]);
  return {
    at,
    count,
    rate: ms > 0 ? (count * 1000) / ms : 0,
    p50: percentileOfBuckets(buckets, count, 0.5),
    p95: percentileOfBuckets(buckets, count, 0.95),
    p99: percentileOfBuckets(buckets, count, 0.99),
  };
}

function timesPoint(at: Date, ms: number, times: number[], seen: number): RatePoint {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    at,
    count: seen,
    rate: ms > 0 ? (seen * 1000) / ms : 0,
    p50: percentileOfTimes(sorted, 0.5),
    p95: percentileOfTimes(sorted, 0.95),
    p99: percentileOfTimes(sorted, 0.99),
  };
}
