import type { Collection } from '../core/collections/collection.model';
import { ALL, and, type FilterNode } from '../core/filters/filter-ast';
import type { ProtocolErrorRenderer } from '../common/protocol-errors';
import { parseWhere, parseWhereDocument } from '../protocols/chroma/chroma-filter.parser';
import { chromaErrorRenderer } from '../protocols/chroma/chroma-errors.renderer';
import { parsePineconeFilter } from '../protocols/pinecone/pinecone-filter.parser';
import { pineconeErrorRenderer } from '../protocols/pinecone/pinecone-errors.renderer';
import { parseQdrantFilter } from '../protocols/qdrant/qdrant-filter.parser';
import { layoutOf } from '../protocols/qdrant/qdrant-layout';
import { qdrantErrorRenderer } from '../protocols/qdrant/qdrant-errors.renderer';
import { parseVectorizerFilter } from '../protocols/vectorizer/vectorizer-filter.parser';
import { vectorizerErrorRenderer } from '../protocols/vectorizer/vectorizer-errors.renderer';
import { ConsoleHttpError } from './console-error';

export const DIALECTS = ['chroma', 'pinecone', 'vectorizer', 'qdrant'] as const;
export type Dialect = (typeof DIALECTS)[number];

export function isDialect(value: unknown): value is Dialect {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}

/** The protocol a collection was made through (all of them see it): what the console shows and filters in by default. */
export function protocolOfCollection(collection: Pick<Collection, 'extras'>): Dialect {
  const extras = collection.extras ?? {};
  if ('pinecone' in extras) return 'pinecone';
  if ('qdrant' in extras) return 'qdrant';
  if ('vectorizer' in extras) return 'vectorizer';
  return 'chroma';
}

const RENDERERS: Record<Dialect, ProtocolErrorRenderer> = {
  chroma: chromaErrorRenderer,
  pinecone: pineconeErrorRenderer,
  vectorizer: vectorizerErrorRenderer,
  qdrant: qdrantErrorRenderer,
};

/** The human words of an error body, whichever protocol's shape it has. */
function wordsOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body === null || typeof body !== 'object') return undefined;
  const o = body as Record<string, unknown>;
  for (const key of ['message', 'error', 'status', 'detail']) {
    const found = wordsOf(o[key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * A filter typed in the console, in one protocol's dialect, to the core's filter: parsed by that
 * protocol's own parser, so that an error is the one its clients get, in its words (its error
 * renderer's). The text is JSON; empty means no filter.
 */
export function parseDialectFilter(
  dialect: Dialect,
  collection: Collection,
  filterText: string | undefined,
  whereDocumentText: string | undefined,
): FilterNode {
  const filter = jsonOf(filterText, 'filter', dialect);
  const whereDocument = dialect === 'chroma' ? jsonOf(whereDocumentText, 'where_document', dialect) : undefined;
  try {
    const parts: FilterNode[] = [];
    if (filter !== undefined) parts.push(parseIn(dialect, collection, filter));
    if (whereDocument !== undefined) parts.push(parseWhereDocument(whereDocument));
    return parts.length === 0 ? ALL : parts.length === 1 ? parts[0] : and(...parts);
  } catch (err) {
    const rendered = RENDERERS[dialect].render(err);
    if (rendered.status >= 500) throw err;
    throw new ConsoleHttpError(400, 'invalid_filter', wordsOf(rendered.body) ?? JSON.stringify(rendered.body), dialect);
  }
}

function parseIn(dialect: Dialect, collection: Collection, filter: unknown): FilterNode {
  switch (dialect) {
    case 'chroma':
      return parseWhere(filter);
    case 'pinecone':
      return parsePineconeFilter(filter);
    case 'vectorizer':
      return parseVectorizerFilter(filter);
    case 'qdrant':
      return parseQdrantFilter(filter, layoutOf(collection), 'filter', null);
  }
}

function jsonOf(text: string | undefined, field: string, dialect: Dialect): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConsoleHttpError(400, 'invalid_filter', `The ${field} is not JSON: ${(err as Error).message}`, dialect);
  }
}
