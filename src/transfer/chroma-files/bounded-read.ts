import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Opens a file to read, refusing anything but a regular file: a directory handed over may hold a
 * FIFO (whose reads wait for a writer forever) or a device under a file's name. Opened without
 * blocking, so a FIFO is refused rather than waited on.
 */
export function openRegular(path: string): { fd: number; size: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new Error(`${path}: not a regular file`);
  }
  return { fd, size: stat.size };
}

/** Reads `length` bytes at `position` into `buf`, or says the file is shorter than that. */
export function readExactly(fd: number, path: string, buf: Buffer, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buf, done, length - done, position + done);
    if (read === 0) throw new Error(`${path}: ends at byte ${position + done}, before byte ${position + length}`);
    done += read;
  }
}

/**
 * A whole file, when the open file's size is at most `maxBytes`; otherwise `tooLarge(size)` is the
 * error, and nothing is read. The size is taken once: a file that grows meanwhile is read no further.
 */
export function readBounded(path: string, maxBytes: number, tooLarge: (size: number) => string): Buffer {
  const { fd, size } = openRegular(path);
  try {
    if (size > maxBytes) throw new Error(tooLarge(size));
    const buf = Buffer.alloc(size);
    readExactly(fd, path, buf, size, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The first `length` bytes of a file; `tooShort(size)` is the error when it holds fewer, and nothing is read. */
export function readStart(path: string, length: number, tooShort: (size: number) => string): Buffer {
  const { fd, size } = openRegular(path);
  try {
    if (size < length) throw new Error(tooShort(size));
    const buf = Buffer.alloc(length);
    readExactly(fd, path, buf, length, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}
