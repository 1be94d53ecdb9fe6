import { ChromaHttpError } from './chroma-error';

function count(name: string, raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  if (!/^\d+$/.test(raw))
    throw new ChromaHttpError(
      400,
      'InvalidArgumentError',
      `Failed to deserialize query string: ${name}: invalid digit found in string`,
    );
  return Number(raw);
}

/** `?limit&offset` of Chroma's list endpoints (no limit when absent). */
export function pageOf(
  limit: string | undefined,
  offset: string | undefined,
): { limit: number | null; offset: number } {
  return { limit: count('limit', limit), offset: count('offset', offset) ?? 0 };
}
