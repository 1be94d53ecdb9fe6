import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccessLogHooks } from './access-log.hooks';
import { type BootLogBuffer, OPERATIONS_LOGGER, PinoNestLogger } from './logger';
import { Metrics } from './metrics';

// Nest's application object is a proxy that refuses new properties: remember it here instead.
const installed = new WeakSet<INestApplication>();

/**
 * Adds the request-id / metrics / access-log hooks and routes Nest's logger through pino.
 * Call it right after NestFactory.create, before any other hook,
 * so every request, a refused one included, gets an id, a count and a log line, labelled with the
 * protocol `protocolOf` names. `logs: false` (what tests ask for) silences every line. A second
 * call is a no-op.
 */
export function installOperations(
  app: INestApplication,
  options: { logs?: boolean; protocolOf: (path: string) => string; boot?: BootLogBuffer },
): void {
  if (installed.has(app)) return;
  installed.add(app);
  const hooks = new AccessLogHooks(app.get(Metrics), app.get<Logger>(OPERATIONS_LOGGER), options.protocolOf);
  const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
  fastify.addHook('onRequest', hooks.onRequest);
  fastify.addHook('preHandler', hooks.preHandler);
  if (options.logs === false) {
    app.get<Logger>(OPERATIONS_LOGGER).level = 'silent';
  } else {
    app.useLogger(app.get(PinoNestLogger));
    options.boot?.replayInto(app.get(PinoNestLogger));
  }
}
