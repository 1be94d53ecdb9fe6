import { randomUUID } from 'node:crypto';
import { ApiKeysService } from '../../../src/auth/api-keys.service';
import { createScratchDatabase, http, startGateway, TestGateway, usingPostgres } from '../../support/gateway';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Answer = Awaited<ReturnType<typeof http>>;

/** Sends `count` requests at once, spread over the gateways, and tallies the statuses. */
async function burst(
  gateways: TestGateway[],
  count: number,
  headers: Record<string, string>,
  path = '/api/v2/tenants/default_tenant',
) {
  const answers: Answer[] = await Promise.all(
    Array.from({ length: count }, (_, i) => http(gateways[i % gateways.length].url, 'GET', path, undefined, headers)),
  );
  const tally = new Map<number, number>();
  for (const a of answers) tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
  return Object.assign(tally, { answers });
}

describe('per-key rate limits', () => {
  it('refuse requests past the limit with 429, Retry-After and the protocol error shape', async () => {
    const gw = await startGateway({ rateLimitPerSecond: 3 });
    try {
      const tally = await burst([gw], 12, {});
      expect(tally.get(429)).toBeGreaterThanOrEqual(12 - 6); // at most two one-second windows' worth got through
      const refused = tally.answers.find((a) => a.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toEqual({
        error: 'ChromaError',
        message: 'Too many requests: the rate limit for this API key was exceeded',
      });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await http(gw.url, 'GET', '/api/v2/tenants/default_tenant')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('hold across two replicas that share Redis', async () => {
    const shared = usingPostgres() ? await createScratchDatabase() : undefined;
    const overrides = { rateLimitPerSecond: 4, redisUrl: REDIS };
    // Without auth the caller is its address: both replicas see 127.0.0.1, so they share one budget.
    const a = await startGateway(overrides, shared && { databaseUrl: shared.url });
    const b = await startGateway(overrides, shared && { databaseUrl: shared.url });
    try {
      const tally = await burst([a, b], 16, {});
      const ok = tally.get(200) ?? 0;
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(8); // 4 per second, in at most two windows, across both replicas together
      expect(tally.get(429)).toBe(16 - ok);
    } finally {
      await a.close();
      await b.close();
      await shared?.drop();
    }
  });

  it('give every API key a budget of its own', async () => {
    const gw = await startGateway({ rateLimitPerSecond: 2, auth: 'required' });
    try {
      const tenant = `rl_${randomUUID().slice(0, 8)}`;
      const keys = gw.app.get(ApiKeysService);
      const first = (await keys.create(tenant, null)).key;
      const second = (await keys.create(tenant, null)).key;
      const tally = await burst([gw], 10, { 'x-chroma-token': first }, `/api/v2/tenants/${tenant}`);
      expect(tally.get(429)).toBeGreaterThanOrEqual(6);
      expect(
        (await http(gw.url, 'GET', `/api/v2/tenants/${tenant}`, undefined, { 'x-chroma-token': second })).status,
      ).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
