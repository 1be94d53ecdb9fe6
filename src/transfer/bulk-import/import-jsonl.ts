import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { ImportPart } from '../../core/imports/import.model';
import { ROWS_PER_CHUNK } from '../parquet-format';
import { openInside } from './import-files';
import { locate } from './import-locations';
import type { ImportOptions } from './import-options';

/** A line of a JSONL import longer than this is refused: a document is 2 MB at most (Pinecone's bound). */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/** One line of a JSONL file, as the runner maps it: its text and its number (1-based, blank lines counted). */
export interface JsonlLine {
  text: string;
  line: number;
}

type Fetch = (url: string) => Promise<Response>;

/**
 * The lines of a stream of text, without their `\n` (and a `\r` before it). A line is never held
 * past MAX_LINE_CHARS: a file of one endless line is refused as soon as it is that long.
 */
async function* splitLines(input: AsyncIterable<string>, location: string): AsyncGenerator<string> {
  let pending = '';
  let number = 0;
  for await (const chunk of input) {
    pending += chunk;
    let start = 0;
    for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n', start)) {
      number++;
      if (at - start > MAX_LINE_CHARS) throw tooLong(location, number);
      yield pending.slice(start, at > start && pending[at - 1] === '\r' ? at - 1 : at);
      start = at + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_CHARS) throw tooLong(location, number + 1);
  }
  if (pending !== '') yield pending;
}

const tooLong = (location: string, line: number) =>
  new InvalidArgumentError(
    `${location} line ${line} is longer than ${MAX_LINE_CHARS} characters: a document is 2 MB at most`,
  );

/**
 * The lines of a JSONL location (a real path inside the roots, or an allowed URL), read as a
 * stream: a file through the descriptor it was opened on, a URL through one GET. Blank lines
 * are skipped; each is numbered as an editor numbers it.
 */
export async function openLines(
  location: string,
  options: Pick<ImportOptions, 'roots' | 'urls'>,
  fetchUrl: Fetch,
): Promise<{ lines: AsyncIterator<JsonlLine>; close(): Promise<void> }> {
  let input: Readable;
  let close = async () => {};
  if (location.startsWith('/')) {
    if (options.roots.length === 0) throw new ForbiddenError('Imports from file:// URIs are off on this server');
    const opened = await openInside(location, options.roots);
    if (!opened.stat.isFile()) {
      await opened.handle.close();
      throw new InvalidArgumentError(`${location} is not a file`);
    }
    input = opened.handle.createReadStream({ encoding: 'utf8', autoClose: false });
    close = async () => {
      input.destroy();
      await opened.handle.close();
    };
  } else {
    const where = locate(location, options, '.jsonl');
    if (where.kind !== 'http') throw new InvalidArgumentError(`${location} is not a location of an import`);
    const res = await fetchUrl(where.url);
    if (!res.ok || !res.body) throw new InvalidArgumentError(`${location} answered ${res.status}`);
    input = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>, { encoding: 'utf8' });
    close = async () => {
      input.destroy();
    };
  }
  const raw = splitLines(input as AsyncIterable<string>, location);
  let number = 0;
  const lines: AsyncIterator<JsonlLine> = {
    async next() {
      for (;;) {
        const got = await raw.next();
        if (got.done) return { done: true, value: undefined };
        number++;
        if (got.value.trim() !== '') return { done: false, value: { text: got.value, line: number } };
      }
    },
  };
  return {
    lines,
    close: async () => {
      await raw.return(undefined);
      await close();
    },
  };
}

/** The documents (non-blank lines) of a JSONL location, counted when its import starts. */
export async function countLines(
  location: string,
  options: Pick<ImportOptions, 'roots' | 'urls'>,
  fetchUrl: Fetch,
): Promise<number> {
  const opened = await openLines(location, options, fetchUrl);
  try {
    let n = 0;
    while (!(await opened.lines.next()).done) n++;
    return n;
  } finally {
    await opened.close();
  }
}

/**
 * Lines of a JSONL import's files, ROWS_PER_CHUNK at a time. The file being read stays open, at
 * the line the last chunk ended on, until the reader moves to another file or closes; a chunk
 * asked anywhere else reads the file again from its start.
 */
export class JsonlPartReader {
  private current?: {
    part: number;
    next: number;
    open: { lines: AsyncIterator<JsonlLine>; close(): Promise<void> };
  };

  constructor(
    private readonly parts: ImportPart[],
    private readonly options: Pick<ImportOptions, 'roots' | 'urls'>,
    private readonly fetchUrl: Fetch,
  ) {}

  async chunk(part: number, start: number): Promise<{ rows: JsonlLine[]; end: number }> {
    const { location, rows } = this.parts[part];
    if (this.current?.part !== part || this.current.next > start) {
      await this.close();
      this.current = { part, next: 0, open: await openLines(location, this.options, this.fetchUrl) };
    }
    const current = this.current;
    const end = Math.min(rows, start + ROWS_PER_CHUNK);
    const out: JsonlLine[] = [];
    while (current.next < end) {
      const got = await current.open.lines.next();
      if (got.done)
        throw new Error(`${location} has changed since the import started (${current.next} documents, not ${rows})`);
      if (current.next >= start) out.push(got.value);
      current.next++;
    }
    return { rows: out, end };
  }

  async close(): Promise<void> {
    const open = this.current?.open;
    this.current = undefined;
    await open?.close();
  }
}
