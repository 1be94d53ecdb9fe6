import type { FilterNode } from './filter-ast';

/**
 * The metadata keys a filter compares with numbers ($gt, $gte, $lt, $lte), each as a path (a
 * top-level key is a path of one), without repeats: the keys a range index could serve. String
 * ranges are left out (they compare in byte order, which a jsonb index does not keep), and so are
 * negated ones (a NOT reads every row the rest of the filter leaves, index or not).
 */
export function numericRangeKeys(node: FilterNode): string[][] {
  const found = new Map<string, string[]>();
  const visit = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.children.forEach(visit);
        return;
      case 'range':
        if (typeof n.value === 'number') {
          const path = Array.isArray(n.key) ? n.key : [n.key];
          found.set(JSON.stringify(path), path);
        }
        return;
      default:
        return;
    }
  };
  visit(node);
  return [...found.values()];
}

/**
 * The metadata keys a filter tests values of (an equality, `$in`, array membership, `$exists`, a
 * null test), each as a path, without repeats, negated ones too: the keys whose statistics price
 * such a test (compileEstimate). Keys inside a nested filter are an array's elements', left out.
 */
export function valueKeys(node: FilterNode): string[][] {
  const found = new Map<string, string[]>();
  const visit = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
      case 'atLeast':
        n.children.forEach(visit);
        return;
      case 'not':
        visit(n.child);
        return;
      case 'eq':
      case 'anyOf':
      case 'arrayContains':
      case 'exists':
      case 'isNull': {
        const path = Array.isArray(n.key) ? n.key : [n.key];
        found.set(JSON.stringify(path), path);
        return;
      }
      default:
        return;
    }
  };
  visit(node);
  return [...found.values()];
}
