import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlValue } from 'sql.js';

export type Row = Record<string, SqlValue>;

/**
 * Chroma's chroma.sqlite3, opened read-only in memory with SQLite compiled to WebAssembly (no
 * native module, and the file on disk is never written). Chroma keeps it in rollback-journal
 * mode; a journal left by a crash means the file holds half a transaction, so it is refused.
 */
export class ChromaSqlite {
  private constructor(private readonly db: Database) {}

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
    const SQL = await initSqlJs();
    return new ChromaSqlite(new SQL.Database(readFileSync(file)));
  }

  all(sql: string, params: SqlValue[] = []): Row[] {
    const stmt = this.db.prepare(sql);
    try {
      stmt.bind(params);
      const rows: Row[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  }

  hasTable(name: string): boolean {
    return this.all(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [name]).length > 0;
  }

  close(): void {
    this.db.close();
  }
}

/** Chroma's sequence numbers: integers, or 8 big-endian bytes in the oldest (0.4) files. */
export function seqId(value: SqlValue): number {
  if (value instanceof Uint8Array) {
    let n = 0;
    for (const byte of value) n = n * 256 + byte;
    return n;
  }
  return Number(value ?? -1);
}
