import type { FilterNode } from '../../core/filters/filter-ast';
import { ALL } from '../../core/filters/filter-ast';
import type { Collection } from '../../core/collections/collection.model';
import { MAX_FLOAT32, MAX_SPARSE_NONZERO_STORED, sparsevecText } from '../../core/records/sparse-vector';
import type { GroupBy, GroupOrderKey, HybridSearch, RankNode } from '../../core/search/search.model';
import { MAX_RANK_NODES, tooManyRankNodes } from '../../core/search/search.service';
import { ChromaHttpError } from './chroma-error';
import { parseWhere } from './chroma-filter.parser';
import { checkFilterIndexes, sparseKeyOf } from './collection-schema';
import { toDenseVector } from './embeddings';
import { DenseVector } from '../../core/records/dense-vector';
import { isObject, tooDeepAt } from '../json-guards';

/** The most searches one request may hold. */
export const MAX_SEARCHES = 100;
/** serde_json's recursion limit, which Chroma's JSON bodies meet first: 128 nested arrays and objects are refused. */
const JSON_MAX_DEPTH = 127;
/** Chroma's default knn limit when a payload gives none (the clients send 128). */
const DEFAULT_KNN_LIMIT = 16;
const RANK_VARIANTS = ['$abs', '$div', '$exp', '$knn', '$log', '$max', '$min', '$mul', '$sub', '$sum', '$val'];
const U32_MAX = 4_294_967_295;
const READ_LEVELS = ['index_and_wal', 'index_only', 'index_and_bounded_wal'];

/** Chroma's Key order (rust/types operator.rs): the four system keys, then metadata fields in byte order. */
const SYSTEM_KEYS = ['#document', '#embedding', '#metadata', '#score'];
function compareKeys(a: string, b: string): number {
  const sa = SYSTEM_KEYS.indexOf(a);
  const sb = SYSTEM_KEYS.indexOf(b);
  if (sa >= 0 || sb >= 0) return (sa < 0 ? 4 : sa) - (sb < 0 ? 4 : sb);
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

type KnnNode = Extract<RankNode, { kind: 'knn' }>;

/**
 * A `$knn` whose query came as text: the collection's embedding function embeds it on the server
 * (chroma-inference.service.ts), which then sets the node's query.
 */
export interface TextQuery {
  node: KnnNode;
  text: string;
  /** The key searched: `#embedding` (dense) or the sparse index's key. */
  key: string;
  sparse: boolean;
}

/** One parsed search and what its answer shows. */
export interface ParsedSearch {
  search: HybridSearch;
  /** The selected keys, in Chroma's order (the answer's `select`). */
  select: string[];
  score: boolean;
  /** Metadata fields to keep; null for the whole metadata. */
  fields: string[] | null;
}

const unprocessable = (path: string, detail: string) => ChromaHttpError.unprocessable(`${path}: ${detail}`);
const invalid = (message: string) => ChromaHttpError.invalidArgument(`Validation error: ${message}`);

function u32(path: string, value: unknown, fallback: number | null): number | null {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > U32_MAX)
    throw unprocessable(path, `invalid value: ${JSON.stringify(value)}, expected u32`);
  return value;
}

function f32(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_FLOAT32)
    throw unprocessable(path, `invalid value: ${JSON.stringify(value)}, expected f32`);
  return value;
}

function keyName(path: string, value: unknown): string {
  if (typeof value !== 'string') throw unprocessable(path, 'invalid type: expected a string');
  return value;
}

function keyList(path: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw unprocessable(path, 'invalid type: expected a sequence');
  return value.map((k, i) => keyName(`${path}[${i}]`, k));
}

/** A Chroma sparse vector, `{indices, values}` (u32 indices in strictly ascending order). */
function sparseQuery(path: string, raw: Record<string, unknown>) {
  const { indices, values } = raw;
  if (!Array.isArray(indices) || !Array.isArray(values))
    throw unprocessable(path, 'data did not match any variant of untagged enum QueryVector');
  indices.forEach((i, k) => u32(`${path}.indices[${k}]`, i, null));
  values.forEach((v, k) => f32(`${path}.values[${k}]`, v));
  if (indices.length !== values.length)
    throw invalid(
      `Invalid sparse vector in KNN query: Sparse vector indices, values, and tokens (when present) must have the same length`,
    );
  if (indices.length > MAX_SPARSE_NONZERO_STORED)
    throw invalid(
      `Invalid sparse vector in KNN query: at most ${MAX_SPARSE_NONZERO_STORED} values, got ${indices.length}`,
    );
  for (let k = 1; k < indices.length; k++)
    if ((indices[k] as number) <= (indices[k - 1] as number))
      throw invalid(
        'Invalid sparse vector in KNN query: Sparse vector indices must be sorted in strictly ascending order (no duplicates)',
      );
  return sparsevecText(indices as number[], values as number[]);
}

function knn(path: string, raw: unknown, sparseKey: string | null, context: ParseContext): RankNode {
  if (!isObject(raw)) throw unprocessable(path, 'invalid type: expected struct Knn');
  const query = raw.query;
  const key = raw.key === undefined ? '#embedding' : keyName(`${path}.key`, raw.key);
  const limit = u32(`${path}.limit`, raw.limit, DEFAULT_KNN_LIMIT)!;
  const dflt = raw.default === undefined || raw.default === null ? null : f32(`${path}.default`, raw.default);
  if (raw.return_rank !== undefined && typeof raw.return_rank !== 'boolean')
    throw unprocessable(`${path}.return_rank`, 'invalid type: expected a boolean');
  const returnRank = raw.return_rank === true;
  if (query === undefined) throw unprocessable(path, 'missing field `query`');
  if (typeof query === 'string') {
    // Chroma Cloud's clients embed text before they send it; here the collection's mapped model does.
    if (key !== '#embedding' && key !== sparseKey)
      throw ChromaHttpError.invalidArgument(
        `Cannot embed a text query for key '${key}': a text $knn searches '#embedding' or the collection's sparse vector index key`,
      );
    if (query.trim() === '') throw ChromaHttpError.invalidArgument(`${path}.query: the text to embed is empty`);
    // The query is set once the text is embedded, before the search runs.
    const node: KnnNode = {
      kind: 'knn',
      query: { dense: DenseVector.fromNumbers([]) },
      limit,
      default: dflt,
      returnRank,
    };
    context.texts.push({ node, text: query, key, sparse: key !== '#embedding' });
    return node;
  }
  if (isObject(query)) {
    const sparse = sparseQuery(`${path}.query`, query);
    // Chroma's check (Schema::is_knn_key_indexing_enabled): a sparse query needs the key's sparse index.
    if (key !== sparseKey)
      throw ChromaHttpError.invalidArgument(
        `Cannot filter using metadata key '${key}' with type 'SparseVector' because indexing is disabled`,
      );
    return { kind: 'knn', query: { sparse }, limit, default: dflt, returnRank };
  }
  if (!Array.isArray(query))
    throw unprocessable(`${path}.query`, 'data did not match any variant of untagged enum QueryVector');
  if (key !== '#embedding')
    throw ChromaHttpError.invalidArgument(
      `A dense $knn searches the key '#embedding' (the collection's embeddings); '${key}' holds no dense vectors`,
    );
  const dense = toDenseVector(query, `${path}.query: data did not match any variant of untagged enum QueryVector`);
  return { kind: 'knn', query: { dense }, limit, default: dflt, returnRank };
}

/** How many rank nodes a search has parsed so far (parsing stops past the core's bound), and its text queries. */
interface ParseContext {
  nodes: number;
  texts: TextQuery[];
}

function rank(path: string, raw: unknown, sparseKey: string | null, context: ParseContext): RankNode {
  if (!isObject(raw)) throw unprocessable(path, 'invalid type: expected enum RankExpr');
  if (++context.nodes > MAX_RANK_NODES) throw tooManyRankNodes();
  const entries = Object.entries(raw);
  if (entries.length !== 1) throw unprocessable(path, 'invalid type: map, expected map with a single key');
  const [variant, operand] = entries[0];
  const at = `${path}.${variant}`;
  const list = (): RankNode[] => {
    if (!Array.isArray(operand)) throw unprocessable(at, 'invalid type: expected a sequence');
    return operand.map((o, i) => rank(`${at}[${i}]`, o, sparseKey, context));
  };
  const pair = (): { left: RankNode; right: RankNode } => {
    if (!isObject(operand)) throw unprocessable(at, 'invalid type: expected struct variant');
    if (operand.left === undefined) throw unprocessable(at, 'missing field `left`');
    if (operand.right === undefined) throw unprocessable(at, 'missing field `right`');
    return {
      left: rank(`${at}.left`, operand.left, sparseKey, context),
      right: rank(`${at}.right`, operand.right, sparseKey, context),
    };
  };
  switch (variant) {
    case '$knn':
      return knn(at, operand, sparseKey, context);
    case '$val':
      return { kind: 'value', value: f32(at, operand) };
    case '$sum':
    case '$mul':
    case '$max':
    case '$min': {
      const kind = variant.slice(1) as 'sum' | 'mul' | 'max' | 'min';
      const terms = list();
      // An empty fold is its starting value in Chroma (rank.rs): 0, 1, f32::MIN, f32::MAX.
      if (terms.length === 0)
        return {
          kind: 'value',
          value: { sum: 0, mul: 1, max: -3.4028234663852886e38, min: 3.4028234663852886e38 }[kind],
        };
      return { kind, terms };
    }
    case '$sub':
    case '$div':
      return { kind: variant === '$sub' ? 'sub' : 'div', ...pair() };
    case '$abs':
    case '$exp':
    case '$log':
      return { kind: variant.slice(1) as 'abs' | 'exp' | 'log', operand: rank(at, operand, sparseKey, context) };
    default:
      throw unprocessable(
        path,
        `unknown variant \`${variant}\`, expected one of ${RANK_VARIANTS.map((v) => `\`${v}\``).join(', ')}`,
      );
  }
}

function groupBy(path: string, raw: unknown, ranked: boolean): GroupBy | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw unprocessable(path, 'invalid type: expected struct GroupBy');
  const keys = keyList(`${path}.keys`, raw.keys);
  let aggregate: { kind: 'min' | 'max'; keys: string[]; k: number } | null = null;
  if (raw.aggregate !== undefined && raw.aggregate !== null) {
    if (!isObject(raw.aggregate) || Object.keys(raw.aggregate).length !== 1)
      throw unprocessable(`${path}.aggregate`, 'invalid type: expected enum Aggregate');
    const [variant, body] = Object.entries(raw.aggregate)[0];
    if (variant !== '$min_k' && variant !== '$max_k')
      throw unprocessable(`${path}.aggregate`, `unknown variant \`${variant}\`, expected \`$min_k\` or \`$max_k\``);
    if (!isObject(body)) throw unprocessable(`${path}.aggregate.${variant}`, 'invalid type: expected struct variant');
    if (body.keys === undefined) throw unprocessable(`${path}.aggregate.${variant}`, 'missing field `keys`');
    if (body.k === undefined) throw unprocessable(`${path}.aggregate.${variant}`, 'missing field `k`');
    aggregate = {
      kind: variant === '$min_k' ? 'min' : 'max',
      keys: keyList(`${path}.aggregate.${variant}.keys`, body.keys),
      k: u32(`${path}.aggregate.${variant}.k`, body.k, null)!,
    };
  }
  // Chroma's validate_group_by and validate_search_payload, in their order and words.
  if (keys.length > 0 !== (aggregate !== null))
    throw invalid('group_by keys and aggregate must both be specified or both be omitted');
  if (keys.some((k) => k.startsWith('#') && SYSTEM_KEYS.includes(k)))
    throw invalid('group_by keys must be metadata fields (cannot use #score, #document, #embedding, or #metadata)');
  if (aggregate) {
    if (aggregate.keys.length === 0) throw invalid('aggregate keys must not be empty');
    if (aggregate.k === 0) throw invalid('aggregate k must be greater than 0');
    if (aggregate.keys.some((k) => k !== '#score' && SYSTEM_KEYS.includes(k)))
      throw invalid(
        'aggregate keys must be metadata fields or #score (cannot use #document, #embedding, or #metadata)',
      );
  }
  if (keys.length > 0 && !ranked) throw invalid('group_by requires rank expression to be specified');
  if (!aggregate) return null;
  const orderBy: GroupOrderKey[] = aggregate.keys.map((k) => (k === '#score' ? { score: true } : { metadata: k }));
  return { keys, aggregate: aggregate.kind, orderBy, k: aggregate.k };
}

function filterOf(path: string, raw: unknown, collection: Collection): FilterNode {
  if (raw === undefined || raw === null || (isObject(raw) && Object.keys(raw).length === 0)) return ALL;
  if (!isObject(raw)) throw unprocessable(path, 'invalid type: expected a map');
  const node = parseWhere(raw);
  checkFilterIndexes(collection, raw, undefined);
  return node;
}

function searchOf(path: string, raw: unknown, collection: Collection, texts: TextQuery[]): ParsedSearch {
  if (!isObject(raw)) throw unprocessable(path, 'invalid type: expected struct SearchPayload');
  const sparseKey = sparseKeyOf(collection);
  const filter = filterOf(`${path}.filter`, raw.filter, collection);
  const rankNode =
    raw.rank === undefined || raw.rank === null ? null : rank(`${path}.rank`, raw.rank, sparseKey, { nodes: 0, texts });
  const grouped = groupBy(`${path}.group_by`, raw.group_by, rankNode !== null);
  let offset = 0;
  let limit: number | null = null;
  if (raw.limit !== undefined && raw.limit !== null) {
    if (!isObject(raw.limit)) throw unprocessable(`${path}.limit`, 'invalid type: expected struct Limit');
    offset = u32(`${path}.limit.offset`, raw.limit.offset, 0)!;
    limit = u32(`${path}.limit.limit`, raw.limit.limit, null);
  }
  let keys: string[] = [];
  if (raw.select !== undefined && raw.select !== null) {
    if (!isObject(raw.select)) throw unprocessable(`${path}.select`, 'invalid type: expected struct Select');
    keys = keyList(`${path}.select.keys`, raw.select.keys);
  }
  const select = [...new Set(keys)].sort(compareKeys);
  const fieldKeys = select.filter((k) => !SYSTEM_KEYS.includes(k));
  const wholeMetadata = select.includes('#metadata');
  const metadatas = wholeMetadata || fieldKeys.length > 0;
  return {
    search: {
      filter,
      rank: rankNode,
      groupBy: grouped,
      limit,
      offset,
      columns: {
        documents: select.includes('#document'),
        embeddings: select.includes('#embedding'),
        metadatas,
        sparse: metadatas && sparseKey !== null && (wholeMetadata || fieldKeys.includes(sparseKey)),
      },
    },
    select,
    score: select.includes('#score'),
    fields: wholeMetadata ? null : fieldKeys,
  };
}

/**
 * A search request's body (`{searches, read_level}`), checked as Chroma checks it, as core
 * searches; `texts` are the `$knn` queries given as text, to embed before the searches run.
 */
export function parseSearchRequest(
  body: unknown,
  collection: Collection,
): { searches: ParsedSearch[]; texts: TextQuery[] } {
  if (!isObject(body)) throw ChromaHttpError.unprocessable('invalid type: expected struct SearchRequestPayload');
  // Checked first, so that no parser below recurses deeper than this.
  const deep = tooDeepAt(body, JSON_MAX_DEPTH);
  if (deep !== undefined)
    throw ChromaHttpError.invalidArgument(
      `Failed to parse the request body as JSON: ${deep}: recursion limit exceeded`,
    );
  if (body.searches === undefined) throw ChromaHttpError.unprocessable('missing field `searches`');
  if (!Array.isArray(body.searches)) throw unprocessable('searches', 'invalid type: expected a sequence');
  const level = body.read_level;
  // Every level reads every committed write here: there is no write-ahead log apart from the table.
  if (level !== undefined && level !== null && !READ_LEVELS.includes(level as string))
    throw unprocessable(
      'read_level',
      `unknown variant \`${String(level)}\`, expected one of ${READ_LEVELS.map((l) => `\`${l}\``).join(', ')}`,
    );
  if (body.searches.length > MAX_SEARCHES)
    throw ChromaHttpError.invalidArgument(
      `A request may hold at most ${MAX_SEARCHES} searches, this one has ${body.searches.length}`,
    );
  const texts: TextQuery[] = [];
  const searches = body.searches.map((s, i) => searchOf(`searches[${i}]`, s, collection, texts));
  return { searches, texts };
}
