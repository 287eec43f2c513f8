/**
 * On-disk layout of a record file (one UTC day of one venue: a 16-byte file header, then CRC-checked blocks of
 * length-prefixed records), shared by the writer (worker side) and the reader (the app's `cat`, `verify` and
 * `replay` commands). The format is specified in docs/design/record-file.md.
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
