import { Injectable } from '@nestjs/common';
import { Collection } from '../../core/collections/collection.model';
import type { NamespaceAlias } from '../../core/records/namespace-alias.model';
import { NamespaceAliasesService } from '../../core/records/namespace-aliases.service';
import { wireNamespace } from './index-names';
import { checkAliasName, checkTargetNamespace, prefixFilter, targetFilter } from './namespace-alias-names';
import { GRPC, PineconeControlError, PineconeDataError, errorInfo } from './pinecone-error';
import { PineconeIndexesService } from './pinecone-indexes.service';

const MAX_PAGE = 100;
const LIST_PARAMETERS = new Set(['limit', 'paginationToken', 'prefix', 'target_namespace']);

/** A NamespaceAliasDescription. */
function describe(alias: NamespaceAlias) {
  return {
    name: alias.name,
    target_namespace: wireNamespace(alias.target),
    created_at: alias.createdAt.toISOString(),
    updated_at: alias.updatedAt.toISOString(),
  };
}

/** A page token carries the last name shown and the listing's filters, which a later page may repeat but not change. */
interface ListToken {
  after: string;
  prefix: string | null;
  target: string | null;
}

function encodeListToken(token: ListToken): string {
  return Buffer.from(JSON.stringify([token.after, token.prefix, token.target]), 'utf8').toString('base64url');
}

function decodeListToken(raw: unknown): ListToken | null {
  if (raw === undefined || raw === '') return null;
  const bad = () => PineconeDataError.invalid('Invalid pagination token', 'INVALID_PAGINATION_TOKEN');
  if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]+$/.test(raw)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    !nullableString(parsed[1]) ||
    !nullableString(parsed[2])
  )
    throw bad();
  return { after: parsed[0], prefix: parsed[1], target: parsed[2] };
}

/** A filter a page repeats must be the token's; one the first page did not have cannot be added. */
function carried(given: string | null, inToken: string | null, what: 'PREFIX' | 'TARGET'): string | null {
  if (given === null) return inToken;
  if (inToken === null)
    throw PineconeDataError.invalid(
      `A ${what === 'PREFIX' ? 'prefix' : 'target_namespace'} cannot be added in the middle of a listing: start again without the pagination token`,
      `LIST_INVALID_TOKEN_WITH_NEW_${what}`,
    );
  if (given !== inToken)
    throw PineconeDataError.invalid(
      `The ${what === 'PREFIX' ? 'prefix' : 'target_namespace'} differs from the one the pagination token was made for`,
      `LIST_INVALID_TOKEN_WITH_${what}`,
    );
  return inToken;
}

/**
 * Pinecone's namespace aliases (API 2026-07) on an index's data plane: the routes under
 * `/namespace-aliases`, and how the other routes treat a namespace name that is an alias (reads
 * are served from its target, found with the index: PineconeIndexesService.resolveRead; writes
 * are refused).
 */
@Injectable()
export class PineconeNamespaceAliasesService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly aliases: NamespaceAliasesService,
  ) {}

  async list(index: string, query: Record<string, unknown>) {
    const unknown = Object.keys(query).find((k) => !LIST_PARAMETERS.has(k));
    if (unknown !== undefined) throw PineconeDataError.invalid(`Unknown query parameter: ${unknown}`);
    const limit = query.limit === undefined ? MAX_PAGE : query.limit;
    if (typeof limit !== 'string' && typeof limit !== 'number') throw invalidLimit();
    if (!/^\d+$/.test(String(limit)) || Number(limit) < 1 || Number(limit) > MAX_PAGE) throw invalidLimit();
    let prefix = prefixFilter(query.prefix);
    let target = targetFilter(query.target_namespace);
    const token = decodeListToken(query.paginationToken);
    if (token) {
      prefix = carried(prefix, token.prefix, 'PREFIX');
      target = carried(target, token.target, 'TARGET');
    }
    const collection = await this.indexes.get(index);
    const size = Number(limit);
    const { page, total } = await this.aliases.list(this.indexes.scope, collection.id, {
      prefix: prefix ?? '',
      target,
      after: token?.after ?? null,
      limit: size + 1,
    });
    const shown = page.slice(0, size);
    return {
      namespace_aliases: shown.map(describe),
      ...(page.length > size
        ? { pagination: { next: encodeListToken({ after: shown[shown.length - 1].name, prefix, target }) } }
        : {}),
      total_count: total,
    };
  }

  async create(index: string, body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw PineconeDataError.invalid('The request body must be {"name", "target_namespace"}');
    const { name, target_namespace } = body as Record<string, unknown>;
    const alias = checkAliasName(name);
    const target = checkTargetNamespace(target_namespace);
    const collection = await this.indexes.get(index);
    return describe(await this.aliases.create(this.indexes.scope, collection.id, alias, target));
  }

  async describe(index: string, name: string) {
    const alias = checkAliasName(name);
    const collection = await this.indexes.get(index);
    return describe(await this.aliases.get(this.indexes.scope, collection.id, alias));
  }

  async repoint(index: string, name: string, body: unknown) {
    const alias = checkAliasName(name);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw PineconeDataError.invalid('The request body must be {"target_namespace"}');
    const target = checkTargetNamespace((body as Record<string, unknown>).target_namespace);
    const collection = await this.indexes.get(index);
    return describe(await this.aliases.repoint(this.indexes.scope, collection.id, alias, target));
  }

  async delete(index: string, name: string): Promise<Record<string, never>> {
    const alias = checkAliasName(name);
    const collection = await this.indexes.get(index);
    await this.aliases.delete(this.indexes.scope, collection.id, alias);
    return {};
  }

  /**
   * Refuses a write (update, delete) addressed to an alias, as Pinecone does: the vector operations
   * with a 400 whose reason is WRITE_TO_ALIAS, the Documents API with a 412.
   */
  async refuseWriteToAlias(collection: Collection, namespace: string, api: 'vectors' | 'documents'): Promise<void> {
    const target = await this.aliases.aliasTarget(collection.id, namespace);
    if (target === null) return;
    const message = `Namespace ${namespace} is an alias of namespace ${wireNamespace(target)}, which cannot be written through: write to the alias's target namespace directly`;
    if (api === 'documents') throw new PineconeControlError(412, 'FAILED_PRECONDITION', message);
    throw new PineconeDataError(400, GRPC.INVALID_ARGUMENT, message, [errorInfo('WRITE_TO_ALIAS')]);
  }
}

function invalidLimit(): PineconeDataError {
  return PineconeDataError.invalid(`limit must be an integer from 1 to ${MAX_PAGE}`, 'LIST_INVALID_LIMIT');
}
