import { RawJson } from '../../common/raw-json';
import type { Collection } from '../../core/collections/collection.model';
import type { Include, RecordWrite, StoredRecord } from '../../core/records/record.model';
import { sparseFromText } from '../../core/records/sparse-vector';
import { isObject } from '../json-guards';
import {
  embedFields,
  isEmbedField,
  isTextField,
  storesText,
  type DocumentField,
  type DocumentFields,
} from './document-schema';
import { pineconeExtras } from './index-spec';
import { PineconeControlError } from './pinecone-error';
import {
  checkDimension,
  checkNonZero,
  denseVector,
  MAX_ID_CHARS,
  MAX_METADATA_BYTES,
  sparseText,
} from './vectors.mapper';

/** Pinecone's limits on a document (API 2026-07). */
export const MAX_DOCUMENTS_PER_REQUEST = 1000;
export const MAX_TEXT_VALUE_BYTES = 100 * 1024;
export const MAX_TEXT_TOKENS = 10_000;
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

const invalid = (message: string) => PineconeControlError.invalid(message);

/** The words Pinecone's analyser counts in a text (its 10,000-token limit): runs of letters and digits. */
export function countWords(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]+/gu)) n++;
  return n;
}

/** A document id: ASCII (0x01-0x7F), 1 to 512 characters. */
export function checkDocumentId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0) throw invalid(`${what} must be a non-empty string`);
  if (id.length > MAX_ID_CHARS)
    throw invalid(`${what} is ${id.length} characters long, at most ${MAX_ID_CHARS} are allowed`);
  if (![...id].every((c) => c > '\0' && c <= '\x7f'))
    throw invalid(`${what} must be ASCII characters only, got ${JSON.stringify(id)}`);
  return id;
}

const isTextFieldName = (schema: DocumentFields, name: string) =>
  Object.hasOwn(schema, name) && isTextField(schema[name]);

/** The bytes of a request's documents (Pinecone's 2 MB a request); refused past it. */
export function checkRequestBytes(documents: unknown[]): void {
  const bytes = Buffer.byteLength(JSON.stringify(documents), 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES)
    throw invalid(`The documents of a request are ${(bytes / 1024 / 1024).toFixed(1)} MB, at most 2 MB are allowed`);
}

/** A document index's schema, or a 400 that names the API the index takes. */
export function documentSchema(collection: Collection): DocumentFields {
  const extras = pineconeExtras(collection);
  if (extras.documents) return extras.documents;
  throw invalid(
    extras.embed
      ? `Index ${collection.name} is an integrated (records API) index: use /records/namespaces/{namespace}/upsert and /search, not the documents API`
      : `Index ${collection.name} is a vectors-API index: use /vectors/upsert, /query, /vectors/fetch, /vectors/update, /vectors/delete and /vectors/list, not the documents API`,
  );
}

function checkFieldName(name: string, what: string): void {
  if (name.startsWith('$') || name.startsWith('_'))
    throw invalid(`${what}: field names starting with '_' or '$' are reserved, got ${JSON.stringify(name)}`);
}

/** A metadata value: a string, a finite number, a boolean or a list of strings. */
function checkMetadataValue(value: unknown, what: string): void {
  const ok =
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((x) => typeof x === 'string'));
  if (!ok) throw invalid(`${what} must be a string, number, boolean or list of strings`);
}

/** A string field's text: at most 100 KB, and 10,000 words when it is searched by them. */
function checkText(name: string, field: DocumentField, value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw invalid(
      isEmbedField(field)
        ? `${what}: the field ${name} declares integrated embedding: it takes the text to embed, the vectors are derived from it`
        : `${what}: the full-text field ${name} takes a string`,
    );
  if (Buffer.byteLength(value, 'utf8') > MAX_TEXT_VALUE_BYTES)
    throw invalid(`${what}: the value of ${name} is larger than ${MAX_TEXT_VALUE_BYTES / 1024} KB`);
  if (isTextField(field)) {
    const words = countWords(value);
    if (words > MAX_TEXT_TOKENS)
      throw invalid(`${what}: the value of ${name} holds ${words} tokens, at most ${MAX_TEXT_TOKENS} are allowed`);
  }
  return value;
}

/** The texts of a document to embed before it is written: into the dense slot, the sparse one. */
export interface EmbedTexts {
  dense?: string;
  sparse?: string;
}

/** A document as it is written: the record, and the texts whose vectors it still needs. */
export interface DocumentWrite {
  record: RecordWrite;
  embed: EmbedTexts;
}

/** A schema field's value, checked against its declaration, and put where the record keeps it. */
function setField(
  collection: Collection,
  write: DocumentWrite,
  name: string,
  field: DocumentField,
  value: unknown,
  what: string,
): void {
  const { record } = write;
  if (isEmbedField(field)) {
    const text = checkText(name, field, value, what);
    if (text.trim() === '') throw invalid(`${what}: the field ${name} must hold the text to embed`);
    if (field.embed) write.embed.dense = text;
    if (field.sparse_embed) write.embed.sparse = text;
    if (storesText(field)) record.metadata![name] = text;
  } else if (!isTextField(field) && field.type !== 'dense_vector' && field.type !== 'sparse_vector') {
    checkMetadataValue(value, `${what}.${name}`);
    record.metadata![name] = value;
  } else if (isTextField(field)) {
    record.metadata![name] = checkText(name, field, value, what);
  } else if (field.type === 'dense_vector') {
    const vector = denseVector(value, `${what}.${name}`);
    checkDimension(collection, vector);
    checkNonZero(vector, record.id);
    record.embedding = vector;
  } else {
    record.sparse = sparseText(value, `${what}.${name}`);
  }
}

/**
 * An upserted document as a whole-record write: its schema fields checked against their
 * declarations (text and metadata in the record's metadata, the vectors in its columns, the
 * texts to embed aside). `what` names it in errors (`documents[3]`, or a line of an import).
 */
export function documentToRecord(
  collection: Collection,
  schema: DocumentFields,
  doc: unknown,
  what: string,
): DocumentWrite {
  if (!isObject(doc)) throw invalid(`${what} must be an object`);
  const record: RecordWrite = { id: checkDocumentId(doc._id, `${what}._id`), metadata: {} };
  const write: DocumentWrite = { record, embed: {} };
  let declared = 0;
  for (const [name, value] of Object.entries(doc)) {
    if (name === '_id') continue;
    checkFieldName(name, what);
    const field = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (field) {
      if (isTextField(field) || isEmbedField(field) || field.type === 'dense_vector' || field.type === 'sparse_vector')
        declared++;
      setField(collection, write, name, field, value, what);
    } else {
      checkMetadataValue(value, `${what}.${name}`);
      record.metadata![name] = value;
    }
  }
  const metadataBytes = Buffer.byteLength(
    JSON.stringify(Object.fromEntries(Object.entries(record.metadata!).filter(([k]) => !isTextFieldName(schema, k)))),
    'utf8',
  );
  if (metadataBytes > MAX_METADATA_BYTES)
    throw invalid(
      `${what}: its metadata is ${metadataBytes} bytes, at most ${MAX_METADATA_BYTES} are allowed (full-text fields do not count)`,
    );
  if (declared === 0)
    throw invalid(
      `${what} (${record.id}) carries no schema field; every document needs at least one of ${Object.keys(schema).join(', ')}`,
    );
  const dense = embedFields(schema).dense;
  if (dense && write.embed.dense === undefined)
    throw invalid(`${what} (${record.id}) lacks ${dense[0]}: a field that declares embed is required on every upsert`);
  return write;
}

/** A per-document update: the fields it sets (and texts it embeds), and those it removes. */
export interface DocumentPatch extends DocumentWrite {
  clearDense: boolean;
  clearSparse: boolean;
}

export function documentPatch(collection: Collection, schema: DocumentFields, doc: unknown, k: number): DocumentPatch {
  const what = `documents[${k}]`;
  if (!isObject(doc)) throw invalid(`${what} must be an object`);
  const record: RecordWrite = { id: checkDocumentId(doc._id, `${what}._id`), metadata: {} };
  const removed = doc._remove_fields ?? [];
  if (!Array.isArray(removed) || !removed.every((f) => typeof f === 'string'))
    throw invalid(`${what}._remove_fields must be a list of field names`);
  const patch: DocumentPatch = { record, embed: {}, clearDense: false, clearSparse: false };
  for (const [name, value] of Object.entries(doc)) {
    if (name === '_id' || name === '_remove_fields') continue;
    checkFieldName(name, what);
    if (removed.includes(name)) throw invalid(`${what}: ${name} cannot be both set and removed`);
    const field = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (field) setField(collection, patch, name, field, value, what);
    else {
      checkMetadataValue(value, `${what}.${name}`);
      record.metadata![name] = value;
    }
  }
  for (const name of removed) {
    const field = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (field && isEmbedField(field) && field.embed)
      throw invalid(`${what}: ${name} declares embed, which every document needs: it cannot be removed`);
    if (field && isEmbedField(field)) {
      // A sparse_embed field: its vector goes, and its text if it is kept.
      patch.clearSparse = true;
      if (storesText(field)) record.metadata![name] = null;
    } else if (field?.type === 'dense_vector') patch.clearDense = true;
    else if (field?.type === 'sparse_vector') patch.clearSparse = true;
    // A null removes the key when metadata is merged.
    else record.metadata![name] = null;
  }
  return patch;
}

/** Which fields an answer shows: every stored one (`*`), or those named. */
export type FieldSelection = { all: true } | { all: false; names: string[] };

export function fieldSelection(value: unknown, fallback: 'all' | 'none'): FieldSelection {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0))
    return fallback === 'all' ? { all: true } : { all: false, names: [] };
  if (!Array.isArray(value) || !value.every((f) => typeof f === 'string'))
    throw invalid('include_fields must be a list of field names, or ["*"]');
  if (value.includes('*')) return { all: true };
  return { all: false, names: value };
}

/** A selection may not name a field whose text is not kept (store_text: false); `*` leaves them out. */
export function checkSelection(schema: DocumentFields, selection: FieldSelection): void {
  if (selection.all) return;
  const dropped = selection.names.find((name) => Object.hasOwn(schema, name) && !storesText(schema[name]));
  if (dropped !== undefined)
    throw invalid(
      `include_fields: ${JSON.stringify(dropped)} has store_text: false, so its text is not kept and cannot be returned`,
    );
}

/** The columns to read for a selection: the vectors only when one is shown. */
export function includeFor(schema: DocumentFields, selection: FieldSelection): Include {
  const wants = (type: DocumentField['type']) =>
    Object.entries(schema).some(([name, f]) => f.type === type && (selection.all || selection.names.includes(name)));
  return {
    embeddings: wants('dense_vector'),
    sparse: wants('sparse_vector'),
    metadatas: selection.all || selection.names.length > 0,
    documents: false,
    uris: false,
  };
}

/** A stored record as a document: `_id`, then the selected fields (vectors under their schema names). */
export function recordToDocument(
  schema: DocumentFields,
  r: StoredRecord,
  selection: FieldSelection,
): Record<string, unknown> {
  const doc: Record<string, unknown> = { _id: r.id };
  const shown = (name: string) => selection.all || selection.names.includes(name);
  const put = (name: string, value: unknown) =>
    Object.defineProperty(doc, name, { value, enumerable: true, writable: true, configurable: true });
  for (const [name, value] of Object.entries(r.metadata ?? {})) if (shown(name)) put(name, value);
  for (const [name, field] of Object.entries(schema)) {
    if (!shown(name)) continue;
    if (field.type === 'dense_vector' && r.embedding) put(name, new RawJson(r.embedding));
    if (field.type === 'sparse_vector' && r.sparse) put(name, sparseFromText(r.sparse));
  }
  return doc;
}
