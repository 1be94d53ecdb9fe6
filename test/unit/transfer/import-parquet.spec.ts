import { InvalidArgumentError } from '../../../src/core/errors';
import { checkFooter, chunkEnd } from '../../../src/transfer/bulk-import/import-parquet';
import type { ParquetMetadata } from '../../../src/transfer/parquet-files';

const MB = 1024 * 1024;
const limits = { maxRowGroupRows: 100_000, maxRowGroupBytes: 256 * MB };

/** A footer of row groups of these row counts, each one column of `bytes` bytes laid out one after the other. */
function footer(groups: number[], bytes = 1000, uncompressed = bytes): ParquetMetadata {
  return {
    num_rows: BigInt(groups.reduce((s, n) => s + n, 0)),
    schema: [{ name: 'root', num_children: 1 }, { name: 'id' }],
    row_groups: groups.map((rows, g) => ({
      num_rows: BigInt(rows),
      columns: [
        {
          meta_data: {
            path_in_schema: ['id'],
            num_values: BigInt(rows),
            data_page_offset: BigInt(4 + g * bytes),
            total_compressed_size: BigInt(bytes),
            total_uncompressed_size: BigInt(uncompressed),
          },
        },
      ],
    })),
  };
}

const refusal = (metadata: ParquetMetadata, size: number, given = limits) => {
  try {
    checkFooter(metadata, size, 'f.parquet', given);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('bulk import footers', () => {
  it('takes a footer whose row groups add up, and says where each starts', () => {
    const checked = checkFooter(footer([40, 40, 20]), 4000, 'f.parquet', limits);
    expect(checked.rows).toBe(100);
    expect(checked.groupStarts).toEqual([0, 40, 80, 100]);
  });

  it('refuses a footer that lies about its rows', () => {
    const lying = footer([40, 40, 20]);
    lying.num_rows = 10n ** 12n;
    expect(refusal(lying, 4000)).toBe('f.parquet: its footer says 1000000000000 rows, but its row groups hold 100');
    const negative = footer([40]);
    negative.row_groups[0].num_rows = -5n;
    expect(refusal(negative, 4000)).toBe('f.parquet: its footer gives the row count of row group 0 as -5, not a count');
    // More rows than a row group's bytes could hold, however the footer adds up.
    expect(refusal(footer([9000]), 2000)).toBe(
      'f.parquet: its footer says row group 0 holds 9000 rows in 1000 bytes, more than that many bytes can hold',
    );
    const beyond = footer([40, 40]);
    expect(refusal(beyond, 1500)).toBe(
      'f.parquet: its footer places a column of row group 1 at bytes 1004 to 2004, past the end of the file (1500 bytes)',
    );
    const elsewhere = footer([40]);
    elsewhere.row_groups[0].columns[0].file_path = 'other.parquet';
    expect(refusal(elsewhere, 4000)).toMatch(/row group 0 keeps a column in another file/);
  });

  it('refuses a row group that claims more values than its bytes decode to', () => {
    // 40 rows of one column: 40 values for the rows, and a value for each 4 bytes of 256 MB.
    const most = 40 + (256 * MB) / 4;
    const claims = (values: number) => {
      const f = footer([40]);
      f.row_groups[0].columns[0].meta_data!.num_values = BigInt(values);
      return f;
    };
    expect(checkFooter(claims(most), 4000, 'f.parquet', limits).rows).toBe(40);
    expect(refusal(claims(most + 1), 4000)).toBe(
      `f.parquet: its footer says row group 0 holds ${most + 1} values, more than this server decodes from a row group of 40 rows (at most ${most}, from VECGATE_IMPORT_MAX_ROW_GROUP_MB)`,
    );
  });

  it('refuses a row group over the limits, and says how to write the file', () => {
    expect(refusal(footer([40, 100_001], 100_000), 300_000)).toBe(
      'f.parquet: row group 1 holds 100001 rows and 0.1 MB; an import decodes a row group whole, and this server takes ' +
        'at most 100000 rows and 256 MB a row group (VECGATE_IMPORT_MAX_ROW_GROUP_ROWS, VECGATE_IMPORT_MAX_ROW_GROUP_MB): ' +
        'write the file in smaller row groups, e.g. pyarrow.parquet.write_table(table, path, row_group_size=10000)',
    );
    // Bytes: uncompressed, or compressed when that is more.
    expect(refusal(footer([1000], 1000, 300 * MB), 4000)).toMatch(/row group 0 holds 1000 rows and 300.0 MB;/);
    expect(refusal(footer([1000], 3 * MB), 4 * MB, { maxRowGroupRows: 500, maxRowGroupBytes: 2 * MB })).toMatch(
      /holds 1000 rows and 3.0 MB; .* at most 500 rows and 2 MB a row group .* row_group_size=500\)$/,
    );
    expect(checkFooter(footer([100_000], 20_000, 256 * MB), 40_000, 'f.parquet', limits).rows).toBe(100_000);
  });

  it('reads whole row groups: to the end of the one a read starts in, and of those after it that fit in 10,000 rows', () => {
    const file = checkFooter(footer([4000, 4000, 4000, 30_000, 10], 10_000), 100_000, 'f.parquet', limits);
    expect(chunkEnd(file, 0)).toBe(8000);
    expect(chunkEnd(file, 1000)).toBe(8000);
    expect(chunkEnd(file, 4000)).toBe(12_000);
    expect(chunkEnd(file, 8000)).toBe(12_000);
    expect(chunkEnd(file, 12_000)).toBe(42_000);
    expect(chunkEnd(file, 41_999)).toBe(42_010);
    expect(chunkEnd(file, 42_005)).toBe(42_010);
  });
});
