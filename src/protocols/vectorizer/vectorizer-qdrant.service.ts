import { Injectable } from '@nestjs/common';
import type { Collection } from '../../core/collections/collection.model';
import { AlreadyExistsError } from '../../core/errors';
import type { FilterNode } from '../../core/filters/filter-ast';
import type { StoredRecord } from '../../core/records/record.model';
import { qdrantCollectionInfo } from './collection.mapper';
import { metricFromQdrant } from './metric';
import { VectorizerHttpError } from './vectorizer-error';
import { parseDeleteFilter, parseVectorizerFilter } from './vectorizer-filter.parser';
import { VectorizerService } from './vectorizer.service';
import { denseVector, vectorOf } from './vectors.mapper';
import { isObject, type JsonObject } from '../json-guards';

export type Json = JsonObject;
const ACKNOWLEDGED = { status: 'acknowledged', operation_id: null };

/** Qdrant point ids are unsigned integers or strings; vecgate stores them as strings and shows numbers back as numbers. */
function pointId(id: unknown, field: string): string {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  if (typeof id === 'string' && id.length > 0) return id;
  throw new VectorizerHttpError(400, 'bad_request', `${field} must be an unsigned integer or a non-empty string`);
}

function wireId(id: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id;
}

/** A dense vector, or a map holding exactly one named vector. */
function pointVector(v: unknown, field: string) {
  if (isObject(v)) {
    const named = Object.values(v);
    if (named.length !== 1)
      throw new VectorizerHttpError(
        400,
        'bad_request',
        `${field} must be an array or a map with exactly one named vector`,
      );
    v = named[0];
  }
  return denseVector(v, field);
}

function flag(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function point(r: StoredRecord, withVector: boolean, withPayload: boolean) {
  return {
    id: wireId(r.id),
    vector: withVector ? vectorOf(r) : null,
    payload: withPayload ? (r.metadata ?? null) : null,
  };
}

function filterOf(body: Json): FilterNode {
  return parseVectorizerFilter(body.filter);
}

/**
 * The Qdrant-shaped requests of Vectorizer's /qdrant routes, parsed and answered over
 * VectorizerService: points are records, payloads metadata, ids strings shown back as numbers
 * where they were numbers.
 */
@Injectable()
export class VectorizerQdrantService {
  constructor(private readonly vectorizer: VectorizerService) {}

  private async collection(name: string): Promise<Collection> {
    try {
      return await this.vectorizer.get(name);
    } catch (err) {
      if (err instanceof VectorizerHttpError && err.status === 404) {
        throw new VectorizerHttpError(404, 'collection_not_found', `collection '${name}' not found`);
      }
      throw err;
    }
  }

  async list() {
    const infos = [];
    for (const c of await this.vectorizer.list()) infos.push(qdrantCollectionInfo(c, await this.vectorizer.count(c)));
    return { collections: infos };
  }

  async get(name: string) {
    const c = await this.collection(name);
    return { result: qdrantCollectionInfo(c, await this.vectorizer.count(c)) };
  }

  async create(name: string, body: Json) {
    const config = isObject(body.config) ? body.config : body;
    const vectors = config.vectors;
    if (!isObject(vectors) || typeof vectors.size !== 'number' || !Number.isInteger(vectors.size) || vectors.size < 1) {
      throw new VectorizerHttpError(400, 'bad_request', 'vectors.size must be a positive integer');
    }
    try {
      await this.vectorizer.create(name, vectors.size, metricFromQdrant(vectors.distance));
    } catch (err) {
      if (err instanceof AlreadyExistsError) {
        throw new VectorizerHttpError(409, 'collection_already_exists', `collection '${name}' already exists`);
      }
      throw err;
    }
    return 'acknowledged';
  }

  async delete(name: string) {
    await this.collection(name);
    await this.vectorizer.delete(name);
    return 'acknowledged';
  }

  async upsert(name: string, body: Json) {
    const c = await this.collection(name);
    if (!Array.isArray(body.points)) throw new VectorizerHttpError(400, 'bad_request', 'points must be an array');
    const records = body.points.map((p, i) => {
      if (!isObject(p)) throw new VectorizerHttpError(400, 'bad_request', `points[${i}] must be an object`);
      const embedding = pointVector(p.vector, `points[${i}].vector`);
      if (c.dimension !== null && embedding.dimension !== c.dimension) {
        throw new VectorizerHttpError(
          400,
          'vector_dimension_mismatch',
          `Vector dimension mismatch: expected ${c.dimension}, got ${embedding.dimension}`,
        );
      }
      const payload = p.payload === undefined || p.payload === null ? null : p.payload;
      if (payload !== null && !isObject(payload))
        throw new VectorizerHttpError(400, 'bad_request', `points[${i}].payload must be an object`);
      return { id: pointId(p.id, `points[${i}].id`), embedding, metadata: payload as Json | null };
    });
    await this.vectorizer.insert(name, records, false);
    return ACKNOWLEDGED;
  }

  async search(name: string, body: Json) {
    await this.collection(name);
    const limit = body.limit === undefined ? 10 : body.limit;
    const offset = body.offset === undefined ? 0 : body.offset;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
      throw new VectorizerHttpError(400, 'bad_request', 'limit must be a non-negative integer');
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
      throw new VectorizerHttpError(400, 'bad_request', 'offset must be a non-negative integer');
    const threshold = typeof body.score_threshold === 'number' ? body.score_threshold : undefined;
    const withVector = flag(body.with_vector, false);
    const withPayload = flag(body.with_payload, true);
    const { hits } = await this.vectorizer.search(name, {
      vector: body.vector,
      limit,
      offset,
      threshold,
      filter: filterOf(body),
      withVector,
      withPayload,
    });
    return {
      result: hits.map((h) => ({
        id: wireId(h.id),
        vector: withVector ? h.vector : null,
        payload: withPayload ? h.payload : null,
        score: h.score,
      })),
    };
  }

  async deletePoints(name: string, body: Json) {
    await this.collection(name);
    if (Array.isArray(body.points)) {
      const ids = body.points.map((id, i) => pointId(id, `points[${i}]`));
      await this.vectorizer.deleteWhere(name, { kind: 'idIn', ids });
    } else if (body.filter !== undefined) {
      await this.vectorizer.deleteWhere(name, parseDeleteFilter(body.filter));
    } else {
      throw new VectorizerHttpError(400, 'bad_request', 'points/delete takes points (ids) or a filter');
    }
    return ACKNOWLEDGED;
  }

  async scroll(name: string, body: Json) {
    await this.collection(name);
    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
      throw new VectorizerHttpError(400, 'bad_request', 'limit must be a positive integer');
    const from = body.offset === undefined || body.offset === null ? null : pointId(body.offset, 'offset');
    const page = await this.vectorizer.scroll(name, filterOf(body), limit + 1, from);
    const points = page
      .slice(0, limit)
      .map((r) => point(r, flag(body.with_vector, false), flag(body.with_payload, true)));
    return { result: { points, next_page_offset: page.length > limit ? wireId(page[limit].id) : null } };
  }

  async count(name: string, body: Json) {
    await this.collection(name);
    return { result: { count: await this.vectorizer.countMatching(name, filterOf(body ?? {})) } };
  }

  async retrieve(name: string, body: Json) {
    if (!Array.isArray(body.ids)) throw new VectorizerHttpError(400, 'bad_request', 'ids must be an array');
    return this.retrieveIds(name, body.ids, flag(body.with_vector, false), flag(body.with_payload, true));
  }

  retrieveByQuery(name: string, ids?: string, withPayload?: string, withVector?: string) {
    return this.retrieveIds(
      name,
      (ids ?? '').split(',').filter(Boolean),
      withVector === 'true',
      withPayload !== 'false',
    );
  }

  private async retrieveIds(name: string, raw: unknown[], withVector: boolean, withPayload: boolean) {
    await this.collection(name);
    const ids = raw.map((id, i) => pointId(id, `ids[${i}]`));
    const found = await this.vectorizer.fetch(name, ids);
    return { result: found.map((r) => point(r, withVector, withPayload)) };
  }
}
