import { ChromaHttpError } from './chroma-error';

/**
 * Chroma evaluates `$regex` with Rust's regex crate; Postgres has its own dialect (ARE). The common
 * syntax is shared; this rewrites the parts that differ so a pattern means the same thing:
 *  - flags: Rust's default (`.` excludes newline, ^ and $ anchor the whole text) is ARE's `p`
 *    option; `(?m)` makes it `n`, `(?s)` the default `s`, both `w`. `i` and `x` carry over.
 *  - `\b` `\B` are `\y` `\Y` in ARE (there `\b` is a backspace); `\z` is `\Z`.
 *  - `\p{..}`/`\P{..}` Unicode classes become the nearest POSIX class.
 *  - `(?P<name>` and `(?<name>` named groups become plain groups; `\x{h..}` becomes `\U` + 8 digits.
 */
const CLASSES: Record<string, string> = {
  L: 'alpha',
  Letter: 'alpha',
  Alphabetic: 'alpha',
  Lu: 'upper',
  Uppercase: 'upper',
  Uppercase_Letter: 'upper',
  Ll: 'lower',
  Lowercase: 'lower',
  Lowercase_Letter: 'lower',
  N: 'digit',
  Nd: 'digit',
  Number: 'digit',
  Decimal_Number: 'digit',
  P: 'punct',
  Punctuation: 'punct',
  Z: 'space',
  White_Space: 'space',
  Alnum: 'alnum',
};

function invalid(detail: string): ChromaHttpError {
  return ChromaHttpError.invalidArgument(`Regex syntax errror: regex parse error:\n    ${detail}`);
}

function leadingFlags(pattern: string): { rust: string; rest: string } {
  const m = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  return m ? { rust: m[1], rest: pattern.slice(m[0].length) } : { rust: '', rest: pattern };
}

function areFlags(rust: string): string {
  for (const f of rust) if (!'imsxuU'.includes(f)) throw invalid(`unrecognized flag ${f}`);
  if (rust.includes('U')) throw invalid('the U (swap greed) flag is not supported');
  const multiLine = rust.includes('m');
  const dotAll = rust.includes('s');
  const mode = multiLine ? (dotAll ? 'w' : 'n') : dotAll ? 's' : 'p';
  return (rust.includes('i') ? 'i' : '') + (rust.includes('x') ? 'x' : '') + mode;
}

export function rustRegexToPostgres(pattern: string): string {
  const { rust, rest } = leadingFlags(pattern);
  let out = '';
  let inBracket = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) throw invalid('incomplete escape sequence');
      if ((next === 'p' || next === 'P') && rest[i + 2] === '{') {
        const end = rest.indexOf('}', i + 3);
        if (end < 0) throw invalid('unclosed Unicode class');
        const name = rest.slice(i + 3, end);
        const cls = CLASSES[name];
        if (!cls) throw invalid(`unsupported Unicode class \\${next}{${name}}`);
        const negated = next === 'P';
        if (inBracket) {
          if (negated) throw invalid(`negated Unicode class \\P{${name}} inside brackets is not supported`);
          out += `[:${cls}:]`;
        } else {
          out += negated ? `[^[:${cls}:]]` : `[[:${cls}:]]`;
        }
        i = end;
        continue;
      }
      if (next === 'x' && rest[i + 2] === '{') {
        const end = rest.indexOf('}', i + 3);
        const hex = end < 0 ? '' : rest.slice(i + 3, end);
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw invalid('invalid hexadecimal escape');
        out += `\\U${hex.padStart(8, '0')}`;
        i = end;
        continue;
      }
      if (!inBracket && next === 'b') out += '\\y';
      else if (!inBracket && next === 'B') out += '\\Y';
      else if (next === 'z') out += '\\Z';
      else out += c + next;
      i++;
      continue;
    }
    if (inBracket) {
      if (c === ']' && !/\[\^?$/.test(out)) inBracket = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inBracket = true;
      out += c;
      continue;
    }
    if (c === '(' && rest.startsWith('(?P<', i)) {
      i = rest.indexOf('>', i);
      if (i < 0) throw invalid('unclosed group name');
      out += '(';
      continue;
    }
    if (c === '(' && rest.startsWith('(?<', i) && rest[i + 3] !== '=' && rest[i + 3] !== '!') {
      i = rest.indexOf('>', i);
      if (i < 0) throw invalid('unclosed group name');
      out += '(';
      continue;
    }
    out += c;
  }
  return `(?${areFlags(rust)})${out}`;
}
