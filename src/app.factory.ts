import type { IncomingMessage } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import { NotFoundException, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { runWithPrincipalContext } from './core/auth/request-context';
import { JsonFastifyAdapter } from './common/json-fastify.adapter';
import { parseJsonBody, parseNdjsonBody } from './common/json-text';
import { OnePerTurn } from './common/one-per-turn';
import { parseQueryString } from './common/query-parser';
import { isProbe, pathOf } from './common/request-path';
import { requestValidationPipe } from './common/request-validation.pipe';
import { setupOpenApi } from './common/openapi';
import { ProtocolExceptionFilter, sendProtocolError } from './common/protocol-errors';
import { installRequestDeadline } from './common/request-deadline';
import type { AppConfig } from './config/app-config';
import { RateLimitedError } from './core/errors';
import { Database } from './database/database';
import { AUTH_FAILURES_MESSAGE, AuthFailures } from './limits/auth-failures';
import { limitConnectionsPerClient } from './limits/connections-per-client';
import { runCancellable } from './database/statement-cancellation';
import { runWithConsistency } from './database/read-consistency';
import { LastWrites, LSN_HEADER, RequestConsistency } from './common/read-your-writes';
import { installOperations } from './operations/install-operations';
import { BootLogBuffer } from './operations/logger';
import type { OperationsOptions } from './operations/operations-options';
import { isPortTaken, portTakenMessage } from './operations/port-taken';
import { ERROR_RENDERERS, OPENAPI_MODELS, PROTOCOL_PORTS, protocolOf } from './protocols/protocols';
import { attachPortRouting, PortRouting, portRoutingOf } from './common/port-routing';
import { QDRANT_PREFIX } from './protocols/qdrant/qdrant-prefix';
import { serveConsolePage, serveRootPage } from './console/console-page';

/** Bodies from this size on are parsed one per turn of the event loop (OnePerTurn). */
const LARGE_BODY_CHARS = 1024 * 1024;

export interface CreateAppOptions {
  /** false: no log line at all (the tests' default). */
  logger?: false;
  /** Operations options that would otherwise come from the environment (a test's log capture). */
  operations?: Partial<OperationsOptions>;
  /** Modules mounted beside the gateway's own (a test's slow route). */
  extraModules?: Type<unknown>[];
  /** A dump an in-memory embedded database starts from (see EMBEDDED_SEED). */
  embeddedSeed?: Blob;
}

/**
 * Listens on the ports of protocols that have their own (Qdrant's), beside the main port; returns
 * each listening address by protocol. A port that is taken fails the start, as the main port does.
 */
export async function listenProtocolPorts(app: INestApplication, config: AppConfig): Promise<{ qdrant?: number }> {
  if (config.qdrantPort === null) return {};
  const server = app.getHttpServer();
  try {
    return { qdrant: await portRoutingOf(server)!.listen(server, QDRANT_PREFIX, config.qdrantPort, config.host) };
  } catch (err) {
    if (!isPortTaken(err)) throw err;
    throw new Error(portTakenMessage('QDRANT_PORT', config.qdrantPort), { cause: err });
  }
}

/** Node holds a connection until the later of its two timeouts: the headers' must not outlast the request's. */
function headersTimeoutMs(config: AppConfig): number {
  return Math.min(66_000, config.requestTimeoutMs);
}

/** Builds the whole gateway: database opened and migrated, routes, body parsing, error shapes. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  // Qdrant's API on its own port: its requests are routed under a prefix (common/port-routing.ts).
  const ports = new PortRouting(PROTOCOL_PORTS);
  const adapter = new JsonFastifyAdapter({
    rewriteUrl: (req: IncomingMessage) => ports.rewrite(req),
    bodyLimit: config.bodyLimitBytes,
    // A body trickled byte by byte held its socket forever (Fastify's default is no limit). The
    // deadline that answers is installRequestDeadline's, counted from the headers: Node's own
    // (from the first byte, answered in no protocol's shape) comes after it, for what never got
    // that far.
    requestTimeout: config.requestTimeoutMs + headersTimeoutMs(config),
    // Node checks that timeout every 30 s by default: often enough for a limit of a minute or more.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.ceil(config.requestTimeoutMs / 4)) },
    // request.ip (the rate limit's caller without a key) follows X-Forwarded-For from these only.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    // A trailing slash and the case of the path do not matter, as they did not on Express (which
    // vecgate ran on before: clients may rely on it); names and ids in paths may be long (Fastify
    // cuts parameters at 100 characters by default).
    routerOptions: {
      querystringParser: parseQueryString,
      ignoreTrailingSlash: true,
      caseSensitive: false,
      maxParamLength: 64 * 1024,
    },
    // A path that cannot be decoded is refused before routing: in the protocol's shape too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProtocolError(ERROR_RENDERERS, request, reply, error),
  });
  const boot = options.logger === false ? undefined : new BootLogBuffer();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    // The one body parser is below: JSON, whatever the content type.
    bodyParser: false,
    // What Nest logs while it builds the app waits for pino (installOperations) instead of going
    // out as plain text, each line with the time it happened.
    logger: boot ?? false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  attachPortRouting(app.getHttpServer(), ports);
  fastify.addHook('preClose', (done) => {
    ports.close();
    done();
  });
  // First of all hooks: request id, metrics and access log see every request, a refused body's too.
  installOperations(app, { logs: options.logger !== false, protocolOf, boot });
  // A protocol port's routes answer on that port only, however a path on another spells them.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (ports.reaches(request.raw, request.routeOptions.url)) return done();
    sendProtocolError(
      ERROR_RENDERERS,
      request,
      reply,
      new NotFoundException(`Cannot ${request.method} ${pathOf(request.url)}`),
    );
  });
  // Then every request's deadline, until its body is read, a body its route streams too.
  installRequestDeadline(fastify, config.requestTimeoutMs, ERROR_RENDERERS);
  // An address that keeps presenting bad keys is refused before its body is read or a key looked up.
  const authFailures = app.get(AuthFailures);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!authFailures.blocked(request.ip) || isProbe(request.url)) return done();
    sendProtocolError(ERROR_RENDERERS, request, reply, new RateLimitedError(1, AUTH_FAILURES_MESSAGE));
  });
  // Each request's own principal context, entered once its body is read (reading it leaves the async
  // context), and its cancellation: a client that goes away before its answer cancels its statement.
  const withReplicas = config.databaseReadUrls.length > 0;
  const lastWrites = new LastWrites();
  const consistencies = new WeakMap<FastifyRequest, RequestConsistency>();
  fastify.addHook('preHandler', (request, reply, done) => {
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    if (!withReplicas) return runCancellable(gone.signal, () => runWithPrincipalContext(done));
    // With read replicas, also what its reads must see and what its writes committed.
    let consistency: RequestConsistency;
    try {
      consistency = new RequestConsistency(request, lastWrites);
    } catch (err) {
      return sendProtocolError(ERROR_RENDERERS, request, reply, err as Error);
    }
    consistencies.set(request, consistency);
    runCancellable(gone.signal, () => runWithConsistency(consistency, () => runWithPrincipalContext(done)));
  });
  if (withReplicas)
    fastify.addHook('onSend', (request, reply, payload, done) => {
      const lsn = consistencies.get(request)?.header();
      if (lsn) void reply.header(LSN_HEADER, lsn);
      done(null, payload);
    });
  // Bodies are JSON whatever content type a client sends (curl's default is form-encoded).
  fastify.removeAllContentTypeParsers();
  // A large body (a 64 MB one takes about half a second to parse) waits its turn, one per turn of
  // the event loop, so that probes and small requests are served in between.
  const largeBodies = new OnePerTurn();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    // Pinecone's upsert_records sends NDJSON, one record a line: read as an array of them.
    const ndjson = /^application\/x-ndjson\b/i.test(request.headers['content-type'] ?? '');
    const parse = () => {
      try {
        done(null, ndjson ? parseNdjsonBody(body as string) : parseJsonBody(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    };
    if ((body as string).length >= LARGE_BODY_CHARS) largeBodies.run(parse);
    else parse();
  });
  // Qdrant's snapshot upload sends its file as multipart/form-data, read as a stream by its route.
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.snapshotUploadBytes, files: 1, fields: 10, parts: 11 },
  });
  // The web console's page (static files); its API is a module like the protocols'.
  await serveConsolePage(fastify);
  serveRootPage(fastify);
  app.useGlobalFilters(new ProtocolExceptionFilter(ERROR_RENDERERS));
  app.useGlobalPipes(requestValidationPipe);
  setupOpenApi(app, OPENAPI_MODELS);
  // Idle keep-alive connections stay open for 65 s (longer than common load balancer idle
  // timeouts): with Node's 5 s, a process that was busy for a few seconds (an embedded index
  // build runs in-process) closed every idle connection at once, under clients about to reuse them.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = headersTimeoutMs(config);
  limitConnectionsPerClient(server, config);
  try {
    await app.get(Database).open();
  } catch (err) {
    // What was opened before the failure (an embedded data directory's lock) is let go.
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
