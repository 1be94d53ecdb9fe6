/** The first retry of a failed build waits this long; each further failure doubles it. */
const FIRST_RETRY_MS = 5_000;
/** However often a build has failed, it is tried again at least this often. */
const LONGEST_RETRY_MS = 15 * 60_000;

export interface BuildFailure {
  attempts: number;
  retryAt: number;
  message: string;
}

/**
 * When each failed index build may run again. A build that fails for a reason that stays (a value
 * the index cannot hold, a full disk) is retried ever more rarely instead of on every sweep, where
 * it had run 1,675 times in 29 minutes while holding the one embedded connection.
 */
export class BuildBackoff {
  private readonly failures = new Map<string, BuildFailure>();

  /** Whether the build named `key` may run at `now`. */
  ready(key: string, now: number): boolean {
    const failure = this.failures.get(key);
    return !failure || failure.retryAt <= now;
  }

  /** Records a failure at `now` and returns it, with when the next attempt may run. */
  failed(key: string, now: number, message: string): BuildFailure {
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 20));
    const failure = { attempts, retryAt: now + delay, message };
    this.failures.set(key, failure);
    return failure;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Forgets builds whose key `keep` rejects (their table is gone, or no longer due). */
  prune(keep: (key: string) => boolean): void {
    for (const key of this.failures.keys()) if (!keep(key)) this.failures.delete(key);
  }

  /** The builds failing now, for a status report. */
  failing(): ReadonlyMap<string, BuildFailure> {
    return this.failures;
  }
}
