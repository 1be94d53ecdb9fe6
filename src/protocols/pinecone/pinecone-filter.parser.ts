import { and, not, or, type FilterNode, type Scalar } from '../../core/filters/filter-ast';
import type { TextField } from '../../core/text/text-field';
import { PineconeDataError } from './pinecone-error';
import { filterTooLarge, isObject, isScalar, mongoRangeOperator } from '../json-guards';

function fail(message: string): PineconeDataError {
  return PineconeDataError.invalid(`Invalid filter: ${message}`);
}

/** The value itself, or a list that holds it. */
function matches(key: string, value: Scalar): FilterNode {
  return or({ kind: 'eq', key, value }, { kind: 'arrayContains', key, value });
}

function anyOf(key: string, operator: string, values: unknown): FilterNode {
  if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar))
    throw fail(`${operator} on "${key}" takes a non-empty array of strings, numbers or booleans`);
  return { kind: 'anyOf', key, values, inArrays: true };
}

/** The text-match operators of a document index's full-text fields, and the mode each matches words in. */
const TEXT_MATCH = { $match_phrase: 'phrase', $match_all: 'all', $match_any: 'any' } as const;

/** Pinecone's limit on the words of a text-match value. */
const MAX_MATCH_WORDS = 128;

/** What a filter may test besides metadata: a document index's full-text fields, by name (search only). */
export interface FilterFields {
  textField?: (key: string) => TextField | undefined;
}

function field(key: string, condition: unknown, fields: FilterFields): FilterNode {
  if (key.startsWith('$')) throw fail(`unknown operator ${key}`);
  if (isScalar(condition)) return matches(key, condition);
  if (!isObject(condition)) throw fail(`the value of "${key}" must be a string, number, boolean or an operator object`);
  const operators = Object.entries(condition);
  if (operators.length === 0) throw fail(`no operator given for "${key}"`);
  return and(
    ...operators.map(([operator, value]): FilterNode => {
      const exists: FilterNode = { kind: 'exists', key };
      switch (operator) {
        case '$eq':
          if (!isScalar(value)) throw fail(`$eq on "${key}" takes a string, number or boolean`);
          return matches(key, value);
        case '$ne':
          if (!isScalar(value)) throw fail(`$ne on "${key}" takes a string, number or boolean`);
          return and(exists, not(matches(key, value)));
        case '$gt':
        case '$gte':
        case '$lt':
        case '$lte':
          if (typeof value !== 'number' || !Number.isFinite(value))
            throw fail(`${operator} on "${key}" takes a number`);
          return { kind: 'range', key, operator: mongoRangeOperator(operator)!, value };
        case '$in':
          return anyOf(key, operator, value);
        case '$nin':
          return and(exists, not(anyOf(key, operator, value)));
        case '$exists':
          if (typeof value !== 'boolean') throw fail(`$exists on "${key}" takes true or false`);
          return value ? exists : not(exists);
        case '$match_phrase':
        case '$match_all':
        case '$match_any': {
          const text = fields.textField?.(key);
          if (!fields.textField) throw fail(`${operator} is allowed only in the filter of a document search`);
          if (!text) throw fail(`${operator} on "${key}" needs a string field with full_text_search`);
          if (typeof value !== 'string' || value.trim() === '')
            throw fail(`${operator} on "${key}" takes a non-empty string`);
          if ((value.match(/[\p{L}\p{N}]+/gu) ?? []).length > MAX_MATCH_WORDS)
            throw fail(`${operator} on "${key}" takes at most ${MAX_MATCH_WORDS} words`);
          return { kind: 'textWords', field: text, mode: TEXT_MATCH[operator], text: value };
        }
        default:
          throw fail(`unknown operator ${operator}`);
      }
    }),
  );
}

/**
 * Pinecone's metadata filter dialect, spelled out in the neutral AST:
 *  - several keys, and several operators on one key, are an implicit AND;
 *  - a value matches a list of strings when any element matches;
 *  - `$ne` and `$nin` never match a record that lacks the key (serverless Pinecone's rule);
 *  - `$gt`/`$gte`/`$lt`/`$lte` take numbers; `$exists` a boolean.
 * Anything else is a 400.
 */
export function parsePineconeFilter(filter: unknown, fields: FilterFields = {}): FilterNode {
  const tooLarge = filterTooLarge(filter);
  if (tooLarge) throw fail(tooLarge);
  return filterClause(filter, fields);
}

function filterClause(filter: unknown, fields: FilterFields): FilterNode {
  if (!isObject(filter)) throw fail('a filter must be a JSON object');
  return and(
    ...Object.entries(filter).map(([key, value]) => {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) throw fail(`${key} takes a non-empty array of filters`);
        const children = value.map((c) => filterClause(c, fields));
        return key === '$and' ? and(...children) : or(...children);
      }
      return field(key, value, fields);
    }),
  );
}

/** True for `{}`: no condition at all (refused where it would select every record to change). */
export function isEmptyFilter(filter: unknown): boolean {
  return isObject(filter) && Object.keys(filter).length === 0;
}
