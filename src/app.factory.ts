import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { AppModule } from './app.module';
import { requestContextMiddleware } from './auth/request-context';
import { verifyStorableJson } from './common/json-text';
import { parseQueryString } from './common/query-parser';
import { requestValidationPipe } from './common/request-validation.pipe';
import { JsonResponseInterceptor } from './common/json-response.interceptor';
import { setupOpenApi } from './common/openapi';
import { bodyParserErrors, ProtocolErrorRenderer, ProtocolExceptionFilter } from './common/protocol-errors';
import { AppConfig } from './config/app-config';
import { Database } from './database/database';
import { installOperations } from './operations/install-operations';
import { chromaErrorRenderer } from './protocols/chroma/chroma-errors.renderer';
import { pineconeErrorRenderer } from './protocols/pinecone/pinecone-errors.renderer';
import { vectorizerErrorRenderer } from './protocols/vectorizer/vectorizer-errors.renderer';

const RENDERERS: ProtocolErrorRenderer[] = [chromaErrorRenderer, pineconeErrorRenderer, vectorizerErrorRenderer];

/** Builds the whole gateway: database opened and migrated, routes, body parsing, error shapes. */
export async function createApp(config: AppConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger === false ? false : undefined,
    // What Nest logs while it builds the app waits for pino (installOperations) instead of going out as plain text.
    bufferLogs: options.logger !== false,
  });
  // First of all middleware, before the body parser: request id, metrics and access log see every request.
  installOperations(app, { logs: options.logger !== false });
  app.set('query parser', parseQueryString);
  // No protocol uses ETags (Chroma and Pinecone send none), and hashing every body costs each call.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.use(requestContextMiddleware);
  // Bodies are JSON whatever content type a client sends (curl's default is form-encoded).
  app.use(express.json({ limit: config.bodyLimitBytes, type: () => true, verify: verifyStorableJson }));
  app.use(bodyParserErrors(RENDERERS));
  app.useGlobalFilters(new ProtocolExceptionFilter(RENDERERS));
  app.useGlobalPipes(requestValidationPipe);
  app.useGlobalInterceptors(new JsonResponseInterceptor());
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
