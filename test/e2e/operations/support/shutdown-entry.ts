import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from '../../../../src/app.factory';
import { loadConfig } from '../../../../src/config/load-config';
import { installGracefulShutdown } from '../../../../src/operations/graceful-shutdown';
import { SlowModule } from './slow.module';

/**
 * main.ts plus a slow test route, run as a child process by the SIGTERM test (compiled first: see
 * shutdown-process.spec.ts).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, { extraModules: [SlowModule] });
  await app.listen(config.port, config.host);
  installGracefulShutdown(app, new Logger('Shutdown'));
  const address = app.getHttpServer().address();
  Logger.log(`vecgate listening on http://${config.host}:${address.port}`, 'Main');
}

main().catch((err) => {
  console.error(`vecgate: failed to start: ${err?.stack ?? err}`);
  process.exit(1);
});
