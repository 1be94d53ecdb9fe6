import type { Metric } from '../../core/collections/collection.model';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';
import { requestJson } from './http-json';

const METRICS: Record<string, Metric> = { euclidean: 'l2', cosine: 'cosine', dotproduct: 'ip' };
const API_VERSION = '2025-04';
/** Pinecone's fetch takes ids in the query string: a page is fetched in slices this long. */
const FETCH_SLICE = 100;

interface WireIndex {
  name: string;
  host: string;
  metric: string;
  dimension?: number | null;
}

interface WireVector {
  values?: number[];
  sparseValues?: { indices: number[]; values: number[] };
  metadata?: Record<string, unknown>;
}

interface Cursor {
  /** Index into the namespaces listed at the start. */
  ns: number;
  token: string | null;
}

/**
 * A Pinecone-compatible API (Pinecone, or vecgate itself): indexes from the control plane, then
 * per namespace `list` for ids and `fetch` for the records, sparse values included.
 */
export class PineconeSource implements Source {
  readonly label: string;
  private readonly controller: string;
  private readonly headers: Record<string, string>;
  private readonly hosts = new Map<string, string>();
  private readonly namespaces = new Map<string, string[]>();

  constructor(url: string, apiKey: string) {
    this.controller = url.replace(/\/+$/, '');
    this.label = `pinecone ${this.controller}`;
    this.headers = { 'Api-Key': apiKey, 'X-Pinecone-API-Version': API_VERSION };
  }

  private host(name: string): string {
    const host = this.hosts.get(name);
    if (!host) throw new SourceError(`${this.label}: no index ${name}`);
    return /^https?:\/\//.test(host) ? host.replace(/\/+$/, '') : `https://${host}`;
  }

  async collections(): Promise<TransferCollection[]> {
    const { indexes } = await requestJson<{ indexes: WireIndex[] }>(`${this.controller}/indexes`, {
      headers: this.headers,
    });
    if (!Array.isArray(indexes)) throw new SourceError(`${this.label}: the index list is not a list`);
    return indexes.map((ix) => {
      this.hosts.set(ix.name, ix.host);
      return {
        name: ix.name,
        metric: Object.hasOwn(METRICS, ix.metric) ? METRICS[ix.metric] : 'cosine',
        dimension: typeof ix.dimension === 'number' ? ix.dimension : null,
        metadata: null,
      };
    });
  }

  private async stats(
    collection: TransferCollection,
  ): Promise<{ namespaces: Record<string, { vectorCount: number }>; total: number }> {
    const stats = await requestJson<{
      namespaces?: Record<string, { vectorCount: number }>;
      totalVectorCount?: number;
    }>(`${this.host(collection.name)}/describe_index_stats`, {
      method: 'POST',
      headers: this.headers,
      body: {},
    });
    return { namespaces: stats.namespaces ?? {}, total: stats.totalVectorCount ?? 0 };
  }

  private async namespacesOf(collection: TransferCollection): Promise<string[]> {
    let names = this.namespaces.get(collection.name);
    if (!names) {
      // The API names the default namespace `__default__` (2025-04 on) or "": vecgate stores it as "".
      // Kept as `__default__`, its records would be where no read of the default namespace finds them.
      names = Object.keys((await this.stats(collection)).namespaces)
        .map((name) => (name === '__default__' ? '' : name))
        .sort();
      this.namespaces.set(collection.name, names);
    }
    return names;
  }

  async page(collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const names = await this.namespacesOf(collection);
    const at: Cursor = cursor ? JSON.parse(cursor) : { ns: 0, token: null };
    if (at.ns >= names.length) return { records: [], next: null };
    const namespace = names[at.ns];
    const query = new URLSearchParams({ namespace, limit: String(Math.min(size, 100)) });
    if (at.token) query.set('paginationToken', at.token);
    const listed = await requestJson<{ vectors?: { id: string }[]; pagination?: { next?: string } }>(
      `${this.host(collection.name)}/vectors/list?${query}`,
      { headers: this.headers },
    );
    const ids = (listed.vectors ?? []).map((v) => v.id);
    const records = await this.fetch(collection, namespace, ids);
    const token: string | null = listed.pagination?.next ?? null;
    const next: Cursor | null = token
      ? { ns: at.ns, token }
      : at.ns + 1 < names.length
        ? { ns: at.ns + 1, token: null }
        : null;
    return { records, next: next ? JSON.stringify(next) : null };
  }

  async count(collection: TransferCollection): Promise<number> {
    return (await this.stats(collection)).total;
  }

  async fetch(collection: TransferCollection, namespace: string, ids: string[]): Promise<TransferRecord[]> {
    const out: TransferRecord[] = [];
    for (let i = 0; i < ids.length; i += FETCH_SLICE) {
      const query = new URLSearchParams({ namespace });
      for (const id of ids.slice(i, i + FETCH_SLICE)) query.append('ids', id);
      const got = await requestJson<{ vectors?: Record<string, WireVector> }>(
        `${this.host(collection.name)}/vectors/fetch?${query}`,
        { headers: this.headers },
      );
      const vectors = got.vectors ?? {};
      for (const id of ids.slice(i, i + FETCH_SLICE)) {
        // Own keys only: `vectors[id]` finds what every object inherits for `constructor` or `__proto__`.
        const v = Object.hasOwn(vectors, id) ? vectors[id] : undefined;
        if (!v) continue;
        out.push({
          namespace,
          id,
          embedding: Array.isArray(v.values) && v.values.length ? v.values : null,
          sparse: v.sparseValues ?? null,
          document: null,
          uri: null,
          metadata: v.metadata ?? null,
        });
      }
    }
    return out;
  }
}
