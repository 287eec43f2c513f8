/**
 * Reading record files back: one day file, or a venue's days in a date range.
 * Used by the app's `cat`, `verify` and `replay` commands and by the flusher's
 * own crash recovery. Files are read in chunks, so day files of any size work.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { InvalidDayError, RecordFileHeaderError } from './flusher-errors.js';
import {
  BLOCK_COUNT_OFFSET,
  BLOCK_HEADER_BYTES,
  BLOCK_LENGTH_OFFSET,
  checkFileHeader,
  DEFAULT_RECORD_FILE_EXTENSION,
  FILE_HEADER_BYTES,
  getUint64,
  MAX_BLOCK_BYTES,
  RECORD_HEADER_BYTES,
  type RecordFileVersion,
  SEQUENCE_OFFSET,
  WALL_NANOS_OFFSET,
} from './record-format.js';
import { formatDay, parseDay } from './utc-day.js';
import { assertRecordPathParts } from './venue-name.js';

/** One record as stored on disk. */
export interface FlushedRecord {
  /** Ring sequence number the record had when it entered the ring. */
  sequence: number;
  /** Wall-clock nanoseconds since the Unix epoch when the flusher wrote it. */
  wallNanos: bigint;
  /** The raw bytes, exactly as they entered the ring. */
  payload: Uint8Array;
}

/**
 * The unreadable end of a file, left by a crash or power loss mid-write:
 * `'header'` when the file is shorter than its header, `'truncated'` when the
 * last block runs past the end of the file, `'checksum'`
 * when its CRC-32, its length or its record layout is wrong. Reading stops at
 * `offset`.
 */
export interface TornTail {
  /** The file it was found in. */
  file: string;
  /** Offset of the first byte that is not part of an intact block. */
  offset: number;
  /** Bytes from `offset` to the end of the file. */
  bytes: number;
  /** Why the bytes at `offset` are not an intact record. */
  reason: 'header' | 'truncated' | 'checksum';
}

/** What a pass over one file found; the return value of {@link readRecordFile}. */
export interface RecordFileSummary {
  /** The file read. */
  file: string;
  /** Format version from the file header; undefined when the file is empty or its header incomplete. */
  version: RecordFileVersion | undefined;
  /** Number of intact records. */
  records: number;
  /** Sequence of the last intact record, -1 when there is none. */
  lastSequence: number;
  /** Offset just past the last intact block (or past the header): where the next write goes. */
  validBytes: number;
  /** The torn tail, when the file does not end on a record boundary. */
  tornTail: TornTail | undefined;
}

/** Options for {@link readRecordFile} and {@link readVenueRecords}. */
export interface ReadRecordsOptions {
  /** Called once per file that ends in a torn tail, before the iteration finishes. Reading never throws for one. */
  onTornTail?: (tail: TornTail) => void;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Iterates the intact records of one record file in file order. A torn tail
 * is reported (the `onTornTail` option and the generator's return value) and
 * ends the iteration; it never throws. Each payload is a fresh copy.
 *
 * @throws {RecordFileHeaderError} when the file is not a record file of a supported version.
 * @example
 * ```ts
 * for (const { sequence, wallNanos, payload } of readRecordFile('data/binance/2025-01-02.mprec')) {
 *   console.log(sequence, wallNanos, Buffer.from(payload).toString('hex'));
 * }
 * ```
 */
export function* readRecordFile(
  path: string,
  options: ReadRecordsOptions = {},
): Generator<FlushedRecord, RecordFileSummary, undefined> {
  // `yield*` forwards an early stop (a `break` in the caller's loop, `return()`) to the inner generator,
  // whose `finally` closes the file.
  const summary = yield* iterateRecords(path, true);
  if (summary.tornTail !== undefined) options.onTornTail?.(summary.tornTail);
  return summary;
}

/**
 * Reads a whole file without keeping payloads and says where its intact
 * records end: the flusher's crash recovery.
 *
 * @throws {RecordFileHeaderError} when the file is not a record file of a supported version.
 */
export function scanRecordFile(path: string): RecordFileSummary {
  const records = iterateRecords(path, false);
  for (;;) {
    const next = records.next();
    if (next.done === true) return next.value;
  }
}

/**
 * `YYYY-MM-DD` names of the day files a venue has, oldest first. Other files
 * in the venue folder (such as preserved torn tails) are ignored.
 *
 * @throws {InvalidVenueError} for a venue or extension that is not a safe path component.
 */
export function listRecordDays(
  dataDir: string,
  venue: string,
  extension = DEFAULT_RECORD_FILE_EXTENSION,
): string[] {
  assertRecordPathParts(venue, extension);
  const dir = join(dataDir, venue);
  if (!existsSync(dir)) return [];
  const suffix = `.${extension}`;
  const days: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(suffix)) continue;
    const day = name.slice(0, -suffix.length);
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) days.push(day);
  }
  return days.sort();
}

/** Day range and file extension for {@link readVenueRecords}; both ends inclusive, `YYYY-MM-DD`, UTC. */
export interface VenueRecordRange {
  /** First day to read; defaults to the oldest file. */
  from?: string;
  /** Last day to read; defaults to the newest file. */
  to?: string;
  /** Record-file extension; defaults to `mprec`. */
  extension?: string;
}

/**
 * Iterates the records of every day file of `venue` whose day lies in the
 * range, oldest day first. A torn tail ends that file (reported through
 * `onTornTail`) and reading continues with the next day.
 *
 * @throws {InvalidVenueError} for an unsafe venue name or extension.
 * @throws {InvalidDayError} for a malformed day or `from` after `to`.
 * @throws {RecordFileHeaderError} when a day file is not a record file.
 * @example
 * ```ts
 * let count = 0;
 * for (const record of readVenueRecords('data', 'binance', { from: '2025-01-01', to: '2025-01-31' })) count++;
 * ```
 */
export function* readVenueRecords(
  dataDir: string,
  venue: string,
  range: VenueRecordRange = {},
  options: ReadRecordsOptions = {},
): Generator<FlushedRecord, RecordFileSummary[], undefined> {
  const extension = range.extension ?? DEFAULT_RECORD_FILE_EXTENSION;
  const from = range.from === undefined ? Number.NEGATIVE_INFINITY : parseDay(range.from);
  const to = range.to === undefined ? Number.POSITIVE_INFINITY : parseDay(range.to);
  if (from > to) throw new InvalidDayError(`range starts (${range.from}) after it ends (${range.to})`);
  const summaries: RecordFileSummary[] = [];
  for (const day of listRecordDays(dataDir, venue, extension)) {
    const dayNumber = parseDay(day);
    if (dayNumber < from || dayNumber > to) continue;
    summaries.push(
      yield* readRecordFile(join(dataDir, venue, `${formatDay(dayNumber)}.${extension}`), options),
    );
  }
  return summaries;
}

/** A window of a file in one buffer, re-read in chunks as a pass moves through the file. */
class FileWindow {
  chunk: Uint8Array;
  view: DataView;
  #start = 0;
  #end = 0;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    this.chunk = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(size, FILE_HEADER_BYTES)));
    this.view = new DataView(this.chunk.buffer);
  }

  /** Makes file bytes `[position, position + length)` available in `chunk`; returns the offset of `position` there. */
  load(position: number, length: number): number {
    if (position >= this.#start && position + length <= this.#end) return position - this.#start;
    if (length > this.chunk.length) {
      this.chunk = new Uint8Array(length);
      this.view = new DataView(this.chunk.buffer);
    }
    this.#start = position;
    this.#end = position;
    const want = Math.min(this.chunk.length, this.size - position);
    while (this.#end - this.#start < want) {
      const got = readSync(
        this.fd,
        this.chunk,
        this.#end - this.#start,
        want - (this.#end - this.#start),
        this.#end,
      );
      if (got === 0) break;
      this.#end += got;
    }
    return 0;
  }
}

/**
 * The one parser behind every reader. `copyPayloads` false yields views into
 * the reused chunk buffer (valid only until the next step), for scanning.
 */
function* iterateRecords(
  path: string,
  copyPayloads: boolean,
): Generator<FlushedRecord, RecordFileSummary, undefined> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const summary: RecordFileSummary = {
      file: path,
      version: undefined,
      records: 0,
      lastSequence: -1,
      validBytes: 0,
      tornTail: undefined,
    };
    if (size === 0) return summary;
    const window = new FileWindow(fd, size);
    const headerBytes = readSync(fd, window.chunk, 0, Math.min(size, FILE_HEADER_BYTES), 0);
    const header = checkFileHeader(window.chunk.subarray(0, headerBytes));
    if (header === 'short') return tornAt(summary, size, 0, 'header');
    if (!('version' in header)) throw new RecordFileHeaderError(`${path}: ${header.problem}`);
    summary.version = header.version;
    summary.validBytes = FILE_HEADER_BYTES;
    return yield* iterateBlocks(window, size, summary, copyPayloads);
  } finally {
    closeSync(fd);
  }
}

/** Ends a pass at a torn tail starting at `offset`. */
function tornAt(
  summary: RecordFileSummary,
  size: number,
  offset: number,
  reason: TornTail['reason'],
): RecordFileSummary {
  summary.validBytes = offset;
  summary.tornTail = { file: summary.file, offset, bytes: size - offset, reason };
  return summary;
}

/** Blocks, each checked whole (length, CRC, record layout) before any of its records is yielded. */
function* iterateBlocks(
  window: FileWindow,
  size: number,
  summary: RecordFileSummary,
  copyPayloads: boolean,
): Generator<FlushedRecord, RecordFileSummary, undefined> {
  let position = FILE_HEADER_BYTES;
  while (position < size) {
    if (size - position < BLOCK_HEADER_BYTES) return tornAt(summary, size, position, 'truncated');
    let at = window.load(position, BLOCK_HEADER_BYTES);
    const blockBytes = window.view.getUint32(at + BLOCK_LENGTH_OFFSET, true);
    const count = window.view.getUint32(at + BLOCK_COUNT_OFFSET, true);
    if (
      blockBytes < BLOCK_HEADER_BYTES + RECORD_HEADER_BYTES ||
      blockBytes > MAX_BLOCK_BYTES ||
      count === 0
    ) {
      return tornAt(summary, size, position, 'checksum');
    }
    if (size - position < blockBytes) return tornAt(summary, size, position, 'truncated');
    at = window.load(position, blockBytes);
    const { chunk, view } = window;
    const end = at + blockBytes;
    if (crc32(chunk.subarray(at + BLOCK_LENGTH_OFFSET, end)) !== view.getUint32(at, true)) {
      return tornAt(summary, size, position, 'checksum');
    }
    if (!recordsFillBlock(view, at + BLOCK_HEADER_BYTES, end, count)) {
      return tornAt(summary, size, position, 'checksum');
    }
    for (let record = at + BLOCK_HEADER_BYTES; record < end; ) {
      const length = view.getUint32(record, true);
      const sequence = getUint64(view, record + SEQUENCE_OFFSET);
      const payloadStart = record + RECORD_HEADER_BYTES;
      const payload = copyPayloads
        ? chunk.slice(payloadStart, payloadStart + length)
        : chunk.subarray(payloadStart, payloadStart + length);
      summary.records += 1;
      summary.lastSequence = sequence;
      yield { sequence, wallNanos: view.getBigUint64(record + WALL_NANOS_OFFSET, true), payload };
      record = payloadStart + length;
    }
    position += blockBytes;
    summary.validBytes = position;
  }
  return summary;
}

/** True when exactly `count` records, headers and payloads, fill `[from, end)` of a block. */
function recordsFillBlock(view: DataView, from: number, end: number, count: number): boolean {
  let record = from;
  for (let i = 0; i < count; i++) {
    if (end - record < RECORD_HEADER_BYTES) return false;
    const length = view.getUint32(record, true);
    if (length > end - record - RECORD_HEADER_BYTES) return false;
    record += RECORD_HEADER_BYTES + length;
  }
  return record === end;
}
