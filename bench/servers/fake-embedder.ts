/**
 * A stand-in embedding provider for the inference workload: OpenAI's `/v1/embeddings` shape,
 * answering after a fixed latency with deterministic vectors (a hash of each text), so the
 * benchmark measures the gateway and not a model. It counts calls, inputs and calls in flight.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEmbedder {
  url: string;
  calls: number;
  inputs: number;
  maxInFlight: number;
  stop(): Promise<void>;
}

export function hashedVector(text: string, dimension: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  const v = Array.from({ length: dimension }, (_, i) => (seed[i % 32] ^ (i * 37)) / 127.5 - 1);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export async function startFakeEmbedder(dimension: number, latencyMs: number): Promise<FakeEmbedder> {
  let inFlight = 0;
  const fake: FakeEmbedder = { url: '', calls: 0, inputs: 0, maxInFlight: 0, stop: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: string[] };
      const data = body.input.map((t, index) => ({ index, embedding: hashedVector(t, dimension) }));
      fake.calls++;
      fake.inputs += body.input.length;
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data, usage: { total_tokens: body.input.length } }));
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
