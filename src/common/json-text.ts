/**
 * Request strings Postgres cannot store as sent are refused while the body is parsed, before any
 * work: a NUL character (text and jsonb cannot hold one) and a lone UTF-16 surrogate (which would
 * be stored as U+FFFD, so two different ids could become one). Raw NULs and surrogates cannot
 * appear in valid JSON text, so only `\u` escapes need looking at, and most bodies have none:
 * the check is a scan of the raw body, not a visit of every parsed value.
 */
export class UnstorableTextError extends Error {
  readonly status = 400;
  readonly type = 'entity.parse.failed';
}

// An escape is real when preceded by an even number of backslashes.
const ESCAPE = /(?<!\\)((?:\\\\)*)\\u([0-9a-fA-F]{4})/g;

export function checkStorableJsonText(text: string): void {
  if (!text.includes('\\u')) return;
  let pendingHigh = -1;
  for (const match of text.matchAll(ESCAPE)) {
    const code = parseInt(match[2], 16);
    const at = match.index! + match[1].length;
    if (pendingHigh >= 0 && at !== pendingHigh)
      throw new UnstorableTextError('a string contains a lone UTF-16 surrogate, which is not valid Unicode');
    if (code === 0)
      throw new UnstorableTextError('a string contains a NUL character (\\u0000), which cannot be stored');
    if (code >= 0xd800 && code <= 0xdbff) {
      if (pendingHigh >= 0)
        throw new UnstorableTextError('a string contains a lone UTF-16 surrogate, which is not valid Unicode');
      pendingHigh = at + 6; // a low surrogate must follow at once
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      if (pendingHigh !== at)
        throw new UnstorableTextError('a string contains a lone UTF-16 surrogate, which is not valid Unicode');
      pendingHigh = -1;
    } else {
      pendingHigh = -1;
    }
  }
  if (pendingHigh >= 0)
    throw new UnstorableTextError('a string contains a lone UTF-16 surrogate, which is not valid Unicode');
}

/** A body that is not JSON text (or not an object or array at its top): the renderers answer 400. */
export class MalformedJsonError extends Error {
  readonly status = 400;
  readonly type = 'entity.parse.failed';
}

/**
 * A request body as every route reads it, whatever its content type: JSON whose top is an object
 * or an array (as Express's strict JSON parser had it), {} when empty, refused when a string in
 * it cannot be stored.
 */
export function parseJsonBody(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[')
    throw new MalformedJsonError(`Unexpected token '${first}': the body must be a JSON object or array`);
  checkStorableJsonText(text);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MalformedJsonError((err as Error).message);
  }
}

/** NDJSON (one JSON object a line, blank lines skipped) as an array of its values, checked as JSON bodies are. */
export function parseNdjsonBody(text: string): unknown[] {
  const values: unknown[] = [];
  text.split('\n').forEach((line, at) => {
    if (line.trim() === '') return;
    if (!/^\s*\{/.test(line)) throw new MalformedJsonError(`Line ${at + 1}: each line must be a JSON object`);
    checkStorableJsonText(line);
    try {
      values.push(JSON.parse(line));
    } catch (err) {
      throw new MalformedJsonError(`Line ${at + 1}: ${(err as Error).message}`);
    }
  });
  return values;
}
