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

/** A URL under one of the allowed prefixes: same origin, and the prefix's path or below it. */
export function checkedUrl(url: URL, prefixes: string[]): string {
  const allowed = prefixes.some((raw) => {
    const prefix = new URL(raw);
    if (prefix.origin !== url.origin) return false;
    const base = prefix.pathname;
    return base.endsWith('/')
      ? url.pathname.startsWith(base)
      : url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
  if (!allowed)
    throw new ForbiddenError(
      `${url.origin}${url.pathname} is not under a URL this server imports from (VECGATE_IMPORT_URLS)`,
    );
  return url.toString();
}

/**
 * Where an import URI leads, or why it is refused: 400 for what vecgate cannot read (object
 * stores, other schemes, an http URL that is not one .parquet file), 403 for what the operator's
 * settings do not allow (every `file://` and `http(s)://` URI by default).
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
    return { kind: 'file', path: checkedPath(fileURLToPath(url), options.roots) };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (options.urls.length === 0)
      throw new ForbiddenError(
        'Imports from http(s):// URIs are off on this server (an operator sets VECGATE_IMPORT_URLS)',
      );
    if (url.username || url.password) throw new InvalidArgumentError('An import URL must not carry credentials');
    const checked = checkedUrl(url, options.urls);
    if (!url.pathname.endsWith('.parquet'))
      throw new InvalidArgumentError(
        'An http(s):// URI must name one .parquet file (a directory cannot be listed over HTTP; file:// URIs can name one)',
      );
    return { kind: 'http', url: checked };
  }
  throw new InvalidArgumentError(
    `URI scheme ${url.protocol}// is not supported: vecgate imports from file:// and http(s):// URIs`,
  );
}
