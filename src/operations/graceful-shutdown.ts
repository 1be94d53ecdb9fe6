import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { portRoutingOf } from '../common/port-routing';
import { HealthService } from './health.service';
import { loadOperationsOptions, OPERATIONS_OPTIONS, type OperationsOptions } from './operations-options';

export interface GracefulShutdownOptions {
  /** How long in-flight requests may take to finish; default the app's VECGATE_SHUTDOWN_TIMEOUT_MS (10 s). */
  timeoutMs?: number;
  /** How long closing the app (database pool included) may take after that; default 5 s. */
  closeTimeoutMs?: number;
  signals?: NodeJS.Signals[];
  /** Tests pass their own; the default ends the process. */
  exit?: (code: number) => void;
}

export interface GracefulShutdown {
  /** What a signal starts; resolves once the app is closed and `exit` was called. */
  shutdown(reason: string): Promise<void>;
  inFlight(): number;
  /** Removes the signal handlers and request tracking (tests). */
  dispose(): void;
}

const sleep = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());

/**
 * SIGTERM (and SIGINT): readiness turns 503, the server stops accepting connections, requests in
 * flight finish (up to `timeoutMs`, then their connections are cut), then the app closes (the
 * database pool with it) and the process exits 0. A second signal exits at once with 1.
 *
 * `logger` carries its own context: pass `new Logger('Shutdown')`.
 *
 * Nest's enableShutdownHooks() does not do this: its handler closes the database before the HTTP
 * server and ends with process.kill (exit 143), so its handlers are detached here.
 */
export function installGracefulShutdown(
  app: INestApplication,
  logger: LoggerService,
  options: GracefulShutdownOptions = {},
): GracefulShutdown {
  const timeoutMs =
    options.timeoutMs ??
    tryGet<OperationsOptions>(app, OPERATIONS_OPTIONS)?.shutdownTimeoutMs ??
    loadOperationsOptions().shutdownTimeoutMs;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const server: Server = app.getHttpServer();

  (app as unknown as { unsubscribeFromProcessSignals?: () => void }).unsubscribeFromProcessSignals?.();

  const active = new Set<ServerResponse>();
  let draining: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  // Tracked at the server, not in middleware, so this works however the app was built.
  const track = (_req: IncomingMessage, res: ServerResponse) => {
    active.add(res);
    res.once('close', () => {
      active.delete(res);
      if (active.size === 0) idle?.();
    });
    // A request that arrives on a kept-alive connection while draining is served, but the
    // connection is closed after it instead of being reused.
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
  };
  server.prependListener('request', track);

  const shutdown = (reason: string): Promise<void> => {
    if (draining) return draining;
    draining = (async () => {
      logger.log(`${reason}: draining ${active.size} request(s), at most ${timeoutMs} ms`);
      tryGet(app, HealthService)?.markShuttingDown();
      for (const res of active) if (!res.headersSent) res.setHeader('Connection', 'close');
      // Stops accepting; Node closes idle kept-alive connections now and busy ones once answered.
      // A worker's server does not listen (its primary deals the connections), and closes at once:
      // the requests in flight are waited for as well.
      portRoutingOf(server)?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const answered = new Promise<void>((resolve) => (active.size === 0 ? resolve() : (idle = resolve)));
      const done = Promise.all([closed, answered]).then(() => 'closed' as const);
      if ((await Promise.race([done, sleep(timeoutMs)])) === 'timeout') {
        logger.warn(`${active.size} request(s) still running after ${timeoutMs} ms: closing their connections`);
        server.closeAllConnections();
      }
      try {
        const outcome = await Promise.race([app.close().then(() => 'closed' as const), sleep(closeTimeoutMs)]);
        if (outcome === 'timeout') logger.warn(`closing the app took over ${closeTimeoutMs} ms: exiting anyway`);
        else logger.log('stopped');
        exit(0);
      } catch (err) {
        logger.error(`shutdown failed: ${(err as Error)?.stack ?? err}`);
        exit(1);
      }
    })();
    return draining;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.warn(`${signal} again: exiting now`);
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);

  return {
    shutdown,
    inFlight: () => active.size,
    dispose: () => {
      for (const signal of signals) process.removeListener(signal, onSignal);
      server.removeListener('request', track);
    },
  };
}

function tryGet<T>(app: INestApplication, token: symbol | Type<T>): T | undefined {
  try {
    return app.get<T>(token, { strict: false });
  } catch {
    return undefined; // OperationsModule is not part of this app
  }
}
