/**
 * Integrated upsert (Pinecone's upsert_records: text in, embedded by a provider, then written)
 * against a provider answering each call in a fixed time. Three rows, each over the same texts
 * and the same number of concurrent clients:
 *   - the provider alone: the same batches sent straight to it, at the gateway's concurrency
 *     limit: the ceiling no gateway can pass;
 *   - vecgate's vector upsert of the same vectors, computed beforehand: what writing costs;
 *   - vecgate's integrated upsert of the texts.
 * The integrated rate near the lower of the first two shows batching and the concurrency cap
 * keep the gateway from being the bottleneck.
 */
import { int, on, workload } from '../options';
import { bullets, machineInfo, markdown, progress } from '../report';
import { startFakeEmbedder, hashedVector } from '../servers/fake-embedder';
import { startVecgate } from '../servers/start';
import { nowMs } from '../stats';

const BATCH = 96; // records per upsert_records call, Pinecone's limit

async function post(url: string, body: string, contentType = 'application/json'): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** Runs `work` over batches with `clients` callers at once; records/s. */
async function rate(batches: string[][], clients: number, work: (batch: string[], k: number) => Promise<void>) {
  let next = 0;
  const start = nowMs();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let k = next++; k < batches.length; k = next++) await work(batches[k], k);
    }),
  );
  const records = batches.reduce((n, b) => n + b.length, 0);
  return { seconds: (nowMs() - start) / 1000, perSecond: records / ((nowMs() - start) / 1000) };
}

export default workload({
  name: 'inference',
  about:
    'integrated upsert (text in) with a provider answering in a fixed time, beside the provider alone and a vector upsert',
  flags: {
    records: int('records', 9600, { min: 96, smoke: 480 }),
    dim: int('embedding dimension', 384, { min: 2, max: 4096, smoke: 16 }),
    latency: int('milliseconds the provider takes per call', 20, { min: 0 }),
    clients: int('concurrent clients', 8, { min: 1 }),
    concurrency: int("the provider's concurrency limit in the gateway", 8, { min: 1 }),
    batchSize: int("the provider's batch size in the gateway", 32, { min: 1 }),
    smoke: on('tiny run for CI: 480 records, dim 16'),
  },
  notes: 'Runs on DATABASE_URL when set, else embedded PGlite.',
  async run(o) {
    const machine = machineInfo();
    const texts = Array.from({ length: o.records }, (_, i) => `record ${i}: a passage of text about subject ${i % 97}`);
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += BATCH) batches.push(texts.slice(i, i + BATCH));
    const fake = await startFakeEmbedder(o.dim, o.latency);
    const config = {
      providers: {
        bench: {
          kind: 'openai',
          url: `${fake.url}/v1`,
          batch_size: o.batchSize,
          concurrency: o.concurrency,
          retries: 0,
        },
      },
      models: { 'bench-embed': { provider: 'bench', dimension: o.dim } },
    };
    const gateway = await startVecgate({ env: { VECGATE_INFERENCE_CONFIG: JSON.stringify(config) } });
    const rows: string[][] = [];
    // A run on Postgres finds the indexes of the last one: start from none, and leave none.
    const drop = () =>
      Promise.all(
        ['bench-vectors', 'bench-text'].map((name) => fetch(`${gateway.url}/indexes/${name}`, { method: 'DELETE' })),
      );
    try {
      await drop();
      progress('the provider alone');
      // The gateway's own limit, applied here by hand: at most `concurrency` calls at once.
      const providerBatches: string[][] = [];
      for (const b of batches)
        for (let i = 0; i < b.length; i += o.batchSize) providerBatches.push(b.slice(i, i + o.batchSize));
      const alone = await rate(providerBatches, o.concurrency, (b) =>
        post(`${fake.url}/v1/embeddings`, JSON.stringify({ model: 'm', input: b })),
      );
      rows.push([
        `the provider alone (${o.batchSize} per call, ${o.concurrency} at once)`,
        alone.seconds.toFixed(2),
        alone.perSecond.toFixed(0),
      ]);

      progress('vector upsert');
      await post(
        `${gateway.url}/indexes`,
        JSON.stringify({
          name: 'bench-vectors',
          dimension: o.dim,
          metric: 'cosine',
          spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
        }),
      );
      const vectors = batches.map((b, k) =>
        JSON.stringify({
          namespace: 'n',
          vectors: b.map((t, i) => ({ id: `r${k}-${i}`, values: hashedVector(t, o.dim), metadata: { text: t } })),
        }),
      );
      const plain = await rate(batches, o.clients, (_b, k) =>
        post(`${gateway.url}/indexes/bench-vectors/vectors/upsert`, vectors[k]),
      );
      rows.push([
        `vecgate vector upsert, vectors computed beforehand (${o.clients} clients)`,
        plain.seconds.toFixed(2),
        plain.perSecond.toFixed(0),
      ]);

      progress('integrated upsert');
      await post(
        `${gateway.url}/indexes/create-for-model`,
        JSON.stringify({
          name: 'bench-text',
          cloud: 'aws',
          region: 'us-east-1',
          embed: { model: 'bench-embed', field_map: { text: 'text' } },
        }),
      );
      const calls = fake.calls;
      fake.maxInFlight = 0;
      const integrated = await rate(batches, o.clients, (b, k) =>
        post(
          `${gateway.url}/indexes/bench-text/records/namespaces/n/upsert`,
          b.map((t, i) => JSON.stringify({ _id: `r${k}-${i}`, text: t })).join('\n'),
          'application/x-ndjson',
        ),
      );
      rows.push([
        `vecgate integrated upsert of the texts (${o.clients} clients)`,
        integrated.seconds.toFixed(2),
        integrated.perSecond.toFixed(0),
      ]);
      const stats = await fetch(`${gateway.url}/indexes/bench-text/describe_index_stats`, {
        method: 'POST',
        body: '{}',
      });
      const count = (await stats.json()) as { totalVectorCount?: number; totalRecordCount?: number };
      console.log(`\n## Integrated upsert, ${o.records} records x ${o.dim}, provider ${o.latency} ms per call\n`);
      console.log(bullets({ ...machine, backend: gateway.info.backend ?? 'external' }).join('\n'));
      console.log('\n' + markdown(['path', 'seconds', 'records/s'], rows));
      console.log(
        `\nProvider calls during the integrated upsert: ${fake.calls - calls} (at most ${fake.maxInFlight} at once); records written: ${count.totalVectorCount ?? count.totalRecordCount}.`,
      );
      return (count.totalVectorCount ?? count.totalRecordCount) === o.records && fake.maxInFlight <= o.concurrency;
    } finally {
      await drop().catch(() => undefined);
      await gateway.stop();
      await fake.stop();
    }
  },
});
