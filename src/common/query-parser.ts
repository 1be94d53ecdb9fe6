/**
 * Query strings with every pair kept: a repeated key becomes an array, and there is no cap on
 * pairs. (Common parsers stop at 1,000 pairs and drop the rest silently, as Express's did, which
 * would make a fetch of 1,000 ids lose its `namespace`, and a fetch of 1,001 look like 1,000.)
 */
export function parseQueryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  }
  return out;
}
