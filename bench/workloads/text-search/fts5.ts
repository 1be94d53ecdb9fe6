/**
 * SQLite FTS5 beside the gateway: Debian's `sqlite3` shell (scripts/install-sqlite3.sh), one
 * long-lived process per client, fed statements on its standard input. A call writes its SQL and
 * then `.print` of a marker line, and is timed from the write to the marker's arrival: the
 * statement's whole run, its rows printed and read back through a pipe, as a client of a server
 * times a call (without the network and JSON a server adds). The shell's `.timer` prints real time
 * in whole milliseconds only, too coarse for the fastest queries here.
 *
 * The corpus is one FTS5 table, `docs(body, category UNINDEXED)`, with the default unicode61
 * tokenizer (no stemming, ASCII folded to lower case), rowid the document's number. A query asks
 * `bm25(docs)` (which is negative: lower is better) for the top 10, ties by rowid.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import type { TextCorpus } from './corpus';
import { ABSENT_WORD, type BenchQuery } from './queries';

const MARK = '@@vecgate-bench-end';

/** The installed shell's version line, or undefined when there is none. */
export function sqliteVersion(): string | undefined {
  try {
    return execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ');
  } catch {
    return undefined;
  }
}

/** One sqlite3 shell on one database file; calls run one at a time, in order. */
export class Fts5Shell {
  private readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private errors = '';
  private pending: { resolve: (lines: string[]) => void; reject: (err: Error) => void }[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private exited?: string;

  constructor(file: string) {
    this.child = spawn('sqlite3', ['-batch', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk));
    this.child.stderr.on('data', (chunk: string) => (this.errors += chunk));
    this.child.on('error', (err) => this.fail(`sqlite3: ${err.message}`));
    this.child.on('exit', (code, signal) => this.fail(`sqlite3 exited (${code ?? signal}) ${this.errors}`));
  }

  private fail(message: string): void {
    this.exited ??= message;
    for (const p of this.pending.splice(0)) p.reject(new Error(message));
  }

  private read(chunk: string): void {
    this.out += chunk;
    for (;;) {
      const at = this.out.indexOf(`${MARK}\n`);
      if (at < 0) return;
      const body = this.out.slice(0, at);
      this.out = this.out.slice(at + MARK.length + 1);
      const p = this.pending.shift();
      if (!p) continue;
      if (this.errors) {
        const message = this.errors.trim();
        this.errors = '';
        p.reject(new Error(`sqlite3: ${message}`));
      } else p.resolve(body === '' ? [] : body.replace(/\n$/, '').split('\n'));
    }
  }

  /** Runs `sql` (statements and dot-commands, each line ended) and returns the lines it printed. */
  run(sql: string): Promise<string[]> {
    const call = this.chain.then(
      () =>
        new Promise<string[]>((resolve, reject) => {
          if (this.exited) return reject(new Error(this.exited));
          this.pending.push({ resolve, reject });
          this.child.stdin.write(`${sql}\n.print ${MARK}\n`);
        }),
    );
    this.chain = call.catch(() => undefined);
    return call;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('.quit\n');
    await exited;
  }
}

/** Settings every shell starts with: a page cache of 128 MiB (PostgreSQL's default shared_buffers here). */
export const SHELL_SETUP = 'PRAGMA cache_size = -131072;';

export const CREATE_TABLE = 'CREATE VIRTUAL TABLE docs USING fts5(body, category UNINDEXED);';

/** One batch as one transaction of one multi-row INSERT (the corpus's text holds no quote). */
export function insertBatch(corpus: TextCorpus, start: number, size: number): string {
  const rows = corpus
    .batch(start, size)
    .map((d, k) => `(${start + k},'${d.body}','${d.category}')`)
    .join(',\n');
  return `BEGIN;\nINSERT INTO docs(rowid, body, category) VALUES\n${rows};\nCOMMIT;`;
}

/** A query's FTS5 MATCH expression: its terms joined by OR, or a phrase in double quotes. */
export function matchExpression(corpus: TextCorpus, q: BenchQuery): string {
  const words = q.terms.length ? q.terms.map((t) => corpus.words[t]) : [ABSENT_WORD];
  return q.phrase ? `"${words.join(' ')}"` : words.join(' OR ');
}

export function querySql(corpus: TextCorpus, q: BenchQuery, k: number): string {
  const filter = q.category >= 0 ? ` AND category = 'c${q.category}'` : '';
  return `SELECT rowid, bm25(docs) FROM docs WHERE docs MATCH '${matchExpression(corpus, q)}'${filter} ORDER BY bm25(docs), rowid LIMIT ${k};`;
}

/** A query's answer as document numbers and scores (bm25() negated: higher is better). */
export function parseRows(lines: string[]): { docs: number[]; scores: number[] } {
  const docs: number[] = [];
  const scores: number[] = [];
  for (const line of lines) {
    const [rowid, score] = line.split('|');
    docs.push(Number(rowid));
    scores.push(-Number(score));
  }
  return { docs, scores };
}
