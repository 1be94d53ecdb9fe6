import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/load-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
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
