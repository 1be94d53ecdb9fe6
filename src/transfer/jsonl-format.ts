import type { TransferCollection } from './transfer.model';

/**
 * vecgate's export format, one JSON object per line (docs/moving.md):
 * line 1, the header: `{"format": "vecgate-export/1", "collection": {name, metric, dimension,
 * metadata}}`; then one line per record: `{"namespace", "id", "embedding",
 * "sparse": {"indices", "values"} | null, "document", "uri", "metadata"}`.
 */
export const EXPORT_FORMAT = 'vecgate-export/1';

export interface JsonlHeader {
  format: typeof EXPORT_FORMAT;
  collection: TransferCollection;
}
