import { INestApplication } from '@nestjs/common';
import { createApp } from '../../../src/app.factory';
import { setupOpenApi } from '../../../src/common/openapi';
import { AppConfig } from '../../../src/config/app-config';
import { loadConfig } from '../../../src/config/load-config';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';

/** Express route layers of the app (Express 5: app.router). */
export function expressRoutes(app: INestApplication): { path: string; methods: string[] }[] {
  const stack: any[] = app.getHttpAdapter().getInstance().router?.stack ?? [];
  return stack.filter((layer) => layer.route).map((layer) => ({ path: String(layer.route.path), methods: Object.keys(layer.route.methods) }));
}

/**
 * A gateway on a loopback port with the OpenAPI routes, as test/support/gateway.ts builds one
 * (embedded PGlite in memory, or a scratch database when DATABASE_URL is set). createApp does not
 * call setupOpenApi yet; once it does, this leaves its routes alone instead of adding them twice.
 */
export async function startDocumentedGateway(overrides: Partial<AppConfig> = {}): Promise<{ app: INestApplication; url: string; close(): Promise<void> }> {
  const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
  const config: AppConfig = { ...loadConfig({}), port: 0, host: '127.0.0.1', dataDir: 'memory://', databaseUrl: scratch?.url, ...overrides };
  const app = await createApp(config, { logger: false });
  if (!expressRoutes(app).some((r) => r.path === '/docs-json')) setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await scratch?.drop();
    },
  };
}
