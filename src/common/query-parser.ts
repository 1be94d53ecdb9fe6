/**
 * Query strings with every pair kept: a repeated key becomes an array, and there is no cap on
 * pairs. (Common parsers stop at 1,000 pairs and drop the rest silently, as Express's did, which
 * would make a fetch of 1,000 ids lose its `namespace`, and a fetch of 1,001 look like 1,000.)
 */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    // Own properties only, defined rather than assigned: `constructor` and `__proto__` are keys like any other.
    const seen = Object.hasOwn(out, key) ? out[key] : undefined;
    if (Array.isArray(seen)) seen.push(value);
    else
      Object.defineProperty(out, key, {
        value: seen === undefined ? value : [seen, value],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}
