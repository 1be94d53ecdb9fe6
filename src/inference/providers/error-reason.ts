/** Characters of a provider's own words quoted in a message. */
export const QUOTED_CHARS = 200;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message of the usual error shapes: OpenAI's `error.message`, TEI's and Ollama's `error`, Cohere's `message`, FastAPI's `detail`. */
function messageOf(json: unknown): string | undefined {
  if (typeof json === 'string') return json;
  if (!isObject(json)) return undefined;
  for (const field of ['error', 'message', 'detail', 'error_description']) {
    const value = json[field];
    if (typeof value === 'string') return value;
    if (isObject(value) && typeof value.message === 'string') return value.message;
    if (Array.isArray(value) && isObject(value[0]) && typeof value[0].msg === 'string') return value[0].msg;
  }
  return undefined;
}

/** One of JSON's escapes that can hide a key: `\uXXXX`, an escaped backslash, slash or quote, a line break or a tab. */
const ESCAPE = /\\(u[0-9a-fA-F]{4}|[\\/"'nrt])/g;

/**
 * Undoes the escapes a JSON string or a quoted log line carries, twice escaped ones included, so
 * that an escaped key is seen as the key. Escaped whitespace becomes a space.
 */
function unescaped(text: string): string {
  let out = text;
  for (let pass = 0; pass < 3 && out.includes('\\'); pass++)
    out = out.replace(ESCAPE, (_, e: string) =>
      e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : 'nrt'.includes(e) ? ' ' : e,
    );
  return out;
}

/**
 * What a provider's error body says, fit to quote: its message when it is JSON of a known shape
 * (the whole text otherwise), unescaped, with every secret taken out (`redact`), on one line and
 * cut short. Secrets are taken out before the cut, so that no part of one is left at the end.
 */
export function reasonOf(body: string, redact: (text: string) => string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const said = redact(unescaped(messageOf(json) ?? body))
    .replace(/\s+/g, ' ')
    .trim();
  return said.length > QUOTED_CHARS ? `${said.slice(0, QUOTED_CHARS)}...` : said;
}
