import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  buildFromRows,
  DEFAULT_INDEX,
  type Collection,
  type IndexSettings,
  type NewCollection,
  type NewVectorField,
} from '../../core/collections/collection.model';
import { CollectionsService } from '../../core/collections/collections.service';
import { HNSW_LIMITS, MAX_HALFVEC_INDEX_DIMENSION } from '../../core/collections/vector-index';
import { AlreadyExistsError, NotFoundError } from '../../core/errors';
import { AliasesService, type AliasAction } from '../../core/collections/aliases.service';
import type { FilterNode } from '../../core/filters/filter-ast';
import { RangeKeyTracker } from '../../core/records/range-key-tracker';
import { parseQdrantFilter, payloadKey } from './qdrant-filter.parser';
import { checkFieldIndex, checkIndexRoom, isArrayPath, KEY_INDEX_KINDS, schemaType } from './payload-indexes';
import { RecordsService } from '../../core/records/records.service';
import type { Scope } from '../../core/scope';
import { defaultScope } from '../default-scope';
import { nameMap } from '../../core/name-map';
import { isObject, type JsonObject } from '../json-guards';
import { knownFields, onlyFields, unaliased } from './body';
import { checkHnswConfig, checkQuantizationConfig, checkSettings, checkSparseParams } from './collection-config';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import {
  checkCollectionName,
  configShown,
  layoutOf,
  MAX_NAMED_VECTORS,
  namedFields,
  namedParamsOf,
  parseSparseConfig,
  parseVectorsConfig,
  storageOf,
  resolveVector,
  settingsOf,
  storable,
  textIndexKey,
  checkSizeRange,
  vectorParams,
  vectorParamsAfter,
  warningsOf,
  type QdrantLayout,
} from './qdrant-layout';
import { textIndexOf } from './text-index';
import { enabledStrictMode, strictModeError } from './strict-mode';

/** The points holding a value at a key into arrays of objects (`a[].b`): the key checked as a filter's. */
function heldBy(field: string, layout: QdrantLayout): FilterNode {
  return parseQdrantFilter({ must: [{ key: field, is_empty: false }] }, layout, 'field_name', null);
}

/** A create or update body with the settings serde also takes under an alias under their own names. */
function withAliases(body: JsonObject): JsonObject {
  const named = unaliased(
    unaliased(body, 'quantization_config', 'quantization'),
    'optimizers_config',
    'optimizer_config',
  );
  if (!isObject(named.optimizers_config)) return named;
  let optimizers: JsonObject = named.optimizers_config;
  for (const field of ['indexing_threshold', 'max_segment_size', 'memmap_threshold'])
    optimizers = unaliased(optimizers, field, `${field}_kb`);
  return { ...named, optimizers_config: optimizers };
}

/**
 * The index settings with the build threshold of the settings' `optimizers_config`: Qdrant's
 * `indexing_threshold` is the kilobytes of a segment's largest vector storage past which it is
 * indexed (1 kB: one vector of 256 dimensions), here the records from which the index builder
 * builds the collection's HNSW indexes, counted at the largest dense vector's size; 0 turns the
 * builds off. Unset, the operator's VECGATE_INDEX_MIN_ROWS.
 */
function withBuildThreshold(index: IndexSettings, settings: JsonObject, dimensions: (number | null)[]): IndexSettings {
  const { buildFromRows: _rows, noBuild: _off, ...rest } = index;
  const optimizers = isObject(settings.optimizers_config) ? settings.optimizers_config : {};
  const kb = optimizers.indexing_threshold;
  if (kb === undefined || kb === null) return rest;
  if (typeof kb !== 'number' || !Number.isInteger(kb) || kb < 0)
    throw QdrantHttpError.format('optimizers_config.indexing_threshold must be an unsigned integer');
  if (kb === 0) return { ...rest, noBuild: true };
  const bytes = 4 * Math.max(1, ...dimensions.filter((d): d is number => d !== null));
  return { ...rest, buildFromRows: Math.max(1, Math.ceil((kb * 1024) / bytes)) };
}

/** The sizes of a collection's dense vectors, its first one's and its named ones'. */
function denseSizes(c: Collection, layout: QdrantLayout): (number | null)[] {
  return [
    ...(layout.dense !== null ? [c.dimension] : []),
    ...c.vectors.filter((f) => f.kind === 'dense').map((f) => f.dimension),
  ];
}

/** An HNSW setting from a request, when pgvector can build with it (Qdrant's m 0, "no graph", keeps vecgate's). */
function hnswSetting(value: unknown, field: string, limits: { min: number; max: number }): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw QdrantHttpError.format(`${field} must be an unsigned integer`);
  if (value === 0) return undefined;
  if (value < limits.min || value > limits.max)
    throw QdrantHttpError.badRequest(`${field} must be between ${limits.min} and ${limits.max} for pgvector's HNSW`);
  return value;
}

function indexSettings(hnsw: unknown, current: IndexSettings): IndexSettings {
  if (hnsw === undefined || hnsw === null) return current;
  if (!isObject(hnsw)) throw QdrantHttpError.format('hnsw_config must be an object');
  const givenM = hnswSetting(hnsw.m, 'hnsw_config.m', HNSW_LIMITS.m);
  const givenEf = hnswSetting(hnsw.ef_construct, 'hnsw_config.ef_construct', HNSW_LIMITS.efConstruction);
  const m = givenM ?? current.m;
  const efConstruction = givenEf ?? current.efConstruction;
  // The client's own build settings: the index is built as asked and never rebuilt larger.
  const chosen = givenM !== undefined || givenEf !== undefined;
  // pgvector wants ef_construction at least twice m.
  return {
    ...current,
    m,
    efConstruction: Math.max(efConstruction, 2 * m),
    ...(chosen && { buildPinned: true }),
  };
}

/**
 * Qdrant's collections over the core's: created in the request's scope (the key's tenant, or the
 * configured default), the same catalog entries Vectorizer's routes and Pinecone's indexes use.
 */
@Injectable()
export class QdrantCollectionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly collections: CollectionsService,
    private readonly records: RecordsService,
    private readonly aliases: AliasesService,
    private readonly rangeKeys: RangeKeyTracker,
  ) {}

  get scope(): Scope {
    return defaultScope(this.config);
  }

  /** A collection by its name or one of its aliases. */
  async get(name: string): Promise<Collection> {
    try {
      return await this.collections.getByNameCached(this.scope, name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const aliased = await this.aliases.resolve(this.scope, name);
      if (aliased) return aliased;
      throw QdrantHttpError.collectionNotFound(name);
    }
  }

  /** POST /collections/aliases: create, delete and rename actions, applied together or not at all. */
  async updateAliases(body: JsonObject): Promise<boolean> {
    onlyFields(body, FIELDS.ChangeAliasesOperation, 'the body');
    if (!Array.isArray(body.actions)) throw QdrantHttpError.format('actions must be a list');
    const text = (v: unknown, field: string): string => {
      if (typeof v !== 'string' || v === '') throw QdrantHttpError.format(`${field} must be a non-empty string`);
      return v;
    };
    /** A new alias's name, which then names a collection as its own name does. */
    const aliasName = (v: unknown, field: string): string => {
      checkCollectionName(text(v, field), field);
      return v as string;
    };
    const actions: AliasAction[] = body.actions.map((a, i) => {
      const at = `actions[${i}]`;
      if (isObject(a)) onlyFields(a, FIELDS.AliasOperations, at);
      const names = isObject(a) ? Object.keys(a) : [];
      if (names.length !== 1 || !isObject(a[names[0]]))
        throw QdrantHttpError.format(`${at} must hold one of create_alias, delete_alias or rename_alias`);
      if (isObject(a.create_alias)) {
        const c = onlyFields(a.create_alias, FIELDS.CreateAlias, `${at}.create_alias`);
        return {
          kind: 'create',
          alias: aliasName(c.alias_name, `${at}.create_alias.alias_name`),
          collection: text(c.collection_name, `${at}.create_alias.collection_name`),
        };
      }
      if (isObject(a.delete_alias)) {
        const d = onlyFields(a.delete_alias, FIELDS.DeleteAlias, `${at}.delete_alias`);
        return { kind: 'delete', alias: text(d.alias_name, `${at}.delete_alias.alias_name`) };
      }
      const r = onlyFields(a.rename_alias as JsonObject, FIELDS.RenameAlias, `${at}.rename_alias`);
      return {
        kind: 'rename',
        from: text(r.old_alias_name, `${at}.rename_alias.old_alias_name`),
        to: aliasName(r.new_alias_name, `${at}.rename_alias.new_alias_name`),
      };
    });
    try {
      await this.aliases.apply(this.scope, actions);
    } catch (err) {
      if (err instanceof NotFoundError && err.entity === 'alias')
        throw QdrantHttpError.notFound(`Alias ${err.key} does not exists!`);
      if (err instanceof AlreadyExistsError)
        throw new QdrantHttpError(
          409,
          `Wrong input: ${err.entity === 'alias' ? 'Alias' : 'Collection'} \`${err.key}\` already exists!`,
        );
      throw err;
    }
    return true;
  }

  /** Every alias, or the aliases of one collection. */
  async listAliases(collection?: string) {
    try {
      const found = await this.aliases.list(this.scope, collection);
      return { aliases: found.map((a) => ({ alias_name: a.alias, collection_name: a.collection })) };
    } catch (err) {
      if (err instanceof NotFoundError && collection !== undefined)
        throw QdrantHttpError.collectionNotFound(collection);
      throw err;
    }
  }

  async list() {
    const all = await this.collections.list(this.scope, null, 0);
    return { collections: all.map((c) => ({ name: c.name })) };
  }

  async exists(name: string) {
    try {
      await this.collections.getByName(this.scope, name);
      return { exists: true };
    } catch (err) {
      if (err instanceof NotFoundError) return { exists: false };
      throw err;
    }
  }

  async create(name: string, body: JsonObject): Promise<boolean> {
    await this.collections.create(this.scope, this.specOf(name, body), false);
    return true;
  }

  /** The core's collection for a create request's body (also a snapshot's header). */
  specOf(name: string, sent: JsonObject): NewCollection {
    checkCollectionName(name);
    const body = knownFields(withAliases(sent), FIELDS.CreateCollection);
    if (body.init_from !== undefined && body.init_from !== null)
      throw QdrantHttpError.badRequest('init_from is not supported: copy the points with scroll and upsert');
    checkSettings(body);
    const vectors = parseVectorsConfig(body.vectors);
    const sparse = parseSparseConfig(body.sparse_vectors);
    const layout: QdrantLayout = {
      dense: vectors.dense,
      sparse: sparse.sparse,
      vectorParams: vectors.params,
      sparseParams: sparse.params,
      settings: settingsOf(body),
      payloadIndexes: {},
      positions: {},
      namedParams: namedParamsOf(vectors, sparse),
      textIndexes: {},
    };
    // A vector's own hnsw_config over the collection's.
    const indexOf = (own: unknown) =>
      indexSettings(
        isObject(own) ? { ...(isObject(body.hnsw_config) ? body.hnsw_config : {}), ...own } : body.hnsw_config,
        { ...DEFAULT_INDEX },
      );
    const index = withBuildThreshold(indexOf(vectors.params.hnsw_config), layout.settings, [
      vectors.dimension,
      ...vectors.named.map((v) => v.dimension),
    ]);
    const named = namedFields(vectors, sparse, indexOf);
    return {
      name,
      dimension: vectors.dimension,
      metric: vectors.metric,
      index,
      metadata: null,
      extras: { qdrant: storable(layout) },
      schema: null,
      vectors: named,
    };
  }

  /**
   * PUT /collections/{c}/vectors/{v}: a new named vector, `{dense: {size, distance}}` or
   * `{sparse: {modifier}}`, empty in every point until written. The same vector again is no
   * change; another of that name is a 400, as in Qdrant.
   */
  async addVector(name: string, vector: string, body: JsonObject): Promise<void> {
    onlyFields(body, FIELDS.VectorNameConfig, 'the body');
    const c = await this.get(name);
    const layout = layoutOf(c);
    const dense = body.dense !== undefined && body.dense !== null;
    const sparse = body.sparse !== undefined && body.sparse !== null;
    if (dense === sparse) throw QdrantHttpError.format('the body must hold one of dense {size, distance} or sparse {}');
    if (vector === '') throw QdrantHttpError.format('a vector name must not be empty');
    if (layout.dense === '')
      throw QdrantHttpError.badRequest('a collection of one unnamed vector cannot hold named ones');
    let field: NewVectorField;
    let params: JsonObject;
    if (dense) {
      if (isObject(body.dense)) onlyFields(body.dense, FIELDS.DenseVectorConfig, 'dense');
      // Qdrant validates the size of a vector added so (a usize) before anything else: 0 too is its 422.
      const size = isObject(body.dense) ? body.dense.size : undefined;
      if (typeof size === 'number' && Number.isInteger(size)) checkSizeRange(size, 'dense.size');
      const parsed = vectorParams(body.dense, 'dense');
      params = parsed.params;
      field = {
        name: vector,
        kind: 'dense',
        dimension: parsed.dimension,
        metric: parsed.metric,
        // The collection's hnsw_config (Qdrant's default for a vector without its own), as at create.
        index: indexSettings(layout.settings.hnsw_config, { ...DEFAULT_INDEX }),
        ...(parsed.multivector ? { multivector: true, storage: storageOf(params) } : {}),
      };
    } else {
      if (!isObject(body.sparse)) throw QdrantHttpError.format('sparse must be an object');
      // The storage datatype is accepted and not applied: the sparse vector's params hold only its modifier.
      const { datatype: _datatype, ...config } = onlyFields(body.sparse, FIELDS.SparseVectorConfig, 'sparse');
      const parsed = parseSparseConfig({ [vector]: config });
      params = { ...parsed.params, ...(parsed.sparse?.modifier === 'idf' ? { modifier: 'idf' } : {}) };
      field = { name: vector, kind: 'sparse', dimension: null, metric: 'ip', index: c.index };
    }
    const existing = resolveVector(c, layout, vector);
    if (existing) {
      const same =
        existing.kind === field.kind &&
        (field.kind === 'sparse' ||
          (existing.field
            ? existing.field.dimension === field.dimension &&
              existing.field.metric === field.metric &&
              !!existing.field.multivector === !!field.multivector
            : c.dimension === field.dimension && c.metric === field.metric));
      if (same) return;
      throw QdrantHttpError.wrongInput(
        existing.kind === field.kind
          ? `Vector \`${vector}\` already exists with a different configuration`
          : `Vector \`${vector}\` already exists as a ${existing.kind} vector`,
      );
    }
    const count = (layout.dense !== null ? 1 : 0) + (layout.sparse ? 1 : 0) + c.vectors.length;
    if (count >= MAX_NAMED_VECTORS)
      throw QdrantHttpError.badRequest(`a collection may name at most ${MAX_NAMED_VECTORS} vectors, dense and sparse`);
    await this.collections.addVector(this.scope, c.id, field, (current) => ({
      ...current.extras,
      qdrant: storable({ ...layoutOf(current), namedParams: { ...layoutOf(current).namedParams, [vector]: params } }),
    }));
  }

  /**
   * DELETE /collections/{c}/vectors/{v}: a vector goes from every point. A named vector's column
   * goes; the collection's first dense or first sparse vector is its records' embedding or sparse
   * vector, which the other protocols read: its values are cleared from every record, and the
   * collection has none from then on (a vector added again of that name is a named one).
   */
  async removeVector(name: string, vector: string): Promise<void> {
    const c = await this.get(name);
    const ref = resolveVector(c, layoutOf(c), vector);
    if (!ref) throw QdrantHttpError.wrongInput(`Not existing vector name error: ${vector}`);
    if (!ref.field) {
      await this.collections.clearDefaultVector(this.scope, c.id, ref.kind, (current) => {
        const layout = layoutOf(current);
        const without: QdrantLayout =
          ref.kind === 'dense'
            ? { ...layout, dense: null, vectorParams: {} }
            : { ...layout, sparse: null, sparseParams: {} };
        return { ...current.extras, qdrant: storable(without) };
      });
      return;
    }
    await this.collections.removeVector(this.scope, c.id, vector, (current) => {
      const layout = layoutOf(current);
      const { [vector]: _gone, ...namedParams } = layout.namedParams;
      return { ...current.extras, qdrant: storable({ ...layout, namedParams }) };
    });
  }

  /**
   * PATCH: HNSW settings are applied (each dense vector's index whose m or ef_construct changes,
   * its own settings over the collection's, is rebuilt), the rest kept and shown back.
   */
  async update(name: string, sent: JsonObject): Promise<boolean> {
    const body = knownFields(withAliases(sent), FIELDS.UpdateCollection);
    checkSettings(body);
    const c = await this.get(name);
    const layout = layoutOf(c);
    let vectorParams = layout.vectorParams;
    let sparse = layout.sparse;
    let sparseParams = layout.sparseParams;
    const namedParams = nameMap(Object.entries(layout.namedParams));
    /** The dense vectors whose own hnsw_config the update changes, by name. */
    const ownHnswChanged = new Set<string>();
    if (body.vectors !== undefined && body.vectors !== null) {
      if (!isObject(body.vectors)) throw QdrantHttpError.format('vectors must be an object');
      for (const [vname, sentDiff] of Object.entries(body.vectors)) {
        const ref = resolveVector(c, layout, vname);
        if (ref?.kind !== 'dense') throw QdrantHttpError.wrongInput(`Not existing vector name error: ${vname}`);
        if (!isObject(sentDiff)) throw QdrantHttpError.format(`vectors.${vname} must be an object`);
        const diff = unaliased(sentDiff, 'quantization_config', 'quantization');
        onlyFields(diff, FIELDS.VectorParamsDiff, `vectors.${vname}`);
        checkHnswConfig(diff.hnsw_config, `vectors.${vname}.hnsw_config`);
        checkQuantizationConfig(diff.quantization_config, `vectors.${vname}.quantization_config`);
        if (isObject(diff.hnsw_config)) ownHnswChanged.add(vname);
        if (ref.field) namedParams[vname] = vectorParamsAfter(namedParams[vname] ?? {}, diff);
        else vectorParams = vectorParamsAfter(vectorParams, diff);
      }
    }
    if (body.sparse_vectors !== undefined && body.sparse_vectors !== null) {
      if (!isObject(body.sparse_vectors)) throw QdrantHttpError.format('sparse_vectors must be an object');
      for (const [sname, diff] of Object.entries(body.sparse_vectors)) {
        const ref = resolveVector(c, layout, sname);
        if (ref?.kind !== 'sparse') throw QdrantHttpError.wrongInput(`Not existing vector name error: ${sname}`);
        if (!isObject(diff)) throw QdrantHttpError.format(`sparse_vectors.${sname} must be an object`);
        checkSparseParams(diff, `sparse_vectors.${sname}`);
        // Qdrant's update_sparse_vectors_from_other: a modifier given replaces it, the index settings merge.
        const modifier = diff.modifier ?? undefined;
        if (modifier !== undefined && modifier !== 'idf' && modifier !== 'none')
          throw QdrantHttpError.format(`sparse_vectors.${sname}.modifier: unknown variant ${JSON.stringify(modifier)}`);
        const after = (params: JsonObject): JsonObject => {
          const next: JsonObject = { ...params };
          if (modifier === 'idf') next.modifier = 'idf';
          else if (modifier === 'none') delete next.modifier;
          // A null in the diff leaves that setting as it was, as everywhere in Qdrant's updates.
          if (isObject(diff.index))
            next.index = {
              ...(isObject(params.index) ? params.index : {}),
              ...Object.fromEntries(Object.entries(diff.index).filter(([, v]) => v !== null)),
            };
          return next;
        };
        if (ref.field) namedParams[sname] = after(namedParams[sname] ?? {});
        else if (sparse) {
          const { modifier: _shown, ...rest } = after({ ...sparseParams, modifier: sparse.modifier });
          sparseParams = rest;
          sparse = { ...sparse, modifier: modifier ?? sparse.modifier };
        }
      }
    }
    // An update sets on_disk_payload among the collection's params.
    const onDiskPayload = isObject(body.params) ? body.params.on_disk_payload : undefined;
    const settings = settingsOf({ ...body, on_disk_payload: onDiskPayload }, layout.settings);
    const next: QdrantLayout = { ...layout, vectorParams, sparse, sparseParams, namedParams, settings };
    // Each dense vector's index is built with its own hnsw_config over the collection's (Qdrant's
    // update_opt): a change of either reaches the vectors it applies to.
    const collectionHnsw = isObject(settings.hnsw_config) ? settings.hnsw_config : {};
    const collectionChanged = isObject(body.hnsw_config);
    const effective = (own: unknown, current: IndexSettings) =>
      indexSettings({ ...collectionHnsw, ...(isObject(own) ? own : {}) }, current);
    let index = c.index;
    if (collectionChanged || (layout.dense !== null && ownHnswChanged.has(layout.dense)))
      index = effective(layout.dense !== null ? vectorParams.hnsw_config : undefined, c.index);
    const vectorIndexes = nameMap<IndexSettings>();
    for (const f of c.vectors)
      if (f.kind === 'dense' && (collectionChanged || ownHnswChanged.has(f.name)))
        vectorIndexes[f.name] = effective(namedParams[f.name]?.hnsw_config, f.index);
    await this.collections.modify(this.scope, c.id, {
      index: withBuildThreshold(index, settings, denseSizes(c, layout)),
      extras: { ...c.extras, qdrant: storable(next) },
      vectorIndexes,
    });
    return true;
  }

  async delete(name: string): Promise<boolean> {
    try {
      await this.collections.deleteByName(this.scope, name);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** The caller's collections (those its key reaches), as the core holds them. */
  async inScope(): Promise<Collection[]> {
    return this.collections.list(this.scope, null, 0);
  }

  /**
   * Yellow while an HNSW index is still to be built (IndexBuilder): the default vector's or a named
   * dense one's. A dimension past what HNSW indexes is searched exactly and stays green.
   */
  statusOf(c: Collection, points: number): { status: 'green' | 'yellow'; unbuilt: boolean } {
    const indexable = (dimension: number | null) => dimension !== null && dimension <= MAX_HALFVEC_INDEX_DIMENSION;
    const unbuilt =
      (!c.vectorIndexed && indexable(c.dimension)) ||
      c.vectors.some((f) => f.kind === 'dense' && !f.indexed && indexable(f.dimension));
    const threshold = buildFromRows(c.index, this.config.indexing.minRows);
    const building = unbuilt && threshold !== null && points >= threshold;
    return { status: building ? 'yellow' : 'green', unbuilt };
  }

  async info(name: string) {
    const c = await this.get(name);
    const layout = layoutOf(c);
    const points = await this.records.count(this.scope, c.id);
    const { status, unbuilt } = this.statusOf(c, points);
    const indexed = (c.vectorIndexed || c.vectors.some((f) => f.kind === 'dense' && f.indexed)) && !unbuilt;
    const warnings = warningsOf(c, layout);
    return {
      status,
      optimizer_status: 'ok',
      ...(warnings.length > 0 && { warnings }),
      indexed_vectors_count: indexed ? points : 0,
      points_count: points,
      segments_count: 1,
      config: configShown(c, layout),
      payload_schema: await this.payloadSchemaOf(c, layout),
    };
  }

  /**
   * GET /collections/{c}/optimizations. A collection is one table (info's one segment), which no
   * optimizer merges or rewrites: nothing runs, is queued or was completed, and with
   * `idle_segments` that one table is shown, its id the collection's and its points the count.
   * Index builds (IndexBuilder) are not optimizations in Qdrant's sense and are not listed.
   */
  async optimizations(name: string, withParam: unknown) {
    const fields = typeof withParam === 'string' ? withParam.split(',') : [];
    const wanted = new Set<string>();
    for (const field of fields) {
      const f = field.trim();
      if (f === '') continue;
      if (f !== 'queued' && f !== 'completed' && f !== 'idle_segments')
        throw QdrantHttpError.wrongInput(`Unknown field in 'with' parameter: ${field}`);
      wanted.add(f);
    }
    const c = await this.get(name);
    const points = await this.records.count(this.scope, c.id);
    return {
      summary: { queued_optimizations: 0, queued_segments: 0, queued_points: 0, idle_segments: 1 },
      running: [],
      ...(wanted.has('queued') ? { queued: [] } : {}),
      ...(wanted.has('completed') ? { completed: [] } : {}),
      ...(wanted.has('idle_segments') ? { idle_segments: [{ uuid: c.id, points_count: points }] } : {}),
    };
  }

  /** Each indexed field, its type and how many points hold it. */
  async payloadSchemaOf(c: Collection, layout: QdrantLayout): Promise<JsonObject> {
    const schema = nameMap<unknown>();
    for (const [key, field] of Object.entries(layout.payloadIndexes)) {
      const type = typeof field === 'string' ? field : isObject(field) ? field.type : undefined;
      const held = isArrayPath(key) ? heldBy(key, layout) : ({ kind: 'exists', key: payloadKey(key) } as const);
      const points = await this.records.countMatching(this.scope, c.id, held);
      schema[key] = { data_type: type, ...(isObject(field) ? { params: field } : {}), points };
    }
    return schema;
  }

  /**
   * PUT /collections/{c}/index: a numeric or datetime field gets a btree index of its own (built
   * by IndexBuilder as the range filters' indexes are); keyword, uuid and bool fields are served by
   * the collection's GIN index over every payload key; a text field is a core text field (its words
   * under GIN, text-index.ts), made anew when its params change; geo fields are kept and shown.
   */
  async createFieldIndex(name: string, body: JsonObject): Promise<void> {
    onlyFields(body, FIELDS.CreateFieldIndex, 'the body');
    const c = await this.get(name);
    const layout = layoutOf(c);
    const { key, type } = checkFieldIndex(body.field_name, body.field_schema);
    const field = body.field_name as string;
    checkIndexRoom(layout.payloadIndexes, field);
    // Strict mode's own bound, counted as Qdrant counts it (an indexed field's new index included).
    const strict = enabledStrictMode(layout.settings);
    const max = strict?.max_payload_index_count;
    if (typeof max === 'number' && Object.keys(layout.payloadIndexes).length >= max)
      throw strictModeError(
        `Collection already has the maximum number of payload indices (${max})`,
        'Please delete an existing index before creating a new one.',
      );
    const withIndex = (schema: unknown) => (current: Collection) => {
      const now = layoutOf(current);
      return {
        ...current.extras,
        qdrant: storable({ ...now, payloadIndexes: { ...now.payloadIndexes, [field]: schema } }),
      };
    };
    if (key === null) {
      // A key into arrays of objects: checked as a filter's key, declared, no Postgres index.
      heldBy(field, layout);
      await this.collections.modify(this.scope, c.id, { extras: withIndex(body.field_schema)(c) });
      return;
    }
    const path = Array.isArray(key) ? key : [key];
    if (type === 'text') {
      const text = textIndexOf(body.field_schema);
      await this.collections.addTextField(
        this.scope,
        c.id,
        { path, analyzer: text.analyzer },
        withIndex(text.shown ?? 'text'),
      );
      return;
    }
    const kind = KEY_INDEX_KINDS[type];
    if (kind) this.rangeKeys.noteKeys(c, [key], kind);
    // Another type on a key that had a text index: its words go.
    if (Object.hasOwn(layout.textIndexes, textIndexKey(path)))
      await this.collections.removeTextField(this.scope, c.id, path, withIndex(body.field_schema));
    else await this.collections.modify(this.scope, c.id, { extras: withIndex(body.field_schema)(c) });
  }

  async deleteFieldIndex(name: string, field: string): Promise<void> {
    const c = await this.get(name);
    const layout = layoutOf(c);
    // The key's own Postgres index goes with it (keyword, uuid and bool have none: the GIN serves them).
    const type = schemaType(layout.payloadIndexes[field]);
    const kind = Object.hasOwn(KEY_INDEX_KINDS, type) ? KEY_INDEX_KINDS[type] : undefined;
    const without = (current: Collection) => {
      const now = layoutOf(current);
      const rest = Object.fromEntries(Object.entries(now.payloadIndexes).filter(([k]) => k !== field));
      return { ...current.extras, qdrant: storable({ ...now, payloadIndexes: rest }) };
    };
    if (isArrayPath(field)) {
      await this.collections.modify(this.scope, c.id, { extras: without(c) });
      return;
    }
    const key = payloadKey(field, 'field_name');
    if (kind) await this.rangeKeys.forgetKey(c, key, kind);
    if (type === 'text')
      await this.collections.removeTextField(this.scope, c.id, Array.isArray(key) ? key : [key], without);
    else await this.collections.modify(this.scope, c.id, { extras: without(c) });
  }
}
