import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import initSqlJs from 'sql.js';
import { startChromaReference } from '../../support/chroma-reference';
import { http } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { ensureGatewayBuilt } from '../cluster/cluster';
import { cli, newStore, type Store } from '../../support/cli-store';

/**
 * `vecgate import` of a Chroma data directory someone handed over, with files made to mislead it:
 * sizes past the files' real ones, zero counts, truncated files, huge and cyclic pickles, a
 * chroma.sqlite3 that is not one, is damaged, or holds bogus rows. Each is refused by the CLI
 * (run as a user runs it) with the file's name and the fault, exit 1, and nothing written: not
 * the collection before the bad one, not even the target tenant. The directory is one a real
 * Chroma 1.0.0 wrote, and imports whole untouched.
 */

const INTO = ['--into', 'crafted/target'];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('vecgate import of a crafted Chroma data directory', () => {
  let dir: string;
  /** What Chroma 1.0.0 wrote: a-logged (l2, only in its log), b-flushed (cosine, HNSW files and a log after them). */
  let pristine: string;
  /** b-flushed's vector segment folder. */
  let segment: string;
  let cases = 0;
  const stores: Store[] = [];
  const store = async () => {
    const s = await newStore(dir);
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vecgate-crafted-'));
    await ensureGatewayBuilt();
    const chroma = await startChromaReference();
    try {
      const client = new ChromaClient({ path: chroma.url });
      const gen = prng(11);
      const vectors = (n: number) => Array.from({ length: n }, () => Array.from({ length: 8 }, () => gen() - 0.5));
      const logged = await client.createCollection({ name: 'a-logged', embeddingFunction: null });
      await logged.add({ ids: Array.from({ length: 20 }, (_, i) => `l-${i}`), embeddings: vectors(20) });
      const flushed = await client.createCollection({
        name: 'b-flushed',
        configuration: { hnsw: { space: 'cosine', sync_threshold: 100 } },
        embeddingFunction: null,
      });
      await flushed.add({ ids: Array.from({ length: 120 }, (_, i) => `f-${i}`), embeddings: vectors(120) });
      await flushed.add({ ids: Array.from({ length: 30 }, (_, i) => `g-${i}`), embeddings: vectors(30) });
      await chroma.stop({ keepData: true });
    } catch (err) {
      await chroma.stop();
      throw err;
    }
    pristine = chroma.dataDir;
    const folders = readdirSync(pristine).filter((d) => existsSync(join(pristine, d, 'index_metadata.pickle')));
    expect(folders).toHaveLength(1);
    segment = folders[0];
  });

  afterAll(async () => {
    for (const s of stores) await s.drop();
    if (pristine) rmSync(pristine, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the pristine directory, changed by `edit` (given the copy and b-flushed's segment folder in it). */
  const crafted = async (edit: (copy: string, folder: string) => void | Promise<void>) => {
    const copy = join(dir, `case-${cases++}`);
    cpSync(pristine, copy, { recursive: true });
    await edit(copy, join(copy, segment));
    return copy;
  };

  /** chroma.sqlite3 of `copy` changed by SQL. */
  const editSqlite = async (copy: string, ...sql: string[]) => {
    const file = join(copy, 'chroma.sqlite3');
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(file));
    for (const s of sql) db.run(s);
    writeFileSync(file, db.export());
    db.close();
  };

  const setHeader = (folder: string, at: number, value: bigint) => {
    const file = join(folder, 'header.bin');
    const header = readFileSync(file);
    header.writeBigUInt64LE(value, at);
    writeFileSync(file, header);
  };

  /**
   * Imports `copy` into `target` and expects the refusal `message` (a pattern, after the file's
   * path when `file` is given): exit 1, the reason on stderr, no checkpoint (no batch was written).
   */
  const expectRefused = async (target: Store, copy: string, message: RegExp, file?: string) => {
    const checkpoint = join(copy, 'checkpoint.json');
    const run = await cli(['import', copy, ...INTO, '--checkpoint', checkpoint], target.env, dir);
    const expected = file ? new RegExp(`${escape(join(copy, file))}: ${message.source}`) : message;
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 1, stderr: expect.stringMatching(expected) });
    // The refusal is the command's last word (after the line naming the database it opened).
    expect(run.stderr.trimEnd().split('\n').pop()).toMatch(/^vecgate: /);
    expect(run.stdout).toBe('');
    expect(existsSync(checkpoint)).toBe(false);
  };

  /** The target holds nothing: no tenant was created, so neither a database nor a collection. */
  const expectUntouched = async (target: Store) => {
    const gw = await target.open();
    try {
      expect((await http(gw.url, 'GET', '/api/v2/tenants/crafted')).status).toBe(404);
      const listed = await http(gw.url, 'GET', '/api/v2/tenants/default_tenant/databases/default_database/collections');
      expect(listed.body).toEqual([]);
    } finally {
      await gw.close();
    }
  };

  it('imports the untouched directory: both collections, every record', async () => {
    const target = await store();
    const copy = await crafted(() => undefined);
    const run = await cli(['import', copy, ...INTO, '--sample', '200'], target.env, dir);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(run.stdout).toMatch(/a-logged -> a-logged: 20 imported, 0 skipped; source 20, vecgate 20 \(match\)/);
    expect(run.stdout).toMatch(/b-flushed -> b-flushed: 150 imported, 0 skipped; source 150, vecgate 150 \(match\)/);
    expect(run.stdout).toMatch(/150 sampled, 0 differ/);
    const gw = await target.open();
    try {
      expect((await http(gw.url, 'GET', '/api/v2/tenants/crafted')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('refuses hnswlib headers whose sizes the files do not have, before allocating by them', async () => {
    const target = await store();
    const COUNT = 20;
    const MAX_ELEMENTS = 12;
    const SIZE = 28;
    // A count past max_elements, then past data_level0.bin's real length with max_elements to match.
    await expectRefused(
      target,
      await crafted((_, folder) => setHeader(folder, COUNT, 2n ** 40n)),
      /cur_element_count 1099511627776 is more than max_elements \d+/,
      join(segment, 'header.bin'),
    );
    await expectRefused(
      target,
      await crafted((_, folder) => {
        setHeader(folder, MAX_ELEMENTS, 2n ** 40n);
        setHeader(folder, COUNT, 2n ** 40n);
      }),
      /shorter than its 1099511627776 elements \(\d+ bytes\): \d+ bytes/,
      join(segment, 'data_level0.bin'),
    );
    // 1 TiB elements, and none of them: the old reader let the count pass and allocated 4,096 to scan.
    await expectRefused(
      target,
      await crafted((_, folder) => {
        setHeader(folder, SIZE, 2n ** 40n);
        setHeader(folder, COUNT, 0n);
      }),
      /an element layout hnswlib does not write \(size_data_per_element 1099511627776, offsetData \d+, label_offset \d+\)/,
      join(segment, 'header.bin'),
    );
    await expectRefused(
      target,
      await crafted((_, folder) => setHeader(folder, COUNT, 2n ** 64n - 1n)),
      /cur_element_count is 18446744073709551615, not a size/,
      join(segment, 'header.bin'),
    );
    // A zero count under a pickle that maps ids.
    await expectRefused(
      target,
      await crafted((_, folder) => setHeader(folder, COUNT, 0n)),
      /maps \d+ ids, more than the 0 elements header\.bin gives/,
      join(segment, 'index_metadata.pickle'),
    );
    await expectRefused(
      target,
      await crafted((_, folder) => truncateSync(join(folder, 'header.bin'), 50)),
      /50 bytes, expected 100/,
      join(segment, 'header.bin'),
    );
    await expectUntouched(target);
  });

  it('refuses truncated vector files, bogus lengths and labels, before writing the collection before them', async () => {
    const target = await store();
    await expectRefused(
      target,
      await crafted((_, folder) => truncateSync(join(folder, 'data_level0.bin'), 1000)),
      /shorter than its \d+ elements \(\d+ bytes\): 1000 bytes/,
      join(segment, 'data_level0.bin'),
    );
    await expectRefused(
      target,
      await crafted((_, folder) => truncateSync(join(folder, 'length.bin'), 100)),
      /shorter than its \d+ elements \(\d+ bytes\): 100 bytes/,
      join(segment, 'length.bin'),
    );
    await expectRefused(
      target,
      await crafted((_, folder) => {
        const file = join(folder, 'length.bin');
        const lengths = readFileSync(file);
        lengths.writeFloatLE(NaN, 5 * 4);
        writeFileSync(file, lengths);
      }),
      /element 5 has length NaN, not the length of a vector/,
      join(segment, 'length.bin'),
    );
    // Element 0's label changed: the record the pickle gives that label has no vector anywhere.
    // The old reader found it while writing b-flushed, after writing all of a-logged.
    await expectRefused(
      target,
      await crafted((_, folder) => {
        const header = readFileSync(join(folder, 'header.bin'));
        const file = join(folder, 'data_level0.bin');
        const data = readFileSync(file);
        data.writeBigUInt64LE(987654321n, Number(header.readBigUInt64LE(36)));
        writeFileSync(file, data);
      }),
      /^vecgate: b-flushed: \S+ has no vector in the HNSW files or the log$/m,
    );
    await expectUntouched(target);
  });

  it('refuses huge, cyclic, bombing and truncated pickles', async () => {
    const target = await store();
    const pickle = join(segment, 'index_metadata.pickle');
    // 600 MB, sparse: refused on its size, never read.
    await expectRefused(
      target,
      await crafted((_, folder) => truncateSync(join(folder, 'index_metadata.pickle'), 600 * 2 ** 20)),
      /629145600 bytes, more than the \d+ bytes it can take here/,
      pickle,
    );
    // {'id_to_label': <itself>}.
    const cyclic = Buffer.from([0x80, 3, 0x7d, 0x71, 0, 0x8c, 11, ...Buffer.from('id_to_label'), 0x68, 0, 0x73, 0x2e]);
    await expectRefused(
      target,
      await crafted((_, folder) => writeFileSync(join(folder, 'index_metadata.pickle'), cyclic)),
      /id_to_label maps "id_to_label" to something not a label/,
      pickle,
    );
    // A 512 KiB LONG4 integer: pickleparser builds it in quadratic time, some 40 s here, over a
    // year for one the size of the pickle limit.
    const long4 = Buffer.alloc(2 + 5 + 2 ** 19 + 1, 0xff);
    long4.set([0x80, 3, 0x8b], 0);
    long4.writeUInt32LE(2 ** 19, 3);
    long4[long4.length - 1] = 0x2e;
    await expectRefused(
      target,
      await crafted((_, folder) => writeFileSync(join(folder, 'index_metadata.pickle'), long4)),
      /not a pickle Chroma writes: opcode 0x8b at byte 2, which Chroma does not write/,
      pickle,
    );
    await expectRefused(
      target,
      await crafted((_, folder) => {
        const file = join(folder, 'index_metadata.pickle');
        const bytes = readFileSync(file);
        writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
      }),
      /not a pickle Chroma writes: it ends inside the opcode at byte \d+/,
      pickle,
    );
    await expectUntouched(target);
  });

  it('refuses a chroma.sqlite3 that is not SQLite, too large, damaged, or built to hang a query', async () => {
    const target = await store();
    const sqlite = 'chroma.sqlite3';
    await expectRefused(
      target,
      await crafted((copy) => writeFileSync(join(copy, sqlite), Buffer.alloc(65536, 0x41))),
      /not an SQLite database \(no SQLite header\)/,
      sqlite,
    );
    // 3 GiB, sparse: refused on its size, never read.
    await expectRefused(
      target,
      await crafted((copy) => truncateSync(join(copy, sqlite), 3 * 2 ** 30)),
      /3221225472 bytes, more than the 2147483647 bytes this reader holds in memory/,
      sqlite,
    );
    await expectRefused(
      target,
      await crafted((copy) => {
        const bytes = readFileSync(join(copy, sqlite));
        bytes.fill(0x55, bytes.readUInt16BE(16), bytes.readUInt16BE(16) + 16);
        writeFileSync(join(copy, sqlite), bytes);
      }),
      /SQLite finds it damaged: .*btreeInitPage/,
      sqlite,
    );
    // A view in a table's place, whose recursive query never ends: the old reader ran it.
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          'DROP TABLE databases',
          `CREATE VIEW databases AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
             SELECT 'x' AS id, 'default_database' AS name, 'default_tenant' AS tenant_id FROM r`,
        ),
      ),
      /chroma\.sqlite3 has no databases table; not a data directory of Chroma 0\.4 or later/,
    );
    await expectUntouched(target);
  });

  it('refuses bogus rows in chroma.sqlite3: log entries, a dimension, sequence numbers, records', async () => {
    const target = await store();
    const sqlite = 'chroma.sqlite3';
    const lastEntry = `(SELECT max(seq_id) FROM embeddings_queue WHERE topic LIKE '%/' ||
      (SELECT id FROM collections WHERE name = 'b-flushed'))`;
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          `UPDATE embeddings_queue SET vector = X'00000000000000000000000000' WHERE seq_id = ${lastEntry}`,
        ),
      ),
      /embeddings_queue entry \d+: a vector of 13 bytes, not a whole number of 4-byte values/,
      sqlite,
    );
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          `UPDATE embeddings_queue SET vector = X'000000000000000000000000' WHERE seq_id = ${lastEntry}`,
        ),
      ),
      /embeddings_queue entry \d+: a vector of 3 values; the collection's dimension is 8/,
      sqlite,
    );
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(copy, `UPDATE embeddings_queue SET operation = 9 WHERE seq_id = ${lastEntry}`),
      ),
      /embeddings_queue entry \d+: operation 9, which Chroma does not write/,
      sqlite,
    );
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(copy, `UPDATE collections SET dimension = 1000000000 WHERE name = 'b-flushed'`),
      ),
      /^vecgate: b-flushed: chroma\.sqlite3 gives it dimension 1000000000; vecgate holds 1 to 16000$/m,
    );
    await expectRefused(
      target,
      await crafted((copy) => editSqlite(copy, `UPDATE max_seq_id SET seq_id = X'010203040506070809'`)),
      /max_seq_id of segment \S+: a seq_id of 9 bytes \(at most 8\)/,
      sqlite,
    );
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          `INSERT INTO embeddings (segment_id, embedding_id, seq_id)
             SELECT s.id, 'ghost', 1 FROM segments s JOIN collections c ON c.id = s.collection
              WHERE c.name = 'b-flushed' AND s.scope = 'METADATA'`,
        ),
      ),
      /^vecgate: b-flushed: ghost has no vector in the HNSW files or the log$/m,
    );
    const bFlushedRows = `segment_id = (SELECT s.id FROM segments s JOIN collections c ON c.id = s.collection
      WHERE c.name = 'b-flushed' AND s.scope = 'METADATA')`;
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          `UPDATE embeddings SET embedding_id = X'00' WHERE id = (SELECT max(id) FROM embeddings WHERE ${bFlushedRows})`,
        ),
      ),
      /embeddings: row \d+ has an embedding_id that is not text/,
      sqlite,
    );
    // Chroma's table keeps each id once per segment: a copy of it without that constraint holds one twice.
    await expectRefused(
      target,
      await crafted((copy) =>
        editSqlite(
          copy,
          'CREATE TABLE loose AS SELECT * FROM embeddings',
          'DROP TABLE embeddings',
          'ALTER TABLE loose RENAME TO embeddings',
          `INSERT INTO embeddings (id, segment_id, embedding_id, seq_id)
             SELECT max(id) + 1, segment_id, 'f-7', 1 FROM embeddings WHERE ${bFlushedRows}`,
        ),
      ),
      /embeddings: f-7 is there twice/,
      sqlite,
    );
    await expectUntouched(target);
  });
});
