import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProtocolError, type ProtocolErrorRenderer } from './protocol-errors';

const deadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();

/** The request's body has been read whole (by Fastify, or by the route that streams it): its deadline is over. */
export function bodyRead(request: FastifyRequest): void {
  clearTimeout(deadlines.get(request));
  deadlines.delete(request);
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Every request has `timeoutMs` from its headers until its body is read whole, whoever reads it.
 * Node's requestTimeout ends once the last byte has arrived, and a body a route reads as a stream
 * (a multipart upload) is read in the handler, after that: an upload whose form never ended well
 * held its connection and admission turn for good. A body Fastify parses is read once the
 * preHandler hooks run; one it leaves to the route (multipart) is read when the route says so
 * (bodyRead) or answers. Past the deadline the request gets a 408 in its protocol's shape, its
 * connection is closed (its admission turn ends with it) and its body stream is destroyed, so that
 * a reader still waiting on it gets an error.
 */
export function installRequestDeadline(
  fastify: FastifyInstance,
  timeoutMs: number,
  renderers: ProtocolErrorRenderer[],
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    deadlines.set(
      request,
      setTimeout(() => expire(request, reply, timeoutMs, renderers), timeoutMs),
    );
    reply.raw.once('close', () => bodyRead(request));
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    if (request.body !== undefined || !hasBody(request)) bodyRead(request);
    done();
  });
}

function expire(
  request: FastifyRequest,
  reply: FastifyReply,
  timeoutMs: number,
  renderers: ProtocolErrorRenderer[],
): void {
  deadlines.delete(request);
  // An answer already under way cannot become a 408: the connection is cut instead.
  if (reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  reply.raw.once('finish', () => {
    request.raw.destroy(new Error(`the request body was not read whole within ${timeoutMs} ms`));
  });
  void reply.header('connection', 'close');
  sendProtocolError(
    renderers,
    request,
    reply,
    new HttpException(
      `Request Timeout: the request was not received whole within ${timeoutMs} ms (VECGATE_REQUEST_TIMEOUT_MS)`,
      408,
    ),
  );
}
