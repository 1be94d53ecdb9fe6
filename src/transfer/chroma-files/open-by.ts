import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export interface Holder {
  pid: number;
  /** Its command line, shortened, for a message. */
  command: string;
}

/**
 * The other processes that have `file` open, found through Linux's /proc/<pid>/fd: a running
 * Chroma keeps chroma.sqlite3 open for as long as it runs, and leaves nothing else behind that says
 * so (no -wal or -shm, since it keeps SQLite in rollback-journal mode, and a -journal only during a
 * write). A descriptor is matched by device and inode, not by path, so that a Chroma in a
 * container seeing the directory under another path is found too. Elsewhere than Linux, and for
 * processes of other users (whose descriptors only root may read), nothing is found.
 */
export function processesHolding(file: string): Holder[] {
  let target: { dev: number; ino: number };
  let pids: string[];
  try {
    target = statSync(file);
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return [];
  }
  const name = basename(file);
  const holders: Holder[] = [];
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    const holds = fds.some((fd) => {
      try {
        // The link's text first (cheap), the file behind it only for a name that matches.
        if (basename(readlinkSync(`/proc/${pid}/fd/${fd}`)) !== name) return false;
        const open = statSync(`/proc/${pid}/fd/${fd}`);
        return open.dev === target.dev && open.ino === target.ino;
      } catch {
        return false;
      }
    });
    if (holds) holders.push({ pid: Number(pid), command: commandOf(pid) });
  }
  return holders;
}

function commandOf(pid: string): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return words.length > 160 ? `${words.slice(0, 157)}...` : words;
  } catch {
    return '';
  }
}
