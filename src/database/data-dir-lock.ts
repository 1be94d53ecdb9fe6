import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** A data directory in use by another live process: the embedded database serves one process. */
export class DataDirInUseError extends Error {}

interface Owner {
  pid: number;
  host: string;
  token: string;
}

/** Lock files this process holds: a second open of one directory in one process is refused too. */
const heldHere = new Set<string>();

function readOwner(path: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string'
      ? (owner as Owner)
      : undefined;
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

/**
 * Takes the embedded data directory for this process, or throws DataDirInUseError. Two processes
 * on one PGlite directory each lost the other's acknowledged writes and left files that no longer
 * opened. The lock file names its owner; one left by a process that is gone (killed, crashed) is
 * taken over, so a directory a killed gateway left still opens. Returns the release.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, 'vecgate.lock');
  if (heldHere.has(path)) throw new DataDirInUseError(`the data directory ${dir} is already open in this process`);
  const mine: Owner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex') };
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
      throw new DataDirInUseError(
        `the data directory ${dir} is in use by process ${owner.pid} on ${owner.host}: an embedded database serves one process (run several gateways on PostgreSQL). If no such process runs, remove ${path}.`,
      );
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
  throw new DataDirInUseError(`could not take the data directory ${dir}: another process keeps taking it`);
}
