/**
 * The HTTP floor: a bare node:http server that answers every request with one canned response,
 * doing no other work. Timed through the same client as the servers, it is what an HTTP call costs
 * on this machine before a server does anything (client, loopback, parsing of the same bytes).
 *
 *   node dist/bench/servers/http-floor.js PORT
 *
 * `POST /__canned` with `{"status": 200, "body": "<text>"}` sets the response; until then every
 * request gets a heartbeat. Started by bench/servers/start.ts, driven by the chroma and per-call workloads.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node dist/bench/servers/http-floor.js PORT');
  process.exit(2);
}

let status = 200;
let body = Buffer.from(JSON.stringify({ 'nanosecond heartbeat': 0 }));

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/__canned') {
      const canned = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: number; body: string };
      status = canned.status;
      body = Buffer.from(canned.body);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => console.log(`http floor listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
