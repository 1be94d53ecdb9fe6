import { and, not, or, type FilterNode } from '../../core/filters/filter-ast';
import { ChromaHttpError, INVALID_WHERE, INVALID_WHERE_DOCUMENT } from './chroma-error';
import { rustRegexToPostgres } from './rust-regex';
import { filterTooLarge, isObject, isScalar, mongoRangeOperator } from '../json-guards';

/** A key or value as it is shown in an error: JSON, cut short. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Chroma's 400 for a bad clause: its own words first ("Invalid where clause"), then what is wrong.
 * Chroma 1.0.0 says only the first part; a client that reads the message reads the same start.
 */
function invalid(clause: string, detail: string): ChromaHttpError {
  return ChromaHttpError.invalidArgument(`${clause}: ${detail}`);
}

function single(value: unknown, clause: string, what: string): [string, unknown] {
  if (!isObject(value)) throw invalid(clause, `${what} must be an object, got ${shown(value)}`);
  const entries = Object.entries(value);
  if (entries.length !== 1)
    throw invalid(
      clause,
      `${what} must have exactly one key, got ${entries.length === 0 ? 'none' : Object.keys(value).map(shown).join(', ')}`,
    );
  return entries[0];
}

function logical(operator: string, operand: unknown, parse: (v: unknown) => FilterNode, clause: string): FilterNode {
  if (!Array.isArray(operand)) throw invalid(clause, `${operator} takes a list of clauses, got ${shown(operand)}`);
  const children = operand.map(parse);
  return operator === '$and' ? and(...children) : or(...children);
}

const METADATA_OPERATORS = '$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $not_contains';

/**
 * Chroma's `where` and `where_document` dialects, with Chroma 1.0.0's rules: one key per object,
 * one operator per key, `$ne`/`$nin` match records that lack the key, `$and: []` matches all and
 * `$or: []` none; plus what newer Chroma added: array metadata with `$contains`/`$not_contains`,
 * and `#document` inside `where`. Every grammar error is the 400 Chroma gives, its message
 * starting with Chroma's words and then naming the key and operator at fault.
 *
 * Only `$and` and `$or` are operators where a metadata key stands: any other key, `$x` or `$eq`
 * included, is a metadata key to Chroma 1.0.0 (its `parse_where`), and so it is here. Inside a
 * key's object every key is an operator.
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
  const [key, operand] = single(where, INVALID_WHERE, 'a where clause');
  if (key === '$and' || key === '$or') return logical(key, operand, whereClause, INVALID_WHERE);
  if (key === '#document') return parseDocumentOperator(operand, INVALID_WHERE, true);
  if (key === '#id') return parseIdOperator(operand);
  if (isScalar(operand)) return { kind: 'eq', key, value: operand };
  const onKey = `on key ${shown(key)}`;
  if (!isObject(operand))
    throw invalid(
      INVALID_WHERE,
      `the value ${onKey} must be a string, a number, a boolean or an operator object, got ${shown(operand)}`,
    );
  const [operator, value] = single(operand, INVALID_WHERE, `the operator object ${onKey}`);
  const fail = (expected: string) =>
    invalid(INVALID_WHERE, `${operator} ${onKey} takes ${expected}, got ${shown(value)}`);
  switch (operator) {
    case '$eq':
    case '$ne': {
      if (!isScalar(value)) throw fail('a string, a number or a boolean');
      const eq: FilterNode = { kind: 'eq', key, value };
      return operator === '$eq' ? eq : not(eq);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw fail('a number');
      return { kind: 'range', key, operator: mongoRangeOperator(operator)!, value };
    case '$in':
    case '$nin': {
      const expected = 'a non-empty list of strings, numbers or booleans, all of one type';
      if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) throw fail(expected);
      if (new Set(value.map((v) => typeof v)).size !== 1) throw fail(expected);
      const any: FilterNode = { kind: 'anyOf', key, values: value, inArrays: false };
      return operator === '$in' ? any : not(any);
    }
    case '$contains':
    case '$not_contains': {
      if (!isScalar(value)) throw fail('a string, a number or a boolean');
      const contains: FilterNode = { kind: 'arrayContains', key, value };
      return operator === '$contains' ? contains : not(contains);
    }
    default:
      throw invalid(
        INVALID_WHERE,
        `unknown operator ${shown(operator)} ${onKey}; expected one of ${METADATA_OPERATORS}`,
      );
  }
}

/** `#id` (newer Chroma): `$eq`, `$ne`, `$in` and `$nin` of id strings. */
function parseIdOperator(operand: unknown): FilterNode {
  if (typeof operand === 'string') return { kind: 'idIn', ids: [operand] };
  const [operator, value] = single(operand, INVALID_WHERE, 'the operator object on "#id"');
  const fail = (expected: string) =>
    invalid(INVALID_WHERE, `${operator} on "#id" takes ${expected}, got ${shown(value)}`);
  if (operator === '$eq' || operator === '$ne') {
    if (typeof value !== 'string') throw fail('an id (a string)');
    const eq: FilterNode = { kind: 'idIn', ids: [value] };
    return operator === '$eq' ? eq : not(eq);
  }
  if (operator === '$in' || operator === '$nin') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail('a list of ids (strings)');
    const any: FilterNode = { kind: 'idIn', ids: value as string[] };
    return operator === '$in' ? any : not(any);
  }
  throw invalid(INVALID_WHERE, `unknown operator ${shown(operator)} on "#id"; expected one of $eq, $ne, $in, $nin`);
}

export function parseWhereDocument(whereDocument: unknown): FilterNode {
  refuseTooLarge(whereDocument);
  return whereDocumentClause(whereDocument);
}

function whereDocumentClause(whereDocument: unknown): FilterNode {
  const [key, operand] = single(whereDocument, INVALID_WHERE_DOCUMENT, 'a where document clause');
  if (key === '$and' || key === '$or') return logical(key, operand, whereDocumentClause, INVALID_WHERE_DOCUMENT);
  return parseDocumentOperator({ [key]: operand }, INVALID_WHERE_DOCUMENT, false);
}

const DOCUMENT_OPERATORS = '$contains, $not_contains, $regex, $not_regex';

/** `{"$contains": "x"}` and friends. Negations match records with no document at all. */
function parseDocumentOperator(operand: unknown, clause: string, insideWhere: boolean): FilterNode {
  const what = insideWhere ? 'the operator object on "#document"' : 'a where document clause';
  const [operator, value] = single(operand, clause, what);
  const known = ['$contains', '$not_contains', '$regex', '$not_regex'].includes(operator);
  if (!known) {
    const expected = insideWhere ? DOCUMENT_OPERATORS : `${DOCUMENT_OPERATORS}, $and, $or`;
    throw invalid(
      clause,
      `unknown operator ${shown(operator)}${insideWhere ? ' on "#document"' : ''}; expected one of ${expected}`,
    );
  }
  if (typeof value !== 'string') throw invalid(clause, `${operator} takes a string, got ${shown(value)}`);
  switch (operator) {
    case '$contains':
      return { kind: 'documentContains', text: value };
    case '$not_contains':
      return not({ kind: 'documentContains', text: value });
    case '$regex':
      return { kind: 'documentRegex', pattern: rustRegexToPostgres(value) };
    default:
      return not({ kind: 'documentRegex', pattern: rustRegexToPostgres(value) });
  }
}
