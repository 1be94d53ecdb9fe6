import type { FilterNode } from './filter-ast';

/**
 * The catalog positions of the named vectors a filter tests (hasVector), as the protocol found them
 * on the catalog row it parsed the filter with: the vectors the filter's SQL names by column.
 */
export function vectorPositions(node: FilterNode): number[] {
  switch (node.kind) {
    case 'and':
    case 'or':
    case 'atLeast':
      return node.children.flatMap(vectorPositions);
    case 'not':
      return vectorPositions(node.child);
    case 'hasVector':
      return typeof node.vector === 'number' ? [node.vector] : [];
    default:
      return [];
  }
}
