/** What the workload scripts share around their own logic: flag parsing, messages, paths. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface FlagSpec {
  usage: string;
  /** Flags that take no value (`--smoke`). */
  switches: string[];
  /** Flags that take a value, as `--flag value` or `--flag=value`. */
  valued: string[];
}

/**
 * The flags given on the command line, read through typed getters. Every mistake stops the process
 * with exit code 2 and the usage text, before anything was started.
 */
export class Flags {
  private readonly given: Record<string, string | true> = {};

  constructor(
    argv: string[],
    private readonly spec: FlagSpec,
  ) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '--help' || arg === '-h') {
        console.log(spec.usage);
        process.exit(0);
      }
      const [flag, inline] = arg.split(/=(.*)/s, 2);
      if (spec.switches.includes(flag)) {
        this.given[flag] = true;
      } else if (spec.valued.includes(flag)) {
        const value = inline ?? argv[++i];
        if (value === undefined) this.fail(`${flag} needs a value`);
        this.given[flag] = value;
      } else {
        this.fail(`unknown argument ${arg}`);
      }
    }
  }

  has(flag: string): boolean {
    return this.given[flag] !== undefined;
  }

  string(flag: string): string | undefined {
    const raw = this.given[flag];
    return typeof raw === 'string' ? raw : undefined;
  }

  int(flag: string, fallback: number, min: number, max?: number): number {
    const raw = this.given[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      this.fail(
        `${flag} must be an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}, got ${String(raw)}`,
      );
    }
    return n;
  }

  url(flag: string): string | undefined {
    const raw = this.string(flag);
    if (raw === undefined) return undefined;
    try {
      new URL(raw);
    } catch {
      this.fail(`${flag} must be a URL such as http://localhost:8000, got ${raw}`);
    }
    return raw;
  }

  fail(message: string): never {
    console.error(`bench: ${message}\n${this.spec.usage}`);
    process.exit(2);
  }
}

export const progress = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The repository: dist/bench/x.js is two levels below it, bench/x.ts (ts-node) one. */
export function repoRoot(dir: string): string {
  for (const candidate of [resolve(dir, '..', '..'), resolve(dir, '..')]) {
    if (existsSync(resolve(candidate, 'package.json'))) return candidate;
  }
  return process.cwd();
}
