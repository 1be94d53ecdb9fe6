import { ChromaHttpError } from './chroma-error';

/**
 * Chroma evaluates `$regex` with Rust's regex crate; Postgres has its own dialect (ARE). The common
 * syntax is shared; this rewrites the parts that differ so a pattern means the same thing:
 *  - flags: Rust's default (`.` excludes newline, ^ and $ anchor the whole text) is ARE's `p`
 *    option; `(?m)` makes it `n`, `(?s)` the default `s`, both `w`. `i` and `x` carry over.
 *  - `\b` `\B` are `\y` `\Y` in ARE (there `\b` is a backspace); `\z` is `\Z`.
 *  - `\p{..}`/`\P{..}` Unicode classes become the nearest POSIX class.
 *  - `(?P<name>` and `(?<name>` named groups become plain groups; `\x{h..}` becomes `\U` + 8 digits.
 *
 * What Rust refuses is refused here too, and that is also what bounds a pattern's cost: without
 * backreferences and look-around, ARE matches with its DFA, in time linear in the document, where
 * one backreference made a single pattern hold a Postgres backend (or the embedded process) for
 * minutes. A pattern's length is bounded for the same reason (its DFA grows with it).
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

/** Longer patterns are refused: a DFA's cost per character grows with the pattern. */
export const MAX_REGEX_LENGTH = 1024;
/** The most atoms a pattern may stand for once its counted repetitions are written out (`(a{9}){9}` is 81). */
export const MAX_REGEX_EXPANSION = 2048;

/**
 * How many atoms the ARE pattern stands for with every `{n,m}` written out: what its automaton's
 * size, and so the cost of each character it reads, grows with. `*`, `+` and `?` add nothing.
 */
function expandedSize(are: string): number {
  const sequences = [0];
  let last = 0;
  for (let i = 0; i < are.length; i++) {
    const c = are[i];
    if (c === '\\') {
      i++;
      last = 1;
    } else if (c === '[') {
      const close = /^\[\^?\]?(?:\[:[a-z]+:\]|[^\]])*\]/.exec(are.slice(i));
      i += close ? close[0].length - 1 : 0;
      last = 1;
    } else if (c === '(') {
      if (are[i + 1] === '?' && are[i + 2] === ':') i += 2;
      sequences.push(0);
      continue;
    } else if (c === ')') {
      last = sequences.length > 1 ? sequences.pop()! : 0;
    } else if (c === '{') {
      const count = /^\{(\d+)(?:,(\d*))?\}/.exec(are.slice(i));
      if (count) {
        const most = Math.max(Number(count[1]), Number(count[2] || 0));
        sequences[sequences.length - 1] += last * Math.max(0, most - 1);
        last *= Math.max(1, most);
        i += count[0].length - 1;
        continue;
      }
      last = 1;
    } else if (c === '*' || c === '+' || c === '?' || c === '|') {
      continue;
    } else {
      last = 1;
    }
    sequences[sequences.length - 1] += last;
  }
  return sequences.reduce((a, b) => a + b, 0);
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
  if (pattern.length > MAX_REGEX_LENGTH)
    throw invalid(`the pattern is ${pattern.length} characters long; at most ${MAX_REGEX_LENGTH} are allowed`);
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
        const cls = Object.hasOwn(CLASSES, name) ? CLASSES[name] : undefined;
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
      if (next >= '0' && next <= '9') throw invalid(`${rest.slice(i, i + 2)}: backreferences are not supported`);
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
    if (c === '(' && /^\(\?<?[=!]/.test(rest.slice(i, i + 4)))
      throw invalid('look-around, including look-ahead and look-behind, is not supported');
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
  const size = expandedSize(out);
  if (size > MAX_REGEX_EXPANSION)
    throw invalid(
      `the pattern's counted repetitions stand for ${size} atoms; at most ${MAX_REGEX_EXPANSION} are allowed`,
    );
  return `(?${areFlags(rust)})${out}`;
}
