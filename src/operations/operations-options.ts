import type { DestinationStream, Level } from 'pino';
import { ConfigError } from '../config/load-config';

/** How the operating surface behaves: logs, readiness and shutdown. */
export interface OperationsOptions {
  /** pino level, or `silent`. */
  logLevel: Level | 'silent';
  /** How long /readyz waits for the database before answering 503. */
  readyTimeoutMs: number;
  /** How long a SIGTERM waits for in-flight requests before cutting them. */
  shutdownTimeoutMs: number;
  /** Where log lines go; stdout unless a test captures them. */
  destination?: DestinationStream;
}

export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

function milliseconds(env: Env, name: string, fallback: number, max: number): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw new ConfigError(`${name} must be a number of milliseconds between 1 and ${max}, got "${env[name]}"`);
  return Number(raw);
}

/**
 * Read from the environment like the rest of the configuration, and as strictly: a typo in a
 * level fails the boot with a message instead of silently logging at the default.
 */
export function loadOperationsOptions(env: Env = process.env): OperationsOptions {
  const level = (env.LOG_LEVEL ?? '').trim().toLowerCase() || 'info';
  if (!(LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  return {
    logLevel: level as OperationsOptions['logLevel'],
    readyTimeoutMs: milliseconds(env, 'VECGATE_READY_TIMEOUT_MS', 2_000, 60_000),
    shutdownTimeoutMs: milliseconds(env, 'VECGATE_SHUTDOWN_TIMEOUT_MS', 10_000, 600_000),
  };
}
