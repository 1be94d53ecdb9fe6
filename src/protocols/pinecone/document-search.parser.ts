import type { Collection } from '../../core/collections/collection.model';
import { parseQueryString, type QsNode } from '../../core/text/query-string';
import type { TextField } from '../../core/text/text-field';
import type { TextQuery } from '../../core/text/text-query';
import type { Retriever } from '../../core/search/plan';
import { isObject } from '../json-guards';
import { isEmbedField, type DocumentFields } from './document-schema';
import type { QueryToEmbed } from './document-embedding';
import { PineconeControlError } from './pinecone-error';
import { checkDimension, denseVector, sparseText } from './vectors.mapper';

const invalid = (message: string) => PineconeControlError.invalid(message);

/** Pinecone's limits on a documents search. */
export const MAX_SCORE_BY = 100;
export const MAX_DOCUMENT_TOP_K = 10_000;
const MAX_QUERY_BYTES = 10 * 1024;

/** The core's text field of a full-text field of the schema, by name. */
export function textFieldNamed(collection: Collection, name: string): TextField | undefined {
  return collection.textFields.find((f) => f.path.length === 1 && f.path[0] === name);
}

function queryText(clause: Record<string, unknown>, k: number): string {
  const q = clause.query;
  if (typeof q !== 'string' || q.trim() === '') throw invalid(`score_by[${k}].query must be a non-empty string`);
  if (Buffer.byteLength(q, 'utf8') > MAX_QUERY_BYTES)
    throw invalid(`score_by[${k}].query is larger than ${MAX_QUERY_BYTES / 1024} KB`);
  return q.trim();
}

/** The one field a vector or embed clause names, with `field` or a one-element `fields`. */
function oneField(clause: Record<string, unknown>, k: number, what: string): string {
  if (clause.field !== undefined && clause.fields !== undefined)
    throw invalid(`score_by[${k}]: give field or fields, not both`);
  let name = clause.field;
  if (clause.fields !== undefined) {
    if (!Array.isArray(clause.fields) || clause.fields.length !== 1)
      throw invalid(`score_by[${k}].fields: a ${String(clause.type)} clause names exactly one field`);
    name = clause.fields[0];
  }
  if (typeof name !== 'string') throw invalid(`score_by[${k}].field must name the ${what}`);
  return name;
}

/** The one schema field of `type` a vector clause names. */
function vectorField(schema: DocumentFields, clause: Record<string, unknown>, k: number, type: string): string {
  const name = oneField(clause, k, `${type} field`);
  if (!Object.hasOwn(schema, name) || schema[name].type !== type)
    throw invalid(
      Object.hasOwn(schema, name) && isEmbedField(schema[name])
        ? `score_by[${k}].field: ${JSON.stringify(name)} declares integrated embedding; score it with an embed or sparse_embed clause and a query`
        : `score_by[${k}].field: ${JSON.stringify(name)} is not a ${type} field of the index`,
    );
  return name;
}

/** An `embed` or `sparse_embed` clause: its query text, to embed with the named field's model. */
function embedClause(schema: DocumentFields, clause: Record<string, unknown>, k: number): QueryToEmbed {
  const dense = clause.type === 'embed';
  const key = dense ? 'embed' : 'sparse_embed';
  const name = oneField(clause, k, `string field that declares ${key}`);
  const field = Object.hasOwn(schema, name) ? schema[name] : undefined;
  const config = field && isEmbedField(field) ? (dense ? field.embed : field.sparse_embed) : undefined;
  if (!config)
    throw invalid(`score_by[${k}].field: ${JSON.stringify(name)} is not a field of the index that declares ${key}`);
  if (clause.values !== undefined || clause.sparse_values !== undefined)
    throw invalid(`score_by[${k}]: a ${key} clause takes a query text, not values or sparse_values`);
  return {
    kind: dense ? 'dense' : 'sparse',
    model: config.model,
    text: queryText(clause, k),
    parameters: config.read_parameters,
  };
}

/** What a score_by retrieves by: a retriever, or a query text the field's model embeds first. */
export type ScoreBy = { retriever: Retriever } | { embed: QueryToEmbed };

/** A `text` clause: any of the query's words in any of its fields, scored by BM25 in each. */
function textClause(collection: Collection, clause: Record<string, unknown>, k: number): TextQuery {
  if (clause.field !== undefined && clause.fields !== undefined)
    throw invalid(`score_by[${k}]: give field or fields, not both`);
  const names = clause.fields ?? (clause.field !== undefined ? [clause.field] : undefined);
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
    throw invalid(`score_by[${k}].fields must list at least one full_text_search field`);
  const text = queryText(clause, k);
  const should = [...new Set(names as string[])].map((name): TextQuery => {
    const field = textFieldNamed(collection, name);
    if (!field)
      throw invalid(`score_by[${k}].fields: ${JSON.stringify(name)} is not a full_text_search field of the index`);
    return { kind: 'words', position: field.position, text, boost: 1 };
  });
  return should.length === 1 ? should[0] : { kind: 'bool', must: [], should, mustNot: [], boost: 1 };
}

/**
 * A query_string tree with its fields resolved: a qualified term or phrase in that field, an
 * unqualified one in any full-text field of the index.
 */
function fromQueryString(collection: Collection, node: QsNode, k: number): TextQuery {
  if (node.kind === 'all') return { kind: 'all' };
  if (node.kind === 'bool') {
    const map = (nodes: QsNode[]) => nodes.map((n) => fromQueryString(collection, n, k));
    return {
      kind: 'bool',
      must: map(node.must),
      should: map(node.should),
      mustNot: map(node.mustNot),
      boost: node.boost,
    };
  }
  const fields = node.field === null ? collection.textFields : [textFieldNamed(collection, node.field)];
  if (fields.some((f) => f === undefined))
    throw invalid(`score_by[${k}].query: ${JSON.stringify(node.field)} is not a full_text_search field of the index`);
  if (fields.length === 0) throw invalid(`score_by[${k}]: the index has no full_text_search field`);
  const boost = fields.length === 1 ? node.boost : 1;
  const leaves = (fields as TextField[]).map((f): TextQuery => {
    if (node.kind === 'phrase')
      return { kind: 'phrase', position: f.position, text: node.text, slop: node.slop, prefix: node.prefix, boost };
    if (node.fuzzy !== null) return { kind: 'fuzzy', position: f.position, text: node.text, edits: node.fuzzy, boost };
    return { kind: 'words', position: f.position, text: node.text, boost };
  });
  return leaves.length === 1 ? leaves[0] : { kind: 'bool', must: [], should: leaves, mustNot: [], boost: node.boost };
}

/**
 * What a documents search's `score_by` retrieves by: one vector clause alone, one embed clause
 * alone (its query embedded by the caller), or lexical clauses (`text`, `query_string`) together,
 * each point scored by the sum of their BM25 scores.
 */
export function scoreByRetriever(collection: Collection, schema: DocumentFields, scoreBy: unknown): ScoreBy {
  if (!Array.isArray(scoreBy) || scoreBy.length === 0 || scoreBy.length > MAX_SCORE_BY)
    throw invalid(`score_by must hold 1 to ${MAX_SCORE_BY} scoring clauses`);
  const clauses = scoreBy.map((c, k) => {
    if (!isObject(c)) throw invalid(`score_by[${k}] must be an object with a type`);
    return c;
  });
  const lexical = clauses.every((c) => c.type === 'text' || c.type === 'query_string');
  if (!lexical && clauses.length > 1)
    throw invalid(
      'Several score_by clauses may be combined only when every one is text or query_string; a dense_vector, sparse_vector, embed or sparse_embed clause must appear on its own',
    );
  if (lexical) {
    const parts = clauses.map((c, k): TextQuery => {
      if (c.type === 'text') return textClause(collection, c, k);
      if (c.field !== undefined || c.fields !== undefined)
        throw invalid(
          `score_by[${k}]: a query_string clause names its fields in the query (title:(...)), not with field or fields`,
        );
      return fromQueryString(collection, parseQueryString(queryText(c, k)), k);
    });
    const query: TextQuery =
      parts.length === 1 ? parts[0] : { kind: 'bool', must: [], should: parts, mustNot: [], boost: 1 };
    return { retriever: { kind: 'text', query } };
  }
  const [c] = clauses;
  if (c.type === 'dense_vector') {
    vectorField(schema, c, 0, 'dense_vector');
    const vector = denseVector(c.values, 'score_by[0].values');
    checkDimension(collection, vector);
    if (collection.metric === 'cosine' && vector.isZero())
      throw invalid('score_by[0].values must contain at least one non-zero value for a cosine field');
    return { retriever: { kind: 'dense', vector } };
  }
  if (c.type === 'sparse_vector') {
    vectorField(schema, c, 0, 'sparse_vector');
    return {
      retriever: { kind: 'sparse', text: sparseText(c.sparse_values, 'score_by[0].sparse_values').text, idf: false },
    };
  }
  if (c.type === 'embed' || c.type === 'sparse_embed') return { embed: embedClause(schema, c, 0) };
  throw invalid(
    `score_by[0].type must be one of text, query_string, dense_vector, sparse_vector, embed, sparse_embed; got ${JSON.stringify(c.type ?? null)}`,
  );
}
