import { Injectable } from '@nestjs/common';
import type { ImportErrorMode } from '../../core/imports/import.model';
import { ImportsService } from '../../core/imports/imports.service';
import { importModel } from './import.mapper';
import { decodeToken, encodeToken, limitParam } from './pagination-token';
import { PineconeDataError } from './pinecone-error';
import { PineconeIndexesService } from './pinecone-indexes.service';

/** Pinecone's bounds of StartImportRequest. */
const MAX_URI_CHARS = 1500;
const MAX_INTEGRATION_ID_CHARS = 1000;

function errorModeOf(raw: unknown): ImportErrorMode {
  if (raw === undefined || raw === null) return 'continue';
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw PineconeDataError.invalid('errorMode must be an object such as {"onError": "abort"}');
  const onError = (raw as { onError?: unknown }).onError;
  if (onError === undefined || onError === null) return 'continue';
  const mode = typeof onError === 'string' ? onError.toLowerCase() : onError;
  if (mode !== 'continue' && mode !== 'abort')
    throw PineconeDataError.invalid('errorMode.onError must be "continue" or "abort"');
  return mode;
}

/** Pinecone's bulk imports (data plane, API 2024-10 and later) over the core's imports. */
@Injectable()
export class PineconeBulkImportsService {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly imports: ImportsService,
  ) {}

  async start(index: string, body: { uri?: unknown; integrationId?: unknown; errorMode?: unknown }) {
    const { uri, integrationId } = body;
    if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_CHARS)
      throw PineconeDataError.invalid(`uri must be a string of 1 to ${MAX_URI_CHARS} characters`);
    if (
      integrationId !== undefined &&
      integrationId !== null &&
      (typeof integrationId !== 'string' || integrationId.length > MAX_INTEGRATION_ID_CHARS)
    )
      throw PineconeDataError.invalid(
        `integrationId must be a string of at most ${MAX_INTEGRATION_ID_CHARS} characters`,
      );
    const errorMode = errorModeOf(body.errorMode);
    const collection = await this.indexes.resolve(index);
    return { id: await this.imports.start(this.indexes.scope, collection.id, uri, errorMode) };
  }

  async list(index: string, limit?: string, token?: string) {
    const collection = await this.indexes.resolve(index);
    const page = await this.imports.list(
      this.indexes.scope,
      collection.id,
      decodeToken(token),
      limitParam(limit, 100, 100),
    );
    return {
      data: page.items.map(importModel),
      ...(page.after !== null ? { pagination: { next: encodeToken(page.after) } } : {}),
    };
  }

  async describe(index: string, id: string) {
    const collection = await this.indexes.resolve(index);
    return importModel(await this.imports.get(this.indexes.scope, collection.id, id));
  }

  /** Cancels an import not finished yet; a finished one is left as it is, and the answer is the same. */
  async cancel(index: string, id: string): Promise<Record<string, never>> {
    const collection = await this.indexes.resolve(index);
    await this.imports.cancel(this.indexes.scope, collection.id, id);
    return {};
  }
}
