/**
 * Layout of the ring file header (one 4096-byte page: creation line, producer line, consumer line, each on its own
 * 64-byte cache line) and the few multi-word values in it. Layout and why: docs/design/ring-buffer.md#the-header.
 */

import { RingFormatError } from '../errors.js';
import { RECORD_HEADER_BYTES, RECORD_HEADER_BYTES_V1, TWO_POW_32 } from './record-frame.js';
import type { RingGeometry } from './ring-geometry.js';

/** Bytes of header in front of the data area (one page). */
export const HEADER_BYTES = 4096;
/** File signature, 8 ASCII bytes at offset 0. */
export const RING_MAGIC = 'MPRING\r\n';
/**
 * Bumped on any incompatible layout change; older readers refuse newer files. Version 2 added each record's receive
 * time (a 24-byte record header); version 1 rings (16-byte record headers) are still read, so that a data dir made
 * before can be drained and migrated, but never written.
 */
export const RING_FORMAT_VERSION = 2;

/** A ring format version this code reads: {@link RING_FORMAT_VERSION}, or 1 (read only). */
export type RingFormatVersion = 1 | 2;

/** The error of a write to a ring of an older format version, which this code only reads. */
export function readOnlyRingError(path: string, formatVersion: number): RingFormatError {
  return new RingFormatError(
    path,
    `a ring of format version ${formatVersion} is read only (records are written in version ${RING_FORMAT_VERSION}); drain it and recreate it`,
  );
}

const VERSION_WORD = 2;
const HEADER_BYTES_WORD = 3;
const SLOT_SIZE_WORD = 4;
const SLOT_COUNT_WORD = 5;
const RECORD_HEADER_BYTES_WORD = 6;

/** Producer line: slot counter just past the last committed record. */
export const TAIL_WORD = 16;
/** Producer line: generation of the double-buffered write sequence (odd = copy A being written). */
const WRITE_GENERATION_WORD = 17;
/** Producer line: next write sequence, copy A (low, high); the hot path stores the low word here and in copy B. */
export const WRITE_SEQUENCE_A_LOW_WORD = 18;
const WRITE_SEQUENCE_A_HIGH_WORD = 19;
/** Producer line: next write sequence, copy B (low, high). */
export const WRITE_SEQUENCE_B_LOW_WORD = 20;
const WRITE_SEQUENCE_B_HIGH_WORD = 21;

/** Consumer line: slot counter up to which released slots have been zeroed; the producer may write below `reclaim + slotCount`. */
export const RECLAIM_WORD = 32;
/** Consumer line: generation of the double-buffered consumer state (odd = copy A being written). */
const READ_GENERATION_WORD = 33;
const CONSUMER_COPY_A = 34;
const CONSUMER_COPY_B = 37;

/** Consumer position as persisted: head slot counter and the sequence of the record there. */
export interface ConsumerState {
  /** Slot counter of the first unreleased record (32-bit, wrapping). */
  head: number;
  /** Sequence number of the first unreleased record (or of the next record written, when empty). */
  sequence: number;
}

/** Builds the header of a new ring file. Every position starts at zero. */
export function encodeHeader(geometry: RingGeometry): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(RING_MAGIC, 0, 'latin1');
  header.writeUInt32LE(RING_FORMAT_VERSION, VERSION_WORD * 4);
  header.writeUInt32LE(HEADER_BYTES, HEADER_BYTES_WORD * 4);
  header.writeUInt32LE(geometry.slotSize, SLOT_SIZE_WORD * 4);
  header.writeUInt32LE(geometry.slotCount, SLOT_COUNT_WORD * 4);
  header.writeUInt32LE(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES_WORD * 4);
  return header;
}

/** What an existing header says: the ring's geometry and format version. */
export interface DecodedHeader {
  geometry: RingGeometry;
  formatVersion: RingFormatVersion;
}

/**
 * Checks the signature and fixed fields of an existing header and returns the
 * geometry and format version it was created with.
 *
 * @throws {@link RingFormatError} when the bytes are not a ring header of a format version this code reads.
 */
export function decodeHeader(path: string, header: Buffer): DecodedHeader {
  if (header.length < 64 || header.toString('latin1', 0, RING_MAGIC.length) !== RING_MAGIC) {
    throw new RingFormatError(path, 'not a ring file (bad magic)');
  }
  const version = header.readUInt32LE(VERSION_WORD * 4);
  if (version !== RING_FORMAT_VERSION && version !== 1) {
    throw new RingFormatError(
      path,
      `unsupported format version ${version} (this code reads versions 1 and ${RING_FORMAT_VERSION})`,
    );
  }
  const headerBytes = header.readUInt32LE(HEADER_BYTES_WORD * 4);
  const recordHeaderBytes = header.readUInt32LE(RECORD_HEADER_BYTES_WORD * 4);
  const expectedRecordHeader = version === 1 ? RECORD_HEADER_BYTES_V1 : RECORD_HEADER_BYTES;
  if (headerBytes !== HEADER_BYTES || recordHeaderBytes !== expectedRecordHeader) {
    throw new RingFormatError(
      path,
      `unexpected header size ${headerBytes} or record header size ${recordHeaderBytes}`,
    );
  }
  return {
    geometry: {
      slotSize: header.readUInt32LE(SLOT_SIZE_WORD * 4),
      slotCount: header.readUInt32LE(SLOT_COUNT_WORD * 4),
    },
    formatVersion: version,
  };
}

/**
 * Publishes the consumer state so that it is never seen half-written, neither
 * by the producer thread nor by whoever reopens the file after a crash.
 *
 * Two copies and a generation (a seqlock whose two halves are never written at
 * the same time): the generation goes odd, copy A is written, the generation
 * goes even, copy B is written. Whenever the generation is odd, B holds the
 * previous complete state; whenever it is even, A holds the newest one. A
 * SIGKILL between any two stores therefore leaves one complete copy that the
 * generation points at. Every store is `Atomics.store`, so the stores reach
 * memory in program order on every architecture.
 */
export function publishConsumerState(words: Int32Array, head: number, sequence: number): void {
  const low = sequence >>> 0;
  const high = (sequence - low) / TWO_POW_32;
  const generation = words[READ_GENERATION_WORD]!;
  Atomics.store(words, READ_GENERATION_WORD, (generation + 1) | 0);
  Atomics.store(words, CONSUMER_COPY_A, head | 0);
  Atomics.store(words, CONSUMER_COPY_A + 1, low | 0);
  Atomics.store(words, CONSUMER_COPY_A + 2, high | 0);
  Atomics.store(words, READ_GENERATION_WORD, (generation + 2) | 0);
  Atomics.store(words, CONSUMER_COPY_B, head | 0);
  Atomics.store(words, CONSUMER_COPY_B + 1, low | 0);
  Atomics.store(words, CONSUMER_COPY_B + 2, high | 0);
}

/**
 * Reads the complete consumer state published last (see {@link publishConsumerState})
 * into `into`, retrying while the consumer is publishing concurrently.
 */
export function readConsumerState(words: Int32Array, into: ConsumerState): ConsumerState {
  for (;;) {
    const before = Atomics.load(words, READ_GENERATION_WORD);
    const copy = (before & 1) === 0 ? CONSUMER_COPY_A : CONSUMER_COPY_B;
    const head = Atomics.load(words, copy) >>> 0;
    const low = Atomics.load(words, copy + 1) >>> 0;
    const high = Atomics.load(words, copy + 2) >>> 0;
    if (Atomics.load(words, READ_GENERATION_WORD) === before) {
      into.head = head;
      into.sequence = high * TWO_POW_32 + low;
      return into;
    }
  }
}

/**
 * Publishes the producer's next write sequence in full, with the same
 * two-copy protocol as {@link publishConsumerState}. The hot path skips it
 * while the high word is unchanged and stores only the low word into both
 * copies (a single aligned 32-bit store is never torn, and either value is a
 * complete sequence); this full form runs once per 2^32 records and after
 * recovery. The write sequence is informational (recovery recomputes it from
 * the records), but a reader must never join halves of two different values.
 */
export function publishWriteSequence(words: Int32Array, sequence: number): void {
  const low = sequence >>> 0;
  const high = (sequence - low) / TWO_POW_32;
  const generation = words[WRITE_GENERATION_WORD]!;
  Atomics.store(words, WRITE_GENERATION_WORD, (generation + 1) | 0);
  Atomics.store(words, WRITE_SEQUENCE_A_HIGH_WORD, high | 0);
  Atomics.store(words, WRITE_SEQUENCE_A_LOW_WORD, low | 0);
  Atomics.store(words, WRITE_GENERATION_WORD, (generation + 2) | 0);
  Atomics.store(words, WRITE_SEQUENCE_B_HIGH_WORD, high | 0);
  Atomics.store(words, WRITE_SEQUENCE_B_LOW_WORD, low | 0);
}

/** Reads the write sequence last published by the producer (see {@link publishWriteSequence}). */
export function readWriteSequence(words: Int32Array): number {
  for (;;) {
    const before = Atomics.load(words, WRITE_GENERATION_WORD);
    const even = (before & 1) === 0;
    const high = Atomics.load(words, even ? WRITE_SEQUENCE_A_HIGH_WORD : WRITE_SEQUENCE_B_HIGH_WORD) >>> 0;
    const low = Atomics.load(words, even ? WRITE_SEQUENCE_A_LOW_WORD : WRITE_SEQUENCE_B_LOW_WORD) >>> 0;
    if (Atomics.load(words, WRITE_GENERATION_WORD) === before) return high * TWO_POW_32 + low;
  }
}
