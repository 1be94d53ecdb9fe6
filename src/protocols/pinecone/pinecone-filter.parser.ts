import { and, not, or, type FilterNode, type Scalar } from '../../core/filters/filter-ast';
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

function field(key: string, condition: unknown): FilterNode {
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
export function parsePineconeFilter(filter: unknown): FilterNode {
  const tooLarge = filterTooLarge(filter);
  if (tooLarge) throw fail(tooLarge);
  return filterClause(filter);
}

function filterClause(filter: unknown): FilterNode {
  if (!isObject(filter)) throw fail('a filter must be a JSON object');
  return and(
    ...Object.entries(filter).map(([key, value]) => {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) throw fail(`${key} takes a non-empty array of filters`);
        const children = value.map(filterClause);
        return key === '$and' ? and(...children) : or(...children);
      }
      return field(key, value);
    }),
  );
}

/** True for `{}`: no condition at all (refused where it would select every record to change). */
export function isEmptyFilter(filter: unknown): boolean {
  return isObject(filter) && Object.keys(filter).length === 0;
}
