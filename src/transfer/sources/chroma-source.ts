import type { Metric } from '../../core/collections/collection.model';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';
import { requestJson } from './http-json';

const METRICS: Record<string, Metric> = { l2: 'l2', cosine: 'cosine', ip: 'ip' };

const nonEmpty = (m: Record<string, unknown> | null | undefined) => (m && Object.keys(m).length > 0 ? m : null);

interface WireCollection {
  id: string;
  name: string;
  dimension?: number | null;
  metadata?: Record<string, unknown> | null;
  configuration_json?: { hnsw?: { space?: string } | null; spann?: { space?: string } | null } | null;
}

interface WireGet {
  ids: string[];
  embeddings?: number[][] | null;
  documents?: (string | null)[] | null;
  uris?: (string | null)[] | null;
  metadatas?: (Record<string, unknown> | null)[] | null;
}

/**
 * A live Chroma server through its v2 API (Chroma 1.x, or vecgate itself): collections listed,
 * records read with get in pages of offset/limit, in the server's own order (stable while
 * nothing writes to the collection).
 */
export class ChromaSource implements Source {
  readonly label: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly ids = new Map<string, string>();

  constructor(url: string, tenant: string, database: string, token?: string) {
    this.base = `${url.replace(/\/+$/, '')}/api/v2/tenants/${encodeURIComponent(tenant)}/databases/${encodeURIComponent(database)}`;
    this.label = `chroma ${url} ${tenant}/${database}`;
    this.headers = token ? { 'x-chroma-token': token, authorization: `Bearer ${token}` } : {};
  }

  async collections(): Promise<TransferCollection[]> {
    const out: TransferCollection[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await requestJson<WireCollection[]>(`${this.base}/collections?limit=100&offset=${offset}`, {
        headers: this.headers,
      });
      if (!Array.isArray(page)) throw new SourceError(`${this.label}: the collection list is not a list`);
      for (const c of page) {
        const space = String(
          c.configuration_json?.hnsw?.space ?? c.configuration_json?.spann?.space ?? c.metadata?.['hnsw:space'] ?? 'l2',
        );
        this.ids.set(c.name, c.id);
        out.push({
          name: c.name,
          metric: Object.hasOwn(METRICS, space) ? METRICS[space] : 'l2',
          dimension: typeof c.dimension === 'number' ? c.dimension : null,
          metadata: c.metadata ?? null,
        });
      }
      if (page.length < 100) return out;
    }
  }

  private idOf(collection: TransferCollection): string {
    const id = this.ids.get(collection.name);
    if (!id) throw new SourceError(`${this.label}: no collection ${collection.name}`);
    return id;
  }

  private async get(collection: TransferCollection, body: Record<string, unknown>): Promise<TransferRecord[]> {
    const got = await requestJson<WireGet>(`${this.base}/collections/${this.idOf(collection)}/get`, {
      method: 'POST',
      headers: this.headers,
      body: { ...body, include: ['embeddings', 'documents', 'metadatas', 'uris'] },
    });
    if (!Array.isArray(got?.ids)) throw new SourceError(`${this.label}: a get answered no ids`);
    return got.ids.map((id, i) => ({
      namespace: '',
      id,
      embedding: got.embeddings?.[i] ?? null,
      sparse: null,
      document: got.documents?.[i] ?? null,
      uri: got.uris?.[i] ?? null,
      // Chroma 1.0 answers {} for a record with a uri and no metadata: that is none.
      metadata: nonEmpty(got.metadatas?.[i]),
    }));
  }

  async page(collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const offset = cursor === null ? 0 : Number(cursor);
    const records = await this.get(collection, { limit: size, offset });
    return { records, next: records.length < size ? null : String(offset + records.length) };
  }

  async count(collection: TransferCollection): Promise<number> {
    return Number(
      await requestJson(`${this.base}/collections/${this.idOf(collection)}/count`, { headers: this.headers }),
    );
  }

  fetch(collection: TransferCollection, _namespace: string, ids: string[]): Promise<TransferRecord[]> {
    return this.get(collection, { ids });
  }
}
