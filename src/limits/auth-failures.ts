import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** What a client refused by its address's failure budget is told. */
export const AUTH_FAILURES_MESSAGE = 'Too many requests without a valid API key from this address';

/**
 * Failed authentications per client address and second. An address past the budget is refused
 * with a 429 when its next request arrives, before its body is read or its key looked up: a flood
 * of made-up keys otherwise cost a database lookup each, under any rate limit (which counts keys,
 * and so runs after them). Per process: a flood spread over replicas meets each one's budget.
 *
 * A lookup still under way counts against the budget too (`reserve`): counting only finished
 * failures let a burst of concurrent made-up keys all pass the check before the first one failed.
 */
@Injectable()
export class AuthFailures {
  private window = 0;
  private readonly counts = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether requests from `address` are refused for the rest of this second. */
  blocked(address: string): boolean {
    const budget = this.config.authFailuresPerSecond;
    return budget > 0 && (this.current().get(address) ?? 0) >= budget;
  }

  /**
   * Takes a place for one lookup of an unknown key from `address`: false when the failures of
   * this second and the lookups under way already fill its budget. Every true is settled once.
   */
  reserve(address: string): boolean {
    const budget = this.config.authFailuresPerSecond;
    const underway = this.pending.get(address) ?? 0;
    if (budget > 0 && (this.current().get(address) ?? 0) + underway >= budget) return false;
    this.pending.set(address, underway + 1);
    return true;
  }

  /** Ends a reserved lookup; a failed one is counted as a failure of this second. */
  settle(address: string, succeeded: boolean): void {
    const underway = (this.pending.get(address) ?? 1) - 1;
    if (underway > 0) this.pending.set(address, underway);
    else this.pending.delete(address);
    if (!succeeded) this.failed(address);
  }

  /** Counts a request from `address` that presented no valid key. */
  failed(address: string): void {
    const counts = this.current();
    counts.set(address, (counts.get(address) ?? 0) + 1);
  }

  private current(): Map<string, number> {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.window) {
      this.window = now;
      this.counts.clear();
    }
    return this.counts;
  }
}
