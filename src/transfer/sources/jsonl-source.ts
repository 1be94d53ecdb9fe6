import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';
import { EXPORT_FORMAT, type JsonlHeader } from '../jsonl-format';

/**
 * A JSONL export (jsonl-format.ts): the header line names the collection, each further line is a
 * record. The cursor is a line number; pages are read from one open stream, reopened (and the
 * lines before the cursor skipped) only when a resumed import starts mid-file.
 */
export class JsonlSource implements Source {
  readonly label: string;
  private lines?: AsyncIterator<string>;
  private at = 0;
  private header?: JsonlHeader;

  constructor(private readonly file: string) {
    this.label = `jsonl ${file}`;
  }

  private async open(): Promise<void> {
    this.lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity })[Symbol.asyncIterator]();
    this.at = 0;
    const first = await this.lines.next();
    if (first.done) throw new SourceError(`${this.file}: empty`);
    this.at = 1;
    let header: JsonlHeader;
    try {
      header = JSON.parse(first.value);
    } catch {
      throw new SourceError(`${this.file}:1: not JSON`);
    }
    if (header?.format !== EXPORT_FORMAT || typeof header.collection?.name !== 'string')
      throw new SourceError(
        `${this.file}:1: not a vecgate export (its first line names the format and the collection)`,
      );
    this.header = header;
  }

  async collections(): Promise<TransferCollection[]> {
    if (!this.header) await this.open();
    return [this.header!.collection];
  }

  async page(_collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const start = cursor === null ? 1 : Number(cursor);
    if (!this.lines || start < this.at) await this.open();
    while (this.at < start) {
      if ((await this.lines!.next()).done) return { records: [], next: null };
      this.at++;
    }
    const records: TransferRecord[] = [];
    while (records.length < size) {
      const line = await this.lines!.next();
      if (line.done) return { records, next: null };
      this.at++;
      if (!line.value.trim()) continue;
      try {
        const r = JSON.parse(line.value);
        records.push({
          namespace: r.namespace ?? '',
          id: r.id,
          embedding: r.embedding ?? null,
          sparse: r.sparse ?? null,
          document: r.document ?? null,
          uri: r.uri ?? null,
          metadata: r.metadata ?? null,
        });
      } catch {
        throw new SourceError(`${this.file}:${this.at}: not JSON`);
      }
    }
    return { records, next: String(this.at) };
  }

  /** The record lines, counted by reading the file once. */
  async count(): Promise<number> {
    let n = 0;
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) if (line.trim()) n++;
    return Math.max(0, n - 1);
  }

  async fetch(_c: TransferCollection, namespace: string, ids: string[]): Promise<TransferRecord[]> {
    const wanted = new Set(ids);
    const found: TransferRecord[] = [];
    const reader = new JsonlSource(this.file);
    for (let cursor: string | null = null; ;) {
      const page: Page = await reader.page(this.header!.collection, cursor, 1000);
      found.push(...page.records.filter((r) => r.namespace === namespace && wanted.has(r.id)));
      if (page.next === null) return found;
      cursor = page.next;
    }
  }
}
