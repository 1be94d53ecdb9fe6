import { Injectable } from '@nestjs/common';
import type { Collection } from '../../core/collections/collection.model';
import { ALL, and, type FilterNode } from '../../core/filters/filter-ast';
import type { MetadataEdit, RecordOperation, RecordWrite, SparseText } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import { InferenceService } from '../../inference/inference.service';
import { isObject, type JsonObject } from '../json-guards';
import { nameMap } from '../../core/name-map';
import { pointId, pointIds, showId } from './point-ids';
import { QdrantCollectionsService } from './qdrant-collections.service';
import { aliased, onlyFields, unsigned } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { orderByOf } from './order-by';
import { parseQdrantFilter, payloadKey } from './qdrant-filter.parser';
import { layoutOf, resolveVector, type QdrantLayout } from './qdrant-layout';
import { QdrantDocuments } from './qdrant-inference';
import { QdrantBm25 } from './qdrant-bm25';
import {
  boundsSize,
  checkCollectionSize,
  checkReadStrict,
  checkTimeout,
  checkUpsertStrict,
  enabledStrictMode,
  filterCost,
  fullyIndexed,
  takeTokens,
} from './strict-mode';
import {
  includeFor,
  payloadOf,
  payloadSelector,
  pointVectors,
  shownRecord,
  vectorSelector,
} from './qdrant-points.mapper';

/** The lengths of the sparse vectors of records to write, by vector name. */
function sparseLengths(
  c: Collection,
  layout: QdrantLayout,
  records: RecordWrite[],
): { name: string; length: number }[] {
  const length = (v: SparseText) => {
    const inner = v.text.slice(1, v.text.indexOf('}'));
    return inner === '' ? 0 : inner.split(',').length;
  };
  const sparseNamed = new Set(c.vectors.filter((f) => f.kind === 'sparse').map((f) => f.name));
  const out: { name: string; length: number }[] = [];
  for (const r of records) {
    if (r.sparse && layout.sparse) out.push({ name: layout.sparse.name, length: length(r.sparse) });
    for (const [name, v] of Object.entries(r.vectors ?? {}))
      if (sparseNamed.has(name) && 'text' in v) out.push({ name, length: length(v) });
  }
  return out;
}

/** The token counts of the multivectors of records to write, by vector name (the unnamed one's is ''). */
function multivectorLengths(c: Collection, records: RecordWrite[]): { name: string; length: number }[] {
  const multi = new Set(c.vectors.filter((f) => f.multivector).map((f) => f.name));
  const out: { name: string; length: number }[] = [];
  for (const r of records)
    for (const [name, v] of Object.entries(r.vectors ?? {}))
      if (multi.has(name) && 'tokens' in v) out.push({ name, length: v.tokens.length });
  return out;
}

/** The most operations one batch update holds. */
const MAX_OPERATIONS = 1_000;

/** The most points one scroll page or retrieve returns; past it a 400 says to page. */
const MAX_PAGE = 10_000;

/**
 * Qdrant's point operations over the core's records: a point is a record, its payload the
 * record's metadata (kept as sent, nulls included), its unnamed or only named dense vector the
 * record's embedding and its named sparse vector the record's sparse vector. Each call is one
 * transaction (RecordsService), and a body is checked whole before anything is written.
 */
@Injectable()
export class QdrantPointsService {
  constructor(
    private readonly collections: QdrantCollectionsService,
    private readonly records: RecordsService,
    private readonly inference: InferenceService,
    private readonly bm25: QdrantBm25,
  ) {}

  private get scope() {
    return this.collections.scope;
  }

  /**
   * The points a request selects: `points` (ids) and `filter`, in the body itself or in a `points`
   * selector (`{"points": {"filter": ...}}`); all that is given must match.
   */
  selection(body: JsonObject, layout: QdrantLayout): FilterNode {
    const parts: FilterNode[] = [];
    const select = (ids: unknown, filter: unknown, at: string) => {
      if (ids !== undefined && ids !== null) parts.push({ kind: 'idIn', ids: pointIds(ids, `${at}points`) });
      if (filter !== undefined && filter !== null)
        parts.push(parseQdrantFilter(filter, layout, `${at}filter`, 'write'));
    };
    const points = body.points;
    if (isObject(points)) {
      onlyFields(points, FIELDS.PointsSelector, 'points');
      select(points.points, points.filter, 'points.');
      select(undefined, body.filter, '');
    } else select(points, body.filter, '');
    if (parts.length === 0)
      throw QdrantHttpError.format('the request must select points: give points (ids) or a filter');
    return and(...parts);
  }

  /** The fields of each operation's body (Qdrant's type for it). */
  private readonly fields: Record<string, readonly string[]> = {
    upsert: FIELDS.PointInsertOperations,
    delete: FIELDS.PointsSelector,
    set_payload: FIELDS.SetPayload,
    overwrite_payload: FIELDS.SetPayload,
    delete_payload: FIELDS.DeletePayload,
    clear_payload: FIELDS.PointsSelector,
    update_vectors: FIELDS.UpdateVectors,
    delete_vectors: FIELDS.DeleteVectors,
  };

  /** The operations that change points, by the name a batch update gives each. */
  private readonly builders: Record<
    string,
    (c: Collection, layout: QdrantLayout, body: JsonObject) => Promise<RecordOperation>
  > = {
    upsert: async (c, layout, body) => this.upsertOp(c, layout, body),
    delete: async (_c, layout, body) => ({ kind: 'delete', filter: this.selection(body, layout) }),
    set_payload: async (_c, layout, body) => this.payloadOp(layout, body, 'set'),
    overwrite_payload: async (_c, layout, body) => this.payloadOp(layout, body, 'overwrite'),
    delete_payload: async (_c, layout, body) => this.payloadOp(layout, body, 'delete'),
    clear_payload: async (_c, layout, body) => this.payloadOp(layout, body, 'clear'),
    update_vectors: (c, layout, body) => this.updateVectorsOp(c, layout, body),
    delete_vectors: async (c, layout, body) => this.deleteVectorsOp(c, layout, body),
  };

  /** One change to points (upsert, delete, set_payload, ...), in one transaction. */
  async apply(name: string, operation: string, body: JsonObject): Promise<void> {
    onlyFields(body, this.fields[operation], 'the body');
    const c = await this.collections.get(name);
    const layout = layoutOf(c);
    await this.embedDocuments(c, layout, [[operation, body]]);
    const op = await this.builders[operation](c, layout, body);
    await this.strictWrites(c, layout, [[operation, body, op]]);
    await this.records.batch(this.scope, c.id, [op]);
  }

  /**
   * The Documents of upserts and update_vectors, embedded as passages in one go for the whole
   * request and put in place as vectors, before anything is parsed or written.
   */
  private async embedDocuments(
    c: Collection,
    layout: QdrantLayout,
    ops: [operation: string, body: JsonObject][],
    inBatch = false,
  ): Promise<void> {
    const documents = new QdrantDocuments(this.inference, c, layout, 'passage', this.bm25);
    ops.forEach(([operation, body], i) => {
      const prefix = inBatch ? `operations[${i}].${operation}.` : '';
      if (operation === 'upsert') documents.upsert(body, prefix);
      else if (operation === 'update_vectors') documents.points(body.points, `${prefix}points`);
    });
    await documents.embed();
  }

  /** POST points/batch: mixed operations, applied in order in one transaction (all or none). */
  async batch(name: string, body: JsonObject): Promise<number> {
    onlyFields(body, FIELDS.UpdateOperations, 'the body');
    const c = await this.collections.get(name);
    const layout = layoutOf(c);
    if (!Array.isArray(body.operations)) throw QdrantHttpError.format('operations must be a list');
    if (body.operations.length > MAX_OPERATIONS)
      throw QdrantHttpError.badRequest(`a batch may hold at most ${MAX_OPERATIONS} operations`);
    const entries: [string, JsonObject][] = body.operations.map((entry, i) => {
      const names = isObject(entry) ? Object.keys(entry) : [];
      if (names.length !== 1 || !Object.hasOwn(this.builders, names[0]))
        throw QdrantHttpError.format(`operations[${i}] must hold one of ${Object.keys(this.builders).join(', ')}`);
      const inner = (entry as JsonObject)[names[0]];
      if (!isObject(inner)) throw QdrantHttpError.format(`operations[${i}].${names[0]} must be an object`);
      onlyFields(inner, this.fields[names[0]], `operations[${i}].${names[0]}`);
      return [names[0], inner];
    });
    await this.embedDocuments(c, layout, entries, true);
    const ops: RecordOperation[] = [];
    for (const [operation, inner] of entries) ops.push(await this.builders[operation](c, layout, inner));
    await this.strictWrites(
      c,
      layout,
      entries.map(([operation, inner], i) => [operation, inner, ops[i]]),
    );
    await this.records.batch(this.scope, c.id, ops);
    return ops.length;
  }

  /**
   * Strict mode over checked writes, before any is applied: the batch size of upserts and
   * update_vectors, the collection's size bounds, sparse lengths, then the write rate limit, each
   * operation's cost taken in turn (points written, ids named, or the points a filter selects).
   */
  private async strictWrites(
    c: Collection,
    layout: QdrantLayout,
    ops: [operation: string, body: JsonObject, op: RecordOperation][],
  ): Promise<void> {
    const strict = enabledStrictMode(layout.settings);
    if (!strict) return;
    let size: { points: number; vectorBytes: number; payloadBytes: number } | null = null;
    for (const [operation, body, op] of ops) {
      if (op.kind !== 'write' || (operation !== 'upsert' && operation !== 'update_vectors')) continue;
      const count = operation === 'upsert' ? op.records.length : Array.isArray(body.points) ? body.points.length : 0;
      checkUpsertStrict(
        count,
        sparseLengths(c, layout, op.records),
        strict,
        operation === 'upsert' ? 'upsert' : 'update',
        multivectorLengths(c, op.records),
      );
      if (!boundsSize(strict)) continue;
      size ??= await this.sizeOf(c, strict);
      checkCollectionSize(size, strict);
    }
    for (const [, body, op] of ops) takeTokens(c.id, strict, 'Write', await this.writeCost(c, layout, body, op));
  }

  /** What strict mode's size bounds measure: points, their dense vectors' bytes (float32), their payloads' bytes. */
  private async sizeOf(c: Collection, strict: JsonObject) {
    const points = await this.records.count(this.scope, c.id);
    const dims = (c.dimension ?? 0) + c.vectors.reduce((n, f) => n + (f.kind === 'dense' ? (f.dimension ?? 0) : 0), 0);
    const payloadBytes =
      typeof strict.max_collection_payload_size_bytes === 'number'
        ? await this.records.metadataBytes(this.scope, c.id)
        : 0;
    return { points, vectorBytes: points * dims * 4, payloadBytes };
  }

  /**
   * A write's cost to the write rate limit, as Qdrant estimates the points it touches: those written,
   * the ids named, the points a filter on indexed keys matches, or half the points for a filter
   * testing a key no index serves (Qdrant's estimate where no index answers).
   */
  private async writeCost(c: Collection, layout: QdrantLayout, body: JsonObject, op: RecordOperation): Promise<number> {
    if (op.kind === 'write') return op.records.length;
    const selector = isObject(body.points) ? body.points : body;
    if (Array.isArray(selector.points)) return selector.points.length;
    const filter = isObject(selector.filter) ? selector.filter : body.filter;
    if (!isObject(filter) || !('filter' in op)) return 1;
    if (!fullyIndexed(filter, layout.payloadIndexes))
      return Math.floor((await this.records.count(this.scope, c.id)) / 2);
    return this.records.countMatching(this.scope, c.id, op.filter);
  }

  private upsertOp(c: Collection, layout: QdrantLayout, body: JsonObject): RecordOperation {
    const records = isObject(body.batch)
      ? this.batchPoints(c, layout, body.batch)
      : this.listPoints(c, layout, body.points);
    // A point may carry any of the collection's vectors, the unnamed one included, or none, as in
    // Qdrant: the record holds what it was given, and searches through a vector it lacks skip it.
    // Qdrant applies a batch in order: the last point with an id wins (as the core's replace keeps it).
    const mode = body.update_mode ?? 'upsert';
    if (mode !== 'upsert' && mode !== 'insert_only' && mode !== 'update_only')
      throw QdrantHttpError.format(
        `update_mode: unknown variant ${JSON.stringify(mode)}, expected one of upsert, insert_only, update_only`,
      );
    // update_filter: existing points are replaced only where they match it; new ones are inserted regardless.
    const where =
      body.update_filter === undefined || body.update_filter === null
        ? undefined
        : parseQdrantFilter(body.update_filter, layout, 'update_filter', null);
    if (mode === 'insert_only') return { kind: 'write', mode: 'add', records };
    return { kind: 'write', mode: 'replace', records, conditions: { where, insert: mode === 'upsert' } };
  }

  /** Points as an upsert's `points` list holds them, as records to write (a snapshot's lines). */
  pointWrites(c: Collection, layout: QdrantLayout, points: unknown[]): RecordWrite[] {
    const op = this.upsertOp(c, layout, { points });
    return op.kind === 'write' ? op.records : [];
  }

  private listPoints(c: Collection, layout: QdrantLayout, points: unknown): RecordWrite[] {
    if (!Array.isArray(points)) throw QdrantHttpError.format('the body must hold points (a list) or batch');
    return points.map((p, i) => {
      if (!isObject(p)) throw QdrantHttpError.format(`points[${i}] must be an object`);
      onlyFields(p, FIELDS.PointStruct, `points[${i}]`);
      const v = pointVectors(c, layout, aliased(p, 'vector', 'vectors'), `points[${i}].vector`);
      return {
        id: pointId(p.id, `points[${i}].id`),
        embedding: v.dense,
        sparse: v.sparse,
        vectors: v.named,
        metadata: payloadOf(p.payload, `points[${i}].payload`),
      };
    });
  }

  private batchPoints(c: Collection, layout: QdrantLayout, batch: JsonObject): RecordWrite[] {
    onlyFields(batch, FIELDS.Batch, 'batch');
    const ids = pointIds(batch.ids, 'batch.ids');
    const column = (value: unknown, field: string): unknown[] | undefined => {
      if (value === undefined || value === null) return undefined;
      if (!Array.isArray(value) || value.length !== ids.length)
        throw QdrantHttpError.format(`${field} must be a list as long as batch.ids`);
      return value;
    };
    const payloads = column(batch.payloads, 'batch.payloads');
    let vectors: unknown[] | undefined;
    if (Array.isArray(batch.vectors)) vectors = column(batch.vectors, 'batch.vectors');
    else if (isObject(batch.vectors)) {
      // Named: a list per name; each point gets its element of each.
      const byName = Object.entries(batch.vectors).map(
        ([n, list]) => [n, column(list, `batch.vectors.${n}`)!] as const,
      );
      vectors = ids.map((_, i) => Object.fromEntries(byName.map(([n, list]) => [n, list[i]])));
    } else if (batch.vectors !== undefined && batch.vectors !== null)
      throw QdrantHttpError.format('batch.vectors must be a list or an object of lists by name');
    return ids.map((id, i) => {
      const v = pointVectors(c, layout, vectors?.[i], `batch.vectors[${i}]`);
      return {
        id,
        embedding: v.dense,
        sparse: v.sparse,
        vectors: v.named,
        metadata: payloadOf(payloads?.[i], `batch.payloads[${i}]`),
      };
    });
  }

  async retrieve(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.PointRequest, 'the body');
    const ids = pointIds(body.ids, 'ids');
    if (ids.length > MAX_PAGE) throw QdrantHttpError.badRequest(`retrieve at most ${MAX_PAGE} points at once`);
    return this.read(name, ids, body.with_payload, aliased(body, 'with_vector', 'with_vectors'), timeout);
  }

  async getOne(name: string, id: string) {
    const parsed = pointId(/^\d+$/.test(id) ? Number(id) : id, 'id');
    const [found] = await this.read(name, [parsed], true, true);
    if (!found) throw QdrantHttpError.notFound(`No point with id ${id} found`);
    return found;
  }

  private async read(name: string, ids: string[], withPayload: unknown, withVector: unknown, timeout?: unknown) {
    const c = await this.collections.get(name);
    const layout = layoutOf(c);
    const strict = enabledStrictMode(layout.settings);
    checkTimeout(timeout, strict);
    takeTokens(c.id, strict, 'Read', ids.length);
    const payload = payloadSelector(withPayload, true);
    const vector = vectorSelector(withVector, false);
    const found = await this.records.find(this.scope, c.id, {
      filter: { kind: 'idIn', ids },
      include: includeFor(layout, payload, vector),
      limit: null,
      offset: 0,
    });
    // In the order asked, once each.
    const byId = new Map(found.map((r) => [r.id, r]));
    return [...new Set(ids)]
      .filter((id) => byId.has(id))
      .map((id) => shownRecord(byId.get(id)!, layout, payload, vector));
  }

  /** set_payload (merge, at `key` when given), overwrite_payload, delete_payload (keys), clear_payload. */
  private payloadOp(
    layout: QdrantLayout,
    body: JsonObject,
    kind: 'set' | 'overwrite' | 'delete' | 'clear',
  ): RecordOperation {
    let edit: MetadataEdit;
    if (kind === 'set' || kind === 'overwrite') {
      const payload = payloadOf(body.payload, 'payload');
      if (!payload) throw QdrantHttpError.format('payload must be a JSON object');
      if (kind === 'overwrite') edit = { kind: 'replace', metadata: payload };
      else {
        const at = body.key === undefined || body.key === null ? undefined : payloadKey(body.key);
        edit = { kind: 'merge', patch: payload, at: at === undefined ? undefined : Array.isArray(at) ? at : [at] };
      }
    } else if (kind === 'delete') {
      if (!Array.isArray(body.keys)) throw QdrantHttpError.format('keys must be a list of payload keys');
      edit = {
        kind: 'unset',
        paths: body.keys.map((k, i) => {
          const key = payloadKey(k, `keys[${i}]`);
          return Array.isArray(key) ? key : [key];
        }),
      };
    } else edit = { kind: 'clear' };
    return { kind: 'editMetadata', filter: this.selection(body, layout), edit };
  }

  /** delete_vectors: the named vectors of the selected points go; the points stay. */
  private deleteVectorsOp(c: Collection, layout: QdrantLayout, body: JsonObject): RecordOperation {
    if (!Array.isArray(body.vector) || !body.vector.every((v) => typeof v === 'string'))
      throw QdrantHttpError.format('vector must be a list of vector names');
    const names = body.vector as string[];
    const named: string[] = [];
    for (const n of names) {
      const ref = resolveVector(c, layout, n);
      if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${n}`);
      if (ref.field) named.push(n);
    }
    return {
      kind: 'clearVectors',
      filter: this.selection(body, layout),
      dense: names.includes(layout.dense ?? '\0'),
      sparse: layout.sparse !== null && names.includes(layout.sparse.name),
      named,
    };
  }

  /** update_vectors: the vectors sent replace those of existing points; unknown ids are an error, as in Qdrant. */
  private async updateVectorsOp(c: Collection, layout: QdrantLayout, body: JsonObject): Promise<RecordOperation> {
    if (!Array.isArray(body.points)) throw QdrantHttpError.format('points must be a list of {id, vector}');
    // Applied in order: a point named twice gets the vectors of both (the later one's where both send one).
    const byId = new Map<string, RecordWrite>();
    body.points.forEach((p, i) => {
      if (!isObject(p)) throw QdrantHttpError.format(`points[${i}] must be an object`);
      onlyFields(p, FIELDS.PointVectors, `points[${i}]`);
      const v = pointVectors(c, layout, aliased(p, 'vector', 'vectors'), `points[${i}].vector`);
      if (!v.dense && !v.sparse && Object.keys(v.named ?? {}).length === 0)
        throw QdrantHttpError.validation(`points[${i}].vector`, 'must specify vectors to update for point');
      const id = pointId(p.id, `points[${i}].id`);
      const earlier = byId.get(id);
      byId.set(id, {
        id,
        embedding: v.dense ?? earlier?.embedding,
        sparse: v.sparse ?? earlier?.sparse,
        vectors:
          earlier?.vectors || v.named
            ? nameMap([...Object.entries(earlier?.vectors ?? {}), ...Object.entries(v.named ?? {})])
            : undefined,
      });
    });
    const records = [...byId.values()];
    const ids = records.map((r) => r.id);
    const found = await this.records.find(this.scope, c.id, {
      filter: { kind: 'idIn', ids },
      include: { embeddings: false, metadatas: false, documents: false, uris: false },
      limit: null,
      offset: 0,
    });
    const existing = new Set(found.map((r) => r.id));
    const missing = ids.find((id) => !existing.has(id));
    if (missing !== undefined) throw QdrantHttpError.notFound(`No point with id ${showId(missing)} found`);
    // update_filter: only the points that match it get the vectors.
    const where =
      body.update_filter === undefined || body.update_filter === null
        ? undefined
        : parseQdrantFilter(body.update_filter, layout, 'update_filter', null);
    return { kind: 'write', mode: 'update', records, conditions: { where } };
  }

  async scroll(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.ScrollRequest, 'the body');
    const c = await this.collections.get(name);
    const layout = layoutOf(c);
    this.strictRead(c, body, 'scroll', timeout);
    const limit = unsigned(body.limit, 'limit', 10);
    if (limit > MAX_PAGE) throw QdrantHttpError.badRequest(`limit may be at most ${MAX_PAGE}`);
    const payload = payloadSelector(body.with_payload, true);
    const vector = vectorSelector(aliased(body, 'with_vector', 'with_vectors'), false);
    if (body.order_by !== undefined && body.order_by !== null) {
      if (body.offset !== undefined && body.offset !== null)
        throw QdrantHttpError.badRequest('offset is not supported with order_by: page with order_by.start_from');
      const found = await this.records.findOrdered(this.scope, c.id, {
        filter: parseQdrantFilter(body.filter, layout),
        include: includeFor(layout, payload, vector),
        limit,
        orderBy: orderByOf(body.order_by),
      });
      return {
        points: found.map((r) => ({ ...shownRecord(r, layout, payload, vector), order_value: r.orderValue })),
        next_page_offset: null,
      };
    }
    const from = body.offset === undefined || body.offset === null ? null : pointId(body.offset, 'offset');
    if (limit === 0) return { points: [], next_page_offset: null };
    const page = await this.records.find(this.scope, c.id, {
      filter: parseQdrantFilter(body.filter, layout),
      include: includeFor(layout, payload, vector),
      limit: limit + 1,
      offset: 0,
      afterId: from,
      fromIdInclusive: true,
    });
    return {
      points: page.slice(0, limit).map((r) => shownRecord(r, layout, payload, vector)),
      next_page_offset: page.length > limit ? showId(page[limit].id) : null,
    };
  }

  /** POST /collections/{c}/facet: the most frequent values of a payload key, with their counts. */
  async facet(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.FacetRequest, 'the body');
    const c = await this.collections.get(name);
    this.strictRead(c, body, 'facet', timeout);
    const limit = unsigned(body.limit, 'limit', 10);
    if (limit > MAX_PAGE) throw QdrantHttpError.badRequest(`limit may be at most ${MAX_PAGE}`);
    const hits = await this.records.facet(this.scope, c.id, {
      filter: parseQdrantFilter(body.filter, layoutOf(c)),
      key: payloadKey(body.key, 'key'),
      limit,
    });
    return { hits };
  }

  /** Strict mode over a scroll, facet or count: its timeout, limit, exact, and its read cost. */
  private strictRead(c: Collection, body: JsonObject, kind: 'scroll' | 'count' | 'facet', timeout: unknown): void {
    const strict = enabledStrictMode(layoutOf(c).settings);
    checkTimeout(timeout, strict);
    if (strict) checkReadStrict(body, strict, kind);
    takeTokens(c.id, strict, 'Read', 1 + filterCost(body.filter));
  }

  async count(name: string, body: JsonObject, timeout?: unknown) {
    onlyFields(body, FIELDS.CountRequest, 'the body');
    const c = await this.collections.get(name);
    this.strictRead(c, body, 'count', timeout);
    const filter = parseQdrantFilter(body.filter, layoutOf(c));
    const count =
      filter === ALL || filter.kind === 'all'
        ? await this.records.count(this.scope, c.id)
        : await this.records.countMatching(this.scope, c.id, filter);
    return { count };
  }
}
