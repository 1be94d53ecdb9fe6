import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_PATH } from './console-prefix';

/**
 * The console's page may run only its own script, style and requests: a document or metadata that
 * holds markup could not run anything even if it were ever rendered as HTML (it is shown as text).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** dist/console, where `npm run build` puts the page, from the repository (or image) root. */
export function consoleFilesDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

function secure(reply: { header(name: string, value: string): unknown }): void {
  reply.header('Content-Security-Policy', CONSOLE_CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
}

/**
 * Serves the built page at /console/ (its API is Nest's, under /console/api). Not built (a checkout
 * that ran no `npm run build`): /console/ says so rather than a bare 404.
 */
export async function serveConsolePage(fastify: FastifyInstance): Promise<void> {
  const root = consoleFilesDir();
  // Paths ignore a trailing slash (app.factory's router options): /console and /console/ are one
  // route, the page's; its assets are named from /console/ on, so either address works.
  if (!existsSync(join(root, 'index.html'))) {
    fastify.get(`${CONSOLE_PATH}/`, (_request, reply) => {
      secure(reply);
      return reply
        .status(404)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built: run `npm run build`, then start the gateway again.\n');
    });
    return;
  }
  await fastify.register(fastifyStatic, {
    // The page itself is the route below (with and without its trailing slash).
    index: false,
    root,
    prefix: `${CONSOLE_PATH}/`,
    // Hashed asset names change with each build; the page itself is always asked again.
    cacheControl: false,
    setHeaders: (res, path) => {
      secure(res);
      void res.header(
        'Cache-Control',
        path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
  fastify.get(CONSOLE_PATH, (_request, reply) => {
    secure(reply);
    void reply.header('Cache-Control', 'no-cache');
    return reply.sendFile('index.html');
  });
}

/** What the main port's root says to a browser: where the console and the API documentation are. */
const ROOT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>vecgate</title></head>
<body>
<h1>vecgate</h1>
<p>A gateway that speaks the Chroma v2, Pinecone, Qdrant and Vectorizer APIs over PostgreSQL.</p>
<ul>
<li><a href="${CONSOLE_PATH}/">The web console</a>: collections, records, searches, keys.</li>
<li><a href="/docs">The API documentation</a> (OpenAPI; <a href="/docs-json">as JSON</a>).</li>
</ul>
</body>
</html>
`;

/** `GET /` on the main port: a small page pointing at the console and /docs, rather than a 404. */
export function serveRootPage(fastify: FastifyInstance): void {
  fastify.get('/', (_request, reply) => {
    secure(reply);
    return reply.type('text/html; charset=utf-8').send(ROOT_PAGE);
  });
}
