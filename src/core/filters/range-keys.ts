import type { FilterNode } from './filter-ast';

/**
 * The keys of the nodes `pick` takes, each as a path (a top-level key is a path of one), without
 * repeats, found through `and`, `or` and, with `throughNegations`, `not` and `atLeast`.
 */
function keysOf(node: FilterNode, pick: (n: FilterNode) => boolean, throughNegations: boolean): string[][] {
  const found = new Map<string, string[]>();
  const visit = (n: FilterNode): void => {
    if (n.kind === 'and' || n.kind === 'or' || (throughNegations && n.kind === 'atLeast')) n.children.forEach(visit);
    else if (throughNegations && n.kind === 'not') visit(n.child);
    else if ('key' in n && pick(n)) {
      const path = Array.isArray(n.key) ? n.key : [n.key];
      found.set(JSON.stringify(path), path);
    }
  };
  visit(node);
  return [...found.values()];
}

/**
 * The metadata keys a filter compares with numbers ($gt, $gte, $lt, $lte): the keys a range index
 * could serve. String ranges are left out (they compare in byte order, which a jsonb index does not
 * keep), and so are negated ones (a NOT reads every row the rest of the filter leaves, index or not).
 */
export function numericRangeKeys(node: FilterNode): string[][] {
  return keysOf(node, (n) => n.kind === 'range' && typeof n.value === 'number', false);
}

/** What a test of values on a key is: what a key's statistics price (compileEstimate). */
const VALUE_TESTS = new Set<FilterNode['kind']>([
  'eq',
  'anyOf',
  'arrayContains',
  'exists',
  'isNull',
  'isEmpty',
  'valuesCount',
  'textMatch',
  'nested',
]);

/**
 * The metadata keys a filter tests values of (an equality, `$in`, array membership, `$exists`, a
 * null or emptiness test, a count of values, a text match, a string range, a nested filter over
 * the array at the key), negated ones too: the keys whose statistics price such a test
 * (compileEstimate, RangeIndexRepository's `values` kind). Keys inside a nested filter are an
 * array's elements', left out: the nested filter's own key stands for them.
 */
export function valueKeys(node: FilterNode): string[][] {
  return keysOf(node, (n) => VALUE_TESTS.has(n.kind) || (n.kind === 'range' && typeof n.value === 'string'), true);
}
