import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlValue, Statement } from 'sql.js';
import { readBounded } from './bounded-read';

export type Row = Record<string, SqlValue>;

/**
 * sql.js holds the whole file in memory (the very buffer read, not a copy), and Node reads at most
 * 2 GiB - 1 bytes into one buffer: past that a file is refused before it is read.
 */
export const MAX_SQLITE_BYTES = 2 ** 31 - 1;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Chroma's chroma.sqlite3, opened read-only in memory with SQLite compiled to WebAssembly (no
 * native module, and the file on disk is never written). Chroma keeps it in rollback-journal
 * mode; a journal left by a crash means the file holds half a transaction, so it is refused.
 * The file may come from anyone: its size is bounded before it is read, SQLite checks its
 * structure before any query, and every error names it.
 */
export class ChromaSqlite {
  private constructor(
    private readonly db: Database,
    /** The file, for messages. */
    readonly file: string,
  ) {}

  static async open(dir: string): Promise<ChromaSqlite> {
    const file = join(dir, 'chroma.sqlite3');
    if (!existsSync(file)) throw new Error(`${dir}: no chroma.sqlite3, so not a Chroma data directory`);
    for (const side of ['-journal', '-wal']) {
      const path = file + side;
      if (existsSync(path) && statSync(path).size > 0)
        throw new Error(
          `${path} is not empty: Chroma stopped in the middle of a write. Open the directory once with ` +
            'the sqlite3 shell (it rolls the write back) and import again.',
        );
    }
    const bytes = readBounded(
      file,
      MAX_SQLITE_BYTES,
      (size) =>
        `${file}: ${size} bytes, more than the ${MAX_SQLITE_BYTES} bytes this reader holds in memory ` +
        '(sql.js reads the whole file)',
    );
    if (bytes.length < SQLITE_MAGIC.length || !bytes.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC))
      throw new Error(`${file}: not an SQLite database (no SQLite header)`);
    const SQL = await initSqlJs();
    const db = new SQL.Database(bytes);
    // One pass over every page (a few hundred ms for 300 MB): a damaged file is refused here,
    // not halfway through an import.
    let problems: string[];
    try {
      problems = db.exec('PRAGMA quick_check(3)')[0].values.map((row) => String(row[0]));
    } catch (err) {
      problems = [(err as Error).message];
    }
    if (problems.join() !== 'ok') {
      db.close();
      throw new Error(`${file}: SQLite finds it damaged: ${problems.join('; ').replace(/\s*\n\s*/g, ' ')}`);
    }
    return new ChromaSqlite(db, file);
  }

  all(sql: string, params: SqlValue[] = []): Row[] {
    const rows: Row[] = [];
    this.each(sql, params, (row) => {
      rows.push(row);
    });
    return rows;
  }

  /** Calls `visit` with each row in turn, without holding them all. */
  each(sql: string, params: SqlValue[], visit: (row: Row) => void): void {
    let stmt: Statement | undefined;
    try {
      stmt = this.db.prepare(sql);
      stmt.bind(params);
    } catch (err) {
      stmt?.free();
      throw this.named(err);
    }
    try {
      for (;;) {
        let row: Row;
        try {
          if (!stmt.step()) break;
          row = stmt.getAsObject();
        } catch (err) {
          throw this.named(err);
        }
        visit(row);
      }
    } finally {
      stmt.free();
    }
  }

  /** SQLite's own errors ("file is not a database", "database disk image is malformed") with the file's name. */
  private named(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    return new Error(message.startsWith(this.file) ? message : `${this.file}: ${message}`);
  }

  /**
   * Whether `name` is a table Chroma could have made: a view would run a query of the file's
   * choosing (a recursive one never ends), and a generated column an expression on every read.
   */
  hasTable(name: string): boolean {
    if (this.all(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [name]).length === 0) return false;
    const generated = this.all(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)`, [name]);
    if (generated.length)
      throw new Error(
        `${this.file}: table ${name} has a generated column (${String(generated[0].name)}); Chroma makes none`,
      );
    return true;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Chroma's sequence numbers: integers, or 8 big-endian bytes in the oldest (0.4) files.
 * `where` names the file and row for the error a value of any other kind gives.
 */
export function seqId(value: SqlValue, where = 'chroma.sqlite3'): number {
  if (value === null || value === undefined) return -1;
  if (value instanceof Uint8Array) {
    if (value.length > 8) throw new Error(`${where}: a seq_id of ${value.length} bytes (at most 8)`);
    let n = 0;
    for (const byte of value) n = n * 256 + byte;
    return n;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new Error(`${where}: a seq_id that is not an integer (${typeof value})`);
}
