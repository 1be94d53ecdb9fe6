import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { ChromaSqlite, MAX_SQLITE_BYTES, seqId } from '../../../src/transfer/chroma-files/chroma-sqlite';
import { pickleProblem, readGuardedPickle } from '../../../src/transfer/chroma-files/guarded-pickle';
import { HnswSegment, MAX_PICKLE_BYTES } from '../../../src/transfer/chroma-files/hnsw-segment';
import { CollectionVectors } from '../../../src/transfer/chroma-files/queued-vectors';

/**
 * The Chroma data directory reader against files made to mislead it: every size a file states is
 * checked against the file's real size before anything is allocated by it, a pickle is scanned
 * before it is unpickled and its shape checked after, and chroma.sqlite3 is bounded, checked
 * whole and read only from real tables. Each refusal names the file and what is wrong.
 */

// Pickle opcodes, as Chroma's writers emit them.
const op = (...codes: number[]) => Buffer.from(codes);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const str = (s: string) => Buffer.concat([op(0x58), u32(Buffer.byteLength(s)), Buffer.from(s)]);
const int = (n: number) => {
  const b = Buffer.alloc(5);
  b[0] = 0x4a;
  b.writeInt32LE(n, 1);
  return b;
};
const PROTO3 = op(0x80, 3);
const EMPTY_DICT = op(0x7d);
const MARK = op(0x28);
const SETITEMS = op(0x75);
const STOP = op(0x2e);
const NONE = op(0x4e);

/** index_metadata.pickle as Chroma 1.x writes it (serde-pickle, protocol 3): a dict of the id maps. */
function rustPickle(labels: [string, number][], fields: Buffer[] = []): Buffer {
  const map = (pairs: Buffer[][]) => Buffer.concat([EMPTY_DICT, MARK, ...pairs.flat(), SETITEMS]);
  return Buffer.concat([
    PROTO3,
    EMPTY_DICT,
    MARK,
    str('dimensionality'),
    NONE,
    str('total_elements_added'),
    int(labels.length),
    str('max_seq_id'),
    NONE,
    str('id_to_label'),
    map(labels.map(([id, label]) => [str(id), int(label)])),
    str('label_to_id'),
    map(labels.map(([id, label]) => [int(label), str(id)])),
    ...fields,
    SETITEMS,
    STOP,
  ]);
}

/**
 * The same as Python Chroma 0.4 to 0.6 pickled it (protocol 5): a PersistentData object with
 * dimensionality 4, ids a and b at labels 1 and 2, max_seq_id 2^40 + 7.
 */
const PYTHON_PICKLE = Buffer.from(
  '800595eb000000000000008c326368726f6d6164622e7365676d656e742e696d706c2e766563746f722e6c6f63616c5f70657273697374' +
    '656e745f686e7377948c0e50657273697374656e74446174619493942981947d94288c0e64696d656e73696f6e616c697479944b048c14' +
    '746f74616c5f656c656d656e74735f6164646564944b028c0a6d61785f7365715f6964948a060700000000018c0b69645f746f5f6c6162' +
    '656c947d94288c0161944b018c0162944b02758c0b6c6162656c5f746f5f6964947d94284b01680a4b02680b758c0c69645f746f5f7365' +
    '715f6964947d9428680a4b06680b8a060700000000017575622e',
  'hex',
);

interface Element {
  label: number;
  values: number[];
  deleted?: boolean;
}

/** Where chroma-hnswlib's header.bin keeps each field. */
const FIELD = { offsetLevel0: 4, maxElements: 12, count: 20, size: 28, labelOffset: 36, dataOffset: 44 };

/** A persisted HNSW segment as chroma-hnswlib writes it: header.bin, data_level0.bin, length.bin, the pickle. */
function writeSegment(
  dir: string,
  elements: Element[],
  { dim = 4, maxM0 = 4, maxElements = 16, lengths = null as number[] | null, pickle = null as Buffer | null } = {},
): void {
  mkdirSync(dir, { recursive: true });
  const dataOffset = maxM0 * 4 + 4;
  const labelOffset = dataOffset + dim * 4;
  const size = labelOffset + 8;
  const header = Buffer.alloc(100);
  header.writeInt32LE(1, 0);
  header.writeBigUInt64LE(BigInt(maxElements), FIELD.maxElements);
  header.writeBigUInt64LE(BigInt(elements.length), FIELD.count);
  header.writeBigUInt64LE(BigInt(size), FIELD.size);
  header.writeBigUInt64LE(BigInt(labelOffset), FIELD.labelOffset);
  header.writeBigUInt64LE(BigInt(dataOffset), FIELD.dataOffset);
  header.writeBigUInt64LE(BigInt(maxM0 / 2), 60);
  header.writeBigUInt64LE(BigInt(maxM0), 68);
  header.writeBigUInt64LE(BigInt(maxM0 / 2), 76);
  writeFileSync(join(dir, 'header.bin'), header);
  // hnswlib sizes its files for max_elements.
  const data = Buffer.alloc(maxElements * size);
  elements.forEach((e, slot) => {
    const at = slot * size;
    if (e.deleted) data[at + 2] = 1;
    e.values.forEach((x, i) => data.writeFloatLE(x, at + dataOffset + i * 4));
    data.writeBigUInt64LE(BigInt(e.label), at + labelOffset);
  });
  writeFileSync(join(dir, 'data_level0.bin'), data);
  const length = Buffer.alloc(maxElements * 4);
  (lengths ?? []).forEach((x, slot) => length.writeFloatLE(x, slot * 4));
  writeFileSync(join(dir, 'length.bin'), length);
  const live = elements.filter((e) => !e.deleted).map((e): [string, number] => [`id-${e.label}`, e.label]);
  writeFileSync(join(dir, 'index_metadata.pickle'), pickle ?? rustPickle(live));
}

function setHeader(dir: string, field: keyof typeof FIELD, value: bigint): void {
  const file = join(dir, 'header.bin');
  const header = readFileSync(file);
  header.writeBigUInt64LE(value, FIELD[field]);
  writeFileSync(file, header);
}

/** The message of what `work` throws (failing the test when it throws nothing). */
function refusal(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal, and it went through');
}

async function refusalOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal, and it went through');
}

const THREE: Element[] = [
  { label: 1, values: [1, 2, 3, 4] },
  { label: 2, values: [5, 6, 7, 8] },
  { label: 3, values: [9, 10, 11, 12] },
];

describe('Chroma data directory files, crafted', () => {
  const root = mkdtempSync(join(tmpdir(), 'vecgate-chroma-files-'));
  let n = 0;
  const fresh = () => join(root, `case-${n++}`);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  describe('index_metadata.pickle', () => {
    it('reads what Chroma 1.x and Python Chroma write', () => {
      const rust = fresh();
      writeSegment(rust, THREE);
      const segment = HnswSegment.open(rust, false, 4)!;
      expect(segment.vector('id-2')).toEqual([5, 6, 7, 8]);
      expect(segment.holds('id-3')).toBe(true);
      expect(segment.holds('id-4')).toBe(false);
      segment.close();
      const python = fresh();
      writeSegment(python, [THREE[0], THREE[1]], { pickle: PYTHON_PICKLE });
      const old = HnswSegment.open(python, false, null)!;
      expect([old.vector('a'), old.vector('b'), old.maxSeqId]).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], 2 ** 40 + 7]);
      old.close();
    });

    it('refuses opcodes Chroma never writes, before unpickling', () => {
      const long4 = Buffer.concat([PROTO3, op(0x8b), u32(1_000_000), Buffer.alloc(1_000_000), STOP]);
      expect(pickleProblem(long4)).toBe('opcode 0x8b at byte 2, which Chroma does not write');
      // BINUNICODE8 claiming 2^60 bytes, DUP, EXT1, a persistent id, protocol 0's INT.
      for (const code of [0x8d, 0x32, 0x82, 0x51, 0x49])
        expect(pickleProblem(Buffer.concat([PROTO3, op(code), Buffer.alloc(8, 0xff), STOP]))).toMatch(
          /^opcode 0x[0-9a-f]+ at byte 2, which Chroma does not write$/,
        );
      expect(pickleProblem(rustPickle([['a', 1]]))).toBeNull();
      expect(pickleProblem(PYTHON_PICKLE)).toBeNull();
    });

    it('refuses an operand that runs past the end, and a pickle with no STOP', () => {
      const string = Buffer.concat([PROTO3, op(0x58), u32(0xffffffff), Buffer.from('abc')]);
      expect(pickleProblem(string)).toBe('it ends inside the opcode at byte 2');
      expect(pickleProblem(Buffer.concat([PROTO3, op(0x8c, 200), Buffer.from('short')]))).toBe(
        'it ends inside the opcode at byte 2',
      );
      expect(pickleProblem(Buffer.concat([PROTO3, op(0x63), Buffer.from('module\nname-without-newline')]))).toBe(
        'it ends inside the opcode at byte 2',
      );
      const whole = rustPickle([['a', 1]]);
      expect(pickleProblem(whole.subarray(0, whole.length - 1))).toBe('it ends before its STOP opcode');
      expect(pickleProblem(whole.subarray(0, 20))).toBe('it ends inside the opcode at byte 4');
    });

    it('refuses integers pickleparser would read wrong', () => {
      const long1 = (...bytes: number[]) => Buffer.concat([PROTO3, op(0x8a, bytes.length, ...bytes), STOP]);
      expect(pickleProblem(long1(1, 0, 0, 0, 0, 0, 0, 0, 0))).toBe('an integer of 9 bytes at byte 2, past 2^53');
      expect(pickleProblem(long1(0, 0, 0, 0, 0, 0, 0, 0x20))).toBe('an integer of 8 bytes at byte 2, past 2^53');
      expect(pickleProblem(long1(0xff))).toBe('a negative integer of 1 bytes at byte 2');
      expect(pickleProblem(long1(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0))).toBeNull();
    });

    it('bounds the copies the memo can make: a large state built again and again is refused', () => {
      // One dict of 1,000 entries, then BUILD with it as the state 17 times for 3 bytes each.
      const entries = Array.from({ length: 1000 }, (_, i) => [str(`k${i}`), int(i)]).flat();
      const state = Buffer.concat([EMPTY_DICT, op(0x71, 0), MARK, ...entries, SETITEMS]);
      const builds = Array.from({ length: 17 }, () => op(0x68, 0, 0x62));
      const bomb = Buffer.concat([PROTO3, EMPTY_DICT, state, op(0x30), ...builds, STOP]);
      expect(pickleProblem(bomb)).toBe('more than 16 object constructions, which Chroma does not write');
    });

    it('refuses a pickle over its byte limit without reading it', () => {
      const dir = fresh();
      mkdirSync(dir);
      const file = join(dir, 'index_metadata.pickle');
      writeFileSync(file, '');
      // A sparse file: its size is real, and nothing of it is on disk or read.
      truncateSync(file, MAX_PICKLE_BYTES + 1);
      expect(refusal(() => readGuardedPickle(file, MAX_PICKLE_BYTES))).toBe(
        `${file}: ${MAX_PICKLE_BYTES + 1} bytes, more than the ${MAX_PICKLE_BYTES} bytes it can take here`,
      );
    });

    it('bounds the pickle by the elements the index holds', () => {
      const dir = fresh();
      const ids = Array.from({ length: 300 }, (_, i): [string, number] => [`${'x'.repeat(200)}-${i}`, i + 1]);
      writeSegment(dir, THREE, { pickle: rustPickle(ids) });
      const file = join(dir, 'index_metadata.pickle');
      const size = readFileSync(file).length;
      expect(size).toBeGreaterThan(64 * 1024 + 3 * 4096);
      expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(
        `${file}: ${size} bytes, more than the ${64 * 1024 + 3 * 4096} bytes it can take here`,
      );
    });

    it('refuses a cyclic pickle by its shape, without walking it', () => {
      // {'id_to_label': <the dict itself>}: the map's one value is the map.
      const dir = fresh();
      const cyclic = Buffer.concat([PROTO3, EMPTY_DICT, op(0x71, 0), str('id_to_label'), op(0x68, 0, 0x73), STOP]);
      writeSegment(dir, THREE, { pickle: cyclic });
      const file = join(dir, 'index_metadata.pickle');
      expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(
        `${file}: id_to_label maps "id_to_label" to something not a label`,
      );
      // A list that holds itself where the map should be.
      const list = Buffer.concat([
        PROTO3,
        EMPTY_DICT,
        str('id_to_label'),
        op(0x5d, 0x71, 1, 0x68, 1, 0x61),
        op(0x73),
        STOP,
      ]);
      writeFileSync(file, list);
      expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(`${file}: no id_to_label map`);
    });

    it('refuses an object whose prototype BUILD made a map', () => {
      // {'id_to_label': an object given a prototype {'a': 1} by BUILD's state {'__proto__': ...}}:
      // instanceof Map holds for it, and Map's methods throw on it.
      const dir = fresh();
      const fake = Buffer.concat([
        PROTO3,
        EMPTY_DICT,
        str('id_to_label'),
        op(0x63),
        Buffer.from('chromadb\nFake\n'),
        op(0x29, 0x81),
        EMPTY_DICT,
        str('__proto__'),
        EMPTY_DICT,
        MARK,
        str('a'),
        int(1),
        SETITEMS,
        op(0x73, 0x62, 0x73),
        STOP,
      ]);
      expect(pickleProblem(fake)).toBeNull();
      writeSegment(dir, THREE, { pickle: fake });
      expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(
        `${join(dir, 'index_metadata.pickle')}: no id_to_label map`,
      );
    });

    it('checks the id map against the index: count, key and label types, labels given twice', () => {
      const cases: [Buffer, string][] = [
        [
          rustPickle([
            ['a', 1],
            ['b', 2],
            ['c', 3],
            ['d', 4],
          ]),
          'maps 4 ids, more than the 3 elements header.bin gives',
        ],
        [
          rustPickle([
            ['a', 1],
            ['b', 1],
          ]),
          'id_to_label gives label 1 to two ids',
        ],
        [rustPickle([['a', -1]]), 'id_to_label maps "a" to something not a label'],
        [
          Buffer.concat([PROTO3, EMPTY_DICT, str('id_to_label'), EMPTY_DICT, int(7), int(1), op(0x73, 0x73), STOP]),
          'id_to_label has a key that is not a string',
        ],
        [rustPickle([['a', 1]], [str('max_seq_id'), str('not a number')]), 'max_seq_id is not a sequence number'],
        [rustPickle([['a', 1]], [str('dimensionality'), int(9)]), 'dimensionality is not the 4 of header.bin'],
        [Buffer.concat([PROTO3, int(5), STOP]), 'no id_to_label map'],
      ];
      for (const [pickle, message] of cases) {
        const dir = fresh();
        writeSegment(dir, THREE, { pickle });
        expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(
          `${join(dir, 'index_metadata.pickle')}: ${message}`,
        );
      }
    });
  });

  describe('header.bin, data_level0.bin and length.bin', () => {
    const open = (dir: string, cosine = false) => refusal(() => HnswSegment.open(dir, cosine, 4));

    it('refuses sizes past the real files before allocating by them', () => {
      const cases: [keyof typeof FIELD, bigint, string][] = [
        ['count', 2n ** 40n, 'header.bin: cur_element_count 1099511627776 is more than max_elements 16'],
        ['count', 2n ** 63n, 'header.bin: cur_element_count is 9223372036854775808, not a size'],
        [
          'size',
          2n ** 40n,
          'header.bin: an element layout hnswlib does not write (size_data_per_element 1099511627776, offsetData 20, label_offset 36)',
        ],
        [
          'labelOffset',
          20n + 4n * 16001n,
          'header.bin: an element layout hnswlib does not write (size_data_per_element 44, offsetData 20, label_offset 64024)',
        ],
        [
          'dataOffset',
          7n,
          'header.bin: an element layout hnswlib does not write (size_data_per_element 44, offsetData 7, label_offset 36)',
        ],
        [
          'offsetLevel0',
          8n,
          'header.bin: an element layout hnswlib does not write (size_data_per_element 44, offsetData 20, label_offset 36)',
        ],
      ];
      for (const [field, value, message] of cases) {
        const dir = fresh();
        writeSegment(dir, THREE);
        setHeader(dir, field, value);
        expect(`${field}: ${open(dir)}`).toBe(`${field}: ${join(dir, message)}`);
      }
      // A layout consistent with itself, of 2^40 elements of 44 bytes: the data file is not that long.
      const dir = fresh();
      writeSegment(dir, THREE);
      setHeader(dir, 'maxElements', 2n ** 40n);
      setHeader(dir, 'count', 2n ** 40n);
      expect(open(dir)).toBe(
        `${join(dir, 'data_level0.bin')}: shorter than its 1099511627776 elements (48378511622144 bytes): ` +
          '704 bytes, 44 an element as header.bin says',
      );
    });

    it('refuses more dimensions than vecgate holds, and a dimension other than the collection’s', () => {
      const wide = fresh();
      writeSegment(wide, [], { dim: 16001, maxElements: 0 });
      expect(open(wide)).toBe(
        `${join(wide, 'header.bin')}: vectors of 16001 dimensions, more than the 16000 vecgate holds`,
      );
      const other = fresh();
      writeSegment(other, THREE);
      expect(refusal(() => HnswSegment.open(other, false, 8))).toBe(
        `${join(other, 'header.bin')}: vectors of 4 dimensions; chroma.sqlite3 gives the collection 8`,
      );
    });

    it('opens a header of huge elements and no count without allocating them', () => {
      // 2^30 links an element (4 GiB each): consistent, and nothing of it is read when the count is 0.
      const dir = fresh();
      writeSegment(dir, [], { maxElements: 0, pickle: rustPickle([]) });
      const dataOffset = 4n + 4n * 2n ** 30n;
      setHeader(dir, 'dataOffset', dataOffset);
      setHeader(dir, 'labelOffset', dataOffset + 16n);
      setHeader(dir, 'size', dataOffset + 24n);
      const segment = HnswSegment.open(dir, true, 4)!;
      expect(segment.holds('id-1')).toBe(false);
      expect(segment.vector('id-1')).toBeNull();
      segment.close();
      // One such element: the file would have to be 4 GiB long.
      setHeader(dir, 'maxElements', 1n);
      setHeader(dir, 'count', 1n);
      expect(open(dir)).toMatch(/data_level0\.bin: shorter than its 1 elements \(4294967324 bytes\): 0 bytes/);
    });

    it('refuses a zero count when the pickle maps ids', () => {
      const dir = fresh();
      writeSegment(dir, THREE);
      setHeader(dir, 'count', 0n);
      expect(open(dir)).toBe(
        `${join(dir, 'index_metadata.pickle')}: maps 3 ids, more than the 0 elements header.bin gives`,
      );
    });

    it('refuses truncated files', () => {
      const dir = fresh();
      writeSegment(dir, THREE, { maxElements: 3 });
      writeFileSync(join(dir, 'header.bin'), readFileSync(join(dir, 'header.bin')).subarray(0, 60));
      expect(open(dir)).toBe(`${join(dir, 'header.bin')}: 60 bytes, expected 100`);
      const data = fresh();
      writeSegment(data, THREE, { maxElements: 3 });
      truncateSync(join(data, 'data_level0.bin'), 3 * 44 - 1);
      expect(open(data)).toBe(
        `${join(data, 'data_level0.bin')}: shorter than its 3 elements (132 bytes): 131 bytes, 44 an element as header.bin says`,
      );
      const lengths = fresh();
      writeSegment(lengths, THREE, { maxElements: 3, lengths: [1, 1, 1] });
      truncateSync(join(lengths, 'length.bin'), 11);
      expect(open(lengths, true)).toBe(
        `${join(lengths, 'length.bin')}: shorter than its 3 elements (12 bytes): 11 bytes`,
      );
      // Without cosine length.bin is not read at all.
      expect(HnswSegment.open(lengths, false, 4)?.close()).toBeUndefined();
    });

    it('refuses a length that is no vector’s, and scales by the ones that are', () => {
      const dir = fresh();
      writeSegment(dir, THREE, { lengths: [2, 0.5, 1] });
      const segment = HnswSegment.open(dir, true, 4)!;
      expect(segment.vector('id-1')).toEqual([2, 4, 6, 8]);
      segment.close();
      for (const bad of [NaN, Infinity, -1]) {
        writeSegment(dir, THREE, { lengths: [1, bad, 1] });
        expect(open(dir, true)).toBe(
          `${join(dir, 'length.bin')}: element 1 has length ${bad}, not the length of a vector`,
        );
      }
    });

    it('maps labels to live slots first, reading no more than the count', () => {
      const dir = fresh();
      writeSegment(dir, [{ label: 1, values: [0, 0, 0, 1], deleted: true }, ...THREE]);
      const segment = HnswSegment.open(dir, false, 4)!;
      expect(segment.vector('id-1')).toEqual([1, 2, 3, 4]);
      segment.close();
    });
  });

  it('reads regular files only: a FIFO (whose reads wait forever) or a directory is refused', async () => {
    const dir = fresh();
    writeSegment(dir, THREE);
    const pickle = join(dir, 'index_metadata.pickle');
    rmSync(pickle);
    execFileSync('mkfifo', [pickle]);
    expect(refusal(() => HnswSegment.open(dir, false, 4))).toBe(`${pickle}: not a regular file`);
    const data = fresh();
    writeSegment(data, THREE);
    rmSync(join(data, 'data_level0.bin'));
    mkdirSync(join(data, 'data_level0.bin'));
    expect(refusal(() => HnswSegment.open(data, false, 4))).toBe(
      `${join(data, 'data_level0.bin')}: not a regular file`,
    );
    const sqlite = fresh();
    mkdirSync(sqlite);
    execFileSync('mkfifo', [join(sqlite, 'chroma.sqlite3')]);
    expect(await refusalOf(() => ChromaSqlite.open(sqlite))).toBe(
      `${join(sqlite, 'chroma.sqlite3')}: not a regular file`,
    );
  });

  describe('chroma.sqlite3', () => {
    let SQL: Awaited<ReturnType<typeof initSqlJs>>;
    beforeAll(async () => {
      SQL = await initSqlJs();
    });
    const QUEUE = `CREATE TABLE embeddings_queue (seq_id INTEGER PRIMARY KEY, created_at TIMESTAMP, operation INTEGER NOT NULL,
      topic TEXT NOT NULL, id TEXT NOT NULL, vector BLOB, encoding TEXT, metadata TEXT)`;
    /** A directory whose chroma.sqlite3 is what `sql` makes. */
    const sqliteDir = (...sql: string[]) => {
      const dir = fresh();
      mkdirSync(dir);
      const db = new SQL.Database();
      for (const s of sql) db.run(s);
      writeFileSync(join(dir, 'chroma.sqlite3'), db.export());
      db.close();
      return dir;
    };

    it('refuses a file over the size sql.js can hold, before reading it', async () => {
      const dir = fresh();
      mkdirSync(dir);
      const file = join(dir, 'chroma.sqlite3');
      writeFileSync(file, '');
      truncateSync(file, 3 * 2 ** 30);
      expect(await refusalOf(() => ChromaSqlite.open(dir))).toBe(
        `${file}: 3221225472 bytes, more than the ${MAX_SQLITE_BYTES} bytes this reader holds in memory (sql.js reads the whole file)`,
      );
    });

    it('refuses a file that is not SQLite, and one SQLite finds damaged', async () => {
      const dir = fresh();
      mkdirSync(dir);
      const file = join(dir, 'chroma.sqlite3');
      writeFileSync(file, Buffer.alloc(8192, 7));
      expect(await refusalOf(() => ChromaSqlite.open(dir))).toBe(`${file}: not an SQLite database (no SQLite header)`);
      const good = sqliteDir(QUEUE, `INSERT INTO embeddings_queue (operation, topic, id) VALUES (3, 't', 'x')`);
      const bytes = readFileSync(join(good, 'chroma.sqlite3'));
      // The table's root page (page 2) overwritten: a b-tree page of an unknown type.
      bytes.fill(0x55, 4096, 4096 + 16);
      writeFileSync(file, bytes);
      expect(await refusalOf(() => ChromaSqlite.open(dir))).toMatch(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SQLite finds it damaged: `),
      );
    });

    it('takes tables only: no view, no generated column', async () => {
      const view = await ChromaSqlite.open(
        sqliteDir(
          `CREATE VIEW embeddings_queue AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r`,
        ),
      );
      expect(view.hasTable('embeddings_queue')).toBe(false);
      view.close();
      const generatedDir = sqliteDir(
        `CREATE TABLE collections (id TEXT, name TEXT AS (printf('%.*c', 1000000000, 'x')))`,
      );
      const generated = await ChromaSqlite.open(generatedDir);
      expect(refusal(() => generated.hasTable('collections'))).toBe(
        `${join(generatedDir, 'chroma.sqlite3')}: table collections has a generated column (name); Chroma makes none`,
      );
      generated.close();
    });

    it('names the file in SQLite’s own errors', async () => {
      const dir = sqliteDir(QUEUE);
      const db = await ChromaSqlite.open(dir);
      expect(refusal(() => db.all('SELECT * FROM no_such_table'))).toBe(
        `${join(dir, 'chroma.sqlite3')}: no such table: no_such_table`,
      );
      db.close();
    });

    it('takes sequence numbers as integers or at most 8 bytes', () => {
      expect(seqId(42)).toBe(42);
      expect(seqId(Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0]))).toBe(256);
      expect(seqId(null)).toBe(-1);
      expect(refusal(() => seqId(new Uint8Array(9), 'f: row 3'))).toBe('f: row 3: a seq_id of 9 bytes (at most 8)');
      expect(refusal(() => seqId('7', 'f'))).toBe('f: a seq_id that is not an integer (string)');
      expect(refusal(() => seqId(1.5, 'f'))).toBe('f: a seq_id that is not an integer (number)');
    });

    it('checks each log entry: its operation, id and vector against the dimension', async () => {
      const f32 = (...xs: number[]) => `X'${Buffer.from(Float32Array.from(xs).buffer).toString('hex')}'`;
      const log = (...rows: string[]) =>
        sqliteDir(
          QUEUE,
          ...rows.map((r) => `INSERT INTO embeddings_queue (operation, topic, id, vector, encoding) VALUES (${r})`),
        );
      const replay = async (dir: string, dimension: number | null) => {
        const db = await ChromaSqlite.open(dir);
        try {
          return new CollectionVectors(db, 'c', -1, null, dimension);
        } finally {
          db.close();
        }
      };
      const ok = await replay(
        log(`0, 'p/c', 'a', ${f32(1, 2)}, 'FLOAT32'`, `2, 'p/c', 'b', ${f32(3, 4)}, NULL`, `3, 'p/c', 'a', NULL, NULL`),
        2,
      );
      expect([ok.holds('a'), ok.vector('b')]).toEqual([false, [3, 4]]);
      const cases: [string, number | null, string][] = [
        [`0, 'p/c', 'a', X'0000803f00', 'FLOAT32'`, 2, 'a vector of 5 bytes, not a whole number of 4-byte values'],
        [`0, 'p/c', 'a', X'', 'FLOAT32'`, null, 'a vector of 0 bytes, not a whole number of 4-byte values'],
        [`0, 'p/c', 'a', ${f32(1, 2, 3)}, 'FLOAT32'`, 2, "a vector of 3 values; the collection's dimension is 2"],
        [`0, 'p/c', 'a', ${f32(1, 2)}, 'FLOAT16'`, 2, 'a vector in FLOAT16 encoding'],
        [`7, 'p/c', 'a', ${f32(1, 2)}, 'FLOAT32'`, 2, 'operation 7, which Chroma does not write'],
        [`0, 'p/c', X'01', ${f32(1, 2)}, 'FLOAT32'`, 2, 'an id that is not text'],
        [`0, 'p/c', 'a', 'text', 'FLOAT32'`, 2, 'a vector that is not a blob'],
      ];
      for (const [row, dimension, message] of cases) {
        const dir = log(row);
        expect(await refusalOf(() => replay(dir, dimension))).toBe(
          `${join(dir, 'chroma.sqlite3')}: embeddings_queue entry 1: ${message}`,
        );
      }
      // With no dimension given, the first entry's is the one the others must have.
      const mixed = log(`0, 'p/c', 'a', ${f32(1, 2)}, NULL`, `0, 'p/c', 'b', ${f32(1, 2, 3)}, NULL`);
      expect(await refusalOf(() => replay(mixed, null))).toBe(
        `${join(mixed, 'chroma.sqlite3')}: embeddings_queue entry 2: a vector of 3 values; the collection's dimension is 2`,
      );
    });
  });
});
