import { SourceError } from '../transfer.model';

/**
 * One JSON call to a source's HTTP API; anything but a 2xx is a SourceError naming the call. The
 * answer is typed as the caller expects it, unchecked: callers check what they rely on.
 */
export async function requestJson<T>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    throw new SourceError(`${init.method ?? 'GET'} ${url}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new SourceError(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`);
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    throw new SourceError(`${init.method ?? 'GET'} ${url}: the answer is not JSON`);
  }
}
