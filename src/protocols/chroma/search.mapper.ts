import { RawJson } from '../../common/raw-json';
import type { Collection } from '../../core/collections/collection.model';
import { sparseFromText } from '../../core/records/sparse-vector';
import type { ScoredRecord } from '../../core/search/search.model';
import { sparseKeyOf } from './collection-schema';
import { f32 } from './records.mapper';
import type { ParsedSearch } from './search.parser';

/**
 * A record's metadata as the search selected it: whole, or only the selected fields (null when
 * none is left). The indexed sparse key is shown from the sparse column where the metadata lacks
 * it (a record whose sparse values came through Pinecone).
 */
function metadataOf(record: ScoredRecord, fields: string[] | null, sparseKey: string | null) {
  let metadata = record.metadata ?? null;
  if (sparseKey !== null && record.sparse && (metadata === null || !Object.hasOwn(metadata, sparseKey))) {
    metadata = { ...(metadata ?? {}), [sparseKey]: { '#type': 'sparse_vector', ...sparseFromText(record.sparse) } };
  }
  if (metadata === null || fields === null) return metadata;
  // Own keys only: a selected `constructor` or `toString` is a field the record has or not.
  const kept = Object.fromEntries(fields.filter((f) => Object.hasOwn(metadata, f)).map((f) => [f, metadata[f]]));
  return Object.keys(kept).length === 0 ? null : kept;
}

/** Chroma's columnar search answer: one list per search, a column null where the search did not select it. */
export function searchResponse(collection: Collection, parsed: ParsedSearch[], results: ScoredRecord[][]) {
  const sparseKey = sparseKeyOf(collection);
  return {
    ids: results.map((rows) => rows.map((r) => r.id)),
    documents: results.map((rows, i) =>
      parsed[i].search.columns.documents ? rows.map((r) => r.document ?? null) : null,
    ),
    embeddings: results.map((rows, i) =>
      parsed[i].search.columns.embeddings ? rows.map((r) => (r.embedding ? new RawJson(r.embedding) : null)) : null,
    ),
    metadatas: results.map((rows, i) =>
      parsed[i].search.columns.metadatas ? rows.map((r) => metadataOf(r, parsed[i].fields, sparseKey)) : null,
    ),
    scores: results.map((rows, i) =>
      parsed[i].score ? rows.map((r) => (r.score === null || !Number.isFinite(r.score) ? null : f32(r.score))) : null,
    ),
    select: parsed.map((p) => p.select),
  };
}
