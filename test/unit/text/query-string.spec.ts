import { InvalidArgumentError } from '../../../src/core/errors';
import {
  MAX_QUERY_STRING_DEPTH,
  MAX_QUERY_STRING_NODES,
  parseQueryString,
  QueryStringError,
  type QsNode,
} from '../../../src/core/text/query-string';

type Term = Extract<QsNode, { kind: 'term' }>;
type Phrase = Extract<QsNode, { kind: 'phrase' }>;
type Bool = Extract<QsNode, { kind: 'bool' }>;

const term = (text: string, field: string | null = null, more: Partial<Term> = {}): Term => ({
  kind: 'term',
  field,
  text,
  boost: 1,
  fuzzy: null,
  ...more,
});
const phrase = (text: string, field: string | null = null, more: Partial<Phrase> = {}): Phrase => ({
  kind: 'phrase',
  field,
  text,
  slop: 0,
  prefix: false,
  boost: 1,
  ...more,
});
const bool = (clauses: Partial<Bool>): Bool => ({
  kind: 'bool',
  must: [],
  should: [],
  mustNot: [],
  boost: 1,
  ...clauses,
});

function errorOf(query: string): QueryStringError {
  try {
    parseQueryString(query);
  } catch (e) {
    if (e instanceof QueryStringError) return e;
    throw e;
  }
  throw new Error(`${JSON.stringify(query)} parsed`);
}

describe('parseQueryString: the documented examples', () => {
  it('body:(computers) is one term of the field', () => {
    expect(parseQueryString('body:(computers)')).toEqual({
      kind: 'term',
      field: 'body',
      text: 'computers',
      boost: 1,
      fuzzy: null,
    });
  });

  it('body:(machine learning) ORs its words', () => {
    expect(parseQueryString('body:(machine learning)')).toEqual({
      kind: 'bool',
      must: [],
      should: [
        { kind: 'term', field: 'body', text: 'machine', boost: 1, fuzzy: null },
        { kind: 'term', field: 'body', text: 'learning', boost: 1, fuzzy: null },
      ],
      mustNot: [],
      boost: 1,
    });
  });

  it('body:("machine learning") is a phrase', () => {
    expect(parseQueryString('body:("machine learning")')).toEqual({
      kind: 'phrase',
      field: 'body',
      text: 'machine learning',
      slop: 0,
      prefix: false,
      boost: 1,
    });
  });

  it('body:(classic AND ("masterpiece" OR timeless)) NOT body:boring', () => {
    expect(parseQueryString('body:(classic AND ("masterpiece" OR timeless)) NOT body:boring')).toEqual({
      kind: 'bool',
      must: [],
      should: [
        {
          kind: 'bool',
          must: [
            { kind: 'term', field: 'body', text: 'classic', boost: 1, fuzzy: null },
            {
              kind: 'bool',
              must: [],
              should: [
                { kind: 'phrase', field: 'body', text: 'masterpiece', slop: 0, prefix: false, boost: 1 },
                { kind: 'term', field: 'body', text: 'timeless', boost: 1, fuzzy: null },
              ],
              mustNot: [],
              boost: 1,
            },
          ],
          should: [],
          mustNot: [],
          boost: 1,
        },
      ],
      mustNot: [{ kind: 'term', field: 'body', text: 'boring', boost: 1, fuzzy: null }],
      boost: 1,
    });
  });

  it('body:(+database search) requires database', () => {
    expect(parseQueryString('body:(+database search)')).toEqual({
      kind: 'bool',
      must: [{ kind: 'term', field: 'body', text: 'database', boost: 1, fuzzy: null }],
      should: [{ kind: 'term', field: 'body', text: 'search', boost: 1, fuzzy: null }],
      mustNot: [],
      boost: 1,
    });
  });

  it('body:(database -deprecated) excludes deprecated', () => {
    expect(parseQueryString('body:(database -deprecated)')).toEqual({
      kind: 'bool',
      must: [],
      should: [{ kind: 'term', field: 'body', text: 'database', boost: 1, fuzzy: null }],
      mustNot: [{ kind: 'term', field: 'body', text: 'deprecated', boost: 1, fuzzy: null }],
      boost: 1,
    });
  });

  it('body:("fast search"~2) is a phrase with slop 2', () => {
    expect(parseQueryString('body:("fast search"~2)')).toEqual({
      kind: 'phrase',
      field: 'body',
      text: 'fast search',
      slop: 2,
      prefix: false,
      boost: 1,
    });
  });

  it('body:(machine^3 learning) boosts machine', () => {
    expect(parseQueryString('body:(machine^3 learning)')).toEqual({
      kind: 'bool',
      must: [],
      should: [
        { kind: 'term', field: 'body', text: 'machine', boost: 3, fuzzy: null },
        { kind: 'term', field: 'body', text: 'learning', boost: 1, fuzzy: null },
      ],
      mustNot: [],
      boost: 1,
    });
  });

  it('title:(quantum)^2 boosts the term the group collapses to', () => {
    expect(parseQueryString('title:(quantum)^2')).toEqual({
      kind: 'term',
      field: 'title',
      text: 'quantum',
      boost: 2,
      fuzzy: null,
    });
  });

  it('body:("james w"*) is a phrase prefix', () => {
    expect(parseQueryString('body:("james w"*)')).toEqual({
      kind: 'phrase',
      field: 'body',
      text: 'james w',
      slop: 0,
      prefix: true,
      boost: 1,
    });
  });

  it('title:(quantum) OR body:(quantum machine)', () => {
    expect(parseQueryString('title:(quantum) OR body:(quantum machine)')).toEqual({
      kind: 'bool',
      must: [],
      should: [
        { kind: 'term', field: 'title', text: 'quantum', boost: 1, fuzzy: null },
        {
          kind: 'bool',
          must: [],
          should: [
            { kind: 'term', field: 'body', text: 'quantum', boost: 1, fuzzy: null },
            { kind: 'term', field: 'body', text: 'machine', boost: 1, fuzzy: null },
          ],
          mustNot: [],
          boost: 1,
        },
      ],
      mustNot: [],
      boost: 1,
    });
  });

  it('* alone matches everything, surrounding whitespace allowed', () => {
    expect(parseQueryString('*')).toEqual({ kind: 'all' });
    expect(parseQueryString('  *\t\n')).toEqual({ kind: 'all' });
  });

  it('quantm~1 is a term with edit distance 1', () => {
    expect(parseQueryString('quantm~1')).toEqual({ kind: 'term', field: null, text: 'quantm', boost: 1, fuzzy: 1 });
  });
});

describe('parseQueryString: terms', () => {
  it('reads a bare word as a term without a field, its text neither lowercased nor stemmed', () => {
    expect(parseQueryString('Running')).toEqual(term('Running'));
    expect(parseQueryString('  café  ')).toEqual(term('café'));
  });

  it('keeps + and - inside a word (not at its start) as part of it', () => {
    expect(parseQueryString('state-of-the-art')).toEqual(term('state-of-the-art'));
    expect(parseQueryString('C++')).toEqual(term('C++'));
    expect(parseQueryString('a+b-c')).toEqual(term('a+b-c'));
  });

  it('undoes backslash escapes of syntax characters and spaces', () => {
    expect(parseQueryString('a\\:b')).toEqual(term('a:b'));
    expect(parseQueryString('\\(x\\)\\^2')).toEqual(term('(x)^2'));
    expect(parseQueryString('\\-5')).toEqual(term('-5'));
    expect(parseQueryString('\\*')).toEqual(term('*'));
    expect(parseQueryString('why\\?')).toEqual(term('why?'));
    expect(parseQueryString('a\\ b')).toEqual(term('a b'));
    expect(parseQueryString('back\\\\slash')).toEqual(term('back\\slash'));
    expect(parseQueryString('\\[1\\]\\{2\\}\\/\\"\\~\\!')).toEqual(term('[1]{2}/"~!'));
  });

  it('reads lowercase and/or/not, and escaped or longer keywords, as terms', () => {
    expect(parseQueryString('cats and dogs')).toEqual(bool({ should: [term('cats'), term('and'), term('dogs')] }));
    expect(parseQueryString('not')).toEqual(term('not'));
    expect(parseQueryString('\\AND')).toEqual(term('AND'));
    expect(parseQueryString('ANDROID ORACLE NOTE')).toEqual(
      bool({ should: [term('ANDROID'), term('ORACLE'), term('NOTE')] }),
    );
    // && and || are operators only as whole words, as AND and OR are.
    expect(parseQueryString('a&&b')).toEqual(term('a&&b'));
    expect(parseQueryString('&')).toEqual(term('&'));
    expect(parseQueryString('constructor __proto__')).toEqual(
      bool({ should: [term('constructor'), term('__proto__')] }),
    );
  });

  it("reads term~ as the length's edit distance (auto) and term~N for N from 0 to 2", () => {
    expect(parseQueryString('quantm~')).toEqual(term('quantm', null, { fuzzy: 'auto' }));
    expect(parseQueryString('body:(machine~ learning~)')).toEqual(
      bool({ should: [term('machine', 'body', { fuzzy: 'auto' }), term('learning', 'body', { fuzzy: 'auto' })] }),
    );
    expect(parseQueryString('quantm~0')).toEqual(term('quantm', null, { fuzzy: 0 }));
    expect(parseQueryString('quantm~2')).toEqual(term('quantm', null, { fuzzy: 2 }));
  });

  it('reads boosts as non-negative decimals, before or after the fuzziness', () => {
    expect(parseQueryString('a^2')).toEqual(term('a', null, { boost: 2 }));
    expect(parseQueryString('a^0.5')).toEqual(term('a', null, { boost: 0.5 }));
    expect(parseQueryString('a^0')).toEqual(term('a', null, { boost: 0 }));
    expect(parseQueryString('a^1.5~1')).toEqual(term('a', null, { boost: 1.5, fuzzy: 1 }));
    expect(parseQueryString('a~1^1.5')).toEqual(term('a', null, { boost: 1.5, fuzzy: 1 }));
  });
});

describe('parseQueryString: phrases', () => {
  it('keeps a phrase text raw, with \\" and \\\\ unescaped and other syntax literal', () => {
    expect(parseQueryString('"say \\"hi\\""')).toEqual(phrase('say "hi"'));
    expect(parseQueryString('"a\\\\b"')).toEqual(phrase('a\\b'));
    expect(parseQueryString('"what? (a:b) * [x] -y"')).toEqual(phrase('what? (a:b) * [x] -y'));
    expect(parseQueryString('" two  words "')).toEqual(phrase(' two  words '));
  });

  it('keeps a one-word phrase a phrase', () => {
    expect(parseQueryString('"word"')).toEqual(phrase('word'));
  });

  it('reads slop from 0 to 100, prefix and boost', () => {
    expect(parseQueryString('"a b"~0')).toEqual(phrase('a b', null, { slop: 0 }));
    expect(parseQueryString('"a b"~100')).toEqual(phrase('a b', null, { slop: 100 }));
    expect(parseQueryString('"a b"^2')).toEqual(phrase('a b', null, { boost: 2 }));
    expect(parseQueryString('"a b"~3^2')).toEqual(phrase('a b', null, { slop: 3, boost: 2 }));
    expect(parseQueryString('"a b"^2~3')).toEqual(phrase('a b', null, { slop: 3, boost: 2 }));
    expect(parseQueryString('"a b"*^0.5')).toEqual(phrase('a b', null, { prefix: true, boost: 0.5 }));
    expect(parseQueryString('"james  w"*')).toEqual(phrase('james  w', null, { prefix: true }));
  });

  it('reads a field-qualified phrase', () => {
    expect(parseQueryString('title:"a b"~1')).toEqual(phrase('a b', 'title', { slop: 1 }));
  });
});

describe('parseQueryString: fields', () => {
  it('qualifies a term or phrase', () => {
    expect(parseQueryString('title:word')).toEqual(term('word', 'title'));
    expect(parseQueryString('title:word~1^2')).toEqual(term('word', 'title', { fuzzy: 1, boost: 2 }));
  });

  it('accepts letters, digits, _, . and - in a field name, and escapes', () => {
    expect(parseQueryString('meta.tag-x_1:v')).toEqual(term('v', 'meta.tag-x_1'));
    expect(parseQueryString('_9:v')).toEqual(term('v', '_9'));
    expect(parseQueryString('my\\.field:v')).toEqual(term('v', 'my.field'));
    expect(parseQueryString('AND:v')).toEqual(term('v', 'AND'));
  });

  it('allows whitespace between the colon and the value', () => {
    expect(parseQueryString('title: word')).toEqual(term('word', 'title'));
  });

  it('applies a group field to every unqualified term and phrase inside, nested groups too', () => {
    expect(parseQueryString('body:(a "b c" (d -e))')).toEqual(
      bool({
        should: [
          term('a', 'body'),
          phrase('b c', 'body'),
          bool({ should: [term('d', 'body')], mustNot: [term('e', 'body')] }),
        ],
      }),
    );
  });

  it('lets a qualifier inside a qualified group override it', () => {
    expect(parseQueryString('body:(a title:b title:(c d))')).toEqual(
      bool({
        should: [term('a', 'body'), term('b', 'title'), bool({ should: [term('c', 'title'), term('d', 'title')] })],
      }),
    );
  });

  it('boosts a qualified group', () => {
    expect(parseQueryString('body:(a b)^1.5')).toEqual(
      bool({ should: [term('a', 'body'), term('b', 'body')], boost: 1.5 }),
    );
  });
});

describe('parseQueryString: operators', () => {
  it('ORs adjacent clauses', () => {
    expect(parseQueryString('a b c')).toEqual(bool({ should: [term('a'), term('b'), term('c')] }));
  });

  it.each(['a OR b', 'a || b', '(a)||(b)'])('reads %s as should clauses', (q) => {
    expect(parseQueryString(q)).toEqual(bool({ should: [term('a'), term('b')] }));
  });

  it.each(['a AND b', 'a && b', '(a)AND(b)', '(a)&&(b)'])('reads %s as must clauses', (q) => {
    expect(parseQueryString(q)).toEqual(bool({ must: [term('a'), term('b')] }));
  });

  it.each(['NOT a', '!a', '! a', '-a'])('reads %s as a bool of one mustNot clause', (q) => {
    expect(parseQueryString(q)).toEqual(bool({ mustNot: [term('a')] }));
  });

  it('keeps a lone must clause a bool, at the top and in a group', () => {
    expect(parseQueryString('+a')).toEqual(bool({ must: [term('a')] }));
    expect(parseQueryString('x (+a)')).toEqual(bool({ should: [term('x'), bool({ must: [term('a')] })] }));
  });

  it('reads a AND NOT b as must a, mustNot b', () => {
    expect(parseQueryString('a AND NOT b')).toEqual(bool({ must: [term('a')], mustNot: [term('b')] }));
    expect(parseQueryString('a && !b')).toEqual(bool({ must: [term('a')], mustNot: [term('b')] }));
    expect(parseQueryString('NOT b AND a')).toEqual(bool({ must: [term('a')], mustNot: [term('b')] }));
    expect(parseQueryString('a AND -b AND +c')).toEqual(bool({ must: [term('a'), term('c')], mustNot: [term('b')] }));
  });

  it('binds AND tighter than OR and than adjacency', () => {
    expect(parseQueryString('a OR b AND c')).toEqual(
      bool({ should: [term('a'), bool({ must: [term('b'), term('c')] })] }),
    );
    expect(parseQueryString('a AND b OR c')).toEqual(
      bool({ should: [bool({ must: [term('a'), term('b')] }), term('c')] }),
    );
    expect(parseQueryString('a b AND c d')).toEqual(
      bool({ should: [term('a'), bool({ must: [term('b'), term('c')] }), term('d')] }),
    );
  });

  it('reads NOT after a clause as a mustNot clause next to it', () => {
    expect(parseQueryString('a NOT b')).toEqual(bool({ should: [term('a')], mustNot: [term('b')] }));
    expect(parseQueryString('a OR NOT b')).toEqual(bool({ should: [term('a')], mustNot: [term('b')] }));
  });

  it('reads +x as must and -x as mustNot among should clauses', () => {
    expect(parseQueryString('+a -b c')).toEqual(bool({ must: [term('a')], should: [term('c')], mustNot: [term('b')] }));
    expect(parseQueryString('+"a b" -(c d)')).toEqual(
      bool({ must: [phrase('a b')], mustNot: [bool({ should: [term('c'), term('d')] })] }),
    );
    expect(parseQueryString('-title:x')).toEqual(bool({ mustNot: [term('x', 'title')] }));
  });
});

describe('parseQueryString: groups', () => {
  it('collapses a group of one should clause into it, multiplying the boosts', () => {
    expect(parseQueryString('(a)')).toEqual(term('a'));
    expect(parseQueryString('(((a)))')).toEqual(term('a'));
    expect(parseQueryString('(a^2)^3')).toEqual(term('a', null, { boost: 6 }));
    expect(parseQueryString('((a b)^2)^0.5')).toEqual(bool({ should: [term('a'), term('b')], boost: 1 }));
    expect(parseQueryString('("a b"~1^2)^2')).toEqual(phrase('a b', null, { slop: 1, boost: 4 }));
  });

  it('collapses a group around one AND chain into the chain', () => {
    expect(parseQueryString('(a AND b)^2')).toEqual(bool({ must: [term('a'), term('b')], boost: 2 }));
  });

  it('boosts a group of several clauses', () => {
    expect(parseQueryString('(a b)^2 c')).toEqual(
      bool({ should: [bool({ should: [term('a'), term('b')], boost: 2 }), term('c')] }),
    );
  });

  it(`nests groups ${MAX_QUERY_STRING_DEPTH} deep`, () => {
    const depth = MAX_QUERY_STRING_DEPTH;
    expect(parseQueryString('('.repeat(depth) + 'a b' + ')'.repeat(depth))).toEqual(
      bool({ should: [term('a'), term('b')] }),
    );
  });

  it(`holds ${MAX_QUERY_STRING_NODES} nodes`, () => {
    const terms = Array.from({ length: MAX_QUERY_STRING_NODES - 1 }, (_, i) => `t${i}`);
    const node = parseQueryString(terms.join(' ')) as Bool;
    expect(node.should).toHaveLength(MAX_QUERY_STRING_NODES - 1);
  });
});

describe('parseQueryString: refusals', () => {
  it('throws a QueryStringError, an InvalidArgumentError, that says where', () => {
    const e = errorOf('body:(machine learning');
    expect(e).toBeInstanceOf(QueryStringError);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.position).toBe(5);
    expect(e.message).toBe("Malformed query_string at position 5: the group opened here is never closed with ')'");
  });

  it.each([
    // empty
    ['', 0, /query_string is empty/],
    [' \t\n ', 0, /query_string is empty/],
    // wildcards and match-all
    ['auto*', 4, /wildcards are not supported; use a phrase prefix such as "james w"\*/],
    ['te*t', 2, /wildcards are not supported/],
    ['a^2*', 3, /wildcards are not supported/],
    ['a~*', 2, /wildcards are not supported/],
    ['*foo', 0, /wildcards are not supported/],
    ['?', 0, /wildcards are not supported/],
    ['te?t', 2, /wildcards are not supported/],
    ['a *', 2, /'\*' \(match all\) must be the whole query/],
    ['* a', 0, /'\*' \(match all\) must be the whole query/],
    ['(*)', 1, /must be the whole query/],
    ['-*', 1, /must be the whole query/],
    ['**', 0, /must be the whole query/],
    ['(a)*', 3, /'\*' cannot follow a group/],
    ['title:*', 6, /'title:\*' is not supported/],
    // unsupported syntax
    ['[a TO b]', 0, /range queries .* are not supported/],
    ['{a TO b}', 0, /range queries .* are not supported/],
    ['price:[1 TO 5]', 6, /range queries/],
    ['a]', 1, /range queries/],
    ['/ab+c/', 0, /regular expressions .* are not supported/],
    ['http://x', 5, /regular expressions/],
    // fields
    ['title:', 0, /expected a term, phrase or group after 'title:'/],
    ['(title:)', 1, /after 'title:'/],
    ['title: AND b', 0, /after 'title:'/],
    ['a:b:c', 0, /after 'a:'/],
    ['title:+a', 0, /after 'title:'/],
    [':a', 0, /':' must directly follow a field name/],
    ['a :b', 2, /':' must directly follow a field name/],
    ['"a":b', 3, /':' must directly follow/],
    ['.x:a', 0, /invalid field name ".x"/],
    ['a\\ b:c', 0, /invalid field name "a b"/],
    // phrases
    ['""', 0, /a phrase must not be empty/],
    ['a "  "', 2, /a phrase must not be empty/],
    ['a "b c', 2, /the quote opened here is never closed/],
    ['"a\\"', 0, /never closed/],
    ['"james"*', 7, /a phrase prefix needs at least two words/],
    ['" james "*', 9, /a phrase prefix needs at least two words/],
    ['"a b"~2*', 7, /cannot have both a slop \(~N\) and a prefix \(\*\)/],
    ['"a b"*~2', 5, /cannot have both/],
    ['"a b"~101', 5, /slop of "a b" must be an integer from 0 to 100, not '101'/],
    ['"a b"~1.5', 5, /slop .* not '1.5'/],
    ['"a b"~', 5, /slop .* not nothing/],
    ['"a b"~x', 5, /slop .* not 'x'/],
    ['"a b"**', 6, /'\*' is given twice/],
    // fuzziness and boosts
    ['quantm~3', 6, /fuzziness of quantm must be an integer from 0 to 2, not '3'/],
    ['quantm~1.5', 6, /fuzziness .* not '1.5'/],
    ['a~1~1', 3, /'~' is given twice/],
    ['a^', 1, /a boost must be a non-negative number such as 2 or 0.5, not ''/],
    ['a^-2', 1, /a boost must be a non-negative number/],
    ['a^2x', 1, /not '2x'/],
    ['a^1e3', 1, /not '1e3'/],
    ['a^.5', 1, /not '.5'/],
    ['a^2^3', 3, /a boost \(\^N\) is given twice/],
    ['a ^2', 2, /'\^' must directly follow a term, phrase or group/],
    ['^2', 0, /'\^' must directly follow/],
    ['a ~1', 2, /'~' must directly follow/],
    ['(a)~2', 3, /'~' cannot follow a group \(only a boost \^N can\)/],
    ['(a) ^2', 4, /'\^' must directly follow/],
    // groups
    ['(a', 0, /the group opened here is never closed with '\)'/],
    ['a (b (c)', 2, /never closed/],
    ['a)', 1, /unexpected '\)'/],
    [')', 0, /unexpected '\)'/],
    ['(a))', 3, /unexpected '\)'/],
    ['()', 0, /a group must not be empty/],
    ['a ( )', 2, /a group must not be empty/],
    // operators
    ['a AND', 2, /expected a clause after 'AND'/],
    ['a &&', 2, /expected a clause after '&&'/],
    ['a OR', 2, /expected a clause after 'OR'/],
    ['a ||', 2, /expected a clause after '\|\|'/],
    ['(a OR)', 3, /expected a clause after 'OR'/],
    ['a AND OR b', 2, /expected a clause after 'AND'/],
    ['a AND AND b', 2, /expected a clause after 'AND'/],
    ['AND a', 0, /'AND' must stand between two clauses/],
    ['OR a', 0, /'OR' must stand between two clauses/],
    ['(|| a)', 1, /'\|\|' must stand between two clauses/],
    ['NOT', 0, /'NOT' must be followed by a term, phrase or group/],
    ['a NOT', 2, /'NOT' must be followed by/],
    ['a !', 2, /'!' must be followed by/],
    ['NOT NOT a', 0, /'NOT' must be followed by/],
    ['NOT -a', 0, /'NOT' must be followed by/],
    ['(a NOT)', 3, /'NOT' must be followed by/],
    ['a -', 2, /'-' must be directly followed by a term, phrase or group/],
    ['- a', 0, /'-' must be directly followed/],
    ['+ a', 0, /'\+' must be directly followed/],
    ['--a', 0, /'-' must be directly followed/],
    ['+-a', 0, /'\+' must be directly followed/],
    ['-NOT a', 0, /'-' must be directly followed/],
    // escapes
    ['a\\', 1, /a backslash at the end of the query escapes nothing/],
  ])('refuses %j at position %i', (query, position, message) => {
    const e = errorOf(query);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(new RegExp(`^(Malformed query_string at position ${position}: )`));
    expect(e.position).toBe(position);
  });

  it(`refuses groups nested ${MAX_QUERY_STRING_DEPTH + 1} deep at the first group too deep`, () => {
    const depth = MAX_QUERY_STRING_DEPTH + 1;
    const e = errorOf('('.repeat(depth) + 'a' + ')'.repeat(depth));
    expect(e.position).toBe(MAX_QUERY_STRING_DEPTH);
    expect(e.message).toMatch(`groups are nested more than ${MAX_QUERY_STRING_DEPTH} deep`);
  });

  it('refuses nesting 200,000 deep without running out of stack', () => {
    const e = errorOf('('.repeat(200_000) + 'a' + ')'.repeat(200_000));
    expect(e.position).toBe(MAX_QUERY_STRING_DEPTH);
  });

  it(`refuses more than ${MAX_QUERY_STRING_NODES} nodes, counting bools too`, () => {
    // 1000 terms and the bool around them.
    const words = (n: number) => Array.from({ length: n }, () => 'a').join(' ');
    expect(errorOf(words(MAX_QUERY_STRING_NODES)).message).toMatch(
      `more than ${MAX_QUERY_STRING_NODES} terms, phrases and groups`,
    );
    // The 1001st term, at 2 characters a term.
    expect(errorOf(words(MAX_QUERY_STRING_NODES + 1)).position).toBe(2 * MAX_QUERY_STRING_NODES);
    // 333 groups of 2 terms and their AND bool are 999 nodes; with the top bool, 1000.
    const chains = (n: number) => Array.from({ length: n }, () => '(a AND b)').join(' ');
    expect(() => parseQueryString(chains(333))).not.toThrow();
    expect(errorOf(chains(334)).message).toMatch('more than');
  });

  it('refuses a hostile query long before a slow parser would finish', () => {
    const huge = 1_000_000;
    expect(errorOf('a '.repeat(huge)).position).toBe(2 * MAX_QUERY_STRING_NODES);
    expect(errorOf('"' + '\\a'.repeat(huge)).position).toBe(0);
    expect(errorOf('a'.repeat(huge) + '*').position).toBe(huge);
    expect(errorOf('-'.repeat(huge)).position).toBe(0);
    expect(errorOf('a\\'.repeat(huge)).position).toBe(2 * huge - 1);
  });
});
