/** A vector pasted as a JSON array of numbers; throws a readable message otherwise. */
export function parseVector(text: string, dimension: number | null): number[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('The vector is not JSON: paste an array such as [0.1, 0.2, 0.3].');
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw new Error('The vector must be a non-empty JSON array of numbers.');
  if (dimension !== null && value.length !== dimension)
    throw new Error(`The vector has ${value.length} values; this collection's dimension is ${dimension}.`);
  return value as number[];
}

/** The query target: a vector when one is pasted, else a record id. */
export function target(
  idText: string,
  vectorText: string,
  dimension: number | null,
): { id?: string; vector?: number[] } {
  if (vectorText.trim()) return { vector: parseVector(vectorText, dimension) };
  if (idText.trim()) return { id: idText.trim() };
  throw new Error('Give a record id or a vector.');
}

/** A query target as typed in the Search and Explain tabs. */
export interface QueryTarget {
  idText: string;
  vectorText: string;
  k: number;
}

export const EMPTY_TARGET: QueryTarget = { idText: '', vectorText: '', k: 10 };

/** The request fields for a typed target: the id or vector, then k. */
export function queryTarget(
  value: QueryTarget,
  dimension: number | null,
): { id?: string; vector?: number[]; k: number } {
  return { ...target(value.idText, value.vectorText, dimension), k: value.k };
}
