import { closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DIMENSION } from '../../core/collections/vector-index';
import { openRegular, readExactly, readStart } from './bounded-read';
import { readGuardedPickle } from './guarded-pickle';

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
/** Bytes read at once while mapping labels to slots (one element when an element is larger). */
const SCAN_BYTES = 4 * 1024 * 1024;
/**
 * index_metadata.pickle maps at most one id per element, in two or three maps (about 40 bytes an
 * element for ids of 10 characters): 4 KiB an element leaves room for long ids, and 512 MiB
 * (about 1.3 GB once unpickled) for some millions of elements.
 */
const PICKLE_BASE_BYTES = 64 * 1024;
const PICKLE_BYTES_PER_ELEMENT = 4 * 1024;
export const MAX_PICKLE_BYTES = 512 * 1024 * 1024;

/**
 * An unpickled dict. A pickle's BUILD can give an object any prototype, a Map among them, which
 * `instanceof` takes for a Map: only a Map with Map's own prototype is one.
 */
const isMap = (v: unknown): v is Map<unknown, unknown> =>
  v instanceof Map && Object.getPrototypeOf(v) === Map.prototype;

/** A field of the pickled metadata: a dict (Chroma 1.x, Rust) or a PersistentData object (0.4 to 0.6, Python). */
function field(pickled: unknown, key: string): unknown {
  if (isMap(pickled)) return pickled.get(key);
  if (pickled && typeof pickled === 'object' && Object.prototype.hasOwnProperty.call(pickled, key))
    return (pickled as Record<string, unknown>)[key];
  return undefined;
}

const isLabel = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The pickle's id → label map and last sequence number, of the shape Chroma writes or refused. */
function readSegmentMetadata(path: string, header: Header, dimension: number): SegmentMetadata {
  const maxBytes = Math.min(MAX_PICKLE_BYTES, PICKLE_BASE_BYTES + header.count * PICKLE_BYTES_PER_ELEMENT);
  const pickled = readGuardedPickle(path, maxBytes);
  const idToLabel = field(pickled, 'id_to_label');
  if (!isMap(idToLabel)) throw new Error(`${path}: no id_to_label map`);
  if (idToLabel.size > header.count)
    throw new Error(`${path}: maps ${idToLabel.size} ids, more than the ${header.count} elements header.bin gives`);
  // Checked entry by entry, never walked deeper: a value that is a container (the map itself, in
  // a cyclic pickle) is refused for what it is.
  const labels = new Set<number>();
  for (const [id, label] of idToLabel) {
    if (typeof id !== 'string') throw new Error(`${path}: id_to_label has a key that is not a string`);
    if (!isLabel(label))
      throw new Error(`${path}: id_to_label maps ${JSON.stringify(id.slice(0, 100))} to something not a label`);
    if (labels.has(label)) throw new Error(`${path}: id_to_label gives label ${label} to two ids`);
    labels.add(label);
  }
  const dimensionality = field(pickled, 'dimensionality');
  if (dimensionality !== null && dimensionality !== undefined && dimensionality !== dimension)
    throw new Error(`${path}: dimensionality is not the ${dimension} of header.bin`);
  const maxSeqId = field(pickled, 'max_seq_id');
  if (maxSeqId !== null && maxSeqId !== undefined && !(Number.isSafeInteger(maxSeqId) && (maxSeqId as number) >= -1))
    throw new Error(`${path}: max_seq_id is not a sequence number`);
  return { idToLabel: idToLabel as Map<string, number>, maxSeqId: (maxSeqId as number | null | undefined) ?? null };
}

/** hnswlib's fields from the first 100 bytes of header.bin, each checked against what hnswlib writes. */
function readHeader(path: string): Header {
  const buf = readStart(path, HEADER_BYTES, (size) => `${path}: ${size} bytes, expected ${HEADER_BYTES}`);
  const version = buf.readInt32LE(0);
  if (version !== PERSISTENCE_VERSION)
    throw new Error(`${path}: format version ${version}; this reader knows version ${PERSISTENCE_VERSION}`);
  // chroma-hnswlib: int32 format version, then hnswlib's offsetLevel0, max_elements,
  // cur_element_count, size_data_per_element, label_offset, offsetData (size_t each), ...
  const u64 = (at: number, name: string): number => {
    const value = buf.readBigUInt64LE(at);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${path}: ${name} is ${value}, not a size`);
    return Number(value);
  };
  const offsetLevel0 = u64(4, 'offsetLevel0');
  const header: Header = {
    maxElements: u64(12, 'max_elements'),
    count: u64(20, 'cur_element_count'),
    bytesPerElement: u64(28, 'size_data_per_element'),
    labelOffset: u64(36, 'label_offset'),
    dataOffset: u64(44, 'offsetData'),
  };
  if (header.count > header.maxElements)
    throw new Error(`${path}: cur_element_count ${header.count} is more than max_elements ${header.maxElements}`);
  // An element is its links (a 4-byte count, then 4 bytes per link), its vector, its 8-byte label.
  const { dataOffset, labelOffset, bytesPerElement } = header;
  if (
    offsetLevel0 !== 0 ||
    dataOffset < 4 ||
    dataOffset % 4 !== 0 ||
    labelOffset <= dataOffset ||
    (labelOffset - dataOffset) % 4 !== 0 ||
    bytesPerElement !== labelOffset + 8
  )
    throw new Error(
      `${path}: an element layout hnswlib does not write (size_data_per_element ${bytesPerElement}, ` +
        `offsetData ${dataOffset}, label_offset ${labelOffset})`,
    );
  const dimension = (labelOffset - dataOffset) / 4;
  if (dimension > MAX_DIMENSION)
    throw new Error(`${path}: vectors of ${dimension} dimensions, more than the ${MAX_DIMENSION} vecgate holds`);
  return header;
}

/**
 * The vectors of one persisted HNSW segment (`<data dir>/<segment id>/`), read from hnswlib's
 * level-0 file: every element there holds its links, its vector (float32) and its label. The
 * index is not searched, only read slot by slot, so no hnswlib is needed. The files may come
 * from anyone: every size the header gives is checked against the files' real sizes before
 * anything is allocated by it, and what is read is bounded by those sizes.
 */
export class HnswSegment {
  private constructor(
    private readonly fd: number,
    private readonly dataFile: string,
    private readonly header: Header,
    private readonly metadata: SegmentMetadata,
    /** hnswlib label → slot in data_level0.bin. */
    private readonly slots: Map<number, number>,
    /** Per slot, the length a cosine vector had before hnswlib normalized it. */
    private readonly lengths: Buffer | null,
  ) {}

  /**
   * The segment in `dir`, or null when Chroma never wrote its vectors there (nothing flushed yet).
   * `cosine`: hnswlib stored the vectors normalized, and their lengths in length.bin.
   * `dimension`: the collection's, when chroma.sqlite3 gives it.
   */
  static open(dir: string, cosine: boolean, dimension: number | null): HnswSegment | null {
    const pickleFile = join(dir, 'index_metadata.pickle');
    if (!existsSync(pickleFile)) return null;
    const headerFile = join(dir, 'header.bin');
    if (!existsSync(headerFile)) throw new Error(`${headerFile}: missing, next to ${pickleFile}`);
    const header = readHeader(headerFile);
    const dim = (header.labelOffset - header.dataOffset) / 4;
    if (dimension !== null && dim !== dimension)
      throw new Error(`${headerFile}: vectors of ${dim} dimensions; chroma.sqlite3 gives the collection ${dimension}`);
    const dataFile = join(dir, 'data_level0.bin');
    if (!existsSync(dataFile)) throw new Error(`${dataFile}: missing, next to ${headerFile}`);
    const { fd, size } = openRegular(dataFile);
    try {
      const need = header.count * header.bytesPerElement;
      if (size < need)
        throw new Error(
          `${dataFile}: shorter than its ${header.count} elements (${need} bytes): ${size} bytes, ` +
            `${header.bytesPerElement} an element as header.bin says`,
        );
      const lengthFile = join(dir, 'length.bin');
      // Older chroma-hnswlib did not keep the lengths: cosine vectors then stay normalized.
      const lengths = cosine && existsSync(lengthFile) ? HnswSegment.readLengths(lengthFile, header.count) : null;
      const metadata = readSegmentMetadata(pickleFile, header, dim);
      const slots = HnswSegment.scan(fd, dataFile, header);
      if (lengths)
        for (const slot of slots.values()) {
          const length = lengths.readFloatLE(slot * 4);
          if (!Number.isFinite(length) || length < 0)
            throw new Error(`${lengthFile}: element ${slot} has length ${length}, not the length of a vector`);
        }
      return new HnswSegment(fd, dataFile, header, metadata, slots, lengths);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The first `count` float32 lengths of length.bin (hnswlib sizes it for max_elements). */
  private static readLengths(path: string, count: number): Buffer {
    return readStart(
      path,
      count * 4,
      (size) => `${path}: shorter than its ${count} elements (${count * 4} bytes): ${size} bytes`,
    );
  }

  /** Maps each live element's label to its slot; a deleted slot only when no live one has the label. */
  private static scan(fd: number, path: string, header: Header): Map<number, number> {
    const slots = new Map<number, number>();
    const deleted = new Map<number, number>();
    if (header.count === 0) return slots;
    // count × size_data_per_element fits in the file: the buffer is never larger than the file.
    const perRead = Math.max(1, Math.min(header.count, Math.floor(SCAN_BYTES / header.bytesPerElement)));
    const buf = Buffer.alloc(perRead * header.bytesPerElement);
    for (let first = 0; first < header.count; first += perRead) {
      const n = Math.min(perRead, header.count - first);
      readExactly(fd, path, buf, n * header.bytesPerElement, first * header.bytesPerElement);
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

  /** Whether the files hold a vector for the id: the pickle gives it a label, and an element has that label. */
  holds(id: string): boolean {
    const label = this.metadata.idToLabel.get(id);
    return label !== undefined && this.slots.has(label);
  }

  /** The vector of a record id as written: hnswlib keeps cosine vectors normalized, with their length apart. */
  vector(id: string): number[] | null {
    const label = this.metadata.idToLabel.get(id);
    const slot = label === undefined ? undefined : this.slots.get(label);
    if (slot === undefined) return null;
    const bytes = this.header.labelOffset - this.header.dataOffset;
    const buf = Buffer.alloc(bytes);
    readExactly(this.fd, this.dataFile, buf, bytes, slot * this.header.bytesPerElement + this.header.dataOffset);
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
