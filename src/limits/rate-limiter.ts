import Redis from 'ioredis';

/** Counts requests of one caller in the current one-second window; true while under the limit. */
export interface RateLimiter {
  take(caller: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Per process: right for one gateway, and the fallback when no Redis is configured. */
export class MemoryRateLimiter implements RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(private readonly perSecond: number) {}

  async take(caller: string): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.window) {
      this.window = now;
      this.counts.clear();
    }
    const n = (this.counts.get(caller) ?? 0) + 1;
    this.counts.set(caller, n);
    return n <= this.perSecond;
  }

  async close(): Promise<void> {}
}

/**
 * Shared by every replica: one Redis counter per caller and second (INCR, expiring after two
 * seconds), so the limit holds however a load balancer spreads a caller's requests. If Redis is
 * unreachable the request is let through: an outage of the limiter must not take the API down.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly perSecond: number,
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => undefined); // reported through failed commands, which fail open
  }

  async take(caller: string): Promise<boolean> {
    const key = `vecgate:rate:${caller}:${Math.floor(Date.now() / 1000)}`;
    try {
      const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 2000).exec()) as [[unknown, number]];
      return count <= this.perSecond;
    } catch {
      return true;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
