/**
 * Reading record files back: one day file, or a venue's days in a date range.
 * Used by the app's `cat`, `verify` and `replay` commands and by the flusher's
 * own crash recovery. Files are read in chunks, so day files of any size work.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidDayError, RecordFileHeaderError } from '../errors.js';
import { crc32 } from './crc32.js';
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
import { type SetAsideFile, setAsideFilesOf } from './set-aside-file.js';
import { formatDay, parseDay } from './utc-day.js';
import { assertRecordPathParts } from './venue-name.js';

/** One record as stored on disk. */
export interface FlushedRecord {
  /** Ring sequence number the record had when it entered the ring. */
  sequence: number;
  /**
   * Wall-clock nanoseconds since the Unix epoch: when the message was received (the ring record's receive time,
   * its trades' `receivedNanos`), or, for a record the ring held without one, when the flusher wrote it; never
   * before the record written before it (a stamp that would be is held at that one's).
   */
  wallNanos: bigint;
  /** The raw bytes, exactly as they entered the ring. */
  payload: Uint8Array;
}

/**
 * Bytes of a file that are not intact blocks, skipped by every reader.
 *
 * - `'tornTail'`: the file ends inside a block (`reason` `'truncated'`: fewer
 *   bytes left than the block's header says or than a block header) or inside
 *   its file header (`'header'`): a crash or power loss cut the last write.
 * - `'corruption'`: anything else (`reason` `'checksum'`: a block whose length,
 *   CRC-32 or record layout is wrong). In the middle of a file, reading goes
 *   on at the next intact block after it.
 */
export interface RecordDamage {
  /** The file it was found in (a day file or one of its set-aside files). */
  file: string;
  /** Offset in `file` of the first damaged byte. */
  offset: number;
  /** Length of the damaged range: up to the next intact block, or to the end of the file. */
  bytes: number;
  /** `tornTail`: the file ends inside a block or its file header (a cut write); `corruption`: anything else. */
  kind: 'tornTail' | 'corruption';
  /** `header`: inside the file header; `truncated`: a block cut short; `checksum`: a bad length, CRC-32 or layout. */
  reason: 'header' | 'truncated' | 'checksum';
}

/** What a pass over one file found; the return value of {@link readRecordFile}. */
export interface RecordFileSummary {
  /** The file read. */
  file: string;
  /** Format version from the file header; undefined when the file is empty or its header incomplete. */
  version: RecordFileVersion | undefined;
  /** Number of intact records (set-aside files included when they were read). */
  records: number;
  /** Sequence of the last intact record, -1 when there is none. */
  lastSequence: number;
  /** Stamp (wall-clock ns) of the last intact record, -1n when there is none. */
  lastWallNanos: bigint;
  /** Offset in `file` just past its last intact block (or past the header): where the next write goes. */
  validBytes: number;
  /** Every damaged range found, in reading order: in `file`, then in the set-aside files read with it. */
  damage: RecordDamage[];
  /** The set-aside files read in their place in `file` (see {@link ReadRecordsOptions.setAside}). */
  setAsideFiles: string[];
}

/** Options for {@link readRecordFile} and {@link readVenueRecords}. */
export interface ReadRecordsOptions {
  /**
   * Called for each damaged range when it is met, before the records after it. Reading never throws for
   * damage; it skips it.
   */
  onDamage?: (damage: RecordDamage) => void;
  /**
   * Also read the day file's set-aside files (`<file>.torn-<offset>`, `<file>.damaged-<offset>`: ends that an
   * earlier recovery cut off), each at the offset it was cut at, so records come in the order they were
   * written. Default true.
   */
  setAside?: boolean;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Iterates the intact records of one record file in file order, with its
 * set-aside files in their place (unless `setAside` is false). Damage is
 * skipped: reported (the `onDamage` option, and the summary the generator
 * returns) and never thrown; reading goes on at the next intact block. Each
 * payload is a fresh copy.
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
  return yield* iterateRecords(path, {
    copyPayloads: true,
    onDamage: options.onDamage,
    setAside: options.setAside === false ? [] : setAsideFilesOf(path),
  });
}

/**
 * Reads a whole file (not its set-aside files) without keeping payloads and
 * says where its intact blocks end and what is damaged: the flusher's crash
 * recovery.
 *
 * @throws {RecordFileHeaderError} when the file is not a record file of a supported version.
 */
export function scanRecordFile(path: string): RecordFileSummary {
  const records = iterateRecords(path, { copyPayloads: false, onDamage: undefined, setAside: [] });
  for (;;) {
    const next = records.next();
    if (next.done === true) return next.value;
  }
}

/**
 * `YYYY-MM-DD` names of the day files a venue has, oldest first. Other files
 * in the venue folder (such as set-aside damaged ends) are not listed.
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
 * range, oldest day first, each with its set-aside files (see
 * {@link readRecordFile}). Damage is skipped and reported through `onDamage`.
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

/** How one pass reads: see {@link iterateRecords}. */
interface Pass {
  /** False yields views into the reused chunk buffer (valid only until the next step), for scanning. */
  copyPayloads: boolean;
  onDamage: ((damage: RecordDamage) => void) | undefined;
  /** Set-aside files of the day file to read in their place, by offset. */
  setAside: SetAsideFile[];
}

/** The one parser behind every reader. */
function* iterateRecords(path: string, pass: Pass): Generator<FlushedRecord, RecordFileSummary, undefined> {
  const summary: RecordFileSummary = {
    file: path,
    version: undefined,
    records: 0,
    lastSequence: -1,
    lastWallNanos: -1n,
    validBytes: 0,
    damage: [],
    setAsideFiles: [],
  };
  const setAside = pass.setAside.slice();
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > 0) {
      const window = new FileWindow(fd, size);
      const headerBytes = readSync(fd, window.chunk, 0, Math.min(size, FILE_HEADER_BYTES), 0);
      const header = checkFileHeader(window.chunk.subarray(0, headerBytes));
      if (header === 'short') {
        report(summary, pass, { file: path, offset: 0, bytes: size, kind: 'tornTail', reason: 'header' });
      } else if ('version' in header) {
        summary.version = header.version;
        summary.validBytes = FILE_HEADER_BYTES;
        yield* iterateBlocks(window, path, FILE_HEADER_BYTES, size, summary, pass, setAside);
      } else {
        throw new RecordFileHeaderError(`${path}: ${header.problem}`);
      }
    }
  } finally {
    closeSync(fd);
  }
  for (const file of setAside) yield* iterateSetAside(file.path, summary, pass);
  return summary;
}

/** The blocks of a set-aside file: raw blocks from its first byte, no file header. */
function* iterateSetAside(
  path: string,
  summary: RecordFileSummary,
  pass: Pass,
): Generator<FlushedRecord, void, undefined> {
  summary.setAsideFiles.push(path);
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    // Its intact blocks count as records of the day, but where the next write goes is the day file's business.
    const validBytes = summary.validBytes;
    yield* iterateBlocks(new FileWindow(fd, size), path, 0, size, summary, pass, []);
    summary.validBytes = validBytes;
  } finally {
    closeSync(fd);
  }
}

function report(summary: RecordFileSummary, pass: Pass, damage: RecordDamage): void {
  summary.damage.push(damage);
  pass.onDamage?.(damage);
}

/** Smallest block: its header and one record header (an empty payload). */
const MIN_BLOCK_BYTES = BLOCK_HEADER_BYTES + RECORD_HEADER_BYTES;

/**
 * Blocks from `from` to `size`, each checked whole (length, record layout, CRC-32) before any of its records is
 * yielded. Bytes that are not an intact block are damage: the pass scans forward, one byte at a time, for the
 * next offset where an intact block starts, reports what it skipped and goes on there. A block header that
 * happens to appear inside damaged bytes (in a payload, say) is only taken when its whole block checks out,
 * CRC-32 included, so a chance match yields nothing. `setAside` files (of a day file) are read before the
 * first block at or past the offset they were cut at (whatever is there now was written after the cut); those
 * read are removed from it.
 */
function* iterateBlocks(
  window: FileWindow,
  file: string,
  from: number,
  size: number,
  summary: RecordFileSummary,
  pass: Pass,
  setAside: SetAsideFile[],
): Generator<FlushedRecord, void, undefined> {
  let position = from;
  while (position < size) {
    while (setAside.length > 0 && setAside[0]!.offset <= position) {
      yield* iterateSetAside(setAside.shift()!.path, summary, pass);
    }
    const blockBytes = intactBlockAt(window, position, size);
    if (blockBytes === 0) {
      let next = position + 1;
      while (next <= size - MIN_BLOCK_BYTES && intactBlockAt(window, next, size) === 0) next++;
      if (next > size - MIN_BLOCK_BYTES) {
        report(summary, pass, {
          file,
          offset: position,
          bytes: size - position,
          ...endDamage(window, position, size),
        });
        return;
      }
      report(summary, pass, {
        file,
        offset: position,
        bytes: next - position,
        kind: 'corruption',
        reason: 'checksum',
      });
      position = next;
      continue;
    }
    const at = window.load(position, blockBytes);
    const { chunk, view } = window;
    const end = at + blockBytes;
    for (let record = at + BLOCK_HEADER_BYTES; record < end; ) {
      const length = view.getUint32(record, true);
      const sequence = getUint64(view, record + SEQUENCE_OFFSET);
      const payloadStart = record + RECORD_HEADER_BYTES;
      const payload = pass.copyPayloads
        ? chunk.slice(payloadStart, payloadStart + length)
        : chunk.subarray(payloadStart, payloadStart + length);
      const wallNanos = view.getBigUint64(record + WALL_NANOS_OFFSET, true);
      summary.records += 1;
      summary.lastSequence = sequence;
      summary.lastWallNanos = wallNanos;
      yield { sequence, wallNanos, payload };
      record = payloadStart + length;
    }
    position += blockBytes;
    summary.validBytes = position;
  }
}

/** True when a block header's fields could belong to an intact block; most damaged bytes fail here. */
function plausibleHeader(blockBytes: number, count: number, reserved: number): boolean {
  return (
    reserved === 0 &&
    count >= 1 &&
    blockBytes >= MIN_BLOCK_BYTES &&
    blockBytes <= MAX_BLOCK_BYTES &&
    count <= (blockBytes - BLOCK_HEADER_BYTES) / RECORD_HEADER_BYTES
  );
}

/**
 * Length of the intact block that starts at `position`, or 0 when there is none: its header is plausible, it
 * fits in the file, exactly its record count of records fills it, and its CRC-32 matches. The layout is walked
 * first, record header by record header, so damaged bytes are rejected before a CRC over a length they claim.
 */
function intactBlockAt(window: FileWindow, position: number, size: number): number {
  if (size - position < MIN_BLOCK_BYTES) return 0;
  const at = window.load(position, BLOCK_HEADER_BYTES);
  const blockBytes = window.view.getUint32(at + BLOCK_LENGTH_OFFSET, true);
  const count = window.view.getUint32(at + BLOCK_COUNT_OFFSET, true);
  const reserved = window.view.getUint32(at + BLOCK_COUNT_OFFSET + 4, true);
  if (!plausibleHeader(blockBytes, count, reserved) || blockBytes > size - position) return 0;
  const end = position + blockBytes;
  let record = position + BLOCK_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (end - record < RECORD_HEADER_BYTES) return 0;
    const length = window.view.getUint32(window.load(record, 4), true);
    if (length > end - record - RECORD_HEADER_BYTES) return 0;
    record += RECORD_HEADER_BYTES + length;
  }
  if (record !== end) return 0;
  const start = window.load(position, blockBytes);
  const crc = crc32(window.chunk.subarray(start + BLOCK_LENGTH_OFFSET, start + blockBytes));
  return crc === window.view.getUint32(start, true) ? blockBytes : 0;
}

/**
 * What damage that runs to the end of the file is: a torn tail when the file ends inside the block at
 * `position` (its header, or what the header says it holds), as a cut write leaves it; corruption otherwise.
 */
function endDamage(
  window: FileWindow,
  position: number,
  size: number,
): Pick<RecordDamage, 'kind' | 'reason'> {
  if (size - position < BLOCK_HEADER_BYTES) return { kind: 'tornTail', reason: 'truncated' };
  const at = window.load(position, BLOCK_HEADER_BYTES);
  const blockBytes = window.view.getUint32(at + BLOCK_LENGTH_OFFSET, true);
  const count = window.view.getUint32(at + BLOCK_COUNT_OFFSET, true);
  const reserved = window.view.getUint32(at + BLOCK_COUNT_OFFSET + 4, true);
  return plausibleHeader(blockBytes, count, reserved) && blockBytes > size - position
    ? { kind: 'tornTail', reason: 'truncated' }
    : { kind: 'corruption', reason: 'checksum' };
}
