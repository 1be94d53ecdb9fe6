import { InvalidArgumentError } from '../../../src/core/errors';
import { checkFooter } from '../../../src/transfer/bulk-import/import-parquet';
import type { ParquetMetadata } from '../../../src/transfer/parquet-files';

/** A footer of row groups of these row counts, each one column of `bytes` bytes laid out one after the other. */
function footer(groups: number[], bytes = 1000): ParquetMetadata {
  return {
    num_rows: BigInt(groups.reduce((s, n) => s + n, 0)),
    schema: [{ name: 'root', num_children: 1 }, { name: 'id' }],
    row_groups: groups.map((rows, g) => ({
      num_rows: BigInt(rows),
      columns: [
        {
          meta_data: {
            path_in_schema: ['id'],
            data_page_offset: BigInt(4 + g * bytes),
            total_compressed_size: BigInt(bytes),
            total_uncompressed_size: BigInt(bytes),
          },
        },
      ],
    })),
  };
}

const refusal = (metadata: ParquetMetadata, size: number) => {
  try {
    checkFooter(metadata, size, 'f.parquet');
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('bulk import footers', () => {
  it('takes a footer whose row groups add up', () => {
    expect(checkFooter(footer([40, 40, 20]), 4000, 'f.parquet').rows).toBe(100);
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
});
