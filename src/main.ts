import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { createApp, listenProtocolPorts } from './app.factory';
import { QDRANT_PREFIX } from './protocols/qdrant/qdrant-prefix';
import { ConfigError, loadConfig } from './config/load-config';
import { ApiKeysService } from './core/auth/api-keys.service';
import { installGracefulShutdown } from './operations/graceful-shutdown';
import { createOperationsLogger, PinoNestLogger } from './operations/logger';
import { warnIfOpen } from './operations/open-listen-warning';
import { loadOperationsOptions } from './operations/operations-options';
import { isPortTaken, portTakenMessage } from './operations/port-taken';
import { announceReady, exitWhileBooting, installWorker, runPrimary } from './operations/workers';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    // The workers drain for VECGATE_SHUTDOWN_TIMEOUT_MS and close for up to 5 s; then they are killed.
    const operations = loadOperationsOptions();
    const stopTimeoutMs = operations.shutdownTimeoutMs + 10_000;
    // The primary's lines in the workers' format (one JSON object per line).
    Logger.overrideLogger(new PinoNestLogger(createOperationsLogger(operations)));
    const address = `http://${config.host}:${config.port}`;
    runPrimary({
      workers: config.workers,
      host: config.host,
      port: config.port,
      protocolPorts:
        config.qdrantPort === null ? [] : [{ prefix: QDRANT_PREFIX, port: config.qdrantPort, setting: 'QDRANT_PORT' }],
      stopTimeoutMs,
      address,
      logger: new Logger('Workers'),
    });
    return;
  }
  const booting = cluster.isWorker ? exitWhileBooting() : undefined;
  const app = await createApp(config);
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (VECGATE_SHUTDOWN_TIMEOUT_MS), close the pool, exit 0.
  if (cluster.isWorker) {
    // The primary listens and deals the connections (operations/connection-dealer.ts): Fastify
    // is made ready here, as its listen() would.
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    booting?.();
    installWorker(app, new Logger('Shutdown'));
    // Every worker shares the primary's address: the first one says it for all, before it is ready.
    if (cluster.worker?.id === 1)
      await warnIfOpen(config, () => app.get(ApiKeysService).authTurnedOn(), new Logger('Main'));
    announceReady();
    return;
  }
  installGracefulShutdown(app, new Logger('Shutdown'));
  await app.listen(config.port, config.host).catch((err: unknown) => {
    throw isPortTaken(err) ? new Error(portTakenMessage('PORT', config.port), { cause: err }) : err;
  });
  const { qdrant } = await listenProtocolPorts(app, config);
  // The port the system gave, when PORT=0 asked for any.
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Before the listening line, so that whoever reads the log up to it has read the warning.
  await warnIfOpen({ ...config, port }, () => app.get(ApiKeysService).authTurnedOn(), new Logger('Main'));
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  // Worded apart from the line below, which tools wait for to learn the main port.
  if (qdrant !== undefined) Logger.log(`Qdrant API served on http://${host}:${qdrant}`, 'Main');
  Logger.log(
    `web console on http://${host}:${port}/console/, API documentation on http://${host}:${port}/docs`,
    'Main',
  );
  Logger.log(`vecgate listening on http://${host}:${port}`, 'Main');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`vecgate: configuration error: ${err.message}`);
  } else {
    console.error(`vecgate: failed to start: ${err?.message ?? err}`);
  }
  process.exit(1);
});
