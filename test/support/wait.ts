import { http } from './gateway';

/**
 * Polls `read` until `done` holds for what it returns, and resolves with that value. Tests wait on
 * the condition they need, never for a fixed time. The bound only makes a condition that never
 * comes fail with what was awaited and the last value seen, before jest's own timeout would.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  { timeoutMs = 100_000, everyMs = 25 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last seen: ${show(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

const CHROMA_DB = '/api/v2/tenants/default_tenant/databases/default_database';

/** Chroma's indexing_status of a collection of the default database, as a gateway answers it. */
export async function indexingStatus<T = Record<string, number>>(url: string, collectionId: string): Promise<T> {
  const res = await http(url, 'GET', `${CHROMA_DB}/collections/${collectionId}/indexing_status`);
  if (res.status !== 200) throw new Error(`indexing_status answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Resolves once every gateway (replica) reports the collection's indexes built. */
export async function waitIndexed(urls: string | string[], collectionId: string): Promise<void> {
  await until(
    `the indexes of collection ${collectionId}`,
    () => Promise.all([urls].flat().map((url) => indexingStatus(url, collectionId))),
    (all) => all.every((s) => s.op_indexing_progress === 1),
  );
}
