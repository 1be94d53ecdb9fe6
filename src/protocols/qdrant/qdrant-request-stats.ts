import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { defaultScope } from '../default-scope';
import { QDRANT_PREFIX } from './qdrant-prefix';

/** One endpoint's answers of one status: Qdrant's OperationDurationStatistics, in microseconds. */
interface Stat {
  count: number;
  totalMicros: number;
  minMicros: number;
  maxMicros: number;
  last: Date;
}

/** Endpoint (`PUT /collections/{collection_name}/points`) → status → its statistics. */
export type Responses = Map<string, Map<number, Stat>>;

interface ScopeStats {
  responses: Responses;
  /** The same, by the collection named in the path. */
  perCollection: Map<string, Responses>;
}

/** At most this many collections are kept per scope (a caller making up names must not grow it without bound). */
const MAX_COLLECTIONS = 10_000;

/** The path parameters of vecgate's Qdrant routes, by the names Qdrant's OpenAPI document gives them. */
const PARAM_NAMES: Readonly<Record<string, string>> = {
  name: 'collection_name',
  id: 'id',
  vector: 'vector_name',
  field: 'field_name',
  snapshot: 'snapshot_name',
};

/** A route's pattern (`/_qdrant/collections/:name/points`) as Qdrant names the endpoint (`/collections/{collection_name}/points`). */
export function endpointOf(pattern: string): string {
  const path = pattern.startsWith(QDRANT_PREFIX) ? pattern.slice(QDRANT_PREFIX.length) : pattern;
  return (path === '' ? '/' : path).replace(/:([A-Za-z_]+)/g, (_, p: string) => `{${PARAM_NAMES[p] ?? p}}`);
}

function add(responses: Responses, endpoint: string, status: number, micros: number, at: Date): void {
  let byStatus = responses.get(endpoint);
  if (!byStatus) responses.set(endpoint, (byStatus = new Map()));
  const s = byStatus.get(status);
  if (!s) byStatus.set(status, { count: 1, totalMicros: micros, minMicros: micros, maxMicros: micros, last: at });
  else {
    s.count += 1;
    s.totalMicros += micros;
    s.minMicros = Math.min(s.minMicros, micros);
    s.maxMicros = Math.max(s.maxMicros, micros);
    s.last = at;
  }
}

/**
 * The answers of Qdrant's REST routes in this gateway process, as Qdrant's telemetry and metrics
 * report them: counted by scope (the caller's tenant and database), so that a key sees the requests
 * made in its own scope only. Held in memory from the process's start, as Qdrant holds its own.
 */
@Injectable()
export class QdrantRequestStats {
  private readonly scopes = new Map<string, ScopeStats>();

  record(scope: string, endpoint: string, collection: string | undefined, status: number, micros: number): void {
    let stats = this.scopes.get(scope);
    if (!stats) this.scopes.set(scope, (stats = { responses: new Map(), perCollection: new Map() }));
    const at = new Date();
    add(stats.responses, endpoint, status, micros, at);
    if (collection === undefined) return;
    let own = stats.perCollection.get(collection);
    if (!own) {
      if (stats.perCollection.size >= MAX_COLLECTIONS) return;
      stats.perCollection.set(collection, (own = new Map()));
    }
    add(own, endpoint, status, micros, at);
  }

  /** The scope's answers by endpoint, and by collection and endpoint. */
  of(scope: string): { responses: Responses; perCollection: Map<string, Responses> } {
    return this.scopes.get(scope) ?? { responses: new Map(), perCollection: new Map() };
  }
}

/** Qdrant's OperationDurationStatistics of one endpoint's answers of one status. */
export function durationStatistics(s: Stat) {
  return {
    count: s.count,
    avg_duration_micros: s.totalMicros / s.count,
    min_duration_micros: s.minMicros,
    max_duration_micros: s.maxMicros,
    total_duration_micros: Math.round(s.totalMicros),
    last_responded: s.last.toISOString(),
  };
}

export type { Stat as ResponseStat };

/** The key a scope's statistics are kept under. */
export function scopeKey(config: AppConfig): string {
  const s = defaultScope(config);
  return JSON.stringify([s.tenant, s.database]);
}

/**
 * Counts each answer of a Qdrant route, once it is sent, with its status and the time from the
 * handler's start to the last byte (auth, limits and validation of the path come before).
 */
@Injectable()
export class QdrantStatsInterceptor implements NestInterceptor {
  constructor(
    private readonly stats: QdrantRequestStats,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const pattern = req.routeOptions?.url;
    if (pattern !== undefined) {
      const started = process.hrtime.bigint();
      const scope = scopeKey(this.config);
      const name = (req.params as Record<string, unknown> | undefined)?.name;
      const endpoint = `${req.method} ${endpointOf(pattern)}`;
      reply.raw.once('close', () => {
        const micros = Number(process.hrtime.bigint() - started) / 1000;
        this.stats.record(scope, endpoint, typeof name === 'string' ? name : undefined, reply.raw.statusCode, micros);
      });
    }
    return next.handle();
  }
}
