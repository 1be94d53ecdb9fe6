import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { ImportOptions } from './import-options';

/** What an import URI names once checked against the settings: a real path, or a URL. */
export type ImportLocation = { kind: 'file'; path: string } | { kind: 'http'; url: string };

const OBJECT_STORES: Record<string, string> = { 's3:': 'Amazon S3', 'gs:': 'Google Cloud Storage' };

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * A `file://` path inside one of the roots: judged on the path as written first (a path outside is
 * refused before the file system is asked anything about it), then on its real path, so that a
 * symbolic link cannot lead out.
 */
export function checkedPath(path: string, roots: string[]): string {
  const lexical = resolve(path);
  if (!roots.some((root) => inside(resolve(root), lexical)))
    throw new ForbiddenError(`${path} is outside the directories this server imports from (VECGATE_IMPORT_ROOTS)`);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch {
    throw new InvalidArgumentError(`${path} does not exist or cannot be read`);
  }
  const realRoots = roots.map((root) => {
    try {
      return realpathSync(root);
    } catch {
      return resolve(root);
    }
  });
  if (!realRoots.some((root) => inside(root, real)))
    throw new ForbiddenError(`${path} leads outside the directories this server imports from (VECGATE_IMPORT_ROOTS)`);
  return real;
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
 * stores, other schemes, an http URL that is not one .parquet file, a path that cannot be
 * compared safely), 403 for what the operator's settings do not allow (every `file://` and
 * `http(s)://` URI by default).
 */
export function locate(uri: string, options: Pick<ImportOptions, 'roots' | 'urls'>): ImportLocation {
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
    if (!decodedPath(url).endsWith('.parquet'))
      throw new InvalidArgumentError(
        'An http(s):// URI must name one .parquet file (a directory cannot be listed over HTTP; file:// URIs can name one)',
      );
    return { kind: 'http', url: checked };
  }
  throw new InvalidArgumentError(
    `URI scheme ${url.protocol}// is not supported: vecgate imports from file:// and http(s):// URIs`,
  );
}
