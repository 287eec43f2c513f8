/**
 * Deterministic record content for the ring's integration tests: the length
 * and every byte of record `sequence` derive from the sequence alone, so a
 * reader in another thread or process can check each record without being
 * told what was written.
 */

/** Largest payload the generator produces (spans 36 slots of 256 bytes). */
export const MAX_TEST_RECORD = 9000;

/** A well-mixed 32-bit hash of the sequence (murmur3 finaliser). */
function mix(sequence: number): number {
  let h = (sequence ^ (sequence / 4294967296)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Payload length of record `sequence`: mostly 0..300 bytes, one in 64 up to {@link MAX_TEST_RECORD}. */
export function recordLength(sequence: number, max = MAX_TEST_RECORD): number {
  const h = mix(sequence);
  return (h & 63) === 0 ? (h >>> 6) % (max + 1) : (h >>> 6) % Math.min(301, max + 1);
}

/** Byte `index` of record `sequence`. */
export function recordByte(sequence: number, index: number): number {
  return (sequence * 131 + index * 7 + (sequence >>> 8)) & 0xff;
}

/**
 * Every record is a window of this periodic table: byte `i` of record
 * `sequence` is `RECORD_PATTERN[recordPatternOffset(sequence) + i]`, so a
 * writer can copy a record straight from it without a JavaScript byte loop.
 */
export const RECORD_PATTERN: Uint8Array = Uint8Array.from(
  { length: 256 + MAX_TEST_RECORD },
  (_, j) => (7 * j) & 0xff,
);

/** Start of record `sequence` in {@link RECORD_PATTERN} (183 is the inverse of 7 modulo 256). */
export function recordPatternOffset(sequence: number): number {
  return (((sequence * 131 + (sequence >>> 8)) & 0xff) * 183) & 0xff;
}

/** Writes the first `length` bytes of record `sequence` into `target`. */
export function fillRecord(target: Uint8Array, sequence: number, length: number): void {
  for (let i = 0; i < length; i++) target[i] = (sequence * 131 + i * 7 + (sequence >>> 8)) & 0xff;
}

/**
 * Index (from `start`) of the first byte of `bytes[start..end)` that is not
 * record `sequence`'s, or -1 when the whole record is intact, length included.
 */
export function firstBadByte(
  bytes: Uint8Array,
  start: number,
  end: number,
  sequence: number,
  max?: number,
): number {
  const length = end - start;
  if (length !== recordLength(sequence, max)) return length;
  const base = sequence * 131 + (sequence >>> 8);
  for (let i = 0; i < length; i++) {
    if (bytes[start + i] !== ((base + i * 7) & 0xff)) return i;
  }
  return -1;
}
