import { Logger } from '@nestjs/common';
import { http } from '../../support/gateway';
import { installGracefulShutdown, type GracefulShutdown } from '../../../src/operations/graceful-shutdown';
import { HealthService } from '../../../src/operations/health.service';
import { startOperatedGateway, type OperatedGateway } from './support/operated-gateway';
import { SlowModule } from './support/slow.module';
import { until } from '../../support/wait';

describe('operations: graceful shutdown, in process', () => {
  let gw: OperatedGateway;
  let shutdown: GracefulShutdown;
  const exit = jest.fn();

  beforeEach(async () => {
    exit.mockReset();
    gw = await startOperatedGateway({ extraModules: [SlowModule] });
  });
  afterEach(async () => {
    shutdown?.dispose();
    await gw.close().catch(() => undefined); // already closed by the shutdown
  });

  it('lets a request in flight finish with 200 (and its database query succeed), refuses new connections, closes, exits 0', async () => {
    shutdown = installGracefulShutdown(gw.app, new Logger('Shutdown'), { timeoutMs: 5_000, signals: [], exit });
    const slow = http(gw.url, 'GET', '/__test/slow?ms=700', undefined, { 'x-request-id': 'in-flight' });
    await until(
      'the request in flight',
      () => shutdown.inFlight(),
      (n) => n === 1,
    );
    const done = shutdown.shutdown('SIGTERM');
    // The listener is closed: a new connection is refused.
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ slept: 700, one: 1 });
    expect(res.headers.get('connection')).toBe('close');
    await done;
    expect(exit).toHaveBeenCalledWith(0);
    expect(gw.logs.find((l) => l.context === 'Shutdown' && /^SIGTERM: draining 1 request/.test(l.msg))).toBeDefined();
    expect(gw.logs.find((l) => l.context === 'Shutdown' && l.msg === 'stopped')).toBeDefined();
    // The pool is closed with the app.
    await expect(Promise.resolve().then(() => gw.db.query('SELECT 1'))).rejects.toThrow();
  });

  it('turns readiness to 503 while draining', async () => {
    shutdown = installGracefulShutdown(gw.app, new Logger('Shutdown'), { timeoutMs: 5_000, signals: [], exit });
    expect((await http(gw.url, 'GET', '/readyz')).status).toBe(200);
    const slow = http(gw.url, 'GET', '/__test/slow?ms=500');
    await until(
      'the request in flight',
      () => shutdown.inFlight(),
      (n) => n === 1,
    );
    const done = shutdown.shutdown('SIGTERM');
    expect(await gw.app.get(HealthService).readiness()).toEqual({ ready: false, reason: 'shutting down' });
    expect((await slow).status).toBe(200);
    await done;
  });

  it('cuts requests still running after the timeout, and still closes and exits 0', async () => {
    shutdown = installGracefulShutdown(gw.app, new Logger('Shutdown'), { timeoutMs: 200, signals: [], exit });
    const slow = http(gw.url, 'GET', '/__test/slow?ms=3000').then(
      (res) => res.status,
      () => 'cut',
    );
    await until(
      'the request in flight',
      () => shutdown.inFlight(),
      (n) => n === 1,
    );
    await shutdown.shutdown('SIGTERM');
    expect(await slow).toBe('cut');
    expect(exit).toHaveBeenCalledWith(0);
    expect(
      gw.logs.find((l) => l.context === 'Shutdown' && /1 request\(s\) still running after 200 ms/.test(l.msg)),
    ).toMatchObject({ level: 'warn' });
  });

  it('exits at once with 1 on a second signal', async () => {
    shutdown = installGracefulShutdown(gw.app, new Logger('Shutdown'), {
      timeoutMs: 5_000,
      signals: ['SIGUSR2'],
      exit,
    });
    const slow = http(gw.url, 'GET', '/__test/slow?ms=500');
    await until(
      'the request in flight',
      () => shutdown.inFlight(),
      (n) => n === 1,
    );
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exit).toHaveBeenCalledWith(1);
    await slow;
    await shutdown.shutdown('again'); // the first one, still draining, finishes
  });
});
