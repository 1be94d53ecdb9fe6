/** The machine description and the tables. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import type { Stats } from './stats';

export function machineInfo(): Record<string, string> {
  let cpu = cpus()[0]?.model ?? '?';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    cpu,
    cores: String(cpus().length),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    node: process.version,
    'load average at start': loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

export function ms(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '-';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export interface Row {
  operation: string;
  vecgate?: Stats | string;
  chroma?: Stats | string;
  /** The reference column under another name (see `table`'s referenceName); wins over `chroma`. */
  reference?: Stats | string;
}

function cell(s: Stats | string | undefined, field: 'median' | 'p95'): string {
  if (s === undefined) return '-';
  if (typeof s === 'string') return field === 'median' ? s : '';
  return ms(s[field]);
}

/** The ratio of two medians, as `times` prints it. */
export function ratio(v: Stats | string | undefined, c: Stats | string | undefined): string {
  if (typeof v !== 'object' || typeof c !== 'object') return '-';
  return times(v.median, c.median);
}

/**
 * A Markdown table: operation | vecgate median/p95 | reference median/p95 | ratio of the medians.
 * The reference column is called `referenceName` (Chroma unless told otherwise).
 */
export function table(rows: Row[], referenceName = 'chroma'): string {
  const ref = referenceName;
  const header = [
    'operation',
    'vecgate median ms',
    'vecgate p95 ms',
    `${ref} median ms`,
    `${ref} p95 ms`,
    `ratio (vecgate/${ref})`,
  ];
  const body = rows.map((r) => {
    const other = r.reference ?? r.chroma;
    return [
      r.operation,
      cell(r.vecgate, 'median'),
      cell(r.vecgate, 'p95'),
      cell(other, 'median'),
      cell(other, 'p95'),
      ratio(r.vecgate, other),
    ];
  });
  return markdown(header, body);
}

/** A Markdown table of text cells: the first column left-aligned, the others right-aligned. */
export function markdown(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${widths.map((w, i) => (i === 0 ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** `median (p95)` in milliseconds, or the text given instead (an error, a reason). */
export function medianP95(s: Stats | string | undefined): string {
  if (s === undefined) return '-';
  if (typeof s === 'string') return s;
  return `${ms(s.median)} (${ms(s.p95)})`;
}

/** a / b as `1.23x`, or '-' when either is missing or b is not positive. */
export function times(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || !(b > 0)) return '-';
  return `${(a / b).toFixed(2)}x`;
}
