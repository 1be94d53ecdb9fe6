/** A line past the bound, refused before it was put together. `line` counts from 1. */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly maxBytes: number,
  ) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The lines of a stream of UTF-8 bytes (ended by `\n` or `\r\n`), none longer than `maxBytes`.
 * Bytes are counted as they arrive and a line that passes the bound throws LineTooLongError at
 * once, so that an endless line costs the bound and one chunk of memory, never a string of its
 * whole length (which readline builds first, and past V8's largest string ends the process).
 */
export async function* boundedLines(chunks: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 1;
  const take = (tail: Buffer): string => {
    const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return bytes.toString('utf8', 0, end);
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (let at = chunk.indexOf(LF); at >= 0; at = chunk.indexOf(LF, from)) {
      if (pendingBytes + at - from > maxBytes) throw new LineTooLongError(line, maxBytes);
      yield take(chunk.subarray(from, at));
      line++;
      from = at + 1;
    }
    const rest = chunk.length - from;
    if (pendingBytes + rest > maxBytes) throw new LineTooLongError(line, maxBytes);
    if (rest > 0) {
      pending.push(chunk.subarray(from));
      pendingBytes += rest;
    }
  }
  if (pendingBytes > 0) yield take(Buffer.alloc(0));
}
