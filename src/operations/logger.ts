import { Inject, Injectable, LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { OperationsOptions } from './operations-options';
import { currentRequest } from './request-context';

export const OPERATIONS_LOGGER = Symbol('OPERATIONS_LOGGER');

/** Buffered log lines are written at least this often, however quiet the process. */
const LOG_FLUSH_MS = 250;

/**
 * Standard output, buffered: a write per access-log line cost a measurable share of each request
 * (docs/hot-path.md). Lines go out in blocks of 4 KB, at least every LOG_FLUSH_MS; pino flushes
 * what is left when the process exits.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => {
    try {
      stream.flush();
    } catch {
      // a flush already in progress, or the stream is closing: the next tick or the exit writes it
    }
  }, LOG_FLUSH_MS).unref();
  return stream;
}

/** While a boot line is written late (BootLogBuffer), the time it happened; pino's clock otherwise. */
let replayedAt: number | undefined;

let isoSecond = Number.NaN;
let isoPrefix = '';

/** `new Date(ms).toISOString()`, its seconds reused: toISOString took ~1.3 us of each access-log line. */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const milli = ms - second * 1000;
  return `${isoPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** One JSON object per line: ISO time, the level by name, the request id when there is one. */
export function createOperationsLogger(options: Pick<OperationsOptions, 'logLevel' | 'destination'>): Logger {
  return pino(
    {
      name: 'vecgate',
      level: options.logLevel,
      timestamp: () => `,"time":"${isoTime(replayedAt ?? Date.now())}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? bufferedStdout(),
  );
}

// Nest's Logger passes its context as the last argument, and error()'s stack before it.
function splitParams(params: unknown[], stackFirst: boolean): { context?: string; stack?: string; extra: unknown[] } {
  const rest = [...params];
  const context =
    rest.length > 0 &&
    typeof rest[rest.length - 1] === 'string' &&
    !(stackFirst && rest.length === 1 && looksLikeStack(rest[0]))
      ? (rest.pop() as string)
      : undefined;
  // Nest's Logger passes an absent stack as undefined before its context: no `"extra":[null]`.
  if (stackFirst && rest.length > 0 && rest[0] === undefined) rest.shift();
  const stack = stackFirst && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
  return { context, stack, extra: rest };
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

/** Contexts of Nest's boot lines: each module loaded, each controller and route mapped. */
const NEST_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Method = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/**
 * Nest's lines while it builds the app, kept with the time each happened, then written by the
 * gateway's logger once it exists (Nest's own buffer kept no time: every boot line carried the
 * time it was flushed).
 */
export class BootLogBuffer implements LoggerService {
  private lines: { method: Method; at: number; message: unknown; params: unknown[] }[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.keep('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.keep('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.keep('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.keep('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.keep('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.keep('fatal', message, params);
  }

  private keep(method: Method, message: unknown, params: unknown[]): void {
    this.lines.push({ method, at: Date.now(), message, params });
  }

  /** Writes what was kept through `logger`, each line with the time it happened. */
  replayInto(logger: LoggerService): void {
    const lines = this.lines;
    this.lines = [];
    for (const { method, at, message, params } of lines) {
      replayedAt = at;
      try {
        logger[method]?.(message, ...params);
      } finally {
        replayedAt = undefined;
      }
    }
  }
}

/**
 * Nest's own log lines (boot, module errors, the Database and Errors loggers) as pino lines, with
 * the request id of the request they were written for.
 */
@Injectable()
export class PinoNestLogger implements LoggerService {
  constructor(@Inject(OPERATIONS_LOGGER) private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    // Nest's module and route lines (200 and more at each start) are for debugging.
    const context = params[params.length - 1];
    this.write(typeof context === 'string' && NEST_DETAIL.has(context) ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  private write(level: Level, message: unknown, params: unknown[], stackFirst = false): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, stack, extra } = splitParams(params, stackFirst);
    const fields: Record<string, unknown> = {};
    const requestId = currentRequest()?.requestId;
    if (requestId) fields.requestId = requestId;
    if (context) fields.context = context;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
      return;
    }
    if (stack) fields.stack = stack;
    if (extra.length > 0) fields.extra = extra;
    this.logger[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}
