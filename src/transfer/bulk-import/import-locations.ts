import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { ImportOptions } from './import-options';

/** What an import URI names once checked against the settings: a real path, or a URL. */
export type ImportLocation = { kind: 'file'; path: string } | { kind: 'http'; url: string };

const OBJECT_STORES: Record<string, string> = { 's3:': 'Amazon S3', 'gs:': 'Google Cloud Storage' };
/** Symbolic links followed in one path at most, as the kernel's ELOOP bound. */
const MAX_LINKS = 40;

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const outsideRoots = (path: string) =>
  new ForbiddenError(`${path} is outside the directories this server imports from (VECGATE_IMPORT_ROOTS)`);
/** One answer for every path that leads out, whether or not what it leads to exists: nothing outside is ever looked at. */
const leadsOutside = (path: string) =>
  new ForbiddenError(`${path} leads outside the directories this server imports from (VECGATE_IMPORT_ROOTS)`);
export const unreadable = (path: string) => new InvalidArgumentError(`${path} does not exist or cannot be read`);

interface Root {
  /** As configured, and its real path: a link's absolute target may name either. */
  given: string;
  real: string;
}

function rootsOf(roots: string[]): Root[] {
  return roots.map((root) => {
    const given = resolve(root);
    try {
      return { given, real: realpathSync(given) };
    } catch {
      return { given, real: given };
    }
  });
}

/** The root an absolute path lies in as written, and the path's components below it. */
function rootFor(path: string, roots: Root[]): { root: Root; rest: string[] } | undefined {
  for (const root of roots)
    for (const base of [root.given, root.real])
      if (inside(base, path)) return { root, rest: relative(base, path).split(sep).filter(Boolean) };
  return undefined;
}

/**
 * The real path of a `file://` path inside one of the roots. The path as written must be inside
 * one; then each component is looked at from that root's real path down, a symbolic link's target
 * followed only while it stays inside a root (an absolute target must name a path below a root, a
 * relative one must not climb above its root). Nothing outside the roots is looked at, so that a
 * link out answers alike whether or not its target exists. The result holds no symbolic link.
 */
export function checkedPath(path: string, roots: string[]): string {
  const lexical = resolve(path);
  const all = rootsOf(roots);
  let root = all.find((r) => inside(r.given, lexical));
  if (!root) throw outsideRoots(path);
  let at = root.real;
  const rest = relative(root.given, lexical).split(sep).filter(Boolean);
  let links = 0;
  while (rest.length > 0) {
    const name = rest.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      at = dirname(at);
      if (!inside(root.real, at)) throw leadsOutside(path);
      continue;
    }
    const next = join(at, name);
    let stat;
    try {
      stat = lstatSync(next);
    } catch {
      throw unreadable(path);
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new InvalidArgumentError(`${path}: too many symbolic links`);
      let target: string;
      try {
        target = readlinkSync(next);
      } catch {
        throw unreadable(path);
      }
      const parts = target.split('/').filter((p) => p !== '' && p !== '.');
      if (isAbsolute(target)) {
        // Written below a root (its '..' taken as written), the rest followed from there.
        const up = parts.indexOf('..');
        const below = rootFor(`/${(up < 0 ? parts : parts.slice(0, up)).join('/')}`, all);
        if (!below) throw leadsOutside(path);
        root = below.root;
        at = root.real;
        rest.unshift(...below.rest, ...(up < 0 ? [] : parts.slice(up)));
      } else rest.unshift(...parts);
      continue;
    }
    if (rest.length > 0 && !stat.isDirectory()) throw unreadable(path);
    at = next;
  }
  return at;
}

/**
 * The decoded path of a URL, or why it cannot be compared safely: what a server makes of
 * `..%2f`, `%5c`, `%252e` or `%00` is its own choice, so a path whose decoded segments hold a
 * slash, a backslash, a dot segment, an escape (a double encoding) or NUL is refused.
 */
export function decodedPath(url: URL): string {
  const segments = url.pathname.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw unsafePath(url, 'invalid percent-encoding');
    }
    if (decoded.includes('\0')) throw unsafePath(url, 'an encoded NUL (%00)');
    if (decoded.includes('/') || decoded.includes('\\'))
      throw unsafePath(url, 'an encoded slash or backslash (%2F, %5C)');
    if (decoded === '.' || decoded === '..') throw unsafePath(url, 'an encoded dot segment (%2E)');
    if (/%[0-9a-f]{2}/i.test(decoded)) throw unsafePath(url, 'a double encoding (%25 before two hex digits)');
    return decoded;
  });
  return segments.join('/');
}

const unsafePath = (url: URL, what: string) =>
  new InvalidArgumentError(
    `The path of ${url.protocol}//${url.host}${url.pathname} holds ${what}: an import URI must name its file plainly`,
  );

/** A URL under one of the allowed prefixes: same origin, and, decoded, the prefix's path or below it. */
export function checkedUrl(url: URL, prefixes: string[]): string {
  const path = decodedPath(url);
  const allowed = prefixes.some((raw) => {
    const prefix = new URL(raw);
    if (prefix.origin !== url.origin) return false;
    let base: string;
    try {
      base = decodedPath(prefix);
    } catch {
      return false;
    }
    return base.endsWith('/') ? path.startsWith(base) : path === base || path.startsWith(`${base}/`);
  });
  if (!allowed)
    throw new ForbiddenError(
      `${url.origin}${url.pathname} is not under a URL this server imports from (VECGATE_IMPORT_URLS)`,
    );
  return url.toString();
}

/**
 * Where an import URI leads, or why it is refused: 400 for what vecgate cannot read (object
 * stores, other schemes, an http URL that is not one file of the import's extension (.parquet,
 * or .jsonl for documents), a path that cannot be compared safely), 403 for what the operator's
 * settings do not allow (every `file://` and `http(s)://` URI by default).
 */
export function locate(
  uri: string,
  options: Pick<ImportOptions, 'roots' | 'urls'>,
  extension = '.parquet',
): ImportLocation {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidArgumentError(
      `uri must be an absolute URI such as file:///data/import or https://host/file.parquet`,
    );
  }
  if (OBJECT_STORES[url.protocol])
    throw new InvalidArgumentError(
      `${OBJECT_STORES[url.protocol]} (${url.protocol}//) is not supported: vecgate imports from file:// and http(s):// URIs`,
    );
  if (url.protocol === 'file:') {
    if (options.roots.length === 0)
      throw new ForbiddenError(
        'Imports from file:// URIs are off on this server (an operator sets VECGATE_IMPORT_ROOTS)',
      );
    if (url.host !== '' && url.host !== 'localhost')
      throw new InvalidArgumentError(`A file:// URI names a path on this server, not on ${url.host}`);
    decodedPath(url);
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch (err) {
      throw new InvalidArgumentError(`${uri} is not a path on this server: ${(err as Error).message}`);
    }
    return { kind: 'file', path: checkedPath(path, options.roots) };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (options.urls.length === 0)
      throw new ForbiddenError(
        'Imports from http(s):// URIs are off on this server (an operator sets VECGATE_IMPORT_URLS)',
      );
    if (url.username || url.password) throw new InvalidArgumentError('An import URL must not carry credentials');
    const checked = checkedUrl(url, options.urls);
    if (!decodedPath(url).endsWith(extension))
      throw new InvalidArgumentError(
        `An http(s):// URI must name one ${extension} file (a directory cannot be listed over HTTP; file:// URIs can name one)`,
      );
    return { kind: 'http', url: checked };
  }
  throw new InvalidArgumentError(
    `URI scheme ${url.protocol}// is not supported: vecgate imports from file:// and http(s):// URIs`,
  );
}
