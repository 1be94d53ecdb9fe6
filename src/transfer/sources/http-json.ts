import { SourceError } from '../transfer.model';

/** A source's answer that was not a 2xx (its status), or not JSON (status null). */
export class AnswerError extends SourceError {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

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
  if (!res.ok) throw new AnswerError(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 300)}`, res.status);
  try {
    return (text ? JSON.parse(text) : null) as T;
  } catch {
    throw new AnswerError(`${init.method ?? 'GET'} ${url}: the answer is not JSON`, null);
  }
}
