import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';

/** A request body, which Qdrant's routes take as a JSON object (none: an empty one). */
export function bodyOf(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw QdrantHttpError.format('the body must be a JSON object');
  return body;
}

/** Serde's list of the fields a type has: "`a`", "`a` or `b`", "one of `a`, `b`, `c`". */
function expected(fields: readonly string[]): string {
  const quoted = fields.map((f) => `\`${f}\``);
  if (quoted.length === 0) return 'there are no fields';
  if (quoted.length === 1) return `expected ${quoted[0]}`;
  if (quoted.length === 2) return `expected ${quoted[0]} or ${quoted[1]}`;
  return `expected one of ${quoted.join(', ')}`;
}

/**
 * Refuses a field that the object's Qdrant type does not have, in serde's words (`unknown field
 * \`mustt\`, expected one of ...`), with where it is. A field vecgate does not know is never
 * ignored: a misspelt `filter` would otherwise select every point.
 */
export function onlyFields<T extends JsonObject>(value: T, fields: readonly string[], where: string): T {
  for (const key of Object.keys(value))
    if (!fields.includes(key))
      throw QdrantHttpError.format(`unknown field \`${key}\` in ${where}, ${expected(fields)}`);
  return value;
}

/**
 * A field that serde also takes under an alias (`with_vectors` for `with_vector`, `top` for
 * `limit`): its value under either name, and serde's refusal when both are given.
 */
export function aliased(value: JsonObject, field: string, alias: string): unknown {
  const own = value[field];
  const other = value[alias];
  if (own !== undefined && other !== undefined) throw QdrantHttpError.format(`duplicate field \`${field}\``);
  return own !== undefined ? own : other;
}

/**
 * `value` with a field serde also takes under an alias (`quantization` for `quantization_config`)
 * moved to its own name, so that it is checked and kept as that field; serde's refusal when both
 * are given.
 */
export function unaliased(value: JsonObject, field: string, alias: string): JsonObject {
  if (!Object.hasOwn(value, alias)) return value;
  const own = aliased(value, field, alias);
  const { [alias]: _alias, ...rest } = value;
  return { ...rest, [field]: own };
}

/**
 * The fields of `value` that its Qdrant type has, the others dropped: what serde does with a type
 * that does not deny unknown fields. For the top of a collection's create and update bodies, whose
 * unknown fields Qdrant ignores and vecgate neither keeps nor acts on.
 */
export function knownFields(value: JsonObject, fields: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([key]) => fields.includes(key)));
}

/** An unsigned integer field of a request (limit, offset, sample...), or its default when absent. */
export function unsigned(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw QdrantHttpError.format(`${field} must be an unsigned integer`);
  return value;
}
