import { constants, existsSync, promises as fs, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { AsyncBuffer } from '../parquet-files';
import { DEFAULT_NAMESPACE_DIR } from '../parquet-format';
import { checkedPath, unreadable } from './import-locations';

// No following a link in the last component (the check found none there); no waiting on a FIFO.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** A file or directory inside the roots, opened once: what is read of it is read through `handle`. */
export interface OpenedPath {
  handle: FileHandle;
  /** Its real path, checked inside the roots. */
  real: string;
  stat: Stats;
}

const changed = (path: string) =>
  new InvalidArgumentError(`${path} changed while it was being opened: a path of an import must stay as it is`);

/**
 * Opens a path inside the roots (checkedPath), then makes sure that what was opened is what the
 * check found: the real path holds no link still, and names the very file the descriptor is open
 * on (device and inode). A path that changed between the check and the open (a directory swapped
 * for a link out) is refused, and every later read goes through the descriptor, never the name.
 */
export async function openInside(path: string, roots: string[]): Promise<OpenedPath> {
  const real = checkedPath(path, roots);
  let handle: FileHandle;
  try {
    handle = await fs.open(real, OPEN_FLAGS);
  } catch {
    throw unreadable(path);
  }
  try {
    const stat = await handle.stat();
    await sameAsChecked({ handle, real, stat }, path);
    return { handle, real, stat };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Whether `real` still names, through no link, what `opened` has open. */
async function sameAsChecked(opened: OpenedPath, path: string): Promise<void> {
  let now: Stats | undefined;
  try {
    now = realpathSync(opened.real) === opened.real ? statSync(opened.real) : undefined;
  } catch {
    now = undefined;
  }
  if (!now || now.dev !== opened.stat.dev || now.ino !== opened.stat.ino) throw changed(path);
}

/** The bytes of an opened file, read at offsets through its descriptor; `size` is its length when opened. */
export function handleBuffer(opened: OpenedPath, where: string): AsyncBuffer {
  const size = opened.stat.size;
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      if (!(start >= 0 && start <= end && end <= size))
        throw new Error(`${where}: bytes ${start} to ${end} were asked of a file of ${size} bytes`);
      const bytes = new Uint8Array(end - start);
      for (let done = 0; done < bytes.length;) {
        const { bytesRead } = await opened.handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) throw new Error(`${where} is shorter than when it was opened (${size} bytes)`);
        done += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

/**
 * The entries of an opened directory: on Linux through its descriptor (/proc/self/fd), so that
 * they are the entries of the directory that was checked whatever has been renamed since;
 * elsewhere by its real path, checked again after to be the directory opened.
 */
async function entriesOf(dir: OpenedPath, path: string): Promise<Dirent[]> {
  const byDescriptor = `/proc/self/fd/${dir.handle.fd}`;
  if (existsSync(byDescriptor)) return fs.readdir(byDescriptor, { withFileTypes: true });
  const entries = await fs.readdir(dir.real, { withFileTypes: true });
  await sameAsChecked(dir, path);
  return entries;
}

/** A file of an import (its real path) and the namespace its records go to. */
export interface ImportFile {
  namespace: string;
  path: string;
}

/**
 * What an entry of a listed directory is, a link followed as checkedPath follows it: a link that
 * leads out refuses the import (403), one that leads nowhere is ignored as other entries are.
 */
function kindOf(entry: Dirent, dir: string, roots: string[]): { kind: 'file' | 'directory'; real: string } | undefined {
  const path = join(dir, entry.name);
  if (entry.isFile()) return { kind: 'file', real: path };
  if (entry.isDirectory()) return { kind: 'directory', real: path };
  if (!entry.isSymbolicLink()) return undefined;
  let real: string;
  try {
    real = checkedPath(path, roots);
  } catch (err) {
    if (err instanceof ForbiddenError) throw err;
    return undefined;
  }
  const stat = statSync(real, { throwIfNoEntry: false });
  return stat?.isFile() ? { kind: 'file', real } : stat?.isDirectory() ? { kind: 'directory', real } : undefined;
}

/**
 * The files of Pinecone's import layout (parquet-format.ts) that a `file://` path names, in the
 * order they are read: one file, or a directory whose own files of the extension (`.parquet`, or
 * `.jsonl` for documents) belong to the default namespace and whose subdirectories are namespaces
 * (`__default__` the default one); other entries are ignored, as Pinecone ignores them. Each
 * directory is opened and checked as a file is (openInside) and listed through its descriptor.
 */
export async function listImportFiles(path: string, roots: string[], extension = '.parquet'): Promise<ImportFile[]> {
  const top = await openInside(path, roots);
  try {
    if (top.stat.isFile()) return [{ namespace: '', path: top.real }];
    if (!top.stat.isDirectory()) throw new InvalidArgumentError(`${path} is neither a file nor a directory`);
    const entries = (await entriesOf(top, path)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const found: ImportFile[] = [];
    const namespaces: { namespace: string; real: string }[] = [];
    for (const entry of entries) {
      const what = kindOf(entry, top.real, roots);
      if (what?.kind === 'file' && entry.name.endsWith(extension)) found.push({ namespace: '', path: what.real });
      if (what?.kind === 'directory')
        namespaces.push({ namespace: entry.name === DEFAULT_NAMESPACE_DIR ? '' : entry.name, real: what.real });
    }
    for (const { namespace, real } of namespaces) {
      const dir = await openInside(real, roots);
      try {
        const files = (await entriesOf(dir, real)).filter((e) => e.name.endsWith(extension));
        for (const entry of files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
          const what = kindOf(entry, dir.real, roots);
          if (what?.kind === 'file') found.push({ namespace, path: what.real });
        }
      } finally {
        await dir.handle.close();
      }
    }
    return found;
  } finally {
    await top.handle.close();
  }
}
