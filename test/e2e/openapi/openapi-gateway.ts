import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../../src/app.factory';
import type { AppConfig } from '../../../src/config/app-config';
import { loadConfig } from '../../../src/config/load-config';
import { embeddedSeed } from '../../support/embedded-seed';
import { createScratchDatabase, usingPostgres } from '../../support/gateway';

export interface RouterRoute {
  path: string;
  /** Lower case. */
  methods: string[];
}

const seen = new WeakMap<INestApplication, RouterRoute[]>();

/** The routes the app's HTTP router (Fastify) was given once the app started, as recorded by startDocumentedGateway. */
export function routerRoutes(app: INestApplication): RouterRoute[] {
  return seen.get(app) ?? [];
}

/**
 * A gateway on a loopback port with the OpenAPI routes, as test/support/gateway.ts builds one
 * (embedded PGlite in memory, or a scratch database when DATABASE_URL is set), that also records
 * the routes Nest hands to Fastify.
 */
export async function startDocumentedGateway(
  overrides: Partial<AppConfig> = {},
): Promise<{ app: INestApplication; url: string; close(): Promise<void> }> {
  const scratch = usingPostgres() ? await createScratchDatabase() : undefined;
  const config: AppConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory://',
    databaseUrl: scratch?.url,
    ...overrides,
  };
  const app = await createApp(config, { logger: false, embeddedSeed: embeddedSeed() });
  const fastify = app.getHttpAdapter().getInstance();
  // Nest hands its routes to Fastify when the app starts: recorded as they come.
  const routes: RouterRoute[] = [];
  seen.set(app, routes);
  fastify.addHook('onRoute', (route: { method: string | string[]; url: string }) => {
    routes.push({ path: route.url, methods: [route.method].flat().map((m) => m.toLowerCase()) });
  });
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
