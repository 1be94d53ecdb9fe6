import { snowballLanguage, STOP_WORD_LANGUAGES, type TextAnalyzer } from '../../core/text/text-field';
import { isObject } from '../json-guards';
import {
  denseEmbedConfig,
  sparseEmbedConfig,
  type DenseEmbedConfig,
  type FindModel,
  type SparseEmbedConfig,
} from './document-embed';
import { PineconeControlError } from './pinecone-error';

export interface FullTextSearch {
  language: string;
  stemming: boolean;
  stop_words: boolean;
  ngram?: { min_gram: number; max_gram: number; prefix_only: boolean };
}

/**
 * A string field: its text is stored and searched by its words (`full_text_search`, present
 * exactly when `store_text` is true), and may be embedded too (`embed`, `sparse_embed`).
 */
export interface StringDocumentField {
  type: 'string';
  description: string | null;
  full_text_search?: FullTextSearch;
  /** Shown on a field that embeds; absent (true) on one that does not. */
  store_text?: boolean;
  embed?: DenseEmbedConfig;
  sparse_embed?: SparseEmbedConfig;
}

/**
 * A document index's schema (Pinecone API 2026-07): the fields its documents are searched by,
 * as describe shows them, every setting resolved. Undeclared fields are metadata.
 */
export type DocumentField =
  | StringDocumentField
  | {
      type: 'dense_vector';
      dimension: number;
      metric: 'cosine' | 'euclidean' | 'dotproduct';
      description: string | null;
    }
  | { type: 'sparse_vector'; description: string | null }
  /** A metadata field declared filterable (API 2026-01.alpha only; 2026-07 declares none). */
  | { type: 'float' | 'boolean' | 'string_list' | 'string'; filterable: true; description: string | null };

/** A full-text field of a schema. */
export type TextDocumentField = StringDocumentField & { full_text_search: FullTextSearch };

export function isTextField(f: DocumentField): f is TextDocumentField {
  return 'full_text_search' in f && f.full_text_search !== undefined;
}

/** A string field whose text the gateway embeds (dense, sparse or both). */
export function isEmbedField(f: DocumentField): f is StringDocumentField {
  return f.type === 'string' && !('filterable' in f) && (f.embed !== undefined || f.sparse_embed !== undefined);
}

/** Whether a field's text is kept (false: embedded, then dropped). */
export function storesText(f: DocumentField): boolean {
  return !(f.type === 'string' && 'store_text' in f && f.store_text === false);
}

/** The schema's fields that embed, dense and sparse (one of each at most). */
export function embedFields(schema: DocumentFields): {
  dense: [string, DenseEmbedConfig] | null;
  sparse: [string, SparseEmbedConfig] | null;
} {
  let dense: [string, DenseEmbedConfig] | null = null;
  let sparse: [string, SparseEmbedConfig] | null = null;
  for (const [name, f] of Object.entries(schema)) {
    if (!isEmbedField(f)) continue;
    if (f.embed) dense = [name, f.embed];
    if (f.sparse_embed) sparse = [name, f.sparse_embed];
  }
  return { dense, sparse };
}

export type DocumentFields = Record<string, DocumentField>;

/** Pinecone's limits on a document schema. */
export const MAX_FULL_TEXT_FIELDS = 100;
const MAX_FIELD_NAME_BYTES = 64;
const MAX_DESCRIPTION_BYTES = 256;
const MAX_DENSE_DIMENSION = 20_000;
/** Pinecone caps every word at 40 characters; it cannot be set. */
export const WORD_CAP = 40;

/** The reserved names of a classic (vectors API) index's schema. */
const CLASSIC = new Set(['_values', '_sparse_values']);

const invalid = (message: string) => PineconeControlError.invalid(message);

/**
 * Whether a 2026-07 schema makes a document index: any field but the reserved `_values` and
 * `_sparse_values` and legacy metadata fields (`{"filterable": true}`, no type).
 */
export function isDocumentSchema(fields: Record<string, unknown>): boolean {
  return Object.entries(fields).some(([name, f]) => !CLASSIC.has(name) && isObject(f) && f.type !== undefined);
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function description(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`schema.fields.${name}.description must be a string`);
  if (bytes(value) > MAX_DESCRIPTION_BYTES)
    throw invalid(`schema.fields.${name}.description must be at most ${MAX_DESCRIPTION_BYTES} bytes`);
  return value;
}

function onlyKeys(path: string, value: Record<string, unknown>, allowed: string[]): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw invalid(`${path}: unknown field ${JSON.stringify(unknown[0])}; expected one of ${allowed.join(', ')}`);
}

function flag(path: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalid(`${path} must be true or false`);
  return value;
}

function fullTextSearch(name: string, value: unknown): FullTextSearch {
  const path = `schema.fields.${name}.full_text_search`;
  if (!isObject(value)) throw invalid(`${path} must be an object ({} for the defaults)`);
  onlyKeys(path, value, ['language', 'stemming', 'stop_words', 'ngram']);
  const language = value.language ?? 'en';
  if (typeof language !== 'string' || snowballLanguage(language) === null)
    throw invalid(
      `${path}.language ${JSON.stringify(language)} is not supported; use one of ar, da, de, el, en, es, fi, fr, hu, it, nl, no, pt, ro, ru, sv, ta, tr`,
    );
  const stemming = flag(`${path}.stemming`, value.stemming, false);
  const stopWords = flag(`${path}.stop_words`, value.stop_words, false);
  if (stopWords && !stemming) throw invalid(`${path}.stop_words requires stemming: true`);
  if (stopWords && !STOP_WORD_LANGUAGES.has(snowballLanguage(language)!))
    throw invalid(`${path}: the language ${language} has no stop-word list; set stop_words: false`);
  const out: FullTextSearch = {
    language,
    stemming,
    stop_words: stopWords,
  };
  if (value.ngram !== undefined && value.ngram !== null) {
    const ngram = value.ngram;
    if (!isObject(ngram)) throw invalid(`${path}.ngram must be an object`);
    onlyKeys(`${path}.ngram`, ngram, ['min_gram', 'max_gram', 'prefix_only']);
    const { min_gram: min, max_gram: max } = ngram;
    if (
      !Number.isInteger(min) ||
      !Number.isInteger(max) ||
      (min as number) < 1 ||
      (max as number) < (min as number) ||
      (max as number) > 10
    )
      throw invalid(`${path}.ngram needs integers 1 <= min_gram <= max_gram <= 10`);
    if (stemming || stopWords) throw invalid(`${path}.ngram cannot be combined with stemming or stop_words`);
    out.ngram = {
      min_gram: min as number,
      max_gram: max as number,
      prefix_only: flag(`${path}.ngram.prefix_only`, ngram.prefix_only, false),
    };
  }
  return out;
}

/** A filterable metadata field of the alpha's schemas (`{"type": "float", "filterable": true}`). */
function metadataField(name: string, value: Record<string, unknown>): DocumentField {
  onlyKeys(`schema.fields.${name}`, value, ['type', 'description', 'filterable']);
  if (value.filterable !== undefined && value.filterable !== true)
    throw invalid(`schema.fields.${name}.filterable must be true (leave the field out to keep it unindexed)`);
  return {
    type: value.type as 'float' | 'boolean' | 'string_list' | 'string',
    filterable: true,
    description: description(name, value.description),
  };
}

const given = (v: unknown) => v !== undefined && v !== null;

/**
 * A string field: at least one of full_text_search, embed and sparse_embed. Its text is stored
 * (store_text, true by default), and a stored text is searchable by its words (full_text_search
 * with the defaults when omitted); a text not stored is embedded only.
 */
function stringField(name: string, value: Record<string, unknown>, find: FindModel | undefined): StringDocumentField {
  const path = `schema.fields.${name}`;
  onlyKeys(path, value, ['type', 'description', 'full_text_search', 'store_text', 'embed', 'sparse_embed']);
  const embed = given(value.embed);
  const sparse = given(value.sparse_embed);
  if (!given(value.full_text_search) && !embed && !sparse)
    throw invalid(
      `${path}: a string field must declare full_text_search, embed or sparse_embed; metadata fields are not declared, they are stored as sent`,
    );
  const store = flag(`${path}.store_text`, value.store_text, true);
  if (!store && given(value.full_text_search))
    throw invalid(`${path}: a field with store_text: false cannot declare full_text_search (its text is not kept)`);
  if (!store && !embed && !sparse)
    throw invalid(`${path}: a field with store_text: false must declare embed or sparse_embed`);
  const out: StringDocumentField = { type: 'string', description: description(name, value.description) };
  if (store) out.full_text_search = fullTextSearch(name, value.full_text_search ?? {});
  if (embed || sparse) {
    // Models are resolved against the gateway's; a caller that has none (no inference) refuses both.
    const models: FindModel = find ?? (() => null);
    out.store_text = store;
    if (embed) out.embed = denseEmbedConfig(name, value.embed, models);
    if (sparse) out.sparse_embed = sparseEmbedConfig(name, value.sparse_embed, models);
  }
  return out;
}

function field(name: string, value: unknown, alpha: boolean, find: FindModel | undefined): DocumentField {
  if (!isObject(value)) throw invalid(`schema.fields.${name} must be an object with a type`);
  if (alpha && (value.type === 'float' || value.type === 'boolean' || value.type === 'string_list'))
    return metadataField(name, value);
  if (alpha && value.type === 'string' && (value.full_text_search === undefined || value.full_text_search === null))
    return metadataField(name, value);
  switch (value.type) {
    case 'string':
      return stringField(name, value, find);
    case 'dense_vector': {
      onlyKeys(`schema.fields.${name}`, value, ['type', 'description', 'dimension', 'metric']);
      const { dimension, metric } = value;
      if (!Number.isInteger(dimension) || (dimension as number) < 1 || (dimension as number) > MAX_DENSE_DIMENSION)
        throw invalid(`schema.fields.${name}.dimension must be an integer from 1 to ${MAX_DENSE_DIMENSION}`);
      if (metric !== 'cosine' && metric !== 'euclidean' && metric !== 'dotproduct')
        throw invalid(`schema.fields.${name}.metric must be one of cosine, euclidean, dotproduct`);
      return {
        type: 'dense_vector',
        dimension: dimension as number,
        metric,
        description: description(name, value.description),
      };
    }
    case 'sparse_vector':
      onlyKeys(`schema.fields.${name}`, value, ['type', 'description']);
      return { type: 'sparse_vector', description: description(name, value.description) };
    case 'float':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'string_list':
      throw invalid(
        `schema.fields.${name}: metadata fields (${String(value.type)}) are not declared in a document schema; upsert them with the documents and they are stored and filterable`,
      );
    default:
      throw invalid(
        `schema.fields.${name}.type must be one of string, dense_vector, sparse_vector; got ${JSON.stringify(value.type ?? null)}`,
      );
  }
}

/**
 * A create's document schema, checked by Pinecone's rules: names of 1 to 64 bytes, none starting
 * with `$` or `_`; one dense and one sparse vector field at most; at most 100 full-text fields.
 */
export function parseDocumentSchema(
  fields: Record<string, unknown>,
  { alpha = false, find }: { alpha?: boolean; find?: FindModel } = {},
): DocumentFields {
  const names = Object.keys(fields);
  if (names.length === 0) throw invalid('schema.fields must declare at least one field');
  const out: DocumentFields = {};
  for (const name of names) {
    if (name === '' || bytes(name) > MAX_FIELD_NAME_BYTES)
      throw invalid(`Field names must be 1 to ${MAX_FIELD_NAME_BYTES} bytes, got ${JSON.stringify(name)}`);
    if (name.startsWith('$')) throw invalid(`Field names must not start with '$': ${JSON.stringify(name)}`);
    if (name.startsWith('_'))
      throw invalid(
        `Field names starting with '_' are reserved: ${JSON.stringify(name)} (a schema of only _values and _sparse_values makes a vectors-API index)`,
      );
    Object.defineProperty(out, name, {
      value: field(name, fields[name], alpha, find),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const all = Object.values(out);
  // One dense slot and one sparse slot: a vector field takes one, and so does a field that embeds into it.
  if (all.filter((f) => f.type === 'dense_vector' || (isEmbedField(f) && f.embed)).length > 1)
    throw invalid(
      'A document schema has one dense vector slot: at most one dense_vector field or field that declares embed',
    );
  if (all.filter((f) => f.type === 'sparse_vector' || (isEmbedField(f) && f.sparse_embed)).length > 1)
    throw invalid(
      'A document schema has one sparse vector slot: at most one sparse_vector field or field that declares sparse_embed',
    );
  if (!all.some((f) => isTextField(f) || isEmbedField(f) || f.type === 'dense_vector' || f.type === 'sparse_vector'))
    throw invalid(
      'A document schema needs a dense_vector, a sparse_vector or a string field with full_text_search, embed or sparse_embed',
    );
  if (all.filter(isTextField).length > MAX_FULL_TEXT_FIELDS)
    throw invalid(`A document schema has at most ${MAX_FULL_TEXT_FIELDS} full_text_search fields`);
  return out;
}

/** How the core analyses a full-text field (text-field.ts), from its Pinecone settings. */
export function analyzerOf(f: TextDocumentField): TextAnalyzer {
  const fts = f.full_text_search;
  return {
    language: snowballLanguage(fts.language),
    stemming: fts.stemming,
    stopWords: fts.stop_words,
    cap: WORD_CAP,
    ngram: fts.ngram ? { min: fts.ngram.min_gram, max: fts.ngram.max_gram, prefixOnly: fts.ngram.prefix_only } : null,
  };
}
