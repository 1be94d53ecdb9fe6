import { MAX_FILTER_DEPTH, MAX_FILTER_LIST, type RangeOperator, type Scalar } from '../core/filters/filter-ast';

/**
 * The JSON checks every protocol's parsers share: what a request body's values are, and the
 * Mongo-style range operators that Chroma's, Pinecone's and Vectorizer's filters all spell alike.
 */
export type JsonObject = Record<string, unknown>;

/** A JSON object: neither null nor an array. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A filter's scalar operand: a string, a boolean or a finite number. */
export function isScalar(value: unknown): value is Scalar {
  return (
    typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
  );
}

const MONGO_RANGE: Readonly<Record<string, RangeOperator>> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/** `$gt`, `$gte`, `$lt`, `$lte` as comparison operators; anything else (`constructor` included) is undefined. */
export function mongoRangeOperator(name: string): RangeOperator | undefined {
  return Object.hasOwn(MONGO_RANGE, name) ? MONGO_RANGE[name] : undefined;
}

/**
 * Why a filter is too large to parse, or undefined: nested deeper than MAX_FILTER_DEPTH operators
 * (each is an object and a list in JSON) or with a list longer than MAX_FILTER_LIST. Walked
 * without recursion, so that the check itself cannot run out of stack.
 */
export function filterTooLarge(filter: unknown): string | undefined {
  const maxDepth = 2 * MAX_FILTER_DEPTH + 2;
  const stack: [unknown, number][] = [[filter, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return `the filter nests more than ${MAX_FILTER_DEPTH} operators deep`;
    const children = Array.isArray(value) ? value : Object.values(value);
    if (children.length > MAX_FILTER_LIST)
      return `the filter has a list or object of ${children.length} entries; at most ${MAX_FILTER_LIST} are allowed`;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}

/** Where a value lies in a JSON body: its container's place and its key or index there. */
interface Place {
  parent: Place | null;
  key: string | number;
}

function pathOf(place: Place | null): string {
  let path = '';
  for (let p = place; p !== null; p = p.parent)
    path = typeof p.key === 'number' ? `[${p.key}]${path}` : `${p.parent ? '.' : ''}${p.key}${path}`;
  return path;
}

/**
 * The path (`searches[0].rank.$exp`) of the first array or object nested deeper than `maxDepth`
 * (the body itself is depth 1), in document order, or undefined if there is none. Walked without
 * recursion, like filterTooLarge, and building a path only for the answer.
 */
export function tooDeepAt(value: unknown, maxDepth: number): string | undefined {
  const stack: [object, number, Place | null][] = [];
  if (typeof value === 'object' && value !== null) stack.push([value, 1, null]);
  while (stack.length > 0) {
    const [node, depth, place] = stack.pop()!;
    if (depth > maxDepth) return pathOf(place);
    const push = (key: string | number, child: unknown) => {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1, { parent: place, key }]);
    };
    // Pushed last first, so that the first child is walked first.
    if (Array.isArray(node)) for (let i = node.length - 1; i >= 0; i--) push(i, node[i]);
    else {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) push(keys[i], (node as Record<string, unknown>)[keys[i]]);
    }
  }
  return undefined;
}
