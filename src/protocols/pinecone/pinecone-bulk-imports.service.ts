import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ImportErrorMode } from '../../core/imports/import.model';
import { ImportsService } from '../../core/imports/imports.service';
import { embedFields } from './document-schema';
import { documentSchema, documentToRecord } from './document.mapper';
import { importModel } from './import.mapper';
import { pineconeExtras } from './index-spec';
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

/**
 * Pinecone's bulk imports (data plane, API 2024-10 and later) over the core's imports: Parquet
 * files of vectors into a vectors-API index, JSONL files of documents (one a line, as the
 * Documents API upserts them) into a document index (API 2026-07).
 */
@Injectable()
export class PineconeBulkImportsService implements OnModuleInit {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly imports: ImportsService,
  ) {}

  /** A line of a JSONL import is checked and mapped as a document of an upsert is. */
  onModuleInit(): void {
    this.imports.readDocumentsWith((collection, document, where) => {
      const write = documentToRecord(collection, documentSchema(collection), document, where);
      // Refused at start already; the index cannot have changed since (its schema is fixed).
      if (write.embed.dense !== undefined || write.embed.sparse !== undefined)
        throw new Error(`${where}: fields with integrated embedding are not imported`);
      return write.record;
    });
  }

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
    const documents = pineconeExtras(collection).documents;
    if (documents) {
      const { dense, sparse } = embedFields(documents);
      const embedded = dense?.[0] ?? sparse?.[0];
      // Pinecone's imports do not embed: an index whose documents need it takes them by upsert.
      if (embedded !== undefined)
        throw PineconeDataError.invalid(
          `Index ${index} embeds the field ${embedded} (integrated embedding), which bulk import does not support: upsert its documents instead`,
        );
    }
    const format = documents ? 'jsonl' : 'parquet';
    return { id: await this.imports.start(this.indexes.scope, collection.id, uri, errorMode, format) };
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
