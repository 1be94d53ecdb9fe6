import type { INestApplication } from '@nestjs/common';
import { createApp, listenProtocolPorts, type CreateAppOptions } from '../../src/app.factory';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { Database } from '../../src/database/database';
import { embeddedSeed } from './embedded-seed';
import { createScratchDatabase } from './scratch-database';

/**
 * A real gateway on a loopback port, on the backend the test run selects: embedded PGlite in
 * memory by default, or, when DATABASE_URL is set, a fresh database created on that server for
 * this gateway alone (dropped again by close()). Both start migrated, from the run's seed or template.
 */
export interface TestGateway {
  app: INestApplication;
  url: string;
  port: number;
  /** The Qdrant API's base URL, when the gateway was started with `qdrantPort` (0: any port). */
  qdrantUrl: string;
  db: Database;
  backend: 'embedded' | 'postgres';
  close(): Promise<void>;
}

export function usingPostgres(): boolean {
  return !!process.env.DATABASE_URL;
}

export { createScratchDatabase } from './scratch-database';

export async function startGateway(
  overrides: Partial<AppConfig> = {},
  shared?: { databaseUrl: string },
  appOptions: CreateAppOptions = { logger: false },
): Promise<TestGateway> {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let databaseUrl: string | undefined;
  if (shared) databaseUrl = shared.databaseUrl;
  else if (usingPostgres()) {
    scratch = await createScratchDatabase();
    databaseUrl = scratch.url;
  }
  const config: AppConfig = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    dataDir: 'memory://',
    databaseUrl,
    // Off unless a test asks: gateways run side by side and 6333 is one port.
    qdrantPort: null,
    ...overrides,
  };
  const app = await createApp(config, { embeddedSeed: embeddedSeed(), ...appOptions });
  await app.listen(0, '127.0.0.1');
  const { qdrant } = await listenProtocolPorts(app, config);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const db = app.get(Database);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    qdrantUrl: qdrant === undefined ? '' : `http://127.0.0.1:${qdrant}`,
    db,
    backend: db.backend,
    close: async () => {
      await app.close();
      await scratch?.drop();
    },
  };
}

/** Plain HTTP against the gateway, returning status, headers and the parsed JSON body. */
export async function http(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/**
 * The gateway every test of a file (or of a describe block) shares: started before the first test,
 * closed after the last. Its fields read the running gateway, so a spec declares it once,
 * `const gw = gatewayForFile();`, and uses `gw.url` in its tests and hooks.
 */
export function gatewayForFile(overrides: Partial<AppConfig> = {}): TestGateway {
  let started: TestGateway | undefined;
  beforeAll(async () => {
    started = await startGateway(overrides);
  });
  afterAll(async () => {
    await started?.close();
    started = undefined;
  });
  const live = (): TestGateway => {
    if (!started) throw new Error('the gateway runs between beforeAll and afterAll: use it in a test or a hook');
    return started;
  };
  return {
    get app() {
      return live().app;
    },
    get url() {
      return live().url;
    },
    get qdrantUrl() {
      return live().qdrantUrl;
    },
    get port() {
      return live().port;
    },
    get db() {
      return live().db;
    },
    get backend() {
      return live().backend;
    },
    close: () => live().close(),
  };
}
