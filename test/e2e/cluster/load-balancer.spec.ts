import { Pinecone } from '@pinecone-database/pinecone';
import { ChromaClient } from 'chromadb';
import { Cluster, log, type AccessLogEntry, type GatewayProcess } from './cluster';
import { until, waitIndexed } from '../../support/wait';

/**
 * "Proof, here, with the real pieces": a private PostgreSQL cluster (initdb, pg_ctl), two gateway
 * processes (`node dist/src/main.js`) and nginx in front of them, all on loopback ports, driven by
 * the official chromadb and Pinecone clients and by plain HTTP. The test owns every process: it
 * kills a replica in the middle of a write workload and restarts Postgres under load, then reads
 * back every acknowledged write.
 *
 * It does not depend on DATABASE_URL (it brings its own Postgres), and it fails, not skips, when
 * nginx or initdb is missing: `bash scripts/install-nginx.sh` installs nginx; PostgreSQL 15 with
 * pgvector (scripts/install-pgvector.sh) provides the rest.
 *
 * nginx's health checking is passive (open-source nginx has no active health checks): a replica is
 * known to be dead only when a request to it fails; it is then skipped for fail_timeout (2 s), and
 * a request that could not be sent to it (refused connection) goes to the other replica.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const DIM = 8;
/**
 * Every replica builds a collection's HNSW index in the background as soon as it has a record and
 * inserts have been quiet for 50 ms (the default waits for 1000 records), so that builds, and the
 * advisory lock that lets one replica of two build, are part of every scenario here. They trust
 * the nginx in front, on this host, for X-Forwarded-*.
 */
const INDEXING_ENV = { VECGATE_INDEX_MIN_ROWS: '1', VECGATE_INDEX_QUIET_MS: '50', VECGATE_TRUSTED_PROXIES: 'loopback' };
const REQUEST_TIMEOUT_MS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const chunks = <T>(values: T[], size: number): T[][] =>
  range(Math.ceil(values.length / size)).map((i) => values.slice(i * size, (i + 1) * size));

/** A deterministic, never all-zero vector (Pinecone refuses all-zero dense vectors). */
function vec(seed: number, dim = DIM): number[] {
  let s = (seed * 2654435761 + 12345) >>> 0;
  return range(dim).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.round(((s >>> 8) / 2 ** 24 - 0.5) * 1000) / 1000 || 0.001;
  });
}

// -------------------------------------------------------------------------------- plain HTTP

/** What a request came to: an HTTP status, or 'timeout' / 'network:<code>' when there was none. */
type Outcome = number | string;

interface Answer {
  status: Outcome;
  body: any;
  text: string;
  ms: number;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, ms: Date.now() - started };
  } catch (err: any) {
    const name =
      err?.name === 'TimeoutError' || err?.name === 'AbortError'
        ? 'timeout'
        : `network:${err?.cause?.code ?? err?.code ?? err?.message}`;
    return { status: name, body: undefined, text: String(err?.message ?? err), ms: Date.now() - started };
  }
}

const ok = (s: Outcome) => typeof s === 'number' && s >= 200 && s < 300;

/** Counts of outcomes by a key, printed as "200×120 502×2". */
class Tally {
  readonly counts = new Map<string, number>();
  add(key: Outcome, n = 1): void {
    this.counts.set(String(key), (this.counts.get(String(key)) ?? 0) + n);
  }
  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  get(key: Outcome): number {
    return this.counts.get(String(key)) ?? 0;
  }
  keys(): string[] {
    return [...this.counts.keys()];
  }
  toString(): string {
    return (
      [...this.counts.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}×${v}`)
        .join(' ') || '(none)'
    );
  }
}

// -------------------------------------------------------------------------------- the report

const report: string[] = [];
function note(line: string): void {
  report.push(line);
  log(line);
}

/** Requests nginx logged since a mark: by status, by the replica that answered, and retries. */
function nginxSummary(entries: AccessLogEntry[], gateways: GatewayProcess[]): string {
  const byStatus = new Tally();
  const servedBy = new Tally();
  let retried = 0;
  // With every replica marked failed, nginx logs the upstream group's name and answers 502 itself.
  const name = (addr: string) =>
    gateways.find((g) => addr.endsWith(`:${g.port}`))?.name ??
    (addr === 'vecgate' ? 'none (nginx: no live upstreams)' : addr);
  for (const e of entries) {
    byStatus.add(e.status);
    const last = e.upstreams[e.upstreams.length - 1];
    servedBy.add(last ? name(last.addr) : 'nginx itself');
    if (e.upstreams.length > 1) retried++;
  }
  return `${entries.length} requests through nginx: status ${byStatus}; last upstream ${servedBy}; retried on the other replica ${retried}`;
}

// -------------------------------------------------------------------------------- writers

type Proto = 'chroma' | 'pinecone';

interface Batch {
  proto: Proto;
  writer: number;
  ids: string[];
  status: Outcome;
  started: number;
  ended: number;
}

/** Where each protocol's writes of a phase go: a Chroma collection (by id) and a Pinecone index. */
interface Targets {
  chromaName: string;
  chromaId: string;
  pineconeIndex: string;
}

function writeRequest(
  proto: Proto,
  t: Targets,
  ids: string[],
  writer: number,
): { method: string; path: string; body: unknown } {
  if (proto === 'chroma') {
    return {
      method: 'POST',
      path: `${P}/collections/${t.chromaId}/add`,
      body: {
        ids,
        embeddings: ids.map((_, i) => vec(writer * 100_000 + i)),
        metadatas: ids.map((id) => ({ writer, id })),
        documents: ids.map((id) => `doc ${id}`),
      },
    };
  }
  return {
    method: 'POST',
    path: `/indexes/${t.pineconeIndex}/vectors/upsert`,
    body: {
      namespace: '',
      vectors: ids.map((id, i) => ({ id, values: vec(writer * 100_000 + i), metadata: { writer, id } })),
    },
  };
}

/**
 * Writers through `base` (nginx): each sends batches of `size` new ids, one at a time, until
 * stop() says so or it has sent `max` batches. Every batch and what it came to is recorded.
 */
function startWriters(
  base: string,
  t: Targets,
  prefix: string,
  count: number,
  size: number,
  stop: () => boolean,
  max = 400,
): { batches: Batch[]; done: Promise<void> } {
  const batches: Batch[] = [];
  const one = async (w: number) => {
    const proto: Proto = w % 2 === 0 ? 'chroma' : 'pinecone';
    for (let b = 0; b < max && !stop(); b++) {
      const ids = range(size).map((i) => `${prefix}-w${w}-b${b}-${i}`);
      const req = writeRequest(proto, t, ids, w);
      const started = Date.now();
      const res = await call(base, req.method, req.path, req.body);
      batches.push({ proto, writer: w, ids, status: res.status, started, ended: Date.now() });
      if (!ok(res.status)) await sleep(50); // as a client would, briefly, before the next write
    }
  };
  return { batches, done: Promise.all(range(count).map(one)).then(() => undefined) };
}

/** The ids of `ids` that exist, read back through one gateway (directly). */
async function existing(base: string, proto: Proto, t: Targets, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (proto === 'chroma') {
    for (const part of chunks(ids, 1000)) {
      const res = await call(base, 'POST', `${P}/collections/${t.chromaId}/get`, { ids: part, include: [] }, 30_000);
      if (res.status !== 200)
        throw new Error(`read-back (chroma get) answered ${res.status}: ${res.text.slice(0, 300)}`);
      for (const id of res.body.ids) found.add(id);
    }
  } else {
    for (const part of chunks(ids, 100)) {
      const qs = part.map((id) => `ids=${encodeURIComponent(id)}`).join('&');
      const res = await call(
        base,
        'GET',
        `/indexes/${t.pineconeIndex}/vectors/fetch?namespace=&${qs}`,
        undefined,
        30_000,
      );
      if (res.status !== 200)
        throw new Error(`read-back (pinecone fetch) answered ${res.status}: ${res.text.slice(0, 300)}`);
      for (const id of Object.keys(res.body.vectors ?? {})) found.add(id);
    }
  }
  return found;
}

/**
 * Reads back every batch: acknowledged ones must be there whole; any other batch whole or not at
 * all. Returns what it counted.
 */
async function checkBatches(base: string, t: Targets, batches: Batch[]) {
  const result = {
    batches: batches.length,
    acked: 0,
    unackedLanded: 0,
    unackedAbsent: 0,
    recordsChecked: 0,
    lostAcked: [] as string[],
    partial: [] as string[],
  };
  for (const proto of ['chroma', 'pinecone'] as Proto[]) {
    const mine = batches.filter((b) => b.proto === proto);
    const ids = mine.flatMap((b) => b.ids);
    const found = await existing(base, proto, t, ids);
    result.recordsChecked += ids.length;
    for (const b of mine) {
      const n = b.ids.filter((id) => found.has(id)).length;
      if (ok(b.status)) {
        result.acked++;
        if (n !== b.ids.length)
          result.lostAcked.push(`${proto} ${b.ids[0]}.. (${n}/${b.ids.length} present, answered ${b.status})`);
      } else {
        if (n === b.ids.length) result.unackedLanded++;
        else if (n === 0) result.unackedAbsent++;
        else result.partial.push(`${proto} ${b.ids[0]}.. (${n}/${b.ids.length} present, answered ${b.status})`);
      }
      if (ok(b.status) && n !== b.ids.length && n !== 0)
        result.partial.push(`${proto} ${b.ids[0]}.. (${n}/${b.ids.length} present, answered ${b.status})`);
    }
  }
  return result;
}

function outcomes(batches: Batch[]): Tally {
  const t = new Tally();
  for (const b of batches) t.add(`${b.proto}:${b.status}`);
  return t;
}

// -------------------------------------------------------------------------------- the test

describe('two gateways behind nginx over a private PostgreSQL (the real pieces)', () => {
  let cluster: Cluster | undefined;
  let A: GatewayProcess;
  let B: GatewayProcess;
  let nginxUrl: string;
  const started = Date.now();

  const c = () => {
    if (!cluster) throw new Error('the cluster did not start (see the beforeAll error)');
    return cluster;
  };

  /** A Chroma collection (returns its id) and a Pinecone index of DIM dimensions, created through nginx. */
  async function createTargets(name: string): Promise<Targets> {
    const col = await call(nginxUrl, 'POST', `${P}/collections`, {
      name,
      configuration: { hnsw: { space: 'cosine' } },
    });
    expect(col.status).toBe(200);
    const idx = await call(nginxUrl, 'POST', '/indexes', {
      name: `${name}-pc`,
      dimension: DIM,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(idx.status).toBe(201);
    return { chromaName: name, chromaId: col.body.id, pineconeIndex: `${name}-pc` };
  }

  beforeAll(async () => {
    cluster = await Cluster.start(2, INDEXING_ENV);
    [A, B] = cluster.gateways;
    nginxUrl = cluster.nginx.url;
    note(
      `setup in ${((Date.now() - started) / 1000).toFixed(1)} s: private PostgreSQL on 127.0.0.1:${cluster.pg.port} (pgvector ${cluster.pgvectorVersion}` +
        `${process.getuid?.() === 0 ? ', run as the postgres OS user' : ''}), ${cluster.buildNote}, gateway A :${A.port} (pid ${A.pid}), gateway B :${B.port} (pid ${B.pid}), ` +
        `nginx ${cluster.nginx.version} :${cluster.nginx.port} (round robin, max_fails=1 fail_timeout=2s, proxy_next_upstream error timeout http_502; passive health only)`,
    );
  }, 240_000);

  afterAll(async () => {
    const lines = [
      `cluster test, ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
      ...report.map((l) => `  - ${l}`),
    ];

    console.log(lines.join('\n'));
    await cluster?.stop();
  });

  it('has pgvector in its own cluster, both replicas and nginx up, and Pinecone index hosts that point at nginx', async () => {
    const { pg, nginx } = c();
    expect(pg.port).not.toBe(5432);
    const [row] = await pg.sql(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`);
    expect(row.extversion).toBe(c().pgvectorVersion);
    for (const base of [A.url, B.url, nginx.url])
      expect((await call(base, 'GET', '/api/v2/heartbeat')).status).toBe(200);

    const pc = new Pinecone({ apiKey: 'unused', controllerHostUrl: nginx.url, maxRetries: 0 });
    await pc.createIndex({
      name: 'lb-sanity',
      dimension: 3,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect((await pc.describeIndex('lb-sanity')).host).toBe(`${nginx.url}/indexes/lb-sanity`);
    // nginx sets X-Forwarded-Host/-Proto from what the client used, over anything the client sent.
    const forged = await fetch(`${nginx.url}/indexes/lb-sanity`, {
      headers: { 'x-forwarded-host': 'evil.example:1', 'x-forwarded-proto': 'https' },
    });
    expect(((await forged.json()) as any).host).toBe(`${nginx.url}/indexes/lb-sanity`);
    // ... and the gateway, which trusts proxies on this host (VECGATE_TRUSTED_PROXIES=loopback), honours them.
    const direct = await fetch(`${A.url}/indexes/lb-sanity`, {
      headers: { 'x-forwarded-host': 'vectors.example:8443', 'x-forwarded-proto': 'https' },
    });
    expect(((await direct.json()) as any).host).toBe('https://vectors.example:8443/indexes/lb-sanity');
    await pc.index({ name: 'lb-sanity' }).upsert({ records: [{ id: 'x', values: [1, 2, 3] }] });
    expect(Object.keys((await pc.index({ name: 'lb-sanity' }).fetch({ ids: ['x'] })).records)).toEqual(['x']);
    note(
      `sanity: Pinecone index host through nginx = ${nginx.url}/indexes/lb-sanity (X-Forwarded-Host/-Proto set by nginx, honoured by the gateway)`,
    );
  });

  it('serves a mixed Chroma + Pinecone workload of 16 concurrent clients through nginx, losing nothing', async () => {
    const { nginx } = c();
    const CHROMA_CLIENTS = 8;
    const PINECONE_CLIENTS = 8;
    const ROUNDS = 12;
    const BATCH = 25;
    const deadline = Date.now() + 45_000;
    const mark = nginx.mark();
    const ops = new Tally();
    const failures: string[] = [];
    const httpStatuses = new Tally(); // what the Pinecone clients' requests came to, from their fetch
    const ackedChroma: string[] = [];
    const ackedPinecone = new Map<string, string[]>();

    const op = async <T>(
      kind: string,
      fn: () => Promise<T>,
      check?: (v: T) => string | undefined,
    ): Promise<T | undefined> => {
      try {
        const v = await fn();
        const wrong = check?.(v);
        if (wrong) {
          ops.add(`${kind}:wrong`);
          failures.push(`${kind}: ${wrong}`);
        } else ops.add(`${kind}:ok`);
        return v;
      } catch (err: any) {
        ops.add(`${kind}:${err?.name ?? 'error'}`);
        failures.push(`${kind}: ${err?.name}: ${String(err?.message).slice(0, 200)}`);
        return undefined;
      }
    };

    await new ChromaClient({ host: '127.0.0.1', port: nginx.port }).createCollection({
      name: 'lb-mixed',
      configuration: { hnsw: { space: 'cosine' } },
      embeddingFunction: null,
    });
    const admin = new Pinecone({ apiKey: 'unused', controllerHostUrl: nginx.url, maxRetries: 0 });
    await admin.createIndex({
      name: 'lb-mixed-pc',
      dimension: DIM,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });

    const chromaWorker = async (w: number) => {
      const client = new ChromaClient({ host: '127.0.0.1', port: nginx.port });
      const col = await op('chroma.getOrCreateCollection', () =>
        client.getOrCreateCollection({ name: 'lb-mixed', embeddingFunction: null }),
      );
      if (!col) return;
      let mine = 0;
      for (let r = 0; r < ROUNDS && Date.now() < deadline; r++) {
        const ids = range(BATCH).map((i) => `c${w}-r${r}-${i}`);
        const added = await op('chroma.add', () =>
          col
            .add({
              ids,
              embeddings: ids.map((_, i) => vec(w * 1000 + r * 50 + i)),
              metadatas: ids.map((_, i) => ({ worker: w, round: r, i })),
              documents: ids.map((id) => `document ${id}`),
            })
            .then(() => true),
        );
        if (added) {
          ackedChroma.push(...ids);
          mine += BATCH;
        }
        await op(
          'chroma.query',
          () => col.query({ queryEmbeddings: [vec(w * 1000 + r * 50)], nResults: 5, where: { worker: w } }),
          (q) => {
            const metas = q.metadatas[0];
            if (metas.length !== Math.min(5, mine)) return `query returned ${metas.length} of ${Math.min(5, mine)}`;
            if (metas.some((m) => m?.worker !== w)) return "query returned another worker's record";
            return undefined;
          },
        );
        await op(
          'chroma.get',
          () => col.get({ ids }),
          (g) => (added && g.ids.length !== BATCH ? `get returned ${g.ids.length} of ${BATCH}` : undefined),
        );
        if (r % 4 === 3)
          await op(
            'chroma.count',
            () => col.count(),
            (n) => (n < mine ? `count ${n} below this client's own ${mine}` : undefined),
          );
      }
    };

    const pineconeWorker = async (w: number) => {
      const pc = new Pinecone({
        apiKey: 'unused',
        controllerHostUrl: nginx.url,
        maxRetries: 0,
        fetchApi: async (input: any, init?: any) => {
          const res = await fetch(input, init);
          httpStatuses.add(res.status);
          return res;
        },
      });
      const ns = `w${w}`;
      const index = pc.index({ name: 'lb-mixed-pc' }).namespace(ns);
      const acked: string[] = [];
      ackedPinecone.set(ns, acked);
      for (let r = 0; r < ROUNDS && Date.now() < deadline; r++) {
        const ids = range(BATCH).map((i) => `p${w}-r${r}-${i}`);
        const upserted = await op('pinecone.upsert', () =>
          index
            .upsert({
              records: ids.map((id, i) => ({
                id,
                values: vec(50_000 + w * 1000 + r * 50 + i),
                metadata: { worker: w, round: r },
              })),
            })
            .then(() => true),
        );
        if (upserted) acked.push(...ids);
        await op(
          'pinecone.query',
          () =>
            index.query({
              vector: vec(50_000 + w * 1000 + r * 50),
              topK: 5,
              filter: { round: { $lte: r } },
              includeMetadata: true,
            }),
          (q) => {
            if (q.matches.length !== Math.min(5, acked.length))
              return `query returned ${q.matches.length} of ${Math.min(5, acked.length)}`;
            if (q.matches.some((m) => (m.metadata?.round as number) > r || m.metadata?.worker !== w))
              return 'query returned a record outside its filter or namespace';
            return undefined;
          },
        );
        await op(
          'pinecone.fetch',
          () => index.fetch({ ids }),
          (f) =>
            upserted && Object.keys(f.records).length !== BATCH
              ? `fetch returned ${Object.keys(f.records).length} of ${BATCH}`
              : undefined,
        );
        if (r % 4 === 3) await op('pinecone.describeIndexStats', () => index.describeIndexStats());
      }
    };

    const t0 = Date.now();
    await Promise.all([
      ...range(CHROMA_CLIENTS).map(chromaWorker),
      ...range(PINECONE_CLIENTS).map((w) => pineconeWorker(w)),
    ]);
    const seconds = (Date.now() - t0) / 1000;
    const entries = nginx.entries(mark);

    // Read everything back through nginx with fresh clients.
    const reader = await new ChromaClient({ host: '127.0.0.1', port: nginx.port }).getCollection({ name: 'lb-mixed' });
    let chromaFound = 0;
    for (const part of chunks(ackedChroma, 500))
      chromaFound += (await reader.get({ ids: part, include: [] })).ids.length;
    const chromaCount = await reader.count();
    const index = new Pinecone({ apiKey: 'unused', controllerHostUrl: nginx.url, maxRetries: 0 }).index({
      name: 'lb-mixed-pc',
    });
    let pineconeFound = 0;
    let pineconeAcked = 0;
    const stats = await index.describeIndexStats();
    for (const [ns, ids] of ackedPinecone) {
      pineconeAcked += ids.length;
      for (const part of chunks(ids, 100))
        pineconeFound += Object.keys((await index.namespace(ns).fetch({ ids: part })).records).length;
      expect(stats.namespaces?.[ns]?.recordCount).toBe(ids.length);
    }

    note(
      `mixed workload: ${CHROMA_CLIENTS} chromadb + ${PINECONE_CLIENTS} Pinecone clients, ${ROUNDS} rounds of ${BATCH} records, in ${seconds.toFixed(1)} s; ` +
        `client calls ${ops.total} (${ops}); Pinecone clients' HTTP statuses ${httpStatuses}`,
    );
    note(`mixed workload: ${nginxSummary(entries, c().gateways)}`);
    note(
      `mixed workload: read back ${chromaFound}/${ackedChroma.length} Chroma records (count ${chromaCount}) and ${pineconeFound}/${pineconeAcked} Pinecone records`,
    );
    if (failures.length) note(`mixed workload failures: ${failures.slice(0, 10).join(' | ')}`);

    expect(failures).toEqual([]);
    expect(ackedChroma.length).toBe(CHROMA_CLIENTS * ROUNDS * BATCH);
    expect(pineconeAcked).toBe(PINECONE_CLIENTS * ROUNDS * BATCH);
    expect(chromaFound).toBe(ackedChroma.length);
    expect(chromaCount).toBe(ackedChroma.length);
    expect(pineconeFound).toBe(pineconeAcked);
    // Round robin: both replicas served, and nothing failed at nginx.
    const served = new Set(entries.map((e) => e.upstreams[e.upstreams.length - 1]?.addr));
    expect(served).toEqual(new Set([`127.0.0.1:${A.port}`, `127.0.0.1:${B.port}`]));
    expect(entries.filter((e) => e.status >= 500)).toEqual([]);
  });

  describe('races across both replicas (each request straight to one replica, alternating)', () => {
    const gw = (i: number) => (i % 2 === 0 ? A : B);

    it('get_or_create of one collection, 40 times at once: one collection, one id', async () => {
      const name = 'lb-race-goc';
      const answers = await Promise.all(
        range(40).map((i) =>
          call(gw(i).url, 'POST', `${P}/collections`, { name, get_or_create: true, metadata: { by: i } }),
        ),
      );
      const statuses = new Tally();
      answers.forEach((a) => statuses.add(a.status));
      const ids = new Set(answers.map((a) => a.body?.id));
      // and through the official client on both replicas at once
      const clients = [A, B].map((g) => new ChromaClient({ host: '127.0.0.1', port: g.port }));
      const handles = await Promise.all(
        range(16).map((i) => clients[i % 2].getOrCreateCollection({ name, embeddingFunction: null })),
      );
      handles.forEach((h) => ids.add(h.id));
      const rows = await c().pg.sql(`SELECT id FROM vecgate_collections WHERE name = $1`, [name]);
      const listed = (await call(B.url, 'GET', `${P}/collections?limit=1000`)).body.filter((x: any) => x.name === name);
      note(
        `race get_or_create: 40 raw requests (${statuses}) + 16 client calls on both replicas -> ${ids.size} distinct id, ${rows.length} catalog row, ${listed.length} listed`,
      );
      expect(statuses.toString()).toBe('200×40');
      expect(ids.size).toBe(1);
      expect(rows).toHaveLength(1);
      expect(listed).toHaveLength(1);
    });

    it('creating one Pinecone index 16 times at once: one 201, fifteen 409', async () => {
      const answers = await Promise.all(
        range(16).map((i) =>
          call(gw(i).url, 'POST', '/indexes', {
            name: 'lb-race-create',
            dimension: 4,
            metric: 'dotproduct',
            spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
          }),
        ),
      );
      const statuses = new Tally();
      answers.forEach((a) => statuses.add(a.status));
      const rows = await c().pg.sql(`SELECT id FROM vecgate_collections WHERE name = 'lb-race-create'`);
      note(`race create index: 16 requests on both replicas -> ${statuses}, ${rows.length} catalog row`);
      expect(statuses.get(201)).toBe(1);
      expect(statuses.get(409)).toBe(15);
      expect(rows).toHaveLength(1);
    });

    /** Waits until both replicas report the collection's index built; the ms it took. */
    async function timeToIndexed(collectionId: string): Promise<number> {
      const from = Date.now();
      await waitIndexed([A.url, B.url], collectionId);
      return Date.now() - from;
    }

    /** How a collection's record table is typed and indexed, read from the private cluster. */
    async function storage(collectionId: string) {
      const [{ table_name: table, dimension }] = await c().pg.sql(
        `SELECT table_name, dimension FROM vecgate_collections WHERE id = $1`,
        [collectionId],
      );
      const [{ type }] = await c().pg.sql(
        `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass('vecgate_records.' || quote_ident($1)) AND a.attname = 'embedding'`,
        [table],
      );
      const [{ n: hnsw, valid }] = await c().pg.sql(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE x.indisvalid)::int AS valid
         FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
         WHERE i.schemaname = 'vecgate_records' AND i.tablename = $1 AND i.indexdef ILIKE '%USING hnsw%'`,
        [table],
      );
      const [{ rows, distinct }] = await c().pg.sql(
        `SELECT count(*)::int AS rows, count(DISTINCT (namespace, id))::int AS distinct FROM vecgate_records.${table}`,
      );
      return { table, dimension, type, hnsw, valid, rows, distinct };
    }

    it('the first add to a new collection, from both replicas at once: one dimension, every record once', async () => {
      // Same dimension everywhere: every add succeeds.
      const same = await call(A.url, 'POST', `${P}/collections`, { name: 'lb-race-first' });
      const addsSame = await Promise.all(
        range(24).map((i) => {
          const ids = range(5).map((k) => `s${i}-${k}`);
          return call(gw(i).url, 'POST', `${P}/collections/${same.body.id}/add`, {
            ids,
            embeddings: ids.map((_, k) => vec(i * 10 + k, 3)),
          });
        }),
      );
      const sameStatuses = new Tally();
      addsSame.forEach((a) => sameStatuses.add(a.status));
      // Both replicas watch the collection; one builds its index, once (the advisory lock).
      const built1 = await timeToIndexed(same.body.id);
      const s1 = await storage(same.body.id);

      // Two dimensions racing: one wins, every add of the other is refused whole.
      const mixed = await call(B.url, 'POST', `${P}/collections`, { name: 'lb-race-first-mixed' });
      const addsMixed = await Promise.all(
        range(24).map((i) => {
          const dim = i % 4 < 2 ? 3 : 4; // each dimension sent to both replicas
          const ids = range(5).map((k) => `m${i}-${k}`);
          return call(gw(i).url, 'POST', `${P}/collections/${mixed.body.id}/add`, {
            ids,
            embeddings: ids.map((_, k) => vec(i * 10 + k, dim)),
          }).then((a) => ({ ...a, dim, ids }));
        }),
      );
      const mixedStatuses = new Tally();
      addsMixed.forEach((a) => mixedStatuses.add(`${a.dim}d:${a.status}`));
      const built2 = await timeToIndexed(mixed.body.id);
      const s2 = await storage(mixed.body.id);
      const got = await call(A.url, 'POST', `${P}/collections/${mixed.body.id}/get`, {
        include: ['embeddings'],
        limit: 1000,
      });

      note(
        `race first add: 24 adds of 5 (3-d) on both replicas -> ${sameStatuses}; column ${s1.type}, ${s1.hnsw} HNSW index (${s1.valid} valid, built within ${built1} ms), ${s1.rows} rows; ` +
          `24 adds racing 3-d against 4-d -> ${mixedStatuses}; dimension ${s2.dimension}, column ${s2.type}, ${s2.hnsw} HNSW index (${s2.valid} valid, built within ${built2} ms), ${s2.rows} rows`,
      );
      expect(sameStatuses.toString()).toMatch(/^20[01]×24$/);
      expect(s1).toMatchObject({ dimension: 3, type: 'vector(3)', hnsw: 1, valid: 1, rows: 120, distinct: 120 });

      const winners = addsMixed.filter((a) => ok(a.status));
      const losers = addsMixed.filter((a) => !ok(a.status));
      expect(new Set(winners.map((a) => a.dim)).size).toBe(1);
      const dim = winners[0].dim;
      expect(winners).toHaveLength(12);
      expect(losers.every((a) => a.status === 400 && a.dim !== dim)).toBe(true);
      expect(s2).toMatchObject({ dimension: dim, type: `vector(${dim})`, hnsw: 1, valid: 1, rows: 60, distinct: 60 });
      expect(got.body.ids.sort()).toEqual(winners.flatMap((a) => a.ids).sort());
      expect(got.body.embeddings.every((e: number[]) => e.length === dim)).toBe(true);
    });

    it('upserts of the same ids from both replicas at once (Chroma and Pinecone): no duplicate, no lost or mixed record', async () => {
      const IDS = range(10).map((i) => `u${i}`);
      const WRITERS = 32;
      const col = await call(A.url, 'POST', `${P}/collections`, { name: 'lb-race-upsert' });
      await call(B.url, 'POST', '/indexes', {
        name: 'lb-race-upsert-pc',
        dimension: 4,
        metric: 'euclidean',
        spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
      });
      // Each writer sends the ids in its own order (a deadlock between replicas must be retried, not surface).
      const order = (w: number) =>
        [...IDS].sort((a, b) => ((a.charCodeAt(1) * 7 + w * 13) % 10) - ((b.charCodeAt(1) * 7 + w * 13) % 10));
      const chromaAnswers = await Promise.all(
        range(WRITERS).map((w) => {
          const ids = order(w);
          return call(gw(w).url, 'POST', `${P}/collections/${col.body.id}/upsert`, {
            ids,
            embeddings: ids.map(() => [w, w, w, w + 1]),
            metadatas: ids.map(() => ({ writer: w })),
            documents: ids.map(() => `writer ${w}`),
          });
        }),
      );
      const pineconeAnswers = await Promise.all(
        range(WRITERS).map((w) =>
          call(gw(w + 1).url, 'POST', '/indexes/lb-race-upsert-pc/vectors/upsert', {
            namespace: 'same',
            vectors: order(w).map((id) => ({ id, values: [w, w, w, w + 1], metadata: { writer: w } })),
          }),
        ),
      );
      const statuses = new Tally();
      chromaAnswers.forEach((a) => statuses.add(`chroma:${a.status}`));
      pineconeAnswers.forEach((a) => statuses.add(`pinecone:${a.status}`));

      const got = await call(B.url, 'POST', `${P}/collections/${col.body.id}/get`, {
        include: ['embeddings', 'metadatas', 'documents'],
      });
      const mixedChroma = got.body.ids.filter((_: string, i: number) => {
        const w = got.body.metadatas[i].writer;
        return got.body.documents[i] !== `writer ${w}` || got.body.embeddings[i].join() !== [w, w, w, w + 1].join();
      });
      const fetched = await call(
        A.url,
        'GET',
        `/indexes/lb-race-upsert-pc/vectors/fetch?namespace=same&${IDS.map((id) => `ids=${id}`).join('&')}`,
      );
      const vectors: any[] = Object.values(fetched.body.vectors);
      const mixedPinecone = vectors.filter(
        (v) =>
          v.values.join() !== [v.metadata.writer, v.metadata.writer, v.metadata.writer, v.metadata.writer + 1].join(),
      );
      const s = await storage(col.body.id);
      const stats = await call(B.url, 'POST', '/indexes/lb-race-upsert-pc/describe_index_stats', {});
      const [pcRows] = await c().pg.sql(
        `SELECT count(*)::int AS n FROM vecgate_records.${(await c().pg.sql(`SELECT table_name FROM vecgate_collections WHERE name = 'lb-race-upsert-pc'`))[0].table_name}`,
      );

      note(
        `race same-id upserts: ${WRITERS}×2 upserts of the same 10 ids on both replicas -> ${statuses}; Chroma ${got.body.ids.length} records (${s.rows} rows, ${s.distinct} distinct), ` +
          `Pinecone ${vectors.length} records (${pcRows.n} rows); records mixing two writers: ${mixedChroma.length + mixedPinecone.length}`,
      );
      expect(statuses.toString()).toBe(`chroma:200×${WRITERS} pinecone:200×${WRITERS}`);
      expect(got.body.ids.sort()).toEqual([...IDS].sort());
      expect(s).toMatchObject({ rows: 10, distinct: 10 });
      expect(mixedChroma).toEqual([]);
      expect(vectors.map((v) => v.id).sort()).toEqual([...IDS].sort());
      expect(mixedPinecone).toEqual([]);
      expect(pcRows.n).toBe(10);
      expect(stats.body.namespaces.same.vectorCount).toBe(10);
    });
  });

  it('a replica SIGKILLed in the middle of writes: nginx routes around it, no acknowledged write is lost, no batch is half-written', async () => {
    const { nginx } = c();
    const t = await createTargets('lb-kill');
    const WRITERS = 12;
    const BATCH = 10;
    let stopping = false;
    const mark = nginx.mark();
    const pidBefore = A.pid;
    const t0 = Date.now();
    const { batches, done } = startWriters(nginx.url, t, 'k', WRITERS, BATCH, () => stopping);

    await sleep(1500);
    const killedAt = Date.now();
    await A.kill('SIGKILL');
    const goneAt = Date.now(); // the process has exited: the kernel has closed its sockets
    const ackedBeforeKill = batches.filter((b) => ok(b.status) && b.ended <= killedAt).length;
    await sleep(3000);
    const restartAt = Date.now();
    await A.start();
    const backAt = Date.now();
    note(
      `kill: A (pid ${pidBefore}) SIGKILLed at +${killedAt - t0} ms (gone at +${goneAt - t0} ms), restarted at +${restartAt - t0} ms as pid ${A.pid}, answering at +${backAt - t0} ms`,
    );
    const aAddr = `127.0.0.1:${A.port}`;
    const servedByA = (e: AccessLogEntry) => e.upstreams.some((u) => u.addr === aAddr && /^2/.test(u.status));
    // Until nginx has tried A again (after fail_timeout, 2 s) and A has taken writes: a condition,
    // so that a slow restart or a busy machine waits longer rather than fails; never, and it fails.
    await until(
      'nginx sending writes to the restarted A',
      () => nginx.entries(mark).filter((e) => e.time > backAt && servedByA(e)).length,
      (n) => n >= WRITERS,
    );
    stopping = true;
    await done;
    const stoppedAt = Date.now();

    const entries = nginx.entries(mark);
    const downWindow = entries.filter((e) => e.time > killedAt + 100 && e.time < restartAt);
    const ackedWhileDown = batches.filter((b) => ok(b.status) && b.started > killedAt && b.ended < restartAt).length;
    const routedAround = downWindow.filter((e) => e.upstreams.length > 1 && e.upstreams[0].addr === aAddr).length;
    const aAfter = entries.filter((e) => e.time > backAt && servedByA(e)).length;
    const failed = batches.filter((b) => !ok(b.status));

    const check = await checkBatches(B.url, t, batches);
    note(
      `kill: ${WRITERS} writers (Chroma add / Pinecone upsert, ${BATCH} ids a batch) through nginx for ${((stoppedAt - t0) / 1000).toFixed(1)} s: ${batches.length} batches, ` +
        `outcomes ${outcomes(batches)}; acked before the kill ${ackedBeforeKill}, acked while A was down ${ackedWhileDown}`,
    );
    note(
      `kill: ${nginxSummary(entries, c().gateways)}; while A was down: ${downWindow.length} requests, ${routedAround} tried A then B, ${downWindow.filter(servedByA).length} answered by A; after A came back it answered ${aAfter}`,
    );
    note(
      `kill: read back ${check.recordsChecked} ids of ${check.batches} batches through B: acked ${check.acked} (lost ${check.lostAcked.length}), ` +
        `unacked ${failed.length} (landed whole ${check.unackedLanded}, absent ${check.unackedAbsent}), half-written ${check.partial.length}`,
    );
    if (failed.length)
      note(
        `kill: failed batches: ${failed.map((b) => `${b.proto} ${b.status} at +${b.started - t0}..${b.ended - t0} ms`).join('; ')}`,
      );

    expect(check.lostAcked).toEqual([]);
    expect(check.partial).toEqual([]);
    expect(ackedWhileDown).toBeGreaterThan(0);
    expect(downWindow.filter(servedByA)).toEqual([]);
    expect(aAfter).toBeGreaterThan(0);
    // Only what was in flight on A when it died may fail (at most one request a writer), as a 502
    // from nginx: a POST already sent is not retried on the other replica.
    expect(failed.length).toBeLessThanOrEqual(WRITERS);
    expect(
      failed
        .filter((b) => b.status !== 502 || b.started > goneAt + 20 || b.ended < killedAt)
        .map((b) => `${b.proto} ${b.status} +${b.started - t0}..${b.ended - t0} ms`),
    ).toEqual([]);
  });

  describe('Postgres restarted (pg_ctl stop -m fast, ~2 s down, pg_ctl start)', () => {
    interface Probe {
      name: string;
      send: (base: string) => Promise<Answer>;
      /** the error shape of this protocol family */
      shape: (body: any) => boolean;
    }
    interface ProbeResult {
      via: string;
      probe: string;
      status: Outcome;
      ms: number;
      shaped: boolean;
      body: string;
    }

    /** One request of each protocol family, with the shape its error must have when the database is gone. */
    function makeProbes(t: Targets, vzName: string): Probe[] {
      let seq = 0;
      const chromaShape = (b: any) =>
        typeof b?.error === 'string' && typeof b?.message === 'string' && Object.keys(b).length === 2;
      const pineconeData = (b: any) => b?.code === 14 && typeof b?.message === 'string' && Array.isArray(b?.details);
      const vectorizer = (b: any) =>
        b?.error_type === 'service_unavailable' && typeof b?.message === 'string' && b?.status_code === 503;
      return [
        {
          name: 'chroma GET collection',
          send: (base) => call(base, 'GET', `${P}/collections/${encodeURIComponent(t.chromaName)}`, undefined, 5000),
          shape: chromaShape,
        },
        {
          name: 'chroma add',
          send: (base) =>
            call(
              base,
              'POST',
              `${P}/collections/${t.chromaId}/add`,
              { ids: [`probe-${++seq}`], embeddings: [vec(seq)] },
              5000,
            ),
          shape: chromaShape,
        },
        {
          name: 'pinecone describe index',
          send: (base) => call(base, 'GET', `/indexes/${t.pineconeIndex}`, undefined, 5000),
          shape: (b) => b?.status === 503 && b?.error?.code === 'UNAVAILABLE' && typeof b?.error?.message === 'string',
        },
        {
          name: 'pinecone upsert',
          send: (base) =>
            call(
              base,
              'POST',
              `/indexes/${t.pineconeIndex}/vectors/upsert`,
              { vectors: [{ id: `probe-${++seq}`, values: vec(seq) }] },
              5000,
            ),
          shape: pineconeData,
        },
        {
          name: 'pinecone query',
          send: (base) => call(base, 'POST', `/indexes/${t.pineconeIndex}/query`, { vector: vec(1), topK: 3 }, 5000),
          shape: pineconeData,
        },
        {
          name: 'vectorizer GET collection',
          send: (base) => call(base, 'GET', `/collections/${vzName}`, undefined, 5000),
          shape: vectorizer,
        },
        {
          name: 'vectorizer insert_vectors',
          send: (base) =>
            call(
              base,
              'POST',
              '/insert_vectors',
              { collection: vzName, vectors: [{ id: `probe-${++seq}`, embedding: vec(seq) }] },
              5000,
            ),
          shape: vectorizer,
        },
      ];
    }

    async function runProbes(probes: Probe[], targets: { name: string; url: string }[]): Promise<ProbeResult[]> {
      const all = await Promise.all(
        targets.flatMap((g) =>
          probes.map(async (p) => {
            const a = await p.send(g.url);
            return {
              via: g.name,
              probe: p.name,
              status: a.status,
              ms: a.ms,
              shaped: p.shape(a.body),
              body: a.text.slice(0, 160),
            };
          }),
        ),
      );
      return all;
    }

    /** ms until a request that needs the database passes through nginx again (it may still hold both replicas as failed). */
    async function nginxPasses(timeoutMs = 10_000): Promise<number | undefined> {
      const from = Date.now();
      while (Date.now() - from < timeoutMs) {
        if ((await call(nginxUrl, 'GET', `${P}/collections?limit=1`, undefined, 5000)).status === 200)
          return Date.now() - from;
        await sleep(100);
      }
      return undefined;
    }

    async function setup(name: string) {
      expect(await nginxPasses()).toBeDefined();
      const t = await createTargets(name);
      const vz = await call(nginxUrl, 'POST', '/collections', { name: `${name}-vz`, dimension: DIM, metric: 'cosine' });
      expect(ok(vz.status)).toBe(true);
      const probes = makeProbes(t, `${name}-vz`);
      // Healthy first, on both replicas.
      const healthy = await runProbes(probes, [A, B]);
      expect(healthy.filter((r) => !ok(r.status))).toEqual([]);
      return { t, probes };
    }

    /** Probes straight to each replica, and through nginx, every 200 ms for ~2 s while Postgres is down. */
    async function probeWhileDown(probes: Probe[]): Promise<{ direct: ProbeResult[]; viaNginx: ProbeResult[] }> {
      const direct: ProbeResult[] = [];
      const viaNginx: ProbeResult[] = [];
      const from = Date.now();
      while (Date.now() - from < 2000) {
        direct.push(
          ...(await runProbes(
            probes,
            [A, B].filter((g) => g.alive),
          )),
        );
        viaNginx.push(...(await runProbes(probes, [{ name: 'nginx', url: nginxUrl }])));
        await sleep(200);
      }
      return { direct, viaNginx };
    }

    /** Polls every probe on the live replicas until all succeed; ms after `since`, or undefined. */
    async function waitRecovered(probes: Probe[], since: number): Promise<{ ms?: number; last: string[] }> {
      let last: string[] = [];
      const live = [A, B].filter((g) => g.alive);
      if (live.length === 0) return { last: ['no replica is alive'] };
      while (Date.now() - since < 15_000) {
        const round = await runProbes(probes, live);
        last = round.filter((r) => !ok(r.status)).map((r) => `${r.via} ${r.probe}: ${r.status} ${r.body}`);
        if (last.length === 0) return { ms: Date.now() - since, last };
        await sleep(200);
      }
      return { last };
    }

    const summarize = (results: ProbeResult[]) => {
      const t = new Tally();
      results.forEach((r) =>
        t.add(
          `${r.status}${typeof r.status === 'number' && r.status >= 500 && !r.shaped ? '(not in the protocol shape)' : ''}`,
        ),
      );
      return `${results.length} probes -> ${t}, slowest ${results.length ? Math.max(...results.map((r) => r.ms)) : 0} ms`;
    };
    const notShaped503 = (results: ProbeResult[]) =>
      results.filter((r) => r.status !== 503 || !r.shaped).map((r) => `${r.via} ${r.probe}: ${r.status} ${r.body}`);

    it("while no request is running: a prompt 503 in each protocol's shape, then recovery without restarting the gateways", async () => {
      const { pg } = c();
      const { probes } = await setup('lb-pgidle');
      const pids = [A.pid, B.pid];
      const starts = [A.starts, B.starts];

      const stopAt = Date.now();
      await pg.stop('fast');
      const downAt = Date.now();
      const { direct, viaNginx } = await probeWhileDown(probes);
      const startAt = Date.now();
      await pg.start();
      const upAt = Date.now();
      const deaths = [A, B].filter((g) => !g.alive).map((g) => `gateway ${g.name}: ${g.exitInfo()}`);
      const recovery = await waitRecovered(probes, upAt);
      const throughNginx = await nginxPasses();

      note(
        `postgres restart (idle): stop took ${downAt - stopAt} ms, down for ${startAt - downAt} ms, start took ${upAt - startAt} ms`,
      );
      note(`postgres restart (idle): straight to the replicas while down: ${summarize(direct)}`);
      note(`postgres restart (idle): through nginx while down: ${summarize(viaNginx)}`);
      note(
        recovery.ms !== undefined
          ? `postgres restart (idle): every probe on both replicas succeeded ${recovery.ms} ms after Postgres was back (through nginx ${throughNginx === undefined ? 'not within 10 s' : `${recovery.ms + throughNginx} ms`}); pids ${pids.join('/')} -> ${A.pid}/${B.pid}`
          : `postgres restart (idle): NOT recovered 15 s after Postgres was back: ${recovery.last.slice(0, 4).join(' | ')}`,
      );
      if (deaths.length) note(`postgres restart (idle): DIED: ${deaths.join(' | ')}`);

      expect(deaths).toEqual([]);
      expect(notShaped503(direct)).toEqual([]);
      expect(Math.max(...direct.map((r) => r.ms))).toBeLessThan(5000);
      // Through nginx a client sees the replica's 503, or nginx's own 502 once it has marked both down.
      expect(
        viaNginx.filter((r) => r.status !== 503 && r.status !== 502).map((r) => `${r.probe}: ${r.status}`),
      ).toEqual([]);
      expect(recovery.last).toEqual([]);
      expect(recovery.ms).toBeLessThan(10_000);
      expect(throughNginx).toBeDefined();
      expect([A.pid, B.pid, A.starts, B.starts]).toEqual([...pids, ...starts]);
    });

    it('in the middle of a write workload through nginx: the replicas survive, answer 503, recover by themselves; nothing acked is lost or half-written', async () => {
      const { nginx, pg } = c();
      const { t, probes } = await setup('lb-pgload');
      const pids = [A.pid, B.pid];
      const starts = [A.starts, B.starts];
      const problems: string[] = [];

      let stopping = false;
      const mark = nginx.mark();
      const t0 = Date.now();
      const { batches, done } = startWriters(nginx.url, t, 'pg', 8, 10, () => stopping);
      await sleep(1000);

      const stopAt = Date.now();
      await pg.stop('fast');
      const downAt = Date.now();
      const { direct, viaNginx } = await probeWhileDown(probes);
      const startAt = Date.now();
      await pg.start();
      const upAt = Date.now();

      const dead = [A, B].filter((g) => !g.alive);
      const deaths = dead.map((g) => `${g.name} ${g.exitInfo()}`);
      for (const d of deaths) problems.push(`gateway ${d.replace(/ /, ' died when Postgres went down: ')}`);
      const recovery = await waitRecovered(probes, upAt);
      if (recovery.ms === undefined)
        problems.push(`not recovered 15 s after Postgres was back: ${recovery.last.slice(0, 4).join(' | ')}`);
      else if (recovery.ms >= 10_000) problems.push(`recovered only ${recovery.ms} ms after Postgres was back`);
      // A supervisor would restart a dead replica; so does the test, to read back what was written.
      for (const g of dead) await g.start();
      await sleep(3500); // writers keep going through nginx after the recovery
      stopping = true;
      await done;
      const entries = nginx.entries(mark);

      const failedWrites = batches.filter((b) => !ok(b.status));
      const recoveredAt = upAt + (recovery.ms ?? 15_000);
      const check = await checkBatches(B.url, t, batches);

      note(
        `postgres restart (under load): stop took ${downAt - stopAt} ms, down for ${startAt - downAt} ms, start took ${upAt - startAt} ms`,
      );
      note(`postgres restart (under load): straight to the live replicas while down: ${summarize(direct)}`);
      note(`postgres restart (under load): through nginx while down: ${summarize(viaNginx)}`);
      note(
        `postgres restart (under load): ${deaths.length ? `DIED: ${deaths.join(' | ')}; restarted by the test` : 'both replicas survived'}; ` +
          (recovery.ms !== undefined
            ? `every probe on the live replicas succeeded ${recovery.ms} ms after Postgres was back`
            : `not recovered: ${recovery.last.slice(0, 3).join(' | ')}`),
      );
      note(
        `postgres restart (under load): 8 writers through nginx for ${((Date.now() - t0) / 1000).toFixed(1)} s: ${batches.length} batches, outcomes ${outcomes(batches)}; ` +
          nginxSummary(entries, c().gateways),
      );
      note(
        `postgres restart (under load): read back ${check.recordsChecked} ids: acked ${check.acked} (lost ${check.lostAcked.length}), unacked ${failedWrites.length} ` +
          `(landed whole ${check.unackedLanded}, absent ${check.unackedAbsent}), half-written ${check.partial.length}`,
      );

      problems.push(...notShaped503(direct).map((p) => `while down, not a shaped 503: ${p}`));
      if (direct.length && Math.max(...direct.map((r) => r.ms)) >= 5000)
        problems.push('a request took 5 s or more while Postgres was down');
      problems.push(
        ...failedWrites
          .filter((b) => b.status !== 503 && b.status !== 502)
          .map((b) => `write through nginx answered ${b.status} (${b.proto}, +${b.started - t0} ms)`),
      );
      problems.push(
        ...failedWrites
          .filter((b) => b.started > recoveredAt + 3000)
          .map((b) => `write through nginx failed (${b.status}) 3 s after the recovery (+${b.started - t0} ms)`),
      );
      problems.push(...check.lostAcked.map((x) => `acknowledged but lost: ${x}`));
      problems.push(...check.partial.map((x) => `half-written: ${x}`));
      if (!batches.some((b) => ok(b.status) && b.started > upAt))
        problems.push('no write succeeded after Postgres was back');
      if (A.pid !== pids[0] || B.pid !== pids[1] || A.starts !== starts[0] || B.starts !== starts[1])
        problems.push(`the gateways were restarted (pids ${pids.join('/')} -> ${A.pid}/${B.pid})`);
      expect(problems).toEqual([]);
    });
  });
});
