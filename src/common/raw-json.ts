/**
 * JSON text spliced into a response as is. Postgres already prints a vector as a JSON array
 * (pgvector's text form), so a response that returns embeddings need not parse thousands of
 * numbers only to print them again (docs/hot-path.md).
 */
export class RawJson {
  /** `text` is ASCII (pgvector prints a vector in ASCII): serializeWithRaw copies it a byte per character. */
  constructor(readonly text: string) {}

  /** Inside serializeWithRaw a placeholder; anywhere else (a test, a log) the parsed value. */
  toJSON(): unknown {
    if (!collecting) return JSON.parse(this.text);
    collecting.push(this.text);
    return `\u0000${collecting.length - 1}\u0000`;
  }
}

// JSON.stringify is synchronous, so one module-level list cannot be shared by two responses.
let collecting: string[] | null = null;

const PLACEHOLDER = /"\\u0000(\d+)\\u0000"/g;

/**
 * The JSON of a value, with each RawJson's text in place of its placeholder. A placeholder is a
 * string of a NUL, digits and a NUL, which JSON prints as "\u0000…\u0000"; no stored text can
 * produce it, since NUL is refused in every string a request stores.
 *
 * Without RawJson (most answers) the JSON string. With it, the UTF-8 bytes, written piece by piece
 * into one buffer: replacing the placeholders in the string and then encoding it copied the large
 * texts twice more.
 */
export function serializeWithRaw(value: unknown): string | Buffer {
  const outer = collecting;
  collecting = [];
  try {
    const json = JSON.stringify(value);
    if (collecting.length === 0) return json;
    const texts = collecting;
    // Even pieces are JSON.stringify's (any text: UTF-8), odd ones RawJson texts (ASCII: copied as
    // latin1, without UTF-8's scan for multi-byte characters).
    const pieces: string[] = [];
    let last = 0;
    for (const match of json.matchAll(PLACEHOLDER)) {
      pieces.push(json.slice(last, match.index), texts[Number(match[1])]);
      last = match.index! + match[0].length;
    }
    pieces.push(json.slice(last));
    let size = 0;
    for (let i = 0; i < pieces.length; i++) size += i % 2 === 0 ? Buffer.byteLength(pieces[i]) : pieces[i].length;
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    for (let i = 0; i < pieces.length; i++)
      at += i % 2 === 0 ? bytes.write(pieces[i], at) : bytes.write(pieces[i], at, 'latin1');
    return bytes;
  } finally {
    collecting = outer;
  }
}
