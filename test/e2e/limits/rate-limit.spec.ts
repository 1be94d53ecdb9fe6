import { randomUUID } from 'node:crypto';
import { ApiKeysService } from '../../../src/core/auth/api-keys.service';
import { createScratchDatabase, http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Answer = Awaited<ReturnType<typeof http>>;

/** Sends `count` requests at once, spread over the gateways, and tallies the statuses. */
async function burst(
  gateways: TestGateway[],
  count: number,
  headers: Record<string, string>,
  path = '/api/v2/tenants/default_tenant',
) {
  const started = Math.floor(Date.now() / 1000);
  const answers: Answer[] = await Promise.all(
    Array.from({ length: count }, (_, i) => http(gateways[i % gateways.length].url, 'GET', path, undefined, headers)),
  );
  const tally = new Map<number, number>();
  for (const a of answers) tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
  const windows = Math.floor(Date.now() / 1000) - started + 1;
  return Object.assign(tally, { answers, windows });
}

describe('per-key rate limits', () => {
  it('refuse requests past the limit with 429, Retry-After and the protocol error shape', async () => {
    const gw = await startGateway({ rateLimitPerSecond: 3 });
    try {
      const tally = await burst([gw], 30, {});
      expect(tally.get(429)).toBeGreaterThanOrEqual(30 - 3 * tally.windows); // at most a budget a window got through
      const refused = tally.answers.find((a) => a.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toEqual({
        error: 'ChromaError',
        message: 'Too many requests: the rate limit for this API key was exceeded',
      });
      await new Promise((r) => setTimeout(r, 1100)); // the next window admits the caller again
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
      expect(ok).toBeLessThanOrEqual(4 * tally.windows); // 4 a window, across both replicas together
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
      const tally = await burst([gw], 20, { 'x-chroma-token': first }, `/api/v2/tenants/${tenant}`);
      expect(tally.get(429)).toBeGreaterThanOrEqual(20 - 2 * tally.windows);
      expect(
        (await http(gw.url, 'GET', `/api/v2/tenants/${tenant}`, undefined, { 'x-chroma-token': second })).status,
      ).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('failed authentications per client address', () => {
  it('refuse an address past its budget with 429 before its key is looked up, and let probes through', async () => {
    const gw = await startGateway({ auth: 'required', authFailuresPerSecond: 3 });
    try {
      const keys = gw.app.get(ApiKeysService);
      const tenant = `af_${randomUUID().slice(0, 8)}`;
      const valid = (await keys.create(tenant, null)).key;
      const lookups = jest.spyOn(keys, 'verify');

      // One client's burst with its one good key, cold: one lookup, not a refusal.
      const good = await burst([gw], 30, { 'x-chroma-token': valid }, `/api/v2/tenants/${tenant}`);
      expect(good.get(200)).toBe(30);
      lookups.mockClear();

      // A flood of made-up keys, all at once: at most a budget of lookups a window, the rest refused unread.
      const forged = (i: number) => ({ 'x-chroma-token': `vg_${i.toString(16).padStart(16, '0')}_${'A'.repeat(43)}` });
      const started = Math.floor(Date.now() / 1000);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          http(gw.url, 'GET', '/api/v2/tenants/default_tenant', undefined, forged(i)),
        ),
      );
      const windows = Math.floor(Date.now() / 1000) - started + 1;
      const statuses = answers.map((a) => a.status);
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(3 * windows);
      expect(statuses.filter((s) => s === 401 || s === 429)).toHaveLength(30);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30 - 3 * windows);
      const refused = answers.find((a) => a.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.body).toEqual({
        error: 'ChromaError',
        message: 'Too many requests without a valid API key from this address',
      });

      // One made-up key sent many times at once costs no more.
      lookups.mockClear();
      const same = await burst([gw], 30, forged(99));
      expect(lookups.mock.calls.length).toBeLessThanOrEqual(3 * same.windows);
      expect((same.get(401) ?? 0) + (same.get(429) ?? 0)).toBe(30);
      expect((await http(gw.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
