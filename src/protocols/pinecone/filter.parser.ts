import { and, FilterNode, not, or, RangeOperator, Scalar } from '../../filters/filter-ast';
import { PineconeDataError } from './pinecone-error';

/**
 * Pinecone's metadata filter dialect, spelled out in the neutral AST:
 *  - several keys, and several operators on one key, are an implicit AND;
 *  - a value matches a list of strings when any element matches;
 *  - `$ne` and `$nin` never match a record that lacks the key (serverless Pinecone's rule);
 *  - `$gt`/`$gte`/`$lt`/`$lte` take numbers; `$exists` a boolean.
 * Anything else is a 400.
 */
const RANGE: Record<string, RangeOperator> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

function fail(message: string): PineconeDataError {
  return PineconeDataError.invalid(`Invalid filter: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** The value itself, or a list that holds it. */
function matches(key: string, value: Scalar): FilterNode {
  return or({ kind: 'eq', key, value }, { kind: 'arrayContains', key, value });
}

function anyOf(key: string, operator: string, values: unknown): FilterNode {
  if (!Array.isArray(values) || values.length === 0 || !values.every(isScalar))
    throw fail(`${operator} on "${key}" takes a non-empty array of strings, numbers or booleans`);
  return or(...values.map((v) => matches(key, v)));
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
          return { kind: 'range', key, operator: RANGE[operator], value };
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

export function parsePineconeFilter(filter: unknown): FilterNode {
  if (!isObject(filter)) throw fail('a filter must be a JSON object');
  return and(
    ...Object.entries(filter).map(([key, value]) => {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) throw fail(`${key} takes a non-empty array of filters`);
        const children = value.map(parsePineconeFilter);
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
