import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** A data directory in use by another live process: the embedded database serves one process. */
export class DataDirInUseError extends Error {}

/**
 * The programs that open an embedded data directory, each named by its entry point: the lock file
 * records which one holds the directory, so that the refusal can say what to stop or wait for.
 */
export const DATA_DIR_USERS = ['gateway', 'vecgate import', 'vecgate export', 'keys'] as const;
export type DataDirUser = (typeof DATA_DIR_USERS)[number];

export interface Owner {
  pid: number;
  host: string;
  token: string;
  /** Absent in a lock file of an older vecgate, or of a caller that did not say. */
  program?: DataDirUser;
}

/** Lock files this process holds: a second open of one directory in one process is refused too. */
const heldHere = new Set<string>();

function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    if (typeof owner.pid !== 'number' || typeof owner.host !== 'string' || typeof owner.token !== 'string')
      return undefined;
    const program = DATA_DIR_USERS.find((p) => p === owner.program);
    return { pid: owner.pid, host: owner.host, token: owner.token, ...(program ? { program } : {}) };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const NAMES: Record<DataDirUser, string> = {
  gateway: 'the vecgate gateway',
  'vecgate import': '`vecgate import`',
  'vecgate export': '`vecgate export`',
  keys: 'the `keys` command',
};

const POSTGRES =
  'or run vecgate on PostgreSQL (DATABASE_URL), where gateways and the import, export and keys commands work side by side';

/**
 * Why `wanted` cannot open `dir`, and what to do: stop the gateway or wait for the command that
 * holds it. `wanted` undefined: a caller that did not say which program it is.
 */
export function inUseMessage(dir: string, owner: Owner, wanted?: DataDirUser): string {
  const abs = resolve(dir);
  const holder = owner.program ? ` (${NAMES[owner.program]})` : '';
  const head = `the data directory ${abs} is in use by process ${owner.pid} on ${owner.host}${holder}: an embedded database serves one process at a time.`;
  const remove = `If no such process runs, remove ${join(abs, 'vecgate.lock')}.`;
  const gatewayHolds = owner.program === 'gateway';
  const commandHolds = owner.program !== undefined && !gatewayHolds;
  let advice: string;
  if (wanted === 'gateway' || wanted === undefined) {
    advice = commandHolds
      ? `Wait for ${NAMES[owner.program!]} to finish (or stop it), then start the gateway again; ${POSTGRES}.`
      : 'Run several gateways on PostgreSQL (DATABASE_URL).';
  } else if (commandHolds) {
    advice = `Wait for ${NAMES[owner.program!]} to finish, then run this command again; ${POSTGRES}.`;
  } else if (gatewayHolds) {
    advice =
      `Stop the gateway (Ctrl-C where \`npm start\` runs, or kill ${owner.pid}), run this command, then start ` +
      `the gateway again; ${POSTGRES}.`;
  } else {
    advice =
      `Stop that process (a gateway: Ctrl-C where \`npm start\` runs, or kill ${owner.pid}) or let it finish, ` +
      `run this command, then start what you stopped again; ${POSTGRES}.`;
  }
  return `${head} ${advice} ${remove}`;
}

/**
 * Takes the embedded data directory for this process, or throws DataDirInUseError. Two processes
 * on one PGlite directory each lost the other's acknowledged writes and left files that no longer
 * opened. The lock file names its owner (pid, host, and which program); one left by a process that
 * is gone (killed, crashed) is taken over, so a directory a killed gateway left still opens.
 * Returns the release.
 */
export function lockDataDir(dir: string, program?: DataDirUser): () => void {
  const path = join(dir, 'vecgate.lock');
  if (heldHere.has(path))
    throw new DataDirInUseError(`the data directory ${resolve(dir)} is already open in this process`);
  const mine: Owner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    ...(program ? { program } : {}),
  };
  const text = JSON.stringify(mine);
  for (let attempt = 0; attempt < 5; attempt++) {
    const staged = `${path}.${mine.token}`;
    writeFileSync(staged, text);
    try {
      linkSync(staged, path); // atomic: fails when a lock file exists
      unlinkSync(staged);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        if (readOwner(path)?.token === mine.token) unlinkSync(path);
      };
    } catch (err) {
      unlinkSync(staged);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(path);
    // Our own pid in it is a previous run's (in a container the gateway is pid 1 each time).
    if (owner && (owner.host !== mine.host || (owner.pid !== mine.pid && alive(owner.pid))))
      throw new DataDirInUseError(inUseMessage(dir, owner, program));
    // Left by a process that is gone: moved aside atomically, and put back if what was moved turns
    // out to be a live owner's, taken over by a process starting at the same moment.
    const aside = `${path}.stale-${mine.token}`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readOwner(aside);
    if (moved && owner && moved.token !== owner.token) renameSync(aside, path);
    else unlinkSync(aside);
  }
  throw new DataDirInUseError(`could not take the data directory ${resolve(dir)}: another process keeps taking it`);
}
