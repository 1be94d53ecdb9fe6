import {
  ALL,
  and,
  not,
  or,
  type FilterNode,
  type MetadataKey,
  type RangeOperator,
  type Scalar,
} from '../../core/filters/filter-ast';
import { VectorizerHttpError } from './vectorizer-error';
import { filterTooLarge, isObject, isScalar, mongoRangeOperator, type JsonObject } from '../json-guards';

/**
 * Every filter shape Vectorizer users send, into the neutral AST:
 *  1. the server's tagged conditions: `{"must":[{"type":"match","key":"k","match_value":v}]}`,
 *     `{"type":"range","key":"k","range":{"gte":1}}`, text matches, `{"type":"nested","filter":..}`;
 *  2. the TypeScript SDK's Qdrant shape: `{"must":[{"key":"k","match":{"value":v}}]}`,
 *     `match.any`, `match.except`, `range`, `has_id`, `is_empty`, `{"key":"__nested__","filter":..}`;
 *  3. the documentation's flat Mongo style: `{"category":"old_docs"}`, `{"created_at":{"$lt":"2024-01-01"}}`.
 * A filter with `must`/`should`/`must_not` is Qdrant-style (1 or 2, told apart per condition by
 * `type`); anything else is flat. Unknown shapes are a 400 parse_error; an empty filter, a 400.
 */
type Json = JsonObject;

const RANGE_KEYS: Record<string, RangeOperator> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** `a.b.c` reaches into nested payload objects, as Vectorizer resolves keys. */
function path(k: string): MetadataKey {
  return k.includes('.') ? k.split('.') : k;
}

/** A value equals v, or a list holds it (Qdrant matches any element of an array payload). */
function matches(key: MetadataKey, value: Scalar): FilterNode {
  return or({ kind: 'eq', key, value }, { kind: 'arrayContains', key, value });
}

function key(condition: Json): MetadataKey {
  if (typeof condition.key !== 'string' || condition.key === '')
    throw VectorizerHttpError.parse('a condition needs a non-empty string "key"');
  return path(condition.key);
}

function ranges(k: MetadataKey, range: unknown): FilterNode {
  if (!isObject(range)) throw VectorizerHttpError.parse(`range of "${k}" must be an object of gt/gte/lt/lte bounds`);
  const bounds = Object.entries(range).filter(([, v]) => v !== null && v !== undefined);
  if (bounds.length === 0) throw VectorizerHttpError.parse(`range of "${k}" has no bound`);
  return and(
    ...bounds.map(([op, v]): FilterNode => {
      const operator = Object.hasOwn(RANGE_KEYS, op) ? RANGE_KEYS[op] : undefined;
      if (!operator || (typeof v !== 'number' && typeof v !== 'string'))
        throw VectorizerHttpError.parse(`range of "${k}": unknown bound ${op} or non-numeric value`);
      return { kind: 'range', key: k, operator, value: v };
    }),
  );
}

function taggedCondition(c: Json): FilterNode {
  switch (c.type) {
    case 'match': {
      const k = key(c);
      const v = c.match_value;
      if (v === null) return { kind: 'exists', key: k }; // the server's "Any": the key is present
      if (isScalar(v)) return matches(k, v);
      if (isObject(v) && typeof v.text === 'string') {
        const mode = (v.type ?? 'exact') as string;
        if (!['exact', 'prefix', 'suffix', 'contains'].includes(mode))
          throw VectorizerHttpError.parse(`unknown text match type ${JSON.stringify(mode)}`);
        return { kind: 'textMatch', key: k, mode: mode as 'exact', text: v.text };
      }
      throw VectorizerHttpError.parse(`match_value of "${k}" must be a string, number, boolean, null or {text, type}`);
    }
    case 'range':
      return ranges(key(c), c.range);
    case 'nested':
      return qdrantFilter(c.filter);
    default:
      throw VectorizerHttpError.parse(`unsupported condition type ${JSON.stringify(c.type)}`);
  }
}

function sdkCondition(c: Json): FilterNode {
  if (c.has_id !== undefined) {
    if (!Array.isArray(c.has_id)) throw VectorizerHttpError.parse('has_id must be an array of ids');
    return { kind: 'idIn', ids: c.has_id.map(String) };
  }
  if (isObject(c.is_empty)) return not({ kind: 'exists', key: key(c.is_empty) });
  if (c.filter !== undefined) return qdrantFilter(c.filter); // the SDK's {"key":"__nested__","filter":..}
  const k = key(c);
  if (c.range !== undefined) return ranges(k, c.range);
  if (isObject(c.match)) {
    const m = c.match;
    if (isScalar(m.value)) return matches(k, m.value);
    if (Array.isArray(m.any) && m.any.length > 0 && m.any.every(isScalar))
      return { kind: 'anyOf', key: k, values: m.any, inArrays: true };
    if (Array.isArray(m.except) && m.except.every(isScalar))
      return m.except.length === 0 ? ALL : not({ kind: 'anyOf', key: k, values: m.except, inArrays: true });
    if (typeof m.text === 'string') return { kind: 'textMatch', key: k, mode: 'contains', text: m.text };
    throw VectorizerHttpError.parse(`match of "${k}" needs value, any, except or text`);
  }
  throw VectorizerHttpError.parse(`condition on "${k}" needs match or range`);
}

function condition(c: unknown): FilterNode {
  if (!isObject(c)) throw VectorizerHttpError.parse('a condition must be an object');
  return c.type !== undefined ? taggedCondition(c) : sdkCondition(c);
}

function list(name: string, value: unknown): FilterNode[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw VectorizerHttpError.parse(`${name} must be an array of conditions`);
  return value.map(condition);
}

/** Conditions of a Qdrant-style filter; no condition at all is `all`. */
function qdrantFilter(filter: unknown): FilterNode {
  if (!isObject(filter)) throw VectorizerHttpError.parse('a filter must be an object');
  const must = list('must', filter.must);
  const should = list('should', filter.should);
  const mustNot = list('must_not', filter.must_not);
  return and(...must, ...(should.length ? [or(...should)] : []), ...mustNot.map(not));
}

function mongoField(name: string, value: unknown): FilterNode {
  const k = path(name);
  if (isScalar(value)) return matches(k, value);
  if (!isObject(value) || Object.keys(value).length === 0)
    throw VectorizerHttpError.parse(`the value of "${k}" must be a string, number, boolean or an operator object`);
  return and(
    ...Object.entries(value).map(([op, v]): FilterNode => {
      if (op === '$eq' && isScalar(v)) return matches(k, v);
      if (op === '$ne' && isScalar(v)) return not(matches(k, v));
      const range = mongoRangeOperator(op);
      if (range && (typeof v === 'number' || typeof v === 'string'))
        return { kind: 'range', key: k, operator: range, value: v };
      if ((op === '$in' || op === '$nin') && Array.isArray(v) && v.length > 0 && v.every(isScalar)) {
        const any: FilterNode = { kind: 'anyOf', key: k, values: v, inArrays: true };
        return op === '$in' ? any : not(any);
      }
      if (op === '$exists' && typeof v === 'boolean')
        return v ? { kind: 'exists', key: k } : not({ kind: 'exists', key: k });
      throw VectorizerHttpError.parse(`unsupported operator ${op} (or operand) on "${k}"`);
    }),
  );
}

function mongoFilter(filter: Json): FilterNode {
  return and(
    ...Object.entries(filter).map(([k, v]) => {
      if (k === '$and' || k === '$or') {
        if (!Array.isArray(v) || v.length === 0)
          throw VectorizerHttpError.parse(`${k} takes a non-empty array of filters`);
        const children = v.map((f) => {
          if (!isObject(f)) throw VectorizerHttpError.parse(`${k} takes filter objects`);
          return mongoFilter(f);
        });
        return k === '$and' ? and(...children) : or(...children);
      }
      if (k.startsWith('$')) throw VectorizerHttpError.parse(`unsupported operator ${k}`);
      return mongoField(k, v);
    }),
  );
}

/**
 * A filter that selects what to read: `{}` or `{"must": []}` selects everything, as in Vectorizer.
 * A filter that selects what to delete must select something less than everything: see
 * parseDeleteFilter.
 */
export function parseVectorizerFilter(filter: unknown): FilterNode {
  if (filter === undefined || filter === null) return ALL;
  const tooLarge = filterTooLarge(filter);
  if (tooLarge) throw VectorizerHttpError.parse(tooLarge);
  if (!isObject(filter)) throw VectorizerHttpError.parse('a filter must be an object');
  if ('must' in filter || 'should' in filter || 'must_not' in filter) return qdrantFilter(filter);
  return mongoFilter(filter);
}

/** A delete's filter: missing or without conditions is a 400, so nobody wipes a collection by accident. */
export function parseDeleteFilter(filter: unknown): FilterNode {
  if (filter === undefined || filter === null) throw VectorizerHttpError.validation('filter', 'missing filter field');
  const node = parseVectorizerFilter(filter);
  if (node.kind === 'all')
    throw VectorizerHttpError.validation(
      'filter',
      'filter has no conditions; an empty filter would match every vector',
    );
  return node;
}
