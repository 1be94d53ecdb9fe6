/**
 * The least a Node server in front of Postgres can do for a Chroma query: a bare node:http server
 * that parses the body, runs the gateway's own search SQL through pg (bench/sql/records.ts) and
 * writes the rows as JSON. No framework, routing, validation or logging. Timed by the per-call workload
 * against the gateway with the same request bytes, it separates what the gateway's stack costs from
 * what any extra process between a client and Postgres costs on the machine.
 *
 *   node dist/bench/servers/bare-sql.js PORT DATABASE_URL COLLECTION_ID
 *
 * GET answers a heartbeat; POST takes a Chroma query body (query_embeddings, n_results, where, include).
 */
import { createServer } from 'node:http';
import { openDirectSql } from '../sql/records';

async function main(): Promise<void> {
  const [port, databaseUrl, collectionId] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
  if (!Number.isInteger(port) || port <= 0 || !databaseUrl || !collectionId) {
    console.error('usage: node dist/bench/servers/bare-sql.js PORT DATABASE_URL COLLECTION_ID');
    process.exit(2);
  }
  const sql = await openDirectSql(databaseUrl);
  const records = await sql.records(collectionId);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"nanosecond heartbeat":0}');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      records
        .query(
          body.query_embeddings[0],
          body.n_results ?? 10,
          body.where,
          body.include ?? ['documents', 'metadatas', 'distances'],
        )
        .then(
          (rows) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows)),
          (err) => res.writeHead(500).end(String(err?.message ?? err)),
        );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => console.log(`bare sql server listening on ${port}`));
  process.on('SIGTERM', () => server.close(() => void sql.close().finally(() => process.exit(0))));
}

void main();
