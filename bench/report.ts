/** What the workloads print: progress on stderr, the machine, numbers and Markdown tables on stdout. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import type { Stats } from './stats';

export const progress = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Records `err` as the target's error (after `prefix`) and says so under `who`. */
export function failed(target: { error?: string }, who: string, err: unknown, prefix = ''): void {
  target.error = `${prefix}${errorMessage(err)}`;
  progress(`${who}: ERROR ${target.error}`);
}

export const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

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
    'load average at start': loadAverage(),
  };
}

/** `- key: value` lines. */
export const bullets = (info: Record<string, string>): string[] => Object.entries(info).map(([k, v]) => `- ${k}: ${v}`);

/** `key value, key value` (empty when there is nothing). */
export const details = (info: Record<string, string>): string =>
  Object.entries(info)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** Milliseconds with three significant digits or so; `digits` fixes the decimals instead. */
export function ms(x: number | undefined, digits?: number): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (digits !== undefined) return x.toFixed(digits);
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(x * 100).toFixed(1)}%`);

export const thousands = (n: number) => n.toLocaleString('en-US');

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

/** A Markdown table of text cells: the first `left` columns left-aligned, the others right-aligned. */
export function markdown(header: string[], body: string[][], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${widths.map((w, i) => (i < left ? (cells[i] ?? '').padEnd(w) : (cells[i] ?? '').padStart(w))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < left ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

export function writeJson(file: string | undefined, value: unknown): void {
  if (!file) return;
  writeFileSync(file, JSON.stringify(value, null, 2));
  progress(`wrote ${file}`);
}
