import { resolve } from 'node:path';

/**
 * Where a PostgreSQL URL points, as host:port/database, for a line a person reads: never the user's
 * password, nor any other parameter. A URL that cannot be read is named only as DATABASE_URL.
 */
export function postgresLabel(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
  const params = parsed.searchParams;
  // A socket directory comes as ?host=/var/run/postgresql with no host in the authority.
  const host = parsed.hostname || params.get('host') || 'localhost';
  const port = parsed.port || params.get('port') || '5432';
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  // libpq's default database is the user's name.
  const database = decode(parsed.pathname.replace(/^\//, '')) || decode(parsed.username) || 'postgres';
  return `PostgreSQL at ${host}:${port}/${database}`;
}

/** An embedded data directory as a person should find it: absolute, or memory://. */
export function embeddedLabel(dataDir: string): string {
  return dataDir.includes('://')
    ? `the in-memory embedded database (${dataDir})`
    : `the embedded database in ${resolve(dataDir)}`;
}
