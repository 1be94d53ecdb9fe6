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

/** One JSON object per line: ISO time, the level by name, the request id when there is one. */
export function createOperationsLogger(options: Pick<OperationsOptions, 'logLevel' | 'destination'>): Logger {
  return pino(
    {
      name: 'vecgate',
      level: options.logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
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
  const stack = stackFirst && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
  return { context, stack, extra: rest };
}

function looksLikeStack(value: unknown): boolean {
  return typeof value === 'string' && /\n\s+at /.test(value);
}

/**
 * Nest's own log lines (boot, module errors, the Database and Errors loggers) as pino lines, with
 * the request id of the request they were written for.
 */
@Injectable()
export class PinoNestLogger implements LoggerService {
  constructor(@Inject(OPERATIONS_LOGGER) private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
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

  private write(
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace',
    message: unknown,
    params: unknown[],
    stackFirst = false,
  ): void {
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
