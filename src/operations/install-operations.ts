import { INestApplication } from '@nestjs/common';
import { Logger } from 'pino';
import { AccessLogMiddleware } from './access-log.middleware';
import { OPERATIONS_LOGGER, PinoNestLogger } from './logger';

// Nest's application object is a proxy that refuses new properties: remember it here instead.
const installed = new WeakSet<INestApplication>();

/**
 * Mounts the request-id / metrics / access-log middleware and routes Nest's logger through pino.
 * Call it right after NestFactory.create, before any other `app.use` (the body parser above all),
 * so every request, a refused one included, gets an id, a count and a log line. `logs: false`
 * (what tests ask for) silences every line. A second call is a no-op.
 */
export function installOperations(app: INestApplication, options: { logs?: boolean } = {}): void {
  if (installed.has(app)) return;
  installed.add(app);
  app.use(app.get(AccessLogMiddleware).handle);
  if (options.logs === false) {
    app.get<Logger>(OPERATIONS_LOGGER).level = 'silent';
  } else {
    app.useLogger(app.get(PinoNestLogger));
  }
}
