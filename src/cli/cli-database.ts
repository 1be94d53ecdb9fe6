import type { LoggerService } from '@nestjs/common';
import { DataDirInUseError } from '../database/data-dir-lock';
import type { Database } from '../database/database';
import { NoDatabaseError } from '../database/embedded';

/**
 * What the commands share about the database they open: stdout is for each command's report (the
 * keys command's new key alone on its last line), so what they say about the database, and the
 * warnings of the layers below, go to stderr.
 */

const toStderr = (message: unknown) => console.error(String(message));

/** Warnings and errors to stderr as plain lines; the rest is not shown. */
export const STDERR_LOGGER: LoggerService = {
  log: () => undefined,
  error: toStderr,
  warn: toStderr,
  debug: () => undefined,
  verbose: () => undefined,
};

/** Says on stderr which database a command opened, so that a wrong one is seen before the report. */
export function sayOpened(db: Database): void {
  console.error(`Opened ${db.label}.`);
}

/**
 * The refusal of an embedded data directory that holds no database, with how to fix it.
 * `createFlag`: the option that creates one, for commands that may (vecgate import, keys create).
 */
export function noDatabaseAdvice(err: NoDatabaseError, createFlag?: string): string {
  const create = createFlag ? `, or pass ${createFlag} to create a new, empty database there` : '';
  return (
    `${err.message}. The commands use the gateway's database: DATABASE_URL (PostgreSQL), else the embedded one in ` +
    `VECGATE_DATA_DIR (./data by default, relative to the directory the command runs in). Set VECGATE_DATA_DIR ` +
    `to the gateway's data directory, or run the command where the gateway runs; if the gateway has never run, ` +
    `start it once (npm start)${create}.`
  );
}

/** An error of opening the database, in words for the command's user; undefined for any other. */
export function openingFailure(err: unknown, createFlag?: string): string | undefined {
  if (err instanceof NoDatabaseError) return noDatabaseAdvice(err, createFlag);
  if (err instanceof DataDirInUseError) return err.message;
  return undefined;
}
