import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module';
import { runWithPrincipalContext } from './auth/request-context';
import { JsonFastifyAdapter } from './common/json-fastify.adapter';
import { parseJsonBody } from './common/json-text';
import { parseQueryString } from './common/query-parser';
import { requestValidationPipe } from './common/request-validation.pipe';
import { setupOpenApi } from './common/openapi';
import { ProtocolErrorRenderer, ProtocolExceptionFilter, sendProtocolError } from './common/protocol-errors';
import { AppConfig } from './config/app-config';
import { Database } from './database/database';
import { installOperations } from './operations/install-operations';
import { chromaErrorRenderer } from './protocols/chroma/chroma-errors.renderer';
import { pineconeErrorRenderer } from './protocols/pinecone/pinecone-errors.renderer';
import { vectorizerErrorRenderer } from './protocols/vectorizer/vectorizer-errors.renderer';

const RENDERERS: ProtocolErrorRenderer[] = [chromaErrorRenderer, pineconeErrorRenderer, vectorizerErrorRenderer];

/** Builds the whole gateway: database opened and migrated, routes, body parsing, error shapes. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const adapter = new JsonFastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
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
      sendProtocolError(RENDERERS, request, reply, error),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // The one body parser is below: JSON, whatever the content type.
    bodyParser: false,
    logger: options.logger === false ? false : undefined,
    // What Nest logs while it builds the app waits for pino (installOperations) instead of going out as plain text.
    bufferLogs: options.logger !== false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // First of all hooks: request id, metrics and access log see every request, a refused body's too.
  installOperations(app, { logs: options.logger !== false });
  // Each request's own principal context, entered once its body is read (reading it leaves the async context).
  fastify.addHook('preHandler', (_request, _reply, done) => runWithPrincipalContext(done));
  // Bodies are JSON whatever content type a client sends (curl's default is form-encoded).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.useGlobalFilters(new ProtocolExceptionFilter(RENDERERS));
  app.useGlobalPipes(requestValidationPipe);
  setupOpenApi(app);
  // Idle keep-alive connections stay open for 65 s (longer than common load balancer idle
  // timeouts): with Node's 5 s, a process that was busy for a few seconds (an embedded index
  // build runs in-process) closed every idle connection at once, under clients about to reuse them.
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.get(Database).open();
  return app;
}
