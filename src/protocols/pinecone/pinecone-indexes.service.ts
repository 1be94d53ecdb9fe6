import { Inject, Injectable } from '@nestjs/common';
import { Collection } from '../../core/collections/collection.model';
import { CollectionsService } from '../../core/collections/collections.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { defaultScope } from '../default-scope';
import {
  checkDeletionProtection,
  checkTags,
  newIndex,
  pineconeExtras,
  pineconeMetric,
  readCapacityOf,
} from './index-spec';
import { changedEmbed, newIndexForModel } from './integrated-embed';
import { InferenceService } from '../../inference/inference.service';
import { isObject } from '../json-guards';
import { PineconeControlError } from './pinecone-error';
import { indexFilterable } from './metadata-schema';
import { RangeKeyTracker } from '../../core/records/range-key-tracker';
import { Scope } from '../../core/scope';

/** Pinecone's indexes over the catalog: every collection of one configured database is an index. */
@Injectable()
export class PineconeIndexesService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly collections: CollectionsService,
    private readonly rangeKeys: RangeKeyTracker,
    private readonly inference: InferenceService,
  ) {}

  /** The request's tenant and database: its API key's, or the configured default. */
  get scope(): Scope {
    return defaultScope(this.config);
  }

  /** A new index; the keys its metadata schema names get their range indexes at once. */
  async create(body: Record<string, unknown>, apiVersion?: string): Promise<Collection> {
    return this.created(newIndex(body, apiVersion, (model) => this.inference.find(model)));
  }

  /** An integrated index: its dimension, metric and vector type are the mapped model's. */
  async createForModel(body: Record<string, unknown>): Promise<Collection> {
    return this.created(newIndexForModel(body, (name) => this.inference.find(name)));
  }

  private async created(index: ReturnType<typeof newIndex>): Promise<Collection> {
    const created = await this.collections.create(this.scope, index, false);
    const filterable = indexFilterable(pineconeExtras(created).schema_fields);
    if (filterable) this.rangeKeys.noteKeys(created, filterable);
    return created;
  }

  list(): Promise<Collection[]> {
    return this.collections.list(this.scope, null, 0);
  }

  get(name: string): Promise<Collection> {
    return this.collections.getByName(this.scope, name);
  }

  /** The index a data-plane call works on, from the catalog cache (see CollectionsService.getCached). */
  resolve(name: string): Promise<Collection> {
    return this.collections.getByNameCached(this.scope, name);
  }

  /**
   * The index a data-plane read (search, query, fetch, list) works on, and the namespace that serves
   * `namespace` (stored form): an alias's target, else itself; both in one statement
   * (CollectionsService.getByNameForRead). The default namespace is never an alias.
   */
  async resolveRead(name: string, namespace: string): Promise<{ collection: Collection; namespace: string }> {
    const { collection, aliasTarget } = await this.collections.getByNameForRead(
      this.scope,
      name,
      namespace === '' ? null : namespace,
    );
    return { collection, namespace: aliasTarget ?? namespace };
  }

  /**
   * deletion_protection, tags (a tag set to "" is removed, as Pinecone does) and read_capacity
   * (2026-07 at the top level, 2025-10 under spec.serverless).
   */
  async configure(
    name: string,
    body: {
      deletion_protection?: unknown;
      tags?: unknown;
      read_capacity?: unknown;
      spec?: unknown;
      embed?: unknown;
      schema?: unknown;
    },
  ): Promise<Collection> {
    const collection = await this.get(name);
    const extras = pineconeExtras(collection);
    const legacy =
      isObject(body.spec) && isObject(body.spec.serverless) ? body.spec.serverless.read_capacity : undefined;
    const readCapacity = body.read_capacity ?? legacy;
    if (readCapacity !== undefined && readCapacity !== null) {
      if (extras.deployment.deployment_type === 'pod')
        throw PineconeControlError.invalid('read_capacity applies to serverless indexes only');
      extras.read_capacity = readCapacityOf(readCapacity, extras.read_capacity);
    }
    const embedChange = embedChangeOf(body);
    if (embedChange)
      extras.embed = changedEmbed(extras.embed, embedChange, (model) => this.inference.find(model), {
        dimension: collection.dimension,
        metric: pineconeMetric(collection.metric),
        vectorType: extras.vector_type,
      });
    const protection = checkDeletionProtection(body.deletion_protection);
    if (protection) extras.deletion_protection = protection;
    const tags = checkTags(body.tags);
    if (tags) {
      const merged = { ...(extras.tags ?? {}), ...tags };
      for (const [k, v] of Object.entries(tags)) if (v === '') delete merged[k];
      extras.tags = Object.keys(merged).length ? merged : null;
    }
    await this.collections.modify(this.scope, collection.id, { extras: { ...collection.extras, pinecone: extras } });
    return this.get(name);
  }

  /** Notes that a namespace of the index has a schema of its own (filters then look it up). */
  async markNamespaceSchemas(collection: Collection): Promise<void> {
    const extras = pineconeExtras(collection);
    if (extras.namespace_schemas) return;
    extras.namespace_schemas = true;
    await this.collections.modify(this.scope, collection.id, { extras: { ...collection.extras, pinecone: extras } });
  }

  async delete(name: string): Promise<void> {
    const collection = await this.get(name);
    if (pineconeExtras(collection).deletion_protection === 'enabled') {
      throw new PineconeControlError(
        403,
        'FORBIDDEN',
        'Deletion protection is enabled for this index. Disable deletion protection before retrying.',
      );
    }
    await this.collections.deleteByName(this.scope, name);
  }
}

/**
 * The embedding change a configure asks for: before 2026-07 an `embed` object; from 2026-07 a
 * `semantic_text` field of `schema.fields`, whose name is the embedded field.
 */
function embedChangeOf(body: { embed?: unknown; schema?: unknown }): Record<string, unknown> | null {
  if (body.embed !== undefined && body.embed !== null) {
    if (!isObject(body.embed)) throw PineconeControlError.invalid('embed must be an object');
    return body.embed;
  }
  if (body.schema === undefined || body.schema === null) return null;
  if (!isObject(body.schema) || !isObject(body.schema.fields))
    throw PineconeControlError.invalid('schema must be an object with fields');
  const entries = Object.entries(body.schema.fields);
  if (entries.length !== 1)
    throw PineconeControlError.invalid('schema.fields must hold one semantic_text field, the one to embed');
  const [name, field] = entries[0];
  if (!isObject(field) || field.type !== 'semantic_text')
    throw PineconeControlError.invalid(`schema.fields.${name} must be a semantic_text field`);
  const { model, read_parameters, write_parameters } = field;
  return { model, read_parameters, write_parameters, field_map: { text: name } };
}
