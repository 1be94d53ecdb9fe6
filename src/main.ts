import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/load-config';
import { installGracefulShutdown } from './operations/graceful-shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (VECGATE_SHUTDOWN_TIMEOUT_MS), close the pool, exit 0.
  installGracefulShutdown(app, new Logger('Shutdown'));
  await app.listen(config.port, config.host);
  Logger.log(`vecgate listening on http://${config.host}:${config.port}`, 'Main');
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`vecgate: configuration error: ${err.message}`);
  } else {
    console.error(`vecgate: failed to start: ${err?.message ?? err}`);
  }
  process.exit(1);
});
