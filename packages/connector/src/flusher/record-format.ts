/**
 * On-disk layout of a record file, shared by the writer (worker side) and the
 * reader (the app's `cat`, `verify` and `replay` commands).
 *
 * A file is `<dataDir>/<venue>/<YYYY-MM-DD>.<ext>` and holds one UTC day of one
 * venue. All integers are little-endian.
 *
 * File header, 16 bytes:
 *
 * | offset | size | field                                   |
 * | -----: | ---: | --------------------------------------- |
 * |      0 |    8 | magic, ASCII `MPRECORD`                 |
 * |      8 |    2 | format version, `2`                     |
 * |     10 |    2 | header length in bytes, `16`            |
 * |     12 |    4 | reserved, `0`                           |
 *
 * Version 2: blocks back to back. A block holds
 * the records of one UTC day that one flush of the write buffer wrote (a
 * new block starts past `MAX_BLOCK_BYTES`): a 16-byte header, then its records.
 *
 * | offset | size | field                                                        |
 * | -----: | ---: | ------------------------------------------------------------ |
 * |      0 |    4 | CRC-32 (zlib polynomial) of the block's bytes `[4, length)`   |
 * |      4 |    4 | block length in bytes, this header included                  |
 * |      8 |    4 | record count (at least 1)                                    |
 * |     12 |    4 | reserved, `0`                                                |
 *
 * Each record in a block: a 20-byte header and the payload.
 *
 * | offset | size | field                                                        |
 * | -----: | ---: | ------------------------------------------------------------ |
 * |      0 |    4 | payload length in bytes                                      |
 * |      4 |    8 | ring sequence number (0, 1, 2, ... never reused)             |
 * |     12 |    8 | wall-clock nanoseconds since the Unix epoch, UTC, stamped    |
 * |        |      | when the flusher wrote the record                            |
 * |     20 | len  | payload: the raw bytes exactly as they entered the ring      |
 *
 * The length prefix makes any payload legal (newlines, NUL, invalid UTF-8,
 * empty). A block whose length runs past the end of the file, whose checksum
 * does not match or whose records do not fill it exactly is a torn tail: a
 * crash or power loss cut it. One checksum per block instead of per record is
 * what lets the flusher use zlib's native CRC-32 (about 4x the throughput of
 * the JavaScript one it needed per record, whose fixed cost per call ruled out
 * zlib); the price is that a torn block is dropped whole. A torn block was
 * never fsynced.
 */

/** The 8 ASCII bytes every record file starts with. */
export const RECORD_FILE_MAGIC = 'MPRECORD';
/** A format version this package reads. */
export type RecordFileVersion = 2;
/** Record-file format version written and read (version 1 was never released). */
export const RECORD_FILE_VERSION: RecordFileVersion = 2;
/** Size of the file header in bytes. */
export const FILE_HEADER_BYTES = 16;
/**
 * Largest payload a reader accepts: a ring holds at most 1 GiB of data. A bigger
 * length field can only be damage, so it is treated as a torn record rather
 * than an invitation to allocate gigabytes.
 */
export const MAX_PAYLOAD_BYTES = 1 << 30;
/** Default record-file extension (`<YYYY-MM-DD>.mprec`). */
export const DEFAULT_RECORD_FILE_EXTENSION = 'mprec';

/** Version 2: size of a block header (CRC, length, record count, reserved). */
export const BLOCK_HEADER_BYTES = 16;
/** Version 2: offset of the block length inside a block header; the CRC is at 0. */
export const BLOCK_LENGTH_OFFSET = 4;
/** Version 2: offset of the record count inside a block header. */
export const BLOCK_COUNT_OFFSET = 8;
/** Version 2: size of a record header (length, sequence, wall-clock ns). */
export const RECORD_HEADER_BYTES = 20;
/** Version 2: offset of the ring sequence number inside a record header; the length is at 0. */
export const SEQUENCE_OFFSET = 4;
/** Version 2: offset of the wall-clock nanoseconds inside a record header. */
export const WALL_NANOS_OFFSET = 12;
/**
 * Version 2: largest block a reader accepts, one record of {@link MAX_PAYLOAD_BYTES}
 * with its headers; the writer starts a new block before exceeding it.
 */
export const MAX_BLOCK_BYTES = BLOCK_HEADER_BYTES + RECORD_HEADER_BYTES + MAX_PAYLOAD_BYTES;

const TWO_POW_16 = 0x1_0000;
const TWO_POW_32 = 0x1_0000_0000;

/** Bytes of a valid file header. */
export function encodeFileHeader(): Uint8Array {
  const header = new Uint8Array(FILE_HEADER_BYTES);
  const view = new DataView(header.buffer);
  for (let i = 0; i < RECORD_FILE_MAGIC.length; i++) header[i] = RECORD_FILE_MAGIC.charCodeAt(i);
  view.setUint16(8, RECORD_FILE_VERSION, true);
  view.setUint16(10, FILE_HEADER_BYTES, true);
  return header;
}

/**
 * Result of checking the first bytes of a file: the format version of a valid
 * header, `'short'` when the file ends before the header is complete but what
 * is there matches (a crash right after creating the file), or a message
 * saying what is wrong.
 */
export type FileHeaderCheck = { version: RecordFileVersion } | 'short' | { problem: string };

/** Checks `bytes` (the first `min(fileSize, 16)` bytes of a file) against the headers this package reads. */
export function checkFileHeader(bytes: Uint8Array): FileHeaderCheck {
  const expected = encodeFileHeader();
  const n = Math.min(bytes.length, FILE_HEADER_BYTES);
  for (let i = 0; i < n && i < 8; i++) {
    if (bytes[i] !== expected[i]) return { problem: `bad magic (expected "${RECORD_FILE_MAGIC}")` };
  }
  if (n < FILE_HEADER_BYTES) return 'short';
  const view = new DataView(bytes.buffer, bytes.byteOffset, FILE_HEADER_BYTES);
  const version = view.getUint16(8, true);
  if (version !== RECORD_FILE_VERSION) return { problem: `unsupported format version ${version}` };
  const headerBytes = view.getUint16(10, true);
  if (headerBytes !== FILE_HEADER_BYTES) return { problem: `unexpected header length ${headerBytes}` };
  return { version };
}

/** Writes a non-negative safe integer as a little-endian u64 without BigInt. */
export function setUint64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % TWO_POW_32, true);
  view.setUint32(offset + 4, Math.floor(value / TWO_POW_32), true);
}

/** Reads a little-endian u64 known to be a safe integer (a sequence number) without BigInt. */
export function getUint64(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) * TWO_POW_32 + view.getUint32(offset, true);
}

/**
 * Writes `seconds * 1e9 + nanos` as a little-endian u64 without BigInt. The
 * product does not fit a double exactly (it is above 2^53), so it is assembled
 * from 16-bit pieces that do: valid for `seconds < 2^32` (until year 2106).
 */
export function setWallNanos(view: DataView, offset: number, seconds: number, nanos: number): void {
  const secondsHigh = Math.floor(seconds / TWO_POW_16);
  const low = (seconds % TWO_POW_16) * 1e9 + nanos;
  const high = secondsHigh * 1e9;
  const highLow16 = high % TWO_POW_16;
  const carry = highLow16 * TWO_POW_16 + low;
  view.setUint32(offset, carry % TWO_POW_32, true);
  view.setUint32(offset + 4, Math.floor(high / TWO_POW_16) + Math.floor(carry / TWO_POW_32), true);
}
