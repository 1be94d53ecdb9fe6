/**
 * The one place the harness reads its command line. A workload declares its flags (a key such as
 * `efSearch` is the flag `--ef-search`) with their defaults, and `parseOptions` turns argv into a
 * typed object; every mistake stops the process with exit code 2 and the usage text, before
 * anything was started. `--smoke` (where declared) swaps in the flags' smoke defaults.
 */
export interface Flag<T> {
  /** The value's placeholder in the usage text (N, URL, LIST); absent for a switch. */
  arg?: string;
  help: string;
  /** The default, shown after the help unless the help speaks of it. */
  fallback?: string;
  parse(raw: string | undefined, smoke: boolean, fail: (message: string) => never, flag: string): T;
}

export type Spec = Record<string, Flag<unknown>>;
export type Options<S extends Spec> = { [K in keyof S]: S[K] extends Flag<infer T> ? T : never };

interface Range {
  min?: number;
  max?: number;
}

function integer(raw: string, flag: string, fail: (m: string) => never, { min = 0, max }: Range): number {
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max))
    fail(`${flag} must be an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}, got ${raw}`);
  return n;
}

/** A flag without a value. */
export const on = (help: string): Flag<boolean> => ({ help, parse: (raw) => raw !== undefined });

/** An integer; `smoke` is the default under --smoke. */
export const int = (help: string, fallback: number, range: Range & { smoke?: number } = {}): Flag<number> => ({
  arg: 'N',
  help,
  fallback: String(fallback),
  parse: (raw, smoke, fail, flag) =>
    raw === undefined ? (smoke ? (range.smoke ?? fallback) : fallback) : integer(raw, flag, fail, range),
});

/** An integer with no default. */
export const maybeInt = (help: string, range: Range = {}): Flag<number | undefined> => ({
  arg: 'N',
  help,
  parse: (raw, _smoke, fail, flag) => (raw === undefined ? undefined : integer(raw, flag, fail, range)),
});

/** A comma-separated list of integers. */
export const ints = (help: string, fallback: string, range: Range & { smoke?: string } = {}): Flag<number[]> => ({
  arg: 'LIST',
  help,
  fallback: fallback || undefined,
  parse: (raw, smoke, fail, flag) => {
    const list = (raw ?? (smoke ? (range.smoke ?? fallback) : fallback)).split(',').filter((s) => s.trim() !== '');
    if (list.length === 0 && fallback !== '') fail(`${flag} needs at least one value`);
    return list.map((s) => integer(s.trim(), flag, fail, range));
  },
});

/** A comma-separated list of words from `allowed`. */
export const words = <W extends string>(help: string, fallback: string, allowed: readonly W[]): Flag<W[]> => ({
  arg: 'LIST',
  help,
  parse: (raw, _smoke, fail, flag) => {
    const list = (raw ?? fallback).split(',').map((s) => s.trim());
    if (list.some((w) => !allowed.includes(w as W))) fail(`${flag} takes ${allowed.join(', ')}`);
    return list as W[];
  },
});

/** One word from `allowed`. */
export const choice = <W extends string>(help: string, fallback: W, allowed: readonly W[]): Flag<W> => ({
  arg: allowed.join('|'),
  help,
  fallback,
  parse: (raw, _smoke, fail, flag) => {
    if (raw !== undefined && !allowed.includes(raw as W)) fail(`${flag} is ${allowed.join(' or ')}, got ${raw}`);
    return (raw ?? fallback) as W;
  },
});

export const text = (help: string, arg = 'FILE'): Flag<string | undefined> => ({ arg, help, parse: (raw) => raw });

export const url = (help: string): Flag<string | undefined> => ({
  arg: 'URL',
  help,
  parse: (raw, _smoke, fail, flag) => {
    if (raw === undefined) return undefined;
    try {
      new URL(raw);
    } catch {
      fail(`${flag} must be a URL such as http://localhost:8000, got ${raw}`);
    }
    return raw;
  },
});

/** Flags several workloads take, with the same meaning everywhere. */
export const common = {
  vecgate: url('benchmark a running vecgate instead of starting dist/src/main.js'),
  chroma: url('benchmark a running Chroma (default: start the chroma-reference devDependency)'),
  noChroma: on('no Chroma column'),
  seed: int('data seed (default 42)', 42),
  json: text('also write every sample, setting and check as JSON'),
};

/** A workload as the entry point sees it: its flags, and what it does with them. */
export interface Workload<S extends Spec = Spec> {
  name: string;
  /** One line for the list of workloads. */
  about: string;
  flags: S;
  /** 'postgres': refuses to run without DATABASE_URL. */
  needs?: 'postgres';
  /** Lines after the flags in the usage text. */
  notes?: string;
  /** A rule between flags: the message when it is broken. */
  check?(o: Options<S>): string | undefined;
  /** Runs the workload; false (or a thrown error) makes the exit code 1. */
  run(o: Options<S>): Promise<boolean>;
}

export const workload = <S extends Spec>(w: Workload<S>): Workload<S> => w;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function usage(w: Workload): string {
  const rows = Object.entries(w.flags).map(([key, f]) => [
    `${flagName(key)}${f.arg ? ` ${f.arg}` : ''}`,
    f.fallback === undefined || f.help.includes('default') ? f.help : `${f.help} (default ${f.fallback})`,
  ]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(
    ([left, help]) => `  ${left.padEnd(width)}${help.replace(/\n/g, `\n${' '.repeat(width + 2)}`)}`,
  );
  const env = w.needs === 'postgres' ? 'DATABASE_URL=postgres://... ' : '';
  return [`usage: ${env}node dist/bench/run.js ${w.name} [options]`, ...lines, ...(w.notes ? [w.notes] : [])].join(
    '\n',
  );
}

/** The workload's options from argv (the arguments after its name); --help prints the usage and exits. */
export function parseOptions<S extends Spec>(w: Workload<S>, argv: string[]): Options<S> {
  const fail = (message: string): never => {
    console.error(`bench: ${message}\n${usage(w as unknown as Workload)}`);
    process.exit(2);
  };
  const byFlag = new Map(Object.entries(w.flags).map(([key, f]) => [flagName(key), { key, f }]));
  const given = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(usage(w as unknown as Workload));
      process.exit(0);
    }
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const known = byFlag.get(flag);
    if (!known) fail(`unknown argument ${argv[i]}`);
    const value = known!.f.arg ? (inline ?? argv[++i] ?? fail(`${flag} needs a value`)) : undefined;
    given.set(known!.key, known!.f.arg ? value : '');
  }
  const smoke = given.has('smoke');
  const o = Object.fromEntries(
    Object.entries(w.flags).map(([key, f]) => [key, f.parse(given.get(key), smoke, fail, flagName(key))]),
  ) as Options<S>;
  if (w.needs === 'postgres' && !process.env.DATABASE_URL)
    fail('DATABASE_URL is not set: this workload needs a real PostgreSQL with pgvector');
  const broken = w.check?.(o);
  if (broken) fail(broken);
  return o;
}
