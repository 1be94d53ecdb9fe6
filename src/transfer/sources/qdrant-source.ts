import type { Metric } from '../../core/collections/collection.model';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';
import { AnswerError, requestJson } from './http-json';

const METRICS: Record<string, Metric> = { Cosine: 'cosine', Euclid: 'l2', Dot: 'ip' };

/** An answer, cut short for a message. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

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

  /**
   * The refusal of a URL that does not answer as Qdrant does: what was expected, and what came.
   * A vecgate gateway's root is the usual mistake: its Qdrant-style routes are under /qdrant, and
   * its root's /collections is the Vectorizer API's.
   */
  private notQdrant(found: string): SourceError {
    return new SourceError(
      `${this.base} does not answer as a Qdrant server: ${found}. --type qdrant expects a Qdrant server's URL ` +
        `(e.g. http://qdrant:6333); for a vecgate gateway's Qdrant-style routes, add /qdrant (${this.base}/qdrant).`,
    );
  }

  /**
   * One call of the listing or a description: an answer a Qdrant would not give there (no such
   * route, not JSON) is said as not Qdrant; a refused key or a server error stays as it is.
   */
  private async describe<T>(url: string): Promise<T> {
    try {
      return await requestJson<T>(url, { headers: this.headers });
    } catch (err) {
      if (err instanceof AnswerError && (err.status === null || err.status === 404 || err.status === 405))
        throw this.notQdrant(err.message);
      throw err;
    }
  }

  async collections(): Promise<TransferCollection[]> {
    const listUrl = `${this.base}/collections`;
    const listed = await this.describe<{
      result?: { collections?: { name: string }[] };
      collections?: { name: string }[];
      total_collections?: unknown;
    } | null>(listUrl);
    // Qdrant wraps every answer in `result`; Vectorizer's Qdrant routes list collections bare.
    // Vectorizer's own list (a vecgate gateway's root) is bare too, with total_collections.
    const names =
      listed?.result?.collections ?? (listed?.total_collections === undefined ? listed?.collections : undefined);
    if (!Array.isArray(names) || names.some((n) => typeof n?.name !== 'string'))
      throw this.notQdrant(
        listed && typeof listed === 'object' && 'total_collections' in listed
          ? `GET ${listUrl} answered Vectorizer's collection list (with total_collections), not Qdrant's`
          : `GET ${listUrl} answered ${shown(listed)}, not a list of collections`,
      );
    const out: TransferCollection[] = [];
    for (const { name } of names) {
      const info = await this.describe<{
        result?: { config?: { params?: { vectors?: unknown }; vectors?: unknown } };
      } | null>(this.url(name));
      const config = info?.result?.config;
      const vectors = (config?.params?.vectors ?? config?.vectors) as
        WireParams | Record<string, WireParams> | undefined;
      if (!vectors || typeof vectors !== 'object')
        throw this.notQdrant(`GET ${this.url(name)} answered ${shown(info)}, which describes no vectors`);
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
