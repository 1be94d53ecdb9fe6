/**
 * JSON text spliced into a response as is. Postgres already prints a vector as a JSON array
 * (pgvector's text form), so a response that returns embeddings need not parse thousands of
 * numbers only to print them again (measured: most of the time of a get with embeddings).
 */
export class RawJson {
  constructor(readonly text: string) {}

  /** Inside stringifyWithRaw a placeholder; anywhere else (a test, a log) the parsed value. */
  toJSON(): unknown {
    if (!collecting) return JSON.parse(this.text);
    collecting.push(this.text);
    return `\u0000${collecting.length - 1}\u0000`;
  }
}

// JSON.stringify is synchronous, so one module-level list cannot be shared by two responses.
let collecting: string[] | null = null;

/**
 * JSON.stringify, with each RawJson's text in place of its placeholder. A placeholder is a string of
 * a NUL, digits and a NUL, which JSON prints as "\u0000…\u0000"; no stored text can produce it,
 * since NUL is refused in every string a request stores.
 */
export function stringifyWithRaw(value: unknown): string {
  const outer = collecting;
  collecting = [];
  try {
    const json = JSON.stringify(value);
    if (collecting.length === 0) return json;
    const texts = collecting;
    return json.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => texts[Number(i)]);
  } finally {
    collecting = outer;
  }
}
