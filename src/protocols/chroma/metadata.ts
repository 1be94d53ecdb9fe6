import { ChromaHttpError } from './chroma-error';

const NOT_METADATA = 'data did not match any variant of untagged enum MetadataValue';

function isPrimitive(v: unknown): boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** A sparse vector value as the 3.x client serialises it: `{"#type": "sparse_vector", indices, values}`. */
function isSparseVector(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { indices, values } = v as { indices?: unknown; values?: unknown };
  return (
    Array.isArray(indices) &&
    Array.isArray(values) &&
    indices.length === values.length &&
    indices.every((i) => Number.isInteger(i) && (i as number) >= 0) &&
    values.every((x) => typeof x === 'number' && Number.isFinite(x))
  );
}

/**
 * Chroma metadata: a map of strings, numbers and booleans, and (as Chroma 1.5 added) non-empty
 * arrays of one such type, and sparse vectors. `allowNull` is for upsert/update, where a null value deletes the key.
 * Returns null for an absent or empty map (Chroma stores `{}` as no metadata).
 */
export function checkMetadata(field: string, value: unknown, allowNull: boolean): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw ChromaHttpError.unprocessable(`${field}: invalid type: expected a map`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null) {
      if (allowNull) continue;
      throw ChromaHttpError.unprocessable(`${field}.${key}: ${NOT_METADATA}`);
    }
    if (isPrimitive(v)) continue;
    if (Array.isArray(v) && v.length > 0 && v.every(isPrimitive) && new Set(v.map((x) => typeof x)).size === 1)
      continue;
    if (isSparseVector(v)) continue;
    throw ChromaHttpError.unprocessable(`${field}.${key}: ${NOT_METADATA}`);
  }
  return Object.keys(value).length === 0 ? null : (value as Record<string, unknown>);
}
