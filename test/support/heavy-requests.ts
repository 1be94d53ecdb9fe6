import { http } from './gateway';

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

/** A pattern Postgres matches with its DFA, but one that misses its cache on every character: slow on long text. */
export const HEAVY = { $regex: '(?:[ab].{100}[cd]){4}X' };

/** `count` documents of 20 KB of a, b and c, which HEAVY reads to their end without a match. */
export async function seedLongDocuments(url: string, name: string, count: number): Promise<string> {
  const created = await http(url, 'POST', `${CHROMA}/collections`, { name });
  if (created.status !== 200) throw new Error(`create: ${created.status} ${created.text}`);
  const id: string = created.body.id;
  let state = 7;
  const letter = () => 'abc'[(state = (state * 1103515245 + 12345) % 2147483648) % 3];
  for (let start = 0; start < count; start += 50) {
    const ids = Array.from({ length: Math.min(50, count - start) }, (_, i) => `doc-${start + i}`);
    const added = await http(url, 'POST', `${CHROMA}/collections/${id}/add`, {
      ids,
      embeddings: ids.map((_, i) => [i, 1]),
      documents: ids.map(() => Array.from({ length: 20_000 }, letter).join('')),
    });
    if (added.status !== 201) throw new Error(`add: ${added.status} ${added.text}`);
  }
  return id;
}
