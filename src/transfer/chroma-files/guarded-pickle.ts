import { Parser } from 'pickleparser';
import { readBounded } from './bounded-read';

/**
 * What an operand is, for each opcode Chroma's pickles use (serde-pickle's protocol 3 in Chroma
 * 1.x, Python's protocols 2 to 5 in 0.4 to 0.6) and their near kin: a fixed number of bytes, or
 * a length then that many bytes. Every other opcode is refused: LONG4 (pickleparser builds its
 * bigint in quadratic time), the ext, persistent-id and out-of-band buffer ones, protocol 0's
 * text opcodes, DUP, DICT, sets.
 */
const OPERANDS = new Map<number, number | 'u1 bytes' | 'u4 bytes' | 'long1' | 'two lines'>([
  [0x80, 1], // PROTO
  [0x95, 8], // FRAME
  [0x2e, 0], // STOP
  [0x28, 0], // MARK
  [0x30, 0], // POP
  [0x31, 0], // POP_MARK
  [0x71, 1], // BINPUT
  [0x72, 4], // LONG_BINPUT
  [0x94, 0], // MEMOIZE
  [0x68, 1], // BINGET
  [0x6a, 4], // LONG_BINGET
  [0x4e, 0], // NONE
  [0x88, 0], // NEWTRUE
  [0x89, 0], // NEWFALSE
  [0x4a, 4], // BININT
  [0x4b, 1], // BININT1
  [0x4d, 2], // BININT2
  [0x8a, 'long1'], // LONG1
  [0x47, 8], // BINFLOAT
  [0x58, 'u4 bytes'], // BINUNICODE
  [0x8c, 'u1 bytes'], // SHORT_BINUNICODE
  [0x29, 0], // EMPTY_TUPLE
  [0x74, 0], // TUPLE
  [0x85, 0], // TUPLE1
  [0x86, 0], // TUPLE2
  [0x87, 0], // TUPLE3
  [0x5d, 0], // EMPTY_LIST
  [0x61, 0], // APPEND
  [0x65, 0], // APPENDS
  [0x7d, 0], // EMPTY_DICT
  [0x73, 0], // SETITEM
  [0x75, 0], // SETITEMS
  [0x63, 'two lines'], // GLOBAL
  [0x93, 0], // STACK_GLOBAL
  [0x81, 0], // NEWOBJ
  [0x52, 0], // REDUCE
  [0x62, 0], // BUILD
]);
const STOP = 0x2e;
/**
 * NEWOBJ, REDUCE and BUILD copy what they are given (arguments, an object's state), and the memo
 * hands them one large value again for two bytes: their number bounds that amplification. Python
 * Chroma's pickle has one NEWOBJ and one BUILD, Chroma 1.x's none.
 */
const COPYING = new Set([0x81, 0x52, 0x62]);
const MAX_COPYING = 16;
const NEWLINE = 0x0a;

/** Why these bytes are not a pickle this reader unpickles, or null. One pass, no allocation. */
export function pickleProblem(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let copying = 0;
  let at = 0;
  while (at < bytes.length) {
    const opcode = bytes[at];
    const operand = OPERANDS.get(opcode);
    if (operand === undefined) return `opcode 0x${opcode.toString(16)} at byte ${at}, which Chroma does not write`;
    if (opcode === STOP) return null;
    if (COPYING.has(opcode) && ++copying > MAX_COPYING)
      return `more than ${MAX_COPYING} object constructions, which Chroma does not write`;
    let end = at + 1;
    if (typeof operand === 'number') end += operand;
    else if (operand === 'two lines') {
      for (let lines = 0; lines < 2 && end <= bytes.length; lines++) {
        const newline = bytes.indexOf(NEWLINE, end);
        end = newline < 0 ? Infinity : newline + 1;
      }
    } else {
      const lengthBytes = operand === 'u4 bytes' ? 4 : 1;
      if (end + lengthBytes > bytes.length) return `it ends inside the opcode at byte ${at}`;
      const length = lengthBytes === 4 ? view.getUint32(end, true) : bytes[end];
      if (operand === 'long1') {
        // pickleparser reads at most 8 bytes, as an unsigned number: a negative one, or one past
        // 2^53, would come back wrong. Chroma's labels and sequence numbers are neither.
        const top = length > 0 && end + length < bytes.length ? bytes[end + length] : 0;
        if (length > 8 || (length === 8 && top > 0x1f)) return `an integer of ${length} bytes at byte ${at}, past 2^53`;
        if (top & 0x80) return `a negative integer of ${length} bytes at byte ${at}`;
      }
      end += lengthBytes + length;
    }
    if (end > bytes.length) return `it ends inside the opcode at byte ${at}`;
    at = end;
  }
  return 'it ends before its STOP opcode';
}

/**
 * Unpickles a file that may come from anyone: at most `maxBytes` of it, only after a pass has
 * checked that every opcode is one Chroma writes and that no operand runs past the end. What
 * comes back is data only (unknown classes become plain objects, nothing runs), which can still
 * be of any shape, cyclic included: the caller checks the shape it expects.
 */
export function readGuardedPickle(path: string, maxBytes: number): unknown {
  const bytes = readBounded(
    path,
    maxBytes,
    (size) => `${path}: ${size} bytes, more than the ${maxBytes} bytes it can take here`,
  );
  const problem = pickleProblem(bytes);
  if (problem) throw new Error(`${path}: not a pickle Chroma writes: ${problem}`);
  try {
    return new Parser({ unpicklingTypeOfDictionary: 'Map' }).parse<unknown>(bytes);
  } catch (err) {
    throw new Error(`${path}: not a pickle Chroma writes: ${(err as Error).message}`, { cause: err });
  }
}
