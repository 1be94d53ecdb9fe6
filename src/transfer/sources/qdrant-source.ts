import type { Metric } from '../../core/collections/collection.model';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';
import { requestJson } from './http-json';

const METRICS: Record<string, Metric> = { Cosine: 'cosine', Euclid: 'l2', Dot: 'ip' };

type WireVector = number[] | Record<string, unknown>;

interface WirePoint {
  id: string | number;
  vector?: WireVector | null;
  payload?: Record<string, unknown> | null;
}

interface WireParams {
  size?: number;
  distance?: string;
}

/**
 * A Qdrant server (or vecgate's Qdrant-compatible routes): collections listed, points read with
 * scroll, vectors and payloads included; the payload becomes the record's metadata. A collection
 * of named vectors is read through one of them: `vectorName`, or the first Qdrant lists.
 */
export class QdrantSource implements Source {
  readonly label: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly vectorNames = new Map<string, string | null>();

  constructor(
    url: string,
    apiKey: string | undefined,
    private readonly vectorName: string | undefined,
  ) {
    this.base = url.replace(/\/+$/, '');
    this.label = `qdrant ${this.base}`;
    this.headers = apiKey ? { 'api-key': apiKey } : {};
  }

  private url(name: string, path = ''): string {
    return `${this.base}/collections/${encodeURIComponent(name)}${path}`;
  }

  async collections(): Promise<TransferCollection[]> {
    const listed = await requestJson<{
      result?: { collections?: { name: string }[] };
      collections?: { name: string }[];
    }>(`${this.base}/collections`, { headers: this.headers });
    // Qdrant wraps every answer in `result`; Vectorizer's Qdrant routes list collections bare.
    const names = listed?.result?.collections ?? listed?.collections;
    if (!Array.isArray(names)) throw new SourceError(`${this.label}: the collection list is not a list`);
    const out: TransferCollection[] = [];
    for (const { name } of names) {
      const info = await requestJson<{
        result?: { config?: { params?: { vectors?: unknown }; vectors?: unknown } };
      }>(this.url(name), { headers: this.headers });
      const config = info?.result?.config;
      const vectors = (config?.params?.vectors ?? config?.vectors) as
        WireParams | Record<string, WireParams> | undefined;
      if (!vectors) throw new SourceError(`${this.label}: collection ${name} describes no vectors`);
      let params: WireParams;
      if (typeof (vectors as WireParams).size === 'number') {
        params = vectors as WireParams;
        this.vectorNames.set(name, null);
      } else {
        const named = vectors as Record<string, WireParams>;
        const chosen = this.vectorName ?? Object.keys(named)[0];
        if (!chosen || !Object.hasOwn(named, chosen) || !named[chosen])
          throw new SourceError(
            `${this.label}: collection ${name} has no vector named ${chosen}; it has ${Object.keys(named).join(', ')}`,
          );
        params = named[chosen];
        this.vectorNames.set(name, chosen);
      }
      const metric = Object.hasOwn(METRICS, params.distance ?? '') ? METRICS[params.distance!] : undefined;
      if (!metric)
        throw new SourceError(`${this.label}: collection ${name}: distance ${params.distance} has no equivalent here`);
      out.push({ name, metric, dimension: params.size ?? null, metadata: null });
    }
    return out;
  }

  private record(collection: string, p: WirePoint): TransferRecord {
    const named = this.vectorNames.get(collection);
    const vectors = p.vector as Record<string, unknown> | null | undefined;
    const vector = named ? (vectors && Object.hasOwn(vectors, named) ? vectors[named] : undefined) : p.vector;
    return {
      namespace: '',
      id: String(p.id),
      embedding: Array.isArray(vector) ? (vector as number[]) : null,
      sparse: null,
      document: null,
      uri: null,
      metadata: p.payload && Object.keys(p.payload).length ? p.payload : null,
    };
  }

  async page(collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const got = await requestJson<{ result?: { points?: WirePoint[]; next_page_offset?: string | number | null } }>(
      this.url(collection.name, '/points/scroll'),
      {
        method: 'POST',
        headers: this.headers,
        body: {
          limit: size,
          offset: cursor === null ? null : JSON.parse(cursor),
          with_payload: true,
          with_vector: true,
        },
      },
    );
    const points = got?.result?.points;
    if (!Array.isArray(points)) throw new SourceError(`${this.label}: a scroll answered no points`);
    const next = got.result?.next_page_offset ?? null;
    return {
      records: points.map((p) => this.record(collection.name, p)),
      next: next === null ? null : JSON.stringify(next),
    };
  }

  async count(collection: TransferCollection): Promise<number> {
    const got = await requestJson<{ result?: { count?: number } }>(this.url(collection.name, '/points/count'), {
      method: 'POST',
      headers: this.headers,
      body: { exact: true },
    });
    return Number(got?.result?.count ?? NaN);
  }

  async fetch(collection: TransferCollection, _namespace: string, ids: string[]): Promise<TransferRecord[]> {
    // Qdrant ids are unsigned integers or UUIDs: numeric ones go back as numbers.
    const wire = ids.map((id) => (/^\d+$/.test(id) ? Number(id) : id));
    const got = await requestJson<{ result?: WirePoint[] }>(this.url(collection.name, '/points'), {
      method: 'POST',
      headers: this.headers,
      body: { ids: wire, with_payload: true, with_vector: true },
    });
    return (got?.result ?? []).map((p) => this.record(collection.name, p));
  }
}
