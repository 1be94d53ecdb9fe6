import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'pickleparser';

/** What Chroma writes next to an HNSW index: its record id to hnswlib label map, and how far it got. */
interface SegmentMetadata {
  idToLabel: Map<string, number>;
  maxSeqId: number | null;
}

/** hnswlib's header.bin as chroma-hnswlib persists it (a format version, then hnswlib's own fields). */
interface Header {
  maxElements: number;
  count: number;
  bytesPerElement: number;
  labelOffset: number;
  dataOffset: number;
}

const HEADER_BYTES = 100;
const PERSISTENCE_VERSION = 1;
const DELETE_MARK = 0x01;
/** Elements read at once while mapping labels to slots. */
const SCAN_ELEMENTS = 4_096;

// Pickled ints come back as numbers or, past 2^53, bigints; Number() takes both.
const num = (v: unknown): number => Number(v);

/** A field of the pickled metadata: a dict (Chroma 1.x, Rust) or a PersistentData object (0.4 to 0.6, Python). */
function field(pickled: unknown, key: string): unknown {
  if (pickled instanceof Map) return pickled.get(key);
  if (pickled && typeof pickled === 'object') return (pickled as Record<string, unknown>)[key];
  return undefined;
}

function readSegmentMetadata(path: string): SegmentMetadata {
  // Unpickling here builds data only: unknown classes become plain objects, nothing runs.
  const pickled = new Parser({ unpicklingTypeOfDictionary: 'Map' }).parse<unknown>(readFileSync(path));
  const idToLabel = field(pickled, 'id_to_label');
  if (!(idToLabel instanceof Map)) throw new Error(`${path}: no id_to_label map`);
  const labels = new Map<string, number>();
  for (const [id, label] of idToLabel) labels.set(String(id), num(label));
  const maxSeqId = field(pickled, 'max_seq_id');
  return { idToLabel: labels, maxSeqId: maxSeqId === null || maxSeqId === undefined ? null : num(maxSeqId) };
}

function readHeader(path: string): Header {
  const buf = readFileSync(path);
  if (buf.length < HEADER_BYTES) throw new Error(`${path}: ${buf.length} bytes, expected ${HEADER_BYTES}`);
  const u64 = (at: number) => Number(buf.readBigUInt64LE(at));
  const version = buf.readInt32LE(0);
  if (version !== PERSISTENCE_VERSION)
    throw new Error(`${path}: format version ${version}; this reader knows version ${PERSISTENCE_VERSION}`);
  // chroma-hnswlib: int32 format version, then hnswlib's offsetLevel0, max_elements,
  // cur_element_count, size_data_per_element, label_offset, offsetData (size_t each), ...
  return {
    maxElements: u64(12),
    count: u64(20),
    bytesPerElement: u64(28),
    labelOffset: u64(36),
    dataOffset: u64(44),
  };
}

/**
 * The vectors of one persisted HNSW segment (`<data dir>/<segment id>/`), read from hnswlib's
 * level-0 file: every element there holds its links, its vector (float32) and its label. The
 * index is not searched, only read slot by slot, so no hnswlib is needed.
 */
export class HnswSegment {
  private constructor(
    private readonly fd: number,
    private readonly header: Header,
    private readonly metadata: SegmentMetadata,
    /** hnswlib label → slot in data_level0.bin. */
    private readonly slots: Map<number, number>,
    /** Per slot, the length a cosine vector had before hnswlib normalized it. */
    private readonly lengths: Buffer | null,
  ) {}

  /** Checks the files' header and sizes; the header, or null when Chroma never wrote them. */
  static check(dir: string, cosine: boolean): Header | null {
    if (!existsSync(join(dir, 'index_metadata.pickle'))) return null;
    const header = readHeader(join(dir, 'header.bin'));
    if (header.labelOffset + 8 > header.bytesPerElement || header.dataOffset >= header.labelOffset)
      throw new Error(`${join(dir, 'header.bin')}: an element layout hnswlib does not write`);
    const dataFile = join(dir, 'data_level0.bin');
    const need = header.count * header.bytesPerElement;
    if (!existsSync(dataFile) || statSync(dataFile).size < need)
      throw new Error(`${dataFile}: shorter than its ${header.count} elements (${need} bytes)`);
    const lengthFile = join(dir, 'length.bin');
    if (cosine && existsSync(lengthFile) && statSync(lengthFile).size < header.count * 4)
      throw new Error(`${lengthFile}: shorter than its ${header.count} elements`);
    return header;
  }

  /**
   * The segment in `dir`, or null when Chroma never wrote its vectors there (nothing flushed yet).
   * `cosine`: hnswlib stored the vectors normalized, and their lengths in length.bin.
   */
  static open(dir: string, cosine: boolean): HnswSegment | null {
    const header = HnswSegment.check(dir, cosine);
    if (!header) return null;
    const metadata = readSegmentMetadata(join(dir, 'index_metadata.pickle'));
    const lengthFile = join(dir, 'length.bin');
    // Older chroma-hnswlib did not keep the lengths: cosine vectors then stay normalized.
    const lengths = cosine && existsSync(lengthFile) ? readFileSync(lengthFile) : null;
    const fd = openSync(join(dir, 'data_level0.bin'), 'r');
    try {
      return new HnswSegment(fd, header, metadata, HnswSegment.scan(fd, header), lengths);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Maps each live element's label to its slot; a deleted slot only when no live one has the label. */
  private static scan(fd: number, header: Header): Map<number, number> {
    const slots = new Map<number, number>();
    const deleted = new Map<number, number>();
    const buf = Buffer.alloc(SCAN_ELEMENTS * header.bytesPerElement);
    for (let first = 0; first < header.count; first += SCAN_ELEMENTS) {
      const n = Math.min(SCAN_ELEMENTS, header.count - first);
      readSync(fd, buf, 0, n * header.bytesPerElement, first * header.bytesPerElement);
      for (let k = 0; k < n; k++) {
        const at = k * header.bytesPerElement;
        const label = Number(buf.readBigUInt64LE(at + header.labelOffset));
        // The third byte of an element's link count holds hnswlib's deleted mark.
        if (buf[at + 2] & DELETE_MARK) deleted.set(label, first + k);
        else slots.set(label, first + k);
      }
    }
    for (const [label, slot] of deleted) if (!slots.has(label)) slots.set(label, slot);
    return slots;
  }

  get dimension(): number {
    return (this.header.labelOffset - this.header.dataOffset) / 4;
  }

  /** The sequence number of the last write in these files, when the pickle says (Python Chroma). */
  get maxSeqId(): number | null {
    return this.metadata.maxSeqId;
  }

  has(id: string): boolean {
    return this.metadata.idToLabel.has(id);
  }

  /** The vector of a record id as written: hnswlib keeps cosine vectors normalized, with their length apart. */
  vector(id: string): number[] | null {
    const label = this.metadata.idToLabel.get(id);
    const slot = label === undefined ? undefined : this.slots.get(label);
    if (slot === undefined) return null;
    const bytes = this.header.labelOffset - this.header.dataOffset;
    const buf = Buffer.alloc(bytes);
    readSync(this.fd, buf, 0, bytes, slot * this.header.bytesPerElement + this.header.dataOffset);
    const out = new Array<number>(bytes / 4);
    const length = this.lengths?.readFloatLE(slot * 4) ?? 0;
    for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
    // Scaled in float32, as chroma-hnswlib does when it answers get_items.
    if (length > 0) for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i] * length);
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}
