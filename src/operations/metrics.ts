import { Injectable, Optional } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Database } from '../database/database';
import { SearchTuner } from '../core/indexing/search-tuner';
import { RecallSampler, type SampleKind } from '../core/records/recall-sampler';
import { Admission } from '../limits/admission';
import { poolStatsOf } from './pool-stats';
import { shareMetrics } from './workers';

/** Collections /metrics names in vecgate_search_recall; the others are summed as one. */
const TOP_COLLECTIONS = 20;

/** Collections /metrics names in vecgate_search_recall_below_target, at most. */
const MISSED_TARGETS = 100;

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/**
 * Every metric of one gateway, in a registry of its own (not prom-client's global one), so that
 * two apps in one process, as in the tests, never share or double-register a counter.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** Labels are bounded: the route is Nest's pattern (`/indexes/:name`), never the raw path. */
  readonly requests = new Counter({
    name: 'vecgate_http_requests_total',
    help: 'HTTP requests answered, by protocol, method, route pattern and status (499: the client went away first).',
    labelNames: ['protocol', 'method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  /** The request histogram's bucket bounds, in seconds: the resolution of percentiles read from it. */
  static readonly DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

  readonly duration = new Histogram({
    name: 'vecgate_http_request_duration_seconds',
    help: 'Time from the first byte of a request to the last byte of its answer.',
    labelNames: ['protocol', 'method', 'route'] as const,
    buckets: Metrics.DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'vecgate_http_requests_in_flight',
    help: 'Requests received and not yet answered.',
    registers: [this.registry],
  });

  readonly recordsWritten = new Counter({
    name: 'vecgate_records_written_total',
    help: 'Records inserted or changed, by protocol and write operation (add, merge, update, replace, overwrite, patch).',
    labelNames: ['protocol', 'operation'] as const,
    registers: [this.registry],
  });

  readonly recordsDeleted = new Counter({
    name: 'vecgate_records_deleted_total',
    help: 'Records deleted by id, by filter or with their namespace (not those of a dropped collection), by protocol.',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });

  /** Model names come from the operator's mapping, so these labels are bounded too. */
  readonly inferenceCalls = new Counter({
    name: 'vecgate_inference_calls_total',
    help: 'Calls to an inference provider, after their retries, by provider, model and outcome (ok, refused, 429, 5xx, timeout, network, shape).',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly inferenceRetries = new Counter({
    name: 'vecgate_inference_retries_total',
    help: 'Attempts to call an inference provider that failed and were tried again, by reason (429, 5xx, timeout, network).',
    labelNames: ['provider', 'model', 'reason'] as const,
    registers: [this.registry],
  });

  readonly inferenceDuration = new Histogram({
    name: 'vecgate_inference_duration_seconds',
    help: 'Time of one call to an inference provider, retries and waits for its concurrency limit included.',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(
    db: Database,
    @Optional() tuner?: SearchTuner,
    @Optional() admission?: Admission,
    @Optional() sampler?: RecallSampler,
  ) {
    // Read when scraped, so the numbers are the pool's at that moment.
    const pool = (pick: 'total' | 'idle' | 'waiting') => () => poolStatsOf(db)?.[pick] ?? 0;
    this.readGauge(
      'vecgate_db_pool_connections',
      'Database connections open in the pool (in use and idle).',
      pool('total'),
    );
    this.readGauge('vecgate_db_pool_idle_connections', 'Database connections open and idle.', pool('idle'));
    this.readGauge('vecgate_db_pool_waiting_clients', 'Queries waiting for a free connection.', pool('waiting'));
    // Counted by the database layer; read when scraped.
    this.readCounter(
      'vecgate_db_statement_timeouts_total',
      'Statements cancelled for running past VECGATE_STATEMENT_TIMEOUT_MS (each failed its request with a 503).',
      () => db.statementTimeouts,
    );
    this.readCounter(
      'vecgate_db_statements_cancelled_total',
      'Statements cancelled because the client of their request went away before its answer.',
      () => db.statementsCancelled,
    );
    if (db.readsOnReplicas) {
      const reads = () => db.readCounts();
      this.readCounter(
        'vecgate_db_reads_total',
        'Reads (queries, gets, counts) with DATABASE_READ_URLS, by where they were served: a replica, the primary (no replica answering, or none caught up in time), or the primary after a replica failed them (retried).',
        () => ({ replica: reads().replica, primary: reads().primary, retried: reads().retriedOnPrimary }),
        'served_by',
      );
      this.readCounter(
        'vecgate_db_reads_waited_total',
        'Reads that waited for a replica to replay the write their client must see (up to VECGATE_READ_WAIT_MS).',
        () => reads().waited,
      );
    }
    if (tuner)
      this.readCounter(
        'vecgate_search_tuning_measurements_total',
        'Recall measurements of a collection by this gateway, by outcome: the target met by an HNSW walk (walk), met by exact search (exact), missed at the widest walk (missed), or failed with an error (failed; logged).',
        () => tuner.outcomes,
        'outcome',
      );
    if (tuner)
      new Gauge({
        name: 'vecgate_search_recall_below_target',
        help: "How far below the recall target a collection's searches are (target − recall@10 of the widest walk), by collection id and vector position (0: the default vector), for those that miss it (the furthest below first, at most 100): read from the catalog, so every replica reports every collection.",
        labelNames: ['collection', 'vector'] as const,
        registers: [this.registry],
        async collect() {
          const below = await tuner.belowTarget(MISSED_TARGETS);
          this.reset();
          for (const b of below)
            this.set(
              { collection: b.collectionId, vector: String(b.position) },
              Number((b.target - b.recall).toFixed(4)),
            );
        },
      });
    if (sampler) this.trafficRecallMetrics(sampler);
    if (admission?.enabled) this.admissionMetrics(admission);
    collectDefaultMetrics({ register: this.registry });
    shareMetrics(this.registry);
  }

  /**
   * The recall of sampled searches this gateway checked (src/core/records/recall-sampler.ts), by
   * collection and kind, over each one's last 100 checks: the TOP_COLLECTIONS most searched
   * collections by id, the rest pooled as collection="other", so the label set stays bounded.
   */
  private trafficRecallMetrics(sampler: RecallSampler): void {
    this.readCounter(
      'vecgate_search_recall_checks_total',
      'Sampled searches checked against an exact search by this gateway, by kind (unfiltered, filtered).',
      () => sampler.checked,
      'kind',
    );
    new Gauge({
      name: 'vecgate_search_recall',
      help: "Recall of sampled searches against an exact search (each collection's last 100 checks), by collection id (the most searched ones; the rest as other) and kind.",
      labelNames: ['collection', 'kind'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const ranked = [...sampler.traffic.entries()].sort((a, b) => b[1].searches - a[1].searches);
        for (const kind of ['unfiltered', 'filtered'] as SampleKind[]) {
          const measured = ranked.filter(([, stats]) => stats.recalls[kind].length > 0);
          for (const [id, stats] of measured.slice(0, TOP_COLLECTIONS))
            this.set({ collection: id, kind }, mean(stats.recalls[kind]));
          const rest = measured.slice(TOP_COLLECTIONS).flatMap(([, stats]) => stats.recalls[kind]);
          if (rest.length > 0) this.set({ collection: 'other', kind }, mean(rest));
        }
      },
    });
  }

  /** The admission queue (src/limits/admission.ts), read when scraped; waits observed as they end. */
  private admissionMetrics(admission: Admission): void {
    this.readGauge(
      'vecgate_admission_active_requests',
      'Requests being served (at most VECGATE_MAX_ACTIVE_REQUESTS).',
      () => admission.active,
    );
    this.readGauge(
      'vecgate_admission_queued_requests',
      'Requests waiting for their turn (at most VECGATE_MAX_QUEUED_REQUESTS).',
      () => admission.queued,
    );
    this.readCounter(
      'vecgate_admission_refused_total',
      'Requests refused with a 503 and Retry-After, by reason: the queue was full, or no turn came within VECGATE_QUEUE_TIMEOUT_MS.',
      () => admission.refused,
      'reason',
    );
    const wait = new Histogram({
      name: 'vecgate_admission_wait_seconds',
      help: 'How long admitted requests waited for their turn.',
      buckets: [0, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10],
      registers: [this.registry],
    });
    admission.onWait = (seconds) => wait.observe(seconds);
  }

  /** A gauge whose value another part keeps, read when scraped. */
  private readGauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A counter another part keeps, read when scraped: one count, or counts by the values of `label`. */
  private readCounter(
    name: string,
    help: string,
    read: () => number | Readonly<Record<string, number>>,
    label?: string,
  ): void {
    new Counter({
      name,
      help,
      labelNames: label ? [label] : [],
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = read();
        if (typeof counts === 'number') this.inc(counts);
        else for (const [value, n] of Object.entries(counts)) this.inc({ [label!]: value }, n);
      },
    });
  }
}
