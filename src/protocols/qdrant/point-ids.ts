import { QdrantHttpError } from './qdrant-error';

/** A UUID in any of the forms Qdrant reads: hyphenated, 32 hex digits, braced or as a URN. */
const UUID = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/**
 * A point id as vecgate stores it: an unsigned integer in decimal, or a UUID in its lowercase
 * hyphenated form, so that each point has one id whichever way a client spelled it.
 */
export function pointId(value: unknown, field = 'id'): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return String(value);
    throw QdrantHttpError.format(
      `${field}: ${value} is not a valid point ID, valid values are either an unsigned integer or a UUID` +
        (Number.isInteger(value) && value > 0 ? ' (integers above 2^53 - 1 do not survive JSON numbers here)' : ''),
    );
  }
  if (typeof value === 'string') {
    const m = UUID.exec(value);
    if (m) return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
    throw QdrantHttpError.format(`${field}: Unable to parse UUID: ${value}`);
  }
  throw QdrantHttpError.format(
    `${field}: ${JSON.stringify(value) ?? 'undefined'} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/**
 * A stored id as Qdrant shows it: a number for an unsigned integer, else the string (a UUID, or
 * the id another protocol gave the record).
 */
export function showId(id: string): number | string {
  return /^(0|[1-9]\d{0,15})$/.test(id) && Number(id) <= Number.MAX_SAFE_INTEGER ? Number(id) : id;
}

/**
 * Whether a stored id is a Qdrant point id as vecgate stores one (the decimal integer or the
 * lowercase hyphenated UUID), so that showing it and reading it back gives the same id. Ids
 * written through the other protocols (`a`, `doc-1`, `007`, an uppercase UUID) are not.
 */
export function isQdrantId(stored: string): boolean {
  const shown = showId(stored);
  if (typeof shown === 'number') return true;
  const m = UUID.exec(shown);
  return m !== null && `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() === shown;
}

export function pointIds(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw QdrantHttpError.format(`${field} must be an array of point ids`);
  return value.map((v, i) => pointId(v, `${field}[${i}]`));
}
