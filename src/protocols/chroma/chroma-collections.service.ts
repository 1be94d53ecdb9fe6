import { Injectable } from '@nestjs/common';
import { CollectionsService } from '../../core/collections/collections.service';
import type { Scope } from '../../core/scope';
import { ChromaHttpError } from './chroma-error';
import { validateCollectionId, validateCollectionName } from './chroma-names';
import { configChanges, configFromCreate, configFromSchema, isDefaultConfiguration } from './collection-config';
import { parseSchema, reconcileSchema } from './collection-schema';
import { collectionToWire } from './collection.mapper';
import type { CreateCollectionDto, ForkCollectionDto, UpdateCollectionDto } from './dto/collection.dto';
import { checkMetadata } from './metadata';
import { pageOf } from './pagination';
import { withDatabaseNotFound } from './reword';

function collectionMetadata(
  field: string,
  value: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (value && Object.keys(value).length === 0)
    throw ChromaHttpError.invalidArgument(`Validation error: ${field}: Metadata cannot be empty`);
  return checkMetadata(field, value, false);
}

/** Chroma's collection routes over the neutral catalog: names and configuration checked as Chroma checks them. */
@Injectable()
export class ChromaCollectionsService {
  constructor(private readonly collections: CollectionsService) {}

  async list(scope: Scope, limit?: string, offset?: string) {
    const page = pageOf(limit, offset);
    return (await this.collections.list(scope, page.limit, page.offset)).map(collectionToWire);
  }

  count(scope: Scope): Promise<number> {
    return this.collections.count(scope);
  }

  async create(scope: Scope, body: CreateCollectionDto) {
    validateCollectionName(body.name);
    const metadata = collectionMetadata('metadata', body.metadata);
    const requested = parseSchema(body.schema);
    const configured = configFromCreate(body.configuration, metadata);
    // A schema that asks for something decides the vector index, as in Chroma; checked even when
    // get_or_create finds the collection, whose own settings are then returned.
    const fromSchema = reconcileSchema(requested, isDefaultConfiguration(configured));
    const { metric, index, extras } = fromSchema ? configFromSchema(fromSchema.vector) : configured;
    const spec = {
      name: body.name,
      metric,
      index,
      metadata,
      extras,
      schema: fromSchema?.schema ?? null,
      recordIndexes: fromSchema?.recordIndexes,
    };
    const created = await withDatabaseNotFound(
      this.collections.create(scope, spec, body.get_or_create === true),
      (name) => ChromaHttpError.invalidArgument(`Database [${name}] does not exist`),
    );
    return collectionToWire(created);
  }

  async getById(scope: Scope, id: string) {
    return collectionToWire(await this.collections.getById(scope, validateCollectionId(id)));
  }

  /** By name: Chroma treats even a uuid here as a name. */
  async getByName(scope: Scope, name: string) {
    return collectionToWire(await this.collections.getByName(scope, name));
  }

  /** A Chroma Resource Name is `tenant:database:collection`. */
  async getByCrn(crn: string) {
    const parts = crn.split(':');
    if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
      throw ChromaHttpError.invalidArgument(
        `Invalid CRN: ${crn}. Expected format tenant_resource_name:database_name:collection_name`,
      );
    }
    const [tenant, database, name] = parts;
    return this.getByName({ tenant, database }, name);
  }

  /** By id: rename, replace metadata, change search settings. */
  async modify(scope: Scope, rawId: string, body: UpdateCollectionDto): Promise<Record<string, never>> {
    const id = validateCollectionId(rawId);
    if (typeof body.new_name === 'string') validateCollectionName(body.new_name);
    const metadata =
      body.new_metadata === undefined || body.new_metadata === null
        ? undefined
        : collectionMetadata('new_metadata', body.new_metadata);
    const collection = await this.collections.getById(scope, id);
    const config = configChanges(body.new_configuration, collection);
    await this.collections.modify(scope, id, {
      name: body.new_name ?? undefined,
      metadata,
      index: config?.index,
      extras: config?.extras,
    });
    return {};
  }

  async delete(scope: Scope, name: string): Promise<Record<string, never>> {
    await this.collections.deleteByName(scope, name);
    return {};
  }

  async forkCount(scope: Scope, id: string): Promise<{ count: number }> {
    return { count: await this.collections.forkCount(scope, validateCollectionId(id)) };
  }

  async fork(scope: Scope, rawId: string, body: ForkCollectionDto) {
    const id = validateCollectionId(rawId);
    validateCollectionName(body.new_name);
    return collectionToWire(await this.collections.fork(scope, id, body.new_name));
  }
}
