/** What a good answer to one call holds: one entry per input, of so many numbers each. */
export interface ExpectedAnswer {
  inputs: number;
  /** An embedding's dimension, or 1 for a relevance score. */
  numbersPerInput: number;
}

/** The most of any provider's answer read, whatever the call. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
const FLOOR_BYTES = 1024 * 1024;
const PER_INPUT_BYTES = 1024;
const PER_NUMBER_BYTES = 64;
const ECHO_FACTOR = 3;

/**
 * The most of one call's answer read: 64 bytes for every number it should hold (JSON writes one
 * in at most 25, pretty-printing adds a line and its indent), 1 KiB of fields per input, the
 * request three times over (a provider may echo the texts with every non-ASCII character
 * escaped), and 1 MiB besides; never more than MAX_ANSWER_BYTES.
 */
export function answerLimit(expected: ExpectedAnswer, requestBytes: number): number {
  const room =
    FLOOR_BYTES +
    expected.inputs * (PER_INPUT_BYTES + expected.numbersPerInput * PER_NUMBER_BYTES) +
    ECHO_FACTOR * requestBytes;
  return Math.min(MAX_ANSWER_BYTES, room);
}
