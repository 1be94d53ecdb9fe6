import { and, not, or, type FilterNode } from '../../core/filters/filter-ast';
import { ChromaHttpError, INVALID_WHERE, INVALID_WHERE_DOCUMENT } from './chroma-error';
import { rustRegexToPostgres } from './rust-regex';
import { filterTooLarge, isObject, isScalar, mongoRangeOperator } from '../json-guards';

function single(value: unknown, message: string): [string, unknown] {
  if (!isObject(value)) throw ChromaHttpError.invalidArgument(message);
  const entries = Object.entries(value);
  if (entries.length !== 1) throw ChromaHttpError.invalidArgument(message);
  return entries[0];
}

function logical(operator: string, operand: unknown, parse: (v: unknown) => FilterNode, message: string): FilterNode {
  if (!Array.isArray(operand)) throw ChromaHttpError.invalidArgument(message);
  const children = operand.map(parse);
  return operator === '$and' ? and(...children) : or(...children);
}

/**
 * Chroma's `where` and `where_document` dialects, with Chroma 1.0.0's rules: one key per object,
 * one operator per key, `$ne`/`$nin` match records that lack the key, `$and: []` matches all and
 * `$or: []` none; plus what newer Chroma added: array metadata with `$contains`/`$not_contains`,
 * and `#document` inside `where`. Every grammar error is the same 400 Chroma gives.
 *
 * A where clause; null/undefined for none is the caller's to skip.
 */
export function parseWhere(where: unknown): FilterNode {
  refuseTooLarge(where);
  return whereClause(where);
}

/** A filter past the size limits is refused before it is walked (see filterTooLarge). */
function refuseTooLarge(filter: unknown): void {
  const tooLarge = filterTooLarge(filter);
  if (tooLarge) throw ChromaHttpError.invalidArgument(`Invalid filter: ${tooLarge}`);
}

function whereClause(where: unknown): FilterNode {
  const fail = () => ChromaHttpError.invalidArgument(INVALID_WHERE);
  const [key, operand] = single(where, INVALID_WHERE);
  if (key === '$and' || key === '$or') return logical(key, operand, whereClause, INVALID_WHERE);
  if (key === '#document') return parseDocumentOperator(operand, INVALID_WHERE, true);
  if (key === '#id') return parseIdOperator(operand);
  if (key.startsWith('$')) throw fail();
  if (isScalar(operand)) return { kind: 'eq', key, value: operand };
  const [operator, value] = single(operand, INVALID_WHERE);
  switch (operator) {
    case '$eq':
    case '$ne': {
      if (!isScalar(value)) throw fail();
      const eq: FilterNode = { kind: 'eq', key, value };
      return operator === '$eq' ? eq : not(eq);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail();
      return { kind: 'range', key, operator: mongoRangeOperator(operator)!, value };
    case '$in':
    case '$nin': {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) throw fail();
      if (new Set(value.map((v) => typeof v)).size !== 1) throw fail();
      const any: FilterNode = { kind: 'anyOf', key, values: value, inArrays: false };
      return operator === '$in' ? any : not(any);
    }
    case '$contains':
    case '$not_contains': {
      if (!isScalar(value)) throw fail();
      const contains: FilterNode = { kind: 'arrayContains', key, value };
      return operator === '$contains' ? contains : not(contains);
    }
    default:
      throw fail();
  }
}

/** `#id` (newer Chroma): `$eq`, `$ne`, `$in` and `$nin` of id strings. */
function parseIdOperator(operand: unknown): FilterNode {
  const fail = () => ChromaHttpError.invalidArgument(INVALID_WHERE);
  if (typeof operand === 'string') return { kind: 'idIn', ids: [operand] };
  const [operator, value] = single(operand, INVALID_WHERE);
  if (operator === '$eq' || operator === '$ne') {
    if (typeof value !== 'string') throw fail();
    const eq: FilterNode = { kind: 'idIn', ids: [value] };
    return operator === '$eq' ? eq : not(eq);
  }
  if (operator === '$in' || operator === '$nin') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail();
    const any: FilterNode = { kind: 'idIn', ids: value as string[] };
    return operator === '$in' ? any : not(any);
  }
  throw fail();
}

export function parseWhereDocument(whereDocument: unknown): FilterNode {
  refuseTooLarge(whereDocument);
  return whereDocumentClause(whereDocument);
}

function whereDocumentClause(whereDocument: unknown): FilterNode {
  const [key, operand] = single(whereDocument, INVALID_WHERE_DOCUMENT);
  if (key === '$and' || key === '$or') return logical(key, operand, whereDocumentClause, INVALID_WHERE_DOCUMENT);
  return parseDocumentOperator({ [key]: operand }, INVALID_WHERE_DOCUMENT, false);
}

/** `{"$contains": "x"}` and friends. Negations match records with no document at all. */
function parseDocumentOperator(operand: unknown, message: string, insideWhere: boolean): FilterNode {
  const [operator, value] = single(operand, message);
  if (typeof value !== 'string') throw ChromaHttpError.invalidArgument(message);
  switch (operator) {
    case '$contains':
      return { kind: 'documentContains', text: value };
    case '$not_contains':
      return not({ kind: 'documentContains', text: value });
    case '$regex':
      return { kind: 'documentRegex', pattern: rustRegexToPostgres(value) };
    case '$not_regex':
      return not({ kind: 'documentRegex', pattern: rustRegexToPostgres(value) });
    default:
      throw ChromaHttpError.invalidArgument(insideWhere ? INVALID_WHERE : message);
  }
}
