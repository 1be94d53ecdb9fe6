import { StreamableFile } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ServerResponse } from 'node:http';
import { serializeWithRaw } from './raw-json';

// Named in full: Fastify adds the charset to a string it sends, not to a Buffer.
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Fastify under Nest, with every answer a handler returns sent as JSON with an application/json
 * content type, bare strings, numbers and booleans included (Chroma's version, count, reset):
 * clients pick their parser from the content type, and Fastify would send a string as text/plain.
 * Serialised here rather than by the framework so that RawJson leaves (vectors) go out as they
 * are (in a Buffer when there are any, see serializeWithRaw); undefined sends an empty body
 * (Pinecone's delete index). Done where Nest hands a result to the server rather than in a global
 * interceptor, which wraps every call in an RxJS pipeline (docs/hot-path.md).
 */
export class JsonFastifyAdapter extends FastifyAdapter {
  override reply(response: Parameters<FastifyAdapter['reply']>[0], body: unknown, statusCode?: number) {
    if (body !== undefined && !(body instanceof StreamableFile)) {
      if (response instanceof ServerResponse) response.setHeader('content-type', JSON_TYPE);
      else response.type(JSON_TYPE);
      body = serializeWithRaw(body);
    }
    return super.reply(response, body, statusCode);
  }
}
