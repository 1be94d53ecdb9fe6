/**
 * A tar archive (ustar) written as it is read: Qdrant's full-storage snapshot is one, holding a
 * `config.json` and a snapshot file per collection. Each entry's size is known before its bytes
 * are (the archive's header says it first), so entries are given with their sizes.
 */

const BLOCK = 512;

/** An octal field of `width` bytes (its last a NUL), or base-256 for a size past what octal holds. */
function numeric(header: Buffer, offset: number, width: number, value: number): void {
  const octal = Math.trunc(value).toString(8);
  if (octal.length < width) {
    header.write(`${octal.padStart(width - 1, '0')}\0`, offset, 'ascii');
    return;
  }
  // GNU's base-256: the first byte's high bit set, the value big-endian in the rest.
  let rest = BigInt(Math.trunc(value));
  for (let i = offset + width - 1; i > offset; i--) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  header[offset] = 0x80;
}

/** The header block of a regular file. `name` is ASCII of at most 100 bytes (the caller's own names). */
export function tarHeader(name: string, size: number, modified: Date): Buffer {
  if (!/^[\x20-\x7e]{1,100}$/.test(name))
    throw new Error(`tar entry name ${JSON.stringify(name)} is not one vecgate writes`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 'ascii');
  numeric(header, 100, 8, 0o644);
  numeric(header, 108, 8, 0);
  numeric(header, 116, 8, 0);
  numeric(header, 124, 12, size);
  numeric(header, 136, 12, Math.floor(modified.getTime() / 1000));
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  // The checksum: the header's bytes summed with its own field read as spaces.
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** The zeros after an entry of `size` bytes, up to its last block's end. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}
