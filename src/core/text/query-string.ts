import { InvalidArgumentError } from '../errors';

/**
 * A parser for the Lucene-style `query_string` subset of Pinecone's full-text search (API
 * 2026-07): terms, phrases (with slop or as a prefix), fields, boosts, fuzziness, AND/OR/NOT and
 * +/-, groups, and a lone `*`. It only reads the syntax: term and phrase texts stay raw (escapes
 * undone, nothing analyzed), for the consumer to lowercase, stem and compile to SQL. Wildcards,
 * ranges and regular expressions are refused by name. The lexer reads each character once and
 * the parser's recursion is bounded by the group depth, so hostile input costs linear time and a
 * bounded stack.
 */

/**
 * The parsed query. A `bool` matches when every `must` clause matches, no `mustNot` clause does,
 * and (when it has no `must`) at least one `should` does; one with only `mustNot` clauses is left
 * to the consumer. `fuzzy` is an edit distance (0..2), or `auto` for a bare `term~` (Pinecone's
 * rule: the distance follows the word's length); `slop` how far apart a phrase's words may be.
 */
export type QsNode =
  | { kind: 'term'; field: string | null; text: string; boost: number; fuzzy: number | 'auto' | null }
  | { kind: 'phrase'; field: string | null; text: string; slop: number; prefix: boolean; boost: number }
  | { kind: 'bool'; must: QsNode[]; should: QsNode[]; mustNot: QsNode[]; boost: number }
  | { kind: 'all' };

/** The most nodes (terms, phrases and bools) a parsed query may hold. */
export const MAX_QUERY_STRING_NODES = 1000;
/** The most groups `( .. )` that may nest in one another. */
export const MAX_QUERY_STRING_DEPTH = 32;

/** A query the parser refuses; `position` is the 0-based offset (a JS string index) of the offending character. */
export class QueryStringError extends InvalidArgumentError {
  constructor(
    readonly position: number,
    reason: string,
  ) {
    super(`Malformed query_string at position ${position}: ${reason}`);
  }
}

export function parseQueryString(query: string): QsNode {
  const lexer = new Lexer(query);
  const first = lexer.peek();
  if (!first) throw new QueryStringError(0, 'query_string is empty');
  if (first.type === '*') {
    lexer.next();
    if (!lexer.peek()) return { kind: 'all' };
    throw new QueryStringError(first.pos, "'*' (match all) must be the whole query");
  }
  return new Parser(lexer).parse();
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Token = { pos: number; /** no whitespace between this token and the previous one */ attached: boolean } & (
  | { type: 'word'; text: string }
  | { type: 'field'; name: string }
  | { type: 'phrase'; text: string }
  | { type: 'and' | 'or' | 'not'; spelling: string }
  /** `^N` and `~N`: `value` is the raw text after the sign, '' when none follows. */
  | { type: '^'; value: string }
  | { type: '~'; value: string }
  | { type: '(' | ')' | '+' | '-' | '*' }
);

const WILDCARDS = 'wildcards are not supported; use a phrase prefix such as "james w"*';
const RANGES = 'range queries ([a TO b], {a TO b}) are not supported';

/** Characters that end a word; `+` and `-` only start an operator, inside a word they are part of it. */
const SYNTAX = new Set('()":^~+-!\\[]{}/*?');
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// A Map rather than an object literal, whose prototype would make `constructor` a keyword.
const KEYWORDS = new Map<string, 'and' | 'or' | 'not'>([
  ['AND', 'and'],
  ['&&', 'and'],
  ['OR', 'or'],
  ['||', 'or'],
  ['NOT', 'not'],
]);

/** JavaScript's whitespace (\s), with a fast path for ASCII. */
const isSpace = (c: string) => (c <= ' ' ? c === ' ' || (c >= '\t' && c <= '\r') : c > '~' && /\s/.test(c));
/** A character a word may start with (a backslash escapes the next one). */
const startsWord = (c: string | undefined) => c !== undefined && (c === '\\' || (!isSpace(c) && !SYNTAX.has(c)));

/** Reads tokens on demand, so that a refusal early in a long query does not pay for the rest. */
class Lexer {
  private i = 0;
  private ahead: Token | undefined;
  private done = false;

  constructor(private readonly query: string) {}

  peek(): Token | undefined {
    if (!this.ahead && !this.done) {
      this.ahead = this.read();
      this.done = !this.ahead;
    }
    return this.ahead;
  }

  next(): Token {
    const t = this.peek();
    if (!t) throw new Error('read past the end of the query');
    this.ahead = undefined;
    return t;
  }

  private read(): Token | undefined {
    const query = this.query;
    const from = this.i;
    while (this.i < query.length && isSpace(query[this.i])) this.i++;
    if (this.i >= query.length) return undefined;
    const attached = this.i === from && from > 0;
    const pos = this.i;
    const c = query[pos];
    this.i++;
    switch (c) {
      case '(':
      case ')':
      case '+':
      case '-':
        return { type: c, pos, attached };
      case '!':
        return { type: 'not', spelling: '!', pos, attached };
      case '^':
      case '~': {
        // The value runs to the next space or syntax character, so that `^2x` is refused whole rather than read as `^2 x`.
        while (this.i < query.length && !isSpace(query[this.i]) && !SYNTAX.has(query[this.i])) this.i++;
        return { type: c, value: query.slice(pos + 1, this.i), pos, attached };
      }
      case '*':
        if (startsWord(query[this.i])) throw new QueryStringError(pos, WILDCARDS);
        return { type: '*', pos, attached };
      case '"':
        return { type: 'phrase', text: this.readPhrase(pos), pos, attached };
      case '?':
        throw new QueryStringError(pos, WILDCARDS);
      case '[':
      case ']':
      case '{':
      case '}':
        throw new QueryStringError(pos, RANGES);
      case '/':
        throw new QueryStringError(pos, 'regular expressions (/.../) are not supported');
      case ':':
        throw new QueryStringError(pos, "':' must directly follow a field name");
    }
    const { text, escaped } = this.readWord(pos);
    if (query[this.i] === ':') {
      this.i++;
      if (!FIELD_NAME.test(text)) throw new QueryStringError(pos, `invalid field name ${JSON.stringify(text)}`);
      return { type: 'field', name: text, pos, attached };
    }
    // An escaped keyword (`\AND`) is the word itself.
    const keyword = escaped ? undefined : KEYWORDS.get(text);
    return keyword ? { type: keyword, spelling: text, pos, attached } : { type: 'word', text, pos, attached };
  }

  /** Reads a word from `start`, undoing its escapes; the text is built from slices between escapes. */
  private readWord(start: number): { text: string; escaped: boolean } {
    const query = this.query;
    let text = '';
    let escaped = false;
    let from = start;
    let i = start;
    for (; i < query.length; i++) {
      const c = query[i];
      if (c === '\\') {
        if (i + 1 >= query.length) throw new QueryStringError(i, 'a backslash at the end of the query escapes nothing');
        text += query.slice(from, i) + query[i + 1];
        escaped = true;
        from = ++i + 1;
      } else if (c === '*' || c === '?') {
        throw new QueryStringError(i, WILDCARDS);
      } else if (isSpace(c) || (SYNTAX.has(c) && c !== '+' && c !== '-')) {
        break;
      }
    }
    this.i = i;
    return { text: text + query.slice(from, i), escaped };
  }

  /** Reads `"..."` from its opening quote at `start`; a backslash escapes the next character. */
  private readPhrase(start: number): string {
    const query = this.query;
    let text = '';
    let from = start + 1;
    for (let i = from; i < query.length; i++) {
      const c = query[i];
      if (c === '"') {
        text += query.slice(from, i);
        if (text.trim() === '') throw new QueryStringError(start, 'a phrase must not be empty');
        this.i = i + 1;
        return text;
      }
      if (c === '\\' && i + 1 < query.length) {
        text += query.slice(from, i) + query[i + 1];
        from = ++i + 1;
      }
    }
    throw new QueryStringError(start, 'the quote opened here is never closed');
  }
}

// ---------------------------------------------------------------------------------------------
// Parser: query := or; or := and ((OR | nothing) and)*; and := unary (AND unary)*;
// unary := (+ | - | NOT | !)? primary; primary := field? (word | phrase | '(' or ')') modifiers.

type Tilde = Extract<Token, { type: '~' }>;
type Occur = 'must' | 'should' | 'mustNot';
type Clause = { occur: Occur; node: QsNode };
type Bool = Extract<QsNode, { kind: 'bool' }>;

const spell = (t: Token) => (t.type === 'and' || t.type === 'or' || t.type === 'not' ? t.spelling : t.type);

class Parser {
  private nodes = 0;

  constructor(private readonly lexer: Lexer) {}

  parse(): QsNode {
    const clauses = this.parseOr(null, 0);
    const rest = this.peek();
    if (rest) throw new QueryStringError(rest.pos, `unexpected '${spell(rest)}'`);
    return this.group(clauses, 1, 0);
  }

  private peek(): Token | undefined {
    return this.lexer.peek();
  }

  private next(): Token {
    return this.lexer.next();
  }

  /** Counts a node the tree will hold; `pos` is where the node starts. */
  private count(pos: number): void {
    if (++this.nodes > MAX_QUERY_STRING_NODES) {
      throw new QueryStringError(pos, `the query has more than ${MAX_QUERY_STRING_NODES} terms, phrases and groups`);
    }
  }

  /** The clauses up to the end of the query or of the enclosing group; juxtaposed clauses are OR'ed. */
  private parseOr(field: string | null, depth: number): Clause[] {
    const clauses: Clause[] = [];
    for (let t = this.peek(); t && t.type !== ')'; t = this.peek()) {
      clauses.push(this.parseAnd(field, depth));
      const op = this.peek();
      if (op?.type === 'or') {
        this.next();
        this.expectOperand(op);
      }
    }
    return clauses;
  }

  /** Clauses joined by AND, which binds tighter than OR: they become one bool of must and mustNot clauses. */
  private parseAnd(field: string | null, depth: number): Clause {
    const pos = this.peek()!.pos;
    const first = this.parseUnary(field, depth);
    if (this.peek()?.type !== 'and') return first;
    const operands = [first];
    while (this.peek()?.type === 'and') {
      this.expectOperand(this.next());
      operands.push(this.parseUnary(field, depth));
    }
    const bool: Bool = { kind: 'bool', must: [], should: [], mustNot: [], boost: 1 };
    for (const { occur, node } of operands) (occur === 'mustNot' ? bool.mustNot : bool.must).push(node);
    this.count(pos);
    return { occur: 'should', node: bool };
  }

  /** Refuses an operator with nothing after it at the operator itself (`a AND`, `(a OR)`). */
  private expectOperand(op: Token): void {
    const t = this.peek();
    if (!t || t.type === ')' || t.type === 'and' || t.type === 'or') {
      throw new QueryStringError(op.pos, `expected a clause after '${spell(op)}'`);
    }
  }

  private parseUnary(field: string | null, depth: number): Clause {
    const t = this.peek()!;
    if (t.type !== '+' && t.type !== '-' && t.type !== 'not')
      return { occur: 'should', node: this.parsePrimary(field, depth) };
    this.next();
    const operand = this.peek();
    const starts = operand && ['word', 'field', 'phrase', '(', '*'].includes(operand.type);
    // `+` and `-` are prefixes (`-a`); a `-` standing alone is more likely a typo than a negation.
    if (!starts || (t.type !== 'not' && !operand.attached)) {
      const how = t.type === 'not' ? 'followed' : 'directly followed';
      throw new QueryStringError(t.pos, `'${spell(t)}' must be ${how} by a term, phrase or group`);
    }
    return { occur: t.type === '+' ? 'must' : 'mustNot', node: this.parsePrimary(field, depth) };
  }

  private parsePrimary(field: string | null, depth: number): QsNode {
    const t = this.next();
    switch (t.type) {
      case 'field': {
        const value = this.peek();
        if (value?.type === '*') throw new QueryStringError(value.pos, `'${t.name}:*' is not supported`);
        if (value?.type !== 'word' && value?.type !== 'phrase' && value?.type !== '(') {
          throw new QueryStringError(t.pos, `expected a term, phrase or group after '${t.name}:'`);
        }
        this.next();
        return this.parseValue(value, t.name, depth);
      }
      case 'word':
      case 'phrase':
      case '(':
        return this.parseValue(t, field, depth);
      case '*':
        throw new QueryStringError(t.pos, "'*' (match all) must be the whole query");
      case '^':
      case '~':
        throw new QueryStringError(t.pos, `'${t.type}' must directly follow a term, phrase or group`);
      case 'and':
      case 'or':
        throw new QueryStringError(t.pos, `'${t.spelling}' must stand between two clauses`);
      case ')':
      case '+':
      case '-':
      case 'not':
        // parseOr stops at ')' and parseUnary takes the prefixes; kept for completeness.
        throw new QueryStringError(t.pos, `unexpected '${spell(t)}'`);
    }
  }

  private parseValue(t: Token, field: string | null, depth: number): QsNode {
    if (t.type === '(') {
      if (depth >= MAX_QUERY_STRING_DEPTH) {
        throw new QueryStringError(t.pos, `groups are nested more than ${MAX_QUERY_STRING_DEPTH} deep`);
      }
      const clauses = this.parseOr(field, depth + 1);
      if (this.peek()?.type !== ')')
        throw new QueryStringError(t.pos, "the group opened here is never closed with ')'");
      if (clauses.length === 0) throw new QueryStringError(t.pos, 'a group must not be empty');
      this.next();
      const { boost } = this.modifiers(t);
      return this.group(clauses, boost, t.pos);
    }
    if (t.type === 'word') {
      const { boost, tilde } = this.modifiers(t);
      this.count(t.pos);
      return {
        kind: 'term',
        field,
        text: t.text,
        boost,
        fuzzy: tilde ? tildeValue(tilde, 2, 'fuzziness', t.text) : null,
      };
    }
    if (t.type === 'phrase') {
      const { boost, tilde, star } = this.modifiers(t);
      if (tilde && star) throw new QueryStringError(star.pos, 'a phrase cannot have both a slop (~N) and a prefix (*)');
      if (star && t.text.trim().split(/\s+/).length < 2) {
        throw new QueryStringError(star.pos, 'a phrase prefix needs at least two words');
      }
      const slop = tilde ? tildeValue(tilde, 100, 'slop', `"${t.text}"`) : 0;
      this.count(t.pos);
      return { kind: 'phrase', field, text: t.text, slop, prefix: star !== undefined, boost };
    }
    throw new Error(`parseValue called on '${t.type}'`);
  }

  /** The `^N`, `~N` and `*` directly after a term, phrase or group (`of`), each at most once. */
  private modifiers(of: Token): { boost: number; tilde?: Tilde; star?: Token } {
    let boost: number | undefined;
    let tilde: Tilde | undefined;
    let star: Token | undefined;
    for (let m = this.peek(); m?.attached && (m.type === '^' || m.type === '~' || m.type === '*'); m = this.peek()) {
      this.next();
      if (m.type === '^') {
        if (boost !== undefined) throw new QueryStringError(m.pos, 'a boost (^N) is given twice');
        if (!/^\d+(\.\d+)?$/.test(m.value)) {
          throw new QueryStringError(m.pos, `a boost must be a non-negative number such as 2 or 0.5, not '${m.value}'`);
        }
        boost = Number(m.value);
      } else if (of.type === '(') {
        throw new QueryStringError(m.pos, `'${m.type}' cannot follow a group (only a boost ^N can)`);
      } else if (m.type === '*' && of.type === 'word') {
        throw new QueryStringError(m.pos, WILDCARDS);
      } else if (m.type === '~') {
        if (tilde) throw new QueryStringError(m.pos, "'~' is given twice");
        tilde = m;
      } else {
        if (star) throw new QueryStringError(m.pos, "'*' is given twice");
        star = m;
      }
    }
    return { boost: boost ?? 1, tilde, star };
  }

  /**
   * A group's (or the whole query's) clauses as one node. A lone SHOULD clause stands for the
   * group itself, so `field:(word)^2` is the term with boost 2 rather than a bool around it.
   */
  private group(clauses: Clause[], boost: number, pos: number): QsNode {
    if (clauses.length === 1 && clauses[0].occur === 'should') {
      const node = clauses[0].node;
      return node.kind === 'all' ? node : { ...node, boost: node.boost * boost };
    }
    const bool: Bool = { kind: 'bool', must: [], should: [], mustNot: [], boost };
    for (const { occur, node } of clauses) bool[occur].push(node);
    this.count(pos);
    return bool;
  }
}

/**
 * `~N`'s N as an integer from 0 to `max`. A bare `~` is no slop at all, and fuzziness `auto`:
 * Pinecone's `term~` picks the distance from the term's length, where Lucene's is always 2.
 */
function tildeValue(tilde: Tilde, max: number, what: 'fuzziness', of: string): number | 'auto';
function tildeValue(tilde: Tilde, max: number, what: 'slop', of: string): number;
function tildeValue(tilde: Tilde, max: number, what: 'fuzziness' | 'slop', of: string): number | 'auto' {
  if (tilde.value === '' && what === 'fuzziness') return 'auto';
  if (!/^\d+$/.test(tilde.value) || Number(tilde.value) > max) {
    const got = tilde.value === '' ? 'nothing' : `'${tilde.value}'`;
    throw new QueryStringError(tilde.pos, `the ${what} of ${of} must be an integer from 0 to ${max}, not ${got}`);
  }
  return Number(tilde.value);
}
