import { nameMap } from '../../core/name-map';
import { isObject } from '../json-guards';
import { checkKeyLevels } from './qdrant-filter.parser';
import { QdrantHttpError } from './qdrant-error';

/** One step of a Qdrant JSON path after its first key: `.key`, `[3]` or `[]`. */
export type PathItem = { key: string } | { index: number } | { wildcard: true };

/** Qdrant's JsonPath: `a.b[].c`, `a[0]`, `a."b.c"`. */
export interface JsonPath {
  first: string;
  rest: PathItem[];
}

function readKey(raw: string, at: number): [string, number] {
  if (raw[at] === '"') {
    const end = raw.indexOf('"', at + 1);
    if (end < 0) return ['', -1];
    const key = raw.slice(at + 1, end);
    return key.includes('\\') ? ['', -1] : [key, end + 1];
  }
  let end = at;
  while (end < raw.length && !'.[]"'.includes(raw[end])) end++;
  return [raw.slice(at, end), end];
}

/**
 * A payload selector's key as Qdrant parses it (lib/segment/src/json_path/parse.rs): a first key,
 * then `.key`, `."quoted key"`, `[n]` or `[]`. A raw key here is anything but `.`, `[`, `]` and
 * `"` (vecgate takes any payload key; Qdrant's raw keys are letters, digits, `_` and `-`).
 */
export function parseJsonPath(raw: unknown, field: string): JsonPath {
  if (typeof raw !== 'string' || raw === '') throw QdrantHttpError.format(`${field} must be a non-empty string`);
  checkKeyLevels(raw, field, 0);
  const bad = () => QdrantHttpError.format(`${field}: invalid JSON path ${JSON.stringify(raw)}`);
  const [first, next] = readKey(raw, 0);
  if (next < 0 || first === '') throw bad();
  const rest: PathItem[] = [];
  let at = next;
  while (at < raw.length) {
    if (raw[at] === '.') {
      const [key, end] = readKey(raw, at + 1);
      if (end < 0 || (key === '' && raw[at + 1] !== '"')) throw bad();
      rest.push({ key });
      at = end;
    } else if (raw.startsWith('[]', at)) {
      rest.push({ wildcard: true });
      at += 2;
    } else if (raw[at] === '[') {
      const close = raw.indexOf(']', at);
      const digits = close < 0 ? '' : raw.slice(at + 1, close);
      if (!/^[0-9]{1,15}$/.test(digits)) throw bad();
      rest.push({ index: Number(digits) });
      at = close + 1;
    } else throw bad();
  }
  return { first, rest };
}

function sameItem(a: PathItem, b: PathItem): boolean {
  if ('key' in a) return 'key' in b && a.key === b.key;
  if ('index' in a) return 'index' in b && a.index === b.index;
  return 'wildcard' in b;
}

/** Qdrant's check_include_pattern: one path is a prefix of the other. */
function included(pattern: JsonPath, first: string, rest: PathItem[]): boolean {
  if (pattern.first !== first) return false;
  const n = Math.min(pattern.rest.length, rest.length);
  for (let i = 0; i < n; i++) if (!sameItem(pattern.rest[i], rest[i])) return false;
  return true;
}

/** Qdrant's check_exclude_pattern: the pattern is a prefix of the path. */
function excluded(pattern: JsonPath, first: string, rest: PathItem[]): boolean {
  if (pattern.first !== first || rest.length < pattern.rest.length) return false;
  return pattern.rest.every((item, i) => sameItem(item, rest[i]));
}

/** Qdrant's JsonPath::value_filter: keep the values whose path passes, array elements under `[]`. */
function filterValue(value: unknown, first: string, rest: PathItem[], keep: (rest: PathItem[]) => boolean): unknown {
  if (Array.isArray(value)) {
    const path = [...rest, { wildcard: true } as const];
    return value.filter(() => keep(path)).map((v) => filterValue(v, first, path, keep));
  }
  if (isObject(value)) {
    const out = nameMap<unknown>();
    for (const [k, v] of Object.entries(value)) {
      const path = [...rest, { key: k }];
      if (keep(path)) out[k] = filterValue(v, first, path, keep);
    }
    return out;
  }
  return value;
}

/** A payload through Qdrant's `include` or `exclude` selector (PayloadSelector::process). */
export function filterPayload(
  payload: Record<string, unknown>,
  patterns: JsonPath[],
  mode: 'include' | 'exclude',
): Record<string, unknown> {
  const out = nameMap<unknown>();
  for (const [first, value] of Object.entries(payload)) {
    const keep = (rest: PathItem[]) =>
      mode === 'include'
        ? patterns.some((p) => included(p, first, rest))
        : !patterns.some((p) => excluded(p, first, rest));
    if (keep([])) out[first] = filterValue(value, first, [], keep);
  }
  return out;
}
