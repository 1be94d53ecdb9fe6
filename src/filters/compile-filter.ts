import { FilterNode } from './filter-ast';
import { SqlParams } from './sql-params';

/**
 * Compiles a filter to a SQL boolean over a record table's columns (id, document, metadata).
 * Every value and every key is a bind parameter. Equality and array membership compile to
 * `metadata @> $n::jsonb`, which the GIN (jsonb_path_ops) index serves; substring search to
 * LIKE, which the trigram index serves. A negation is wrapped in coalesce(.., false) so a record
 * without metadata or document counts as "does not match" instead of vanishing as NULL; positive
 * forms stay bare so the planner can still use the indexes.
 */
export function compileFilter(node: FilterNode, params: SqlParams): string {
  switch (node.kind) {
    case 'all':
      return 'TRUE';
    case 'none':
      return 'FALSE';
    case 'and':
      return `(${node.children.map((c) => compileFilter(c, params)).join(' AND ')})`;
    case 'or':
      return `(${node.children.map((c) => compileFilter(c, params)).join(' OR ')})`;
    case 'not':
      return `(NOT coalesce(${compileFilter(node.child, params)}, FALSE))`;
    case 'eq':
      return `metadata @> ${params.add(JSON.stringify({ [node.key]: node.value }), 'jsonb')}`;
    case 'arrayContains':
      return `metadata @> ${params.add(JSON.stringify({ [node.key]: [node.value] }), 'jsonb')}`;
    case 'range': {
      const key = params.add(node.key, 'text');
      if (typeof node.value === 'string') {
        // Byte order (COLLATE "C"), not the database's collation, which may skip punctuation.
        return `(jsonb_typeof(metadata -> ${key}) = 'string' AND (metadata ->> ${key}) COLLATE "C" ${node.operator} ${params.add(node.value, 'text')} COLLATE "C")`;
      }
      // jsonb orders numbers numerically; the type guard keeps strings and booleans out.
      return `(jsonb_typeof(metadata -> ${key}) = 'number' AND (metadata -> ${key}) ${node.operator} ${params.add(JSON.stringify(node.value), 'jsonb')})`;
    }
    case 'textMatch': {
      const key = params.add(node.key, 'text');
      const text = escapeLike(node.text);
      const pattern = { exact: text, prefix: `${text}%`, suffix: `%${text}`, contains: `%${text}%` }[node.mode];
      return `(jsonb_typeof(metadata -> ${key}) = 'string' AND (metadata ->> ${key}) LIKE ${params.add(pattern, 'text')})`;
    }
    case 'exists':
      return `(metadata -> ${params.add(node.key, 'text')}) IS NOT NULL`;
    case 'documentContains':
      return `document LIKE ${params.add(`%${escapeLike(node.text)}%`, 'text')}`;
    case 'documentRegex':
      return `document ~ ${params.add(node.pattern, 'text')}`;
    case 'idIn':
      return `id = ANY(${params.add(node.ids, 'text[]')})`;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
