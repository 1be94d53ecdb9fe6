import type { Metric } from '../../core/collections/collection.model';
import { DenseVector } from '../../core/records/dense-vector';
import type { RecordWrite } from '../../core/records/record.model';
import { sparsevecText } from '../../core/records/sparse-vector';
import { recordFromRow } from '../parquet-layout';

/** Pinecone's id bound (512 characters). */
const MAX_ID_CHARS = 512;

/** A row of an import file: the record to write, or why it cannot be one. */
export type ImportItem = { write: RecordWrite } | { bad: string };

const finite = (values: unknown[]) => values.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * A Parquet row as an upsert of Pinecone's rules: an id, dense values of the index's dimension
 * and/or sparse values, metadata a JSON object. The index's `dimension` may be null until the
 * first vector fixes it, which sets it.
 */
export function importItem(
  row: Record<string, unknown>,
  where: string,
  index: { dimension: number | null; metric: Metric },
): ImportItem {
  const { dimension } = index;
  let record;
  try {
    record = recordFromRow('', row, where);
  } catch (err) {
    return { bad: (err as Error).message };
  }
  const { id, embedding, sparse, metadata } = record;
  const bad = (why: string): ImportItem => ({ bad: `${where}: record ${JSON.stringify(id)}: ${why}` });
  if (id.length === 0 || id.length > MAX_ID_CHARS) return bad(`ids must be 1 to ${MAX_ID_CHARS} characters`);
  if (!embedding && !sparse) return bad('no values and no sparse_values');
  const write: RecordWrite = { id, metadata };
  if (metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata)))
    return bad('metadata must be a JSON object');
  if (embedding) {
    if (!finite(embedding)) return bad('values must be finite numbers');
    if (dimension !== null && embedding.length !== dimension)
      return bad(`Vector dimension ${embedding.length} does not match the dimension of the index ${dimension}`);
    write.embedding = DenseVector.fromNumbers(embedding);
    if (write.embedding.isZero()) return bad('dense vectors must contain at least one non-zero value');
    if (dimension === null) index.dimension = embedding.length;
  }
  if (sparse) {
    if (index.metric !== 'ip') return bad('sparse values are supported only by indexes of the dotproduct metric');
    const { indices, values } = sparse;
    if (indices.length !== values.length) return bad('sparse indices and values must have the same length');
    if (!finite(values) || !indices.every((i) => Number.isInteger(i) && i >= 0 && i < 2 ** 32))
      return bad('sparse indices must be unsigned 32-bit integers and values finite numbers');
    if (new Set(indices).size !== indices.length) return bad('sparse indices must be unique');
    write.sparse = sparsevecText(indices, values);
  }
  return { write };
}
