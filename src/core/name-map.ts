/**
 * An object keyed by names a client chose (vector names, payload keys), without a prototype: so
 * that every name, `__proto__` and `constructor` included, is a key of its own when set, and a
 * name it lacks reads as undefined rather than as something of Object.prototype.
 */
export function nameMap<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  for (const [name, value] of entries) map[name] = value;
  return map;
}
