import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

// What a proxy or a client may hand us: bounded and free of anything a log parser or a header
// could trip over (spaces, quotes, newlines). Anything else is replaced, not trusted.
const ACCEPTED = /^[A-Za-z0-9._-]{1,128}$/;

/** The caller's request id when it is a safe token, else a fresh uuid. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTED.test(value) ? value : randomUUID();
}
