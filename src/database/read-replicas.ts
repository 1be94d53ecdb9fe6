import { Logger } from '@nestjs/common';
import { parseLsn } from './lsn';
import { type ServerPoolOptions, ServerPools } from './server-pools';

/** How often each replica's replayed position (and whether it answers) is read while nobody waits. */
const POLL_MS = 200;
/** How often it is read while a read waits for a replica to catch up. */
const WAIT_POLL_MS = 5;

/** The replica's replayed position; a server out of recovery (a promoted standby) is current. */
const POSITION = `SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The primary's WAL position at a moment, to tell how far behind a replica's replayed one is in time. */
interface PrimarySample {
  at: number;
  lsn: bigint;
}

interface Replica {
  index: number;
  pools: ServerPools;
  /** The WAL position it had replayed when last asked; undefined while it does not answer. */
  replayed?: bigint;
}

/** Reads served by a replica or the primary, for /metrics. */
export interface ReadCounts {
  replica: number;
  /** No replica answering, or none caught up within the wait. */
  primary: number;
  /** Reads that waited for a replica to replay the position they named. */
  waited: number;
  /** Reads a replica failed (gone, a table it has not replayed yet, a recovery conflict), sent again to the primary. */
  retriedOnPrimary: number;
}

/**
 * The streaming replicas of DATABASE_READ_URLS, taken in rotation for reads. A read that must see
 * a WAL position goes to a replica that has replayed it, waiting up to `waitMs` for one, and
 * otherwise to the primary (undefined). A replica that stops answering is left out until it answers.
 * Every read, naming a position or not, needs a replica no more than `maxLagMs` behind the primary:
 * one that replayed where the primary was that long ago (its position is sampled with the
 * replicas'). A standby cut off from its primary still answers, with ever older data; past the
 * bound, reads go to the primary without waiting.
 */
export class ReadReplicas {
  private readonly logger = new Logger('Database');
  private readonly replicas: Replica[];
  private next = 0;
  private refreshing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  readonly counts: ReadCounts = { replica: 0, primary: 0, waited: 0, retriedOnPrimary: 0 };

  /** The primary's positions over the last `maxLagMs` and the one before them, oldest first. */
  private samples: PrimarySample[] = [];

  constructor(
    urls: string[],
    options: ServerPoolOptions,
    private readonly waitMs: number,
    private readonly maxLagMs: number,
    private readonly primaryPosition: () => Promise<bigint | undefined>,
  ) {
    this.replicas = urls.map((url, index) => ({ index, pools: new ServerPools(() => url, options, this.logger) }));
  }

  /** Reads every replica's position now, then every POLL_MS in the background. */
  async start(): Promise<void> {
    await Promise.all([this.refresh(), this.samplePrimary()]);
    const down = this.replicas.filter((r) => r.replayed === undefined).map((r) => r.index + 1);
    if (down.length > 0) this.logger.warn(`read replica ${down.join(', ')} of DATABASE_READ_URLS does not answer`);
    const poll = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void Promise.all([this.refresh(), this.samplePrimary()]).finally(poll), POLL_MS);
      this.timer.unref();
    };
    poll();
  }

  /** A replica that has replayed `atLeast`, in rotation; undefined: read from the primary. */
  async choose(atLeast: bigint | undefined): Promise<ServerPools | undefined> {
    const fresh = this.freshBound();
    const need = fresh === undefined || (atLeast !== undefined && atLeast > fresh) ? atLeast : fresh;
    let replica = this.pick(need);
    // Only a client's own write is waited for; a replica past the lag bound is not.
    if (!replica && atLeast !== undefined && this.replicas.some((r) => r.replayed !== undefined)) {
      this.counts.waited++;
      const deadline = Date.now() + this.waitMs;
      while (!replica && Date.now() < deadline) {
        await sleep(WAIT_POLL_MS);
        // A replica that hangs must not hold the read past its wait.
        await Promise.race([this.refresh(), sleep(Math.max(0, deadline - Date.now()))]);
        replica = this.pick(need);
      }
    }
    if (replica) this.counts.replica++;
    else this.counts.primary++;
    return replica?.pools;
  }

  /** A read failed on `pools` and goes to the primary; a replica `lost` is left out until it answers again. */
  failed(pools: ServerPools, lost: boolean): void {
    this.counts.retriedOnPrimary++;
    if (!lost) return;
    const replica = this.replicas.find((r) => r.pools === pools);
    if (replica) replica.replayed = undefined;
    void this.refresh();
  }

  private pick(atLeast: bigint | undefined): Replica | undefined {
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length];
      if (replica.replayed === undefined || (atLeast !== undefined && replica.replayed < atLeast)) continue;
      this.next = (replica.index + 1) % this.replicas.length;
      return replica;
    }
    return undefined;
  }

  /**
   * Where the primary was `maxLagMs` ago (the latest sample at least that old; the oldest while
   * none is yet): the position every replica read from must have replayed. Undefined: no bound.
   */
  private freshBound(): bigint | undefined {
    if (this.maxLagMs <= 0 || this.samples.length === 0) return undefined;
    const cutoff = Date.now() - this.maxLagMs;
    let i = 0;
    while (i + 1 < this.samples.length && this.samples[i + 1].at <= cutoff) i++;
    if (i > 0) this.samples = this.samples.slice(i);
    return this.samples[0].lsn;
  }

  private async samplePrimary(): Promise<void> {
    if (this.maxLagMs <= 0) return;
    // Timed from before the question: the primary was at least there by then. A primary that does
    // not answer leaves the last samples, and the replicas that replayed them still serve.
    const at = Date.now();
    const lsn = await this.primaryPosition().catch(() => undefined);
    if (lsn !== undefined) this.samples.push({ at, lsn });
    this.freshBound();
  }

  /** Reads each replica's replayed position; calls at the same time share one round. */
  private refresh(): Promise<void> {
    this.refreshing ??= Promise.all(this.replicas.map((r) => this.position(r))).then(
      () => (this.refreshing = undefined),
    );
    return this.refreshing;
  }

  private async position(replica: Replica): Promise<void> {
    try {
      const { rows } = await replica.pools.main.query(POSITION);
      replica.replayed = rows[0].lsn === null ? undefined : parseLsn(rows[0].lsn);
    } catch {
      replica.replayed = undefined;
    }
  }

  /** All replica pools, for the pool metrics. */
  pools(): ServerPools[] {
    return this.replicas.map((r) => r.pools);
  }

  async end(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.refreshing;
    await Promise.all(this.replicas.map((r) => r.pools.end()));
  }
}
