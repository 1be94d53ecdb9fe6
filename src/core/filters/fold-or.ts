import type { FilterNode, MetadataKey, Scalar } from './filter-ast';

type TextMatch = Extract<FilterNode, { kind: 'textMatch' }>;
type DocumentContains = Extract<FilterNode, { kind: 'documentContains' }>;

/** What an `or` compiles from once folded: plain nodes, and substring matches grouped to test in one go. */
export interface FoldedOr {
  nodes: FilterNode[];
  /** Two or more text matches on one key: one LIKE over a list of patterns. */
  texts: { key: MetadataKey; matches: TextMatch[] }[];
  /** Two or more document substring searches: one LIKE over a list of patterns. */
  documents: DocumentContains[];
}

/**
 * Folds the children of an `or` (and of the `or`s among them) so that a long disjunction over one
 * key compiles to one expression with one list parameter, not one branch and parameters a value:
 * equalities, array memberships and `$in` lists on a key merge into `anyOf` lists (a long one is
 * one array parameter), and substring matches on a key (Qdrant's text_any) or on the document
 * into one pattern list. A key met once keeps its node as it was.
 */
export function foldOr(children: FilterNode[]): FoldedOr {
  const flat: FilterNode[] = [];
  const stack = [...children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'or') stack.push(...[...node.children].reverse());
    else flat.push(node);
  }
  const members = new Map<string, Extract<FilterNode, { kind: 'eq' | 'arrayContains' | 'anyOf' }>[]>();
  const texts = new Map<string, TextMatch[]>();
  const documents: DocumentContains[] = [];
  const nodes: FilterNode[] = [];
  for (const node of flat) {
    if (node.kind === 'eq' || node.kind === 'arrayContains' || node.kind === 'anyOf')
      push(members, JSON.stringify(node.key), node);
    else if (node.kind === 'textMatch' && !node.inArrays) push(texts, JSON.stringify(node.key), node);
    else if (node.kind === 'documentContains') documents.push(node);
    else nodes.push(node);
  }
  for (const group of members.values()) nodes.push(...(group.length === 1 ? group : mergeMembers(group)));
  const folded: FoldedOr = { nodes, texts: [], documents: documents.length > 1 ? documents : [] };
  if (documents.length === 1) nodes.push(documents[0]);
  for (const matches of texts.values()) {
    if (matches.length === 1) nodes.push(matches[0]);
    else folded.texts.push({ key: matches[0].key, matches });
  }
  return folded;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Membership tests on one key as few `anyOf` nodes: the values met both as the key's value and as
 * an element of it, those met as its value only, and (one node each) those met as an element only.
 */
function mergeMembers(group: Extract<FilterNode, { kind: 'eq' | 'arrayContains' | 'anyOf' }>[]): FilterNode[] {
  const key = group[0].key;
  // By JSON text: int 2 and float 2.0 are one value, as the tests compare them; "2" is another.
  const scalar = new Map<string, Scalar>();
  const element = new Map<string, Scalar>();
  for (const node of group) {
    const values = node.kind === 'anyOf' ? node.values : [node.value];
    const asValue = node.kind !== 'arrayContains';
    const asElement = node.kind === 'arrayContains' || (node.kind === 'anyOf' && node.inArrays);
    for (const v of values) {
      if (asValue) scalar.set(JSON.stringify(v), v);
      if (asElement) element.set(JSON.stringify(v), v);
    }
  }
  const both = [...scalar].filter(([k]) => element.has(k)).map(([, v]) => v);
  const valueOnly = [...scalar].filter(([k]) => !element.has(k)).map(([, v]) => v);
  const elementOnly = [...element].filter(([k]) => !scalar.has(k)).map(([, v]) => v);
  return [
    ...(both.length > 0 ? [{ kind: 'anyOf', key, values: both, inArrays: true } as const] : []),
    ...(valueOnly.length > 0 ? [{ kind: 'anyOf', key, values: valueOnly, inArrays: false } as const] : []),
    ...elementOnly.map((value) => ({ kind: 'arrayContains', key, value }) as const),
  ];
}
