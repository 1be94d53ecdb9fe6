import { ROW_GROUP_BYTES, ROWS_PER_CHUNK, rowGroupRows } from '../../../src/transfer/parquet-format';
import type { TransferRecord } from '../../../src/transfer/transfer.model';

const record = (dimension: number, document: string | null = null): TransferRecord => ({
  namespace: '',
  id: 'id-00000001',
  embedding: Array.from({ length: dimension }, () => 0.5),
  sparse: null,
  document,
  uri: null,
  metadata: { genre: 'drama' },
});

describe('rowGroupRows (the row groups of an export)', () => {
  it('keeps 10,000 rows a group for the usual dimensions', () => {
    expect(rowGroupRows([record(384), record(768)])).toBe(ROWS_PER_CHUNK);
  });

  it('keeps a group of wide records within the bytes a bulk import takes by default', () => {
    // 10,000 rows of 3,400 dimensions were 136 MB, past VECGATE_IMPORT_MAX_ROW_GROUP_MB's 128.
    for (const rows of [[record(3_400)], [record(16_000)], [record(8, 'x'.repeat(100_000))]]) {
      const perGroup = rowGroupRows(rows);
      expect(perGroup).toBeLessThan(ROWS_PER_CHUNK);
      expect(perGroup * (rows[0].embedding!.length * 4 + (rows[0].document?.length ?? 0))).toBeLessThanOrEqual(
        ROW_GROUP_BYTES,
      );
    }
    expect(rowGroupRows([record(8, 'x'.repeat(64 * 1024 * 1024))])).toBe(1);
  });
});
