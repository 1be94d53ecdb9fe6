import { join } from 'node:path';
import type { SqlValue } from 'sql.js';
import type { Metric } from '../../core/collections/collection.model';
import { MAX_DIMENSION } from '../../core/collections/vector-index';
import { ChromaSqlite, seqId, type Row } from '../chroma-files/chroma-sqlite';
import { HnswSegment } from '../chroma-files/hnsw-segment';
import { processesHolding } from '../chroma-files/open-by';
import { CollectionVectors } from '../chroma-files/queued-vectors';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';

const METRICS: Record<string, Metric> = { l2: 'l2', cosine: 'cosine', ip: 'ip' };
const DOCUMENT_KEY = 'chroma:document';
const URI_KEY = 'chroma:uri';
const SEGMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The tables read: each must be a table (not a view, which would run a query of the file's choosing). */
const TABLES = [
  'databases',
  'collections',
  'collection_metadata',
  'segments',
  'max_seq_id',
  'embeddings',
  'embedding_metadata',
  'embeddings_queue',
];

/** What to do when a Chroma has the directory open: refuse (the default), or read it with a warning. */
export interface RunningChroma {
  ignore: boolean;
  warn: (message: string) => void;
}

interface Segments {
  id: string;
  metadata: string;
  vector: string;
}

/** A metadata value as Chroma's tables keep it: one typed column set per row. */
function valueOf(row: Row, stringColumn: string): unknown {
  if (row.bool_value !== null && row.bool_value !== undefined) return Number(row.bool_value) !== 0;
  if (row[stringColumn] !== null && row[stringColumn] !== undefined) return String(row[stringColumn]);
  if (row.int_value !== null && row.int_value !== undefined) return Number(row.int_value);
  if (row.float_value !== null && row.float_value !== undefined) return Number(row.float_value);
  return null;
}

function spaceOf(config: unknown, metadata: Record<string, unknown> | null): string {
  const c = (config ?? {}) as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const space =
    c.vector_index?.hnsw?.space ??
    c.vector_index?.spann?.space ??
    c.hnsw_configuration?.space ??
    c.hnsw?.space ??
    metadata?.['hnsw:space'];
  return typeof space === 'string' ? space : 'l2';
}

/**
 * A persistent Chroma's data directory, read with no Chroma running (Chroma 1.x; 0.4 to 0.6 wrote
 * the same layout): collections, ids, documents, uris and metadata from chroma.sqlite3's metadata
 * segment, which Chroma updates on every write; vectors from each collection's HNSW segment
 * folder, with the writes of the log table that came after its last flush replayed on top.
 *
 * The directory may come from anyone. count() reads a collection's files whole and checks them
 * (sizes against the files' real sizes, the pickle's shape, every log entry, a vector for every
 * record); the importer counts every collection before it writes anything, so a damaged or
 * crafted file stops the import with the file's name and the fault before the target is touched.
 */
export class ChromaDirSource implements Source {
  readonly label: string;
  private db?: ChromaSqlite;
  private readonly segments = new Map<string, Segments>();
  private vectors?: { collection: string; vectors: CollectionVectors };

  constructor(
    private readonly dir: string,
    private readonly tenant: string,
    private readonly database: string,
    private readonly running: RunningChroma = { ignore: false, warn: () => undefined },
  ) {
    this.label = `chroma data directory ${dir} ${tenant}/${database}`;
  }

  /**
   * A Chroma running on the directory writes its files while they are read: its SQLite file and
   * its HNSW files, read moments apart, may then disagree (a flush between the two), and what it
   * writes meanwhile may be missing. Its API reads it consistently while it runs.
   */
  private checkNotRunning(): void {
    const file = join(this.dir, 'chroma.sqlite3');
    const holders = processesHolding(file);
    if (holders.length === 0) return;
    const who = holders.map((h) => `process ${h.pid}${h.command ? ` (${h.command})` : ''}`).join(', ');
    if (!this.running.ignore)
      throw new SourceError(
        `${file} is open in ${who}: a Chroma is running on this directory, and files read while it writes ` +
          'may not agree with each other. Stop that Chroma and import again, or import from its API while it ' +
          'runs (vecgate import http://HOST:PORT); --ignore-running-chroma reads the files anyway.',
      );
    this.running.warn(
      `warning: ${file} is open in ${who}: a Chroma is running on this directory; what it writes during the ` +
        'import may be missing or read in part (--ignore-running-chroma).',
    );
  }

  private async open(): Promise<ChromaSqlite> {
    if (this.db) return this.db;
    this.checkNotRunning();
    let db: ChromaSqlite;
    try {
      db = await ChromaSqlite.open(this.dir);
    } catch (err) {
      throw new SourceError((err as Error).message);
    }
    try {
      for (const table of TABLES)
        if (!db.hasTable(table))
          throw new SourceError(
            `${this.dir}: chroma.sqlite3 has no ${table} table; not a data directory of Chroma 0.4 or later`,
          );
    } catch (err) {
      db.close();
      throw err instanceof SourceError ? err : new SourceError((err as Error).message);
    }
    this.db = db;
    return db;
  }

  async collections(): Promise<TransferCollection[]> {
    const db = await this.open();
    const rows = db.all(
      `SELECT c.* FROM collections c JOIN databases d ON d.id = c.database_id
        WHERE d.tenant_id = ? AND d.name = ? ORDER BY c.name`,
      [this.tenant, this.database],
    );
    const out: TransferCollection[] = [];
    for (const row of rows) {
      const id = String(row.id);
      const name = String(row.name);
      const entries = db.all(`SELECT * FROM collection_metadata WHERE collection_id = ? ORDER BY key`, [id]);
      const metadata = entries.length
        ? Object.fromEntries(entries.map((e) => [String(e.key), valueOf(e, 'str_value')]))
        : null;
      const config = this.configOf(row, name);
      const space = spaceOf(config, metadata);
      if (!Object.hasOwn(METRICS, space)) throw new SourceError(`${name}: space ${space} has no equivalent in vecgate`);
      const segments = this.segmentsOf(db, id, name);
      this.segments.set(name, segments);
      out.push({ name, metric: METRICS[space], dimension: this.dimensionOf(row, name), metadata });
    }
    return out;
  }

  /** The collection's dimension (null before its first record), one vecgate can hold. */
  private dimensionOf(row: Row, name: string): number | null {
    const dimension = row.dimension;
    if (dimension === null || dimension === undefined) return null;
    if (typeof dimension !== 'number' || !Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION)
      throw new SourceError(
        `${name}: chroma.sqlite3 gives it dimension ${String(dimension)}; vecgate holds 1 to ${MAX_DIMENSION}`,
      );
    return dimension;
  }

  private configOf(row: Row, name: string): unknown {
    if (typeof row.config_json_str !== 'string') return null;
    try {
      return JSON.parse(row.config_json_str);
    } catch {
      throw new SourceError(`${this.dir}: the configuration of ${name} is not JSON`);
    }
  }

  private segmentsOf(db: ChromaSqlite, id: string, name: string): Segments {
    const segments = db.all(`SELECT id, scope FROM segments WHERE collection = ?`, [id]);
    const metadata = segments.find((s) => s.scope === 'METADATA')?.id;
    const vector = segments.find((s) => s.scope === 'VECTOR')?.id;
    if (!metadata || !vector) throw new SourceError(`${name}: its metadata or vector segment is missing`);
    // The vector segment's id names a folder: only a UUID, as Chroma writes, may (no "../").
    if (!SEGMENT_ID.test(String(vector))) throw new SourceError(`${name}: a vector segment id that is not a UUID`);
    const applied = db.all(`SELECT seq_id FROM max_seq_id WHERE segment_id = ?`, [metadata])[0];
    const logged = db.all(`SELECT max(seq_id) AS seq_id FROM embeddings_queue WHERE topic LIKE ?`, [`%/${id}`])[0];
    let appliedSeq: number;
    let loggedSeq: number;
    try {
      appliedSeq = seqId(applied?.seq_id ?? null, `${db.file}: max_seq_id of segment ${String(metadata)}`);
      loggedSeq = seqId(logged?.seq_id ?? null, `${db.file}: embeddings_queue`);
    } catch (err) {
      throw new SourceError(`${name}: ${(err as Error).message}`);
    }
    if (loggedSeq > appliedSeq)
      throw new SourceError(
        `${name}: its log holds writes up to ${loggedSeq} that its metadata segment never applied ` +
          `(it stops at ${appliedSeq}); Chroma stopped before it finished them`,
      );
    return { id, metadata: String(metadata), vector: String(vector) };
  }

  private segmentsFor(collection: TransferCollection): Segments {
    const segments = this.segments.get(collection.name);
    if (!segments) throw new SourceError(`${collection.name}: not a collection of ${this.label}`);
    return segments;
  }

  private vectorsOf(db: ChromaSqlite, collection: TransferCollection): CollectionVectors {
    if (this.vectors?.collection === collection.name) return this.vectors.vectors;
    this.vectors?.vectors.close();
    this.vectors = undefined;
    const segments = this.segmentsFor(collection);
    let hnsw: HnswSegment | null = null;
    try {
      hnsw = HnswSegment.open(join(this.dir, segments.vector), collection.metric === 'cosine', collection.dimension);
      const recorded = db.all(`SELECT seq_id FROM max_seq_id WHERE segment_id = ?`, [segments.vector])[0];
      // Chroma 1.x records the HNSW files' last write in max_seq_id; 0.5 and 0.6 in the pickle.
      const flushed = hnsw
        ? recorded
          ? seqId(recorded.seq_id, `${db.file}: max_seq_id of segment ${segments.vector}`)
          : (hnsw.maxSeqId ?? -1)
        : -1;
      const vectors = new CollectionVectors(db, segments.id, flushed, hnsw, collection.dimension);
      this.vectors = { collection: collection.name, vectors };
      return vectors;
    } catch (err) {
      hnsw?.close();
      throw new SourceError(`${collection.name}: ${(err as Error).message}`);
    }
  }

  /** Records of the metadata segment's rows, with their metadata and vectors. */
  private records(db: ChromaSqlite, collection: TransferCollection, rows: Row[]): TransferRecord[] {
    if (rows.length === 0) return [];
    const vectors = this.vectorsOf(db, collection);
    const keys = rows.map((r) => r.id as SqlValue);
    const entries = new Map<number, Row[]>();
    for (const entry of db.all(
      `SELECT * FROM embedding_metadata WHERE id IN (${keys.map(() => '?').join(',')}) ORDER BY id, key`,
      keys,
    )) {
      const list = entries.get(Number(entry.id));
      if (list) list.push(entry);
      else entries.set(Number(entry.id), [entry]);
    }
    return rows.map((row) => {
      const id = String(row.embedding_id);
      let document: string | null = null;
      let uri: string | null = null;
      const fields: [string, unknown][] = [];
      for (const entry of entries.get(Number(row.id)) ?? []) {
        const key = String(entry.key);
        if (key === DOCUMENT_KEY) document = String(entry.string_value);
        else if (key === URI_KEY) uri = String(entry.string_value);
        else if (!key.startsWith('chroma:')) fields.push([key, valueOf(entry, 'string_value')]);
      }
      // Object.fromEntries defines each key: assigning `metadata['__proto__']` would set a prototype instead.
      const metadata = Object.fromEntries(fields);
      const embedding = vectors.vector(id);
      if (!embedding) throw new SourceError(`${collection.name}: ${id} has no vector in the HNSW files or the log`);
      return {
        namespace: '',
        id,
        embedding,
        sparse: null,
        document,
        uri,
        metadata: Object.keys(metadata).length ? metadata : null,
      };
    });
  }

  async page(collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const db = await this.open();
    const rows = db.all(`SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND id > ? ORDER BY id LIMIT ?`, [
      this.segmentsFor(collection).metadata,
      cursor === null ? -1 : Number(cursor),
      size,
    ]);
    return {
      records: this.records(db, collection, rows),
      next: rows.length === size ? String(rows[rows.length - 1].id) : null,
    };
  }

  /**
   * The collection's records, counted once its files have been read and checked whole: every
   * record a text id, none twice, each with a vector in the HNSW files or the log. The vectors
   * stay open for the pages that follow.
   */
  async count(collection: TransferCollection): Promise<number> {
    const db = await this.open();
    const vectors = this.vectorsOf(db, collection);
    const segment = this.segmentsFor(collection).metadata;
    const where = `${collection.name}: ${db.file}: embeddings`;
    let n = 0;
    db.each(`SELECT id, embedding_id FROM embeddings WHERE segment_id = ?`, [segment], (row) => {
      if (typeof row.id !== 'number' || !Number.isSafeInteger(row.id))
        throw new SourceError(`${where}: a row whose id is not an integer`);
      if (typeof row.embedding_id !== 'string')
        throw new SourceError(`${where}: row ${row.id} has an embedding_id that is not text`);
      if (!vectors.holds(row.embedding_id))
        throw new SourceError(`${collection.name}: ${row.embedding_id} has no vector in the HNSW files or the log`);
      n++;
    });
    const twice = db.all(
      `SELECT embedding_id FROM embeddings WHERE segment_id = ? GROUP BY embedding_id HAVING count(*) > 1 LIMIT 1`,
      [segment],
    )[0];
    if (twice) throw new SourceError(`${where}: ${String(twice.embedding_id)} is there twice`);
    return n;
  }

  async fetch(collection: TransferCollection, _namespace: string, ids: string[]): Promise<TransferRecord[]> {
    if (ids.length === 0) return [];
    const db = await this.open();
    const rows = db.all(
      `SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND embedding_id IN (${ids.map(() => '?').join(',')})`,
      [this.segmentsFor(collection).metadata, ...ids],
    );
    return this.records(db, collection, rows);
  }

  async close(): Promise<void> {
    this.vectors?.vectors.close();
    this.db?.close();
  }
}
