/**
 * Request strings Postgres cannot store as sent are refused while the body is parsed, before any
 * work: a NUL character (text and jsonb cannot hold one) and a lone UTF-16 surrogate (which would
 * be stored as U+FFFD, so two different ids could become one). Throwing here makes the body
 * parser answer 400 in the protocol's own shape.
 */
export class UnstorableTextError extends Error {}

function check(text: string, what: string): void {
  if (text.includes('\u0000')) throw new UnstorableTextError(`${what} contains a NUL character (\\u0000), which cannot be stored`);
  if (!(text as any).isWellFormed()) throw new UnstorableTextError(`${what} contains a lone UTF-16 surrogate, which is not valid Unicode`);
}

export function storableTextReviver(key: string, value: unknown): unknown {
  if (key !== '') check(key, `the key ${JSON.stringify(key.slice(0, 40))}`);
  if (typeof value === 'string') check(value, key === '' ? 'a string' : `the value of ${JSON.stringify(key.slice(0, 40))}`);
  return value;
}
