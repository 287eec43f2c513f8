/**
 * The replay source: a recorded file with one raw venue message per line,
 * delivered as fast as possible or at the pace it was recorded.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { ReplayFileError, ReplayLineTooLongError } from '../errors.js';
import { detectLineFormat, LinePrefixReader, type LineTimestampFormat } from './line-timestamp.js';
import type {
  BackpressureCheck,
  MessageSource,
  RawMessageHandler,
  SourceEnd,
  SourceEventListener,
  SourceStatus,
} from './message-source.js';
import { SourceLifecycle } from './source-lifecycle.js';
import { MAX_TIMER_MS } from './timer-limit.js';

/** Options of a {@link LineReplaySource}. */
export interface LineReplayOptions {
  /** The file to replay. */
  path: string;
  /**
   * `fast` (default): as fast as the handler takes them, yielding to the event loop between chunks.
   * `recorded`: each line when its receive-time prefix says, relative to the first one, divided by `speed`;
   * lines without a time (a `raw` file) are not delayed.
   */
  pace?: 'fast' | 'recorded';
  /** Replay speed in `recorded` pace: 2 plays twice as fast (default 1). */
  speed?: number;
  /** The timestamp prefix; `auto` (default) detects it from the first lines (see `line-timestamp.ts`). */
  format?: 'auto' | LineTimestampFormat;
  /**
   * Read size (default 1 MiB): bigger chunks, fewer reads and event-loop turns. Two buffers of this size plus
   * 64 KiB are held: one is read into while the other's lines are delivered.
   */
  chunkBytes?: number;
  /** A line longer than this ends the replay with {@link ReplayLineTooLongError} (default 256 MiB). */
  maxLineBytes?: number;
}

/** State and counters of a {@link LineReplaySource}. */
export interface LineReplayStatus extends SourceStatus {
  path: string;
  /** The prefix shape in use, `null` until the first chunk was read. */
  format: LineTimestampFormat | null;
  /** Lines seen, including empty and skipped ones. */
  lines: number;
  /** Empty lines (nothing but `\r` or nothing at all, or a prefix with no message): skipped. */
  emptyLines: number;
  /** Lines lacking the file's prefix (e.g. cryptofeed's connection and client-sent lines): skipped. */
  unprefixedLines: number;
  /** File bytes read so far. */
  bytesRead: number;
  /** Times the replay waited for a backed-up consumer (see {@link LineReplaySource.setBackpressure}). */
  pauses: number;
  /** Milliseconds spent in those waits, the current one included. */
  pausedMs: number;
}

const LF = 0x0a;
const CR = 0x0d;
const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const DEFAULT_MAX_LINE_BYTES = 256 * 1024 * 1024;
/** Non-empty lines examined to detect the prefix (the shape most of them have): past cryptofeed's header lines. */
const DETECT_LINES = 64;
/** Or this many bytes, when the first lines are long. */
const DETECT_MIN_BYTES = 64 * 1024;
/** Room in front of each read for the unfinished line of the chunk before; longer ones are appended to instead. */
const HEAD_ROOM = 64 * 1024;

/** The same bytes as `buffer`, as a plain `Uint8Array`. */
function plainView(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

function hasLines(bytes: Buffer, count: number): boolean {
  let newline = -1;
  for (let seen = 0; seen < count; seen++) {
    newline = bytes.indexOf(LF, newline + 1);
    if (newline === -1) return false;
  }
  return true;
}

/**
 * Replays a line file into the same handler a live source feeds.
 *
 * Lines are raw bytes up to `\n` (one trailing `\r` is dropped); they are never
 * decoded, so invalid UTF-8 comes through as recorded. Each message is a view
 * into the read buffer, valid only during the handler call. Empty lines are
 * skipped and counted (`emptyLines`); a last line without `\n` is delivered.
 * In a prefixed file only the message after the prefix is delivered, and
 * {@link recordedTimeMs} / {@link recordedSubMsNanos} hold the line's receive
 * time during the call.
 *
 * The file is read in big chunks; `fast` pace yields to the event loop
 * (setImmediate) between chunks so status timers keep running. `done` resolves
 * with `end` after the last line.
 *
 * @example
 * ```ts
 * const replay = new LineReplaySource({ path: 'captures/COINBASE.ws.28.0', pace: 'recorded', speed: 10 });
 * replay.onMessage(runner.onMessage); // Runner.onMessage is bound
 * replay.start();
 * const end = await replay.done; // { reason: 'end' }
 * console.log(replay.status().messages, 'messages');
 * ```
 */
export class LineReplaySource implements MessageSource {
  /** Resolves when the file is exhausted (`end`), on `stop()` (`stopped`) or on a read failure (`error`). */
  readonly done: Promise<SourceEnd>;

  private readonly path: string;
  private readonly paced: boolean;
  private readonly speed: number;
  private readonly forcedFormat: LineTimestampFormat | null;
  private readonly chunkBytes: number;
  private readonly maxLineBytes: number;
  private readonly life = new SourceLifecycle('LineReplaySource');

  private prefix: LinePrefixReader | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private paceOriginRecordedMs = Number.NaN;
  private paceOriginWallMs = 0;

  private backedUp: BackpressureCheck | null = null;
  private pauses = 0;
  private pausedMs = 0;
  /** When the current wait began (`performance.now()`), or -1. */
  private pausedSince = -1;

  private lines = 0;
  private emptyLines = 0;
  private unprefixedLines = 0;
  private bytesRead = 0;

  /** @throws {InvalidArgumentError} for a non-positive speed, chunk size or line limit. */
  constructor(options: LineReplayOptions) {
    this.path = options.path;
    this.paced = (options.pace ?? 'fast') === 'recorded';
    this.speed = options.speed ?? 1;
    if (!(Number.isFinite(this.speed) && this.speed > 0)) {
      throw new InvalidArgumentError(`speed must be a finite number > 0, got ${this.speed}`, {
        argument: 'speed',
      });
    }
    this.forcedFormat = options.format === undefined || options.format === 'auto' ? null : options.format;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(Number.isInteger(this.chunkBytes) && this.chunkBytes >= 1)) {
      throw new InvalidArgumentError(`chunkBytes must be an integer >= 1, got ${this.chunkBytes}`, {
        argument: 'chunkBytes',
      });
    }
    if (!(Number.isInteger(this.maxLineBytes) && this.maxLineBytes >= 1)) {
      throw new InvalidArgumentError(`maxLineBytes must be an integer >= 1, got ${this.maxLineBytes}`, {
        argument: 'maxLineBytes',
      });
    }
    this.done = this.life.done;
  }

  /**
   * Receive time of the line being delivered, whole epoch ms; NaN in a `raw`
   * file. Read it in the handler, with {@link recordedSubMsNanos}.
   */
  get recordedTimeMs(): number {
    return this.prefix === null ? Number.NaN : this.prefix.timeMs;
  }

  /** Nanoseconds within {@link recordedTimeMs} (0..999 999), exact even for ns prefixes. */
  get recordedSubMsNanos(): number {
    return this.prefix === null ? 0 : this.prefix.subMsNanos;
  }

  /** Sets the message handler (replaces the previous one). */
  onMessage(handler: RawMessageHandler): void {
    this.life.setHandler(handler);
  }

  /**
   * After each line, asks `check` whether the consumer is backed up; while it is, the replay waits (asking again
   * every millisecond) instead of delivering more. Set it before {@link LineReplaySource.start}.
   */
  setBackpressure(check: BackpressureCheck): void {
    this.backedUp = check;
  }

  /** Adds an event listener (only `error` events: a bad handler call, an unreadable file); returns its remover. */
  onEvent(listener: SourceEventListener): () => void {
    return this.life.onEvent(listener);
  }

  /**
   * Starts reading; returns at once.
   * @throws {SourceStateError} when called a second time or after `stop()`.
   */
  start(): void {
    this.life.start('running');
    this.replay().then(
      (end) => this.life.settle(end),
      (err: unknown) => this.life.fail(err, (message) => new ReplayFileError(message)),
    );
  }

  /** Stops after the current line (or wakes a paced wait) and closes the file. */
  stop(): Promise<void> {
    return this.life.stop(this.halt);
  }

  /** The first `stop()` of a started replay: the read loop sees `stopRequested` and ends with `stopped`. */
  private readonly halt = (): void => {
    if (this.sleepTimer !== null) {
      clearTimeout(this.sleepTimer);
      this.sleepTimer = null;
      this.wake?.();
    }
  };

  /** A snapshot of the state and counters. */
  status(): LineReplayStatus {
    return this.life.status({
      path: this.path,
      format: this.prefix?.format ?? null,
      lines: this.lines,
      emptyLines: this.emptyLines,
      unprefixedLines: this.unprefixedLines,
      bytesRead: this.bytesRead,
      pauses: this.pauses,
      pausedMs: this.pausedMs + (this.pausedSince < 0 ? 0 : performance.now() - this.pausedSince),
    });
  }

  private async replay(): Promise<SourceEnd> {
    let file: FileHandle;
    try {
      file = await open(this.path, 'r');
    } catch (err) {
      throw new ReplayFileError(`cannot open ${this.path}`, { cause: err });
    }
    try {
      return await this.readLines(file);
    } finally {
      await file.close();
    }
  }

  /**
   * The read loop. `buffer[start..end)` holds unconsumed bytes, `scanFrom` where the newline search resumes (so a
   * long line is scanned once). The next chunk is read into `spare` while this one's lines are delivered: waiting
   * for each read cost a 1M-line replay ~30 ms of idle (docs/design/whole-process.md). The unfinished last line
   * then moves into the head room in front of the new chunk, and the buffers swap; a line longer than the head
   * room goes the other way, the new chunk appended behind it (growing the buffer).
   */
  private async readLines(file: FileHandle): Promise<SourceEnd> {
    let buffer: Buffer = Buffer.allocUnsafe(HEAD_ROOM + this.chunkBytes);
    let spare: Buffer = Buffer.allocUnsafe(HEAD_ROOM + this.chunkBytes);
    // Messages are cut from a plain Uint8Array over the same bytes: `Buffer#subarray` builds a Buffer through
    // its species constructor, about twice the cost of this one view per message (docs/design/whole-process.md).
    let view = plainView(buffer);
    let spareView = plainView(spare);
    let start = HEAD_ROOM;
    let end = HEAD_ROOM;
    let scanFrom = HEAD_ROOM;
    let ahead: Promise<number> | undefined = this.readChunk(file, spare);
    try {
      while (!this.life.stopRequested) {
        // No read under way only after the end was seen, and the loop has left by then.
        const reading = ahead;
        ahead = undefined;
        const bytesRead = reading === undefined ? 0 : await reading;
        this.bytesRead += bytesRead;
        const left = end - start;
        if (left <= HEAD_ROOM) {
          buffer.copy(spare, HEAD_ROOM - left, start, end);
          scanFrom += HEAD_ROOM - left - start;
          start = HEAD_ROOM - left;
          [buffer, spare, view, spareView] = [spare, buffer, spareView, view];
          end = HEAD_ROOM + bytesRead;
        } else {
          buffer.copyWithin(0, start, end);
          end -= start;
          scanFrom -= start;
          start = 0;
          if (end + bytesRead > buffer.length) {
            buffer = this.grow(buffer, end, end + bytesRead);
            view = plainView(buffer);
          }
          spare.copy(buffer, end, HEAD_ROOM, HEAD_ROOM + bytesRead);
          end += bytesRead;
        }
        const eof = bytesRead === 0;
        if (!eof) ahead = this.readChunk(file, spare);
        // Bounded view: the search must not run into stale bytes past `end`.
        const filled = buffer.subarray(0, end);
        if (this.prefix === null) {
          // Detect on enough lines to get past header lines; a small first read would see too few.
          const unread = buffer.subarray(start, end);
          const enough = Math.min(DETECT_MIN_BYTES, this.maxLineBytes);
          if (!eof && end - start < enough && !hasLines(unread, DETECT_LINES)) continue;
          this.prefix = new LinePrefixReader(this.forcedFormat ?? this.detect(unread));
        }
        let newline = filled.indexOf(LF, scanFrom);
        while (newline !== -1 && !this.life.stopRequested) {
          if (newline - start >= this.maxLineBytes) this.tooLong();
          if (this.paced) await this.deliverPaced(buffer, view, start, newline);
          else this.deliver(buffer, view, start, newline);
          // The buffer stays as it is while waiting: the read ahead goes into the other one.
          if (this.backedUp?.() === true) await this.waitForRoom();
          start = newline + 1;
          newline = filled.indexOf(LF, start);
        }
        scanFrom = end;
        if (end - start >= this.maxLineBytes) this.tooLong();
        if (eof) {
          if (start < end && !this.life.stopRequested) {
            if (this.paced) await this.deliverPaced(buffer, view, start, end);
            else this.deliver(buffer, view, start, end);
          }
          break;
        }
        await yieldToEventLoop();
      }
    } finally {
      // The file closes after this returns: no read may still be writing into a buffer of it.
      await ahead?.catch(() => undefined);
    }
    return { reason: this.life.stopRequested ? 'stopped' : 'end' };
  }

  private tooLong(): never {
    throw new ReplayLineTooLongError(`${this.path}: a line exceeds maxLineBytes (${this.maxLineBytes})`);
  }

  /** Reads the next chunk into `target` after its head room; resolves to the bytes read (0 at the end). */
  private async readChunk(file: FileHandle, target: Buffer): Promise<number> {
    try {
      return (await file.read(target, HEAD_ROOM, this.chunkBytes, null)).bytesRead;
    } catch (err) {
      throw new ReplayFileError(`cannot read ${this.path}`, { cause: err });
    }
  }

  /** A buffer of at least `needed` bytes (doubling) holding `buffer[0..used)`. */
  private grow(buffer: Buffer, used: number, needed: number): Buffer {
    let size = buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    buffer.copy(grown, 0, 0, used);
    return grown;
  }

  /**
   * The shape most of the first non-empty lines have; a prefixed shape wins a tie with `raw` (a capture's header
   * lines lack the prefix). The first prefixed-looking line used to decide alone, so one log line that began with
   * a timestamp made every line of a raw file "unprefixed" and skipped.
   */
  private detect(filled: Buffer): LineTimestampFormat {
    const counts = new Map<LineTimestampFormat, number>();
    let lineStart = 0;
    for (let seen = 0; seen < DETECT_LINES && lineStart < filled.length; ) {
      const newline = filled.indexOf(LF, lineStart);
      let lineEnd = newline === -1 ? filled.length : newline;
      if (lineEnd > lineStart && filled[lineEnd - 1] === CR) lineEnd--;
      if (lineEnd > lineStart) {
        const format = detectLineFormat(filled, lineStart, lineEnd);
        counts.set(format, (counts.get(format) ?? 0) + 1);
        seen++;
      }
      if (newline === -1) break;
      lineStart = newline + 1;
    }
    let best: LineTimestampFormat = 'raw';
    let bestCount = counts.get('raw') ?? 0;
    for (const [format, count] of counts) {
      if (format !== 'raw' && (count > bestCount || (count === bestCount && best === 'raw'))) {
        best = format;
        bestCount = count;
      }
    }
    return best;
  }

  /** Counts the line and returns where its message starts, or -1 to skip it; `lineEnd` excludes `\n` and `\r`. */
  private messageStart(buffer: Buffer, lineStart: number, lineEnd: number): number {
    this.lines++;
    if (lineStart === lineEnd) {
      this.emptyLines++;
      return -1;
    }
    const messageStart = (this.prefix as LinePrefixReader).read(buffer, lineStart, lineEnd);
    if (messageStart < 0) {
      this.unprefixedLines++;
      return -1;
    }
    if (messageStart === lineEnd) {
      this.emptyLines++;
      return -1;
    }
    return messageStart;
  }

  private deliver(buffer: Buffer, view: Uint8Array, lineStart: number, newline: number): void {
    const lineEnd = newline > lineStart && buffer[newline - 1] === CR ? newline - 1 : newline;
    const messageStart = this.messageStart(buffer, lineStart, lineEnd);
    if (messageStart >= 0) this.life.deliver(view.subarray(messageStart, lineEnd));
  }

  private async deliverPaced(
    buffer: Buffer,
    view: Uint8Array,
    lineStart: number,
    newline: number,
  ): Promise<void> {
    const lineEnd = newline > lineStart && buffer[newline - 1] === CR ? newline - 1 : newline;
    const messageStart = this.messageStart(buffer, lineStart, lineEnd);
    if (messageStart < 0) return;
    const prefix = this.prefix as LinePrefixReader;
    const recordedMs = prefix.timeMs + prefix.subMsNanos / 1e6;
    if (!Number.isNaN(recordedMs)) {
      if (Number.isNaN(this.paceOriginRecordedMs)) {
        this.paceOriginRecordedMs = recordedMs;
        this.paceOriginWallMs = performance.now();
      }
      // Due times come from the first line, not the previous one, so timer lateness never accumulates.
      // A line recorded earlier than its predecessor (clock step) is simply due at once.
      const dueAt = this.paceOriginWallMs + (recordedMs - this.paceOriginRecordedMs) / this.speed;
      for (let waitMs = dueAt - performance.now(); waitMs >= 1; waitMs = dueAt - performance.now()) {
        await this.sleep(Math.min(Math.ceil(waitMs), MAX_TIMER_MS));
        if (this.life.stopRequested) return;
      }
    }
    this.life.deliver(view.subarray(messageStart, lineEnd));
  }

  private async waitForRoom(): Promise<void> {
    this.pausedSince = performance.now();
    this.pauses++;
    while (!this.life.stopRequested && this.backedUp?.() === true) await this.sleep(1);
    const waited = performance.now() - this.pausedSince;
    this.pausedMs += waited;
    this.pausedSince = -1;
    // At the recorded pace the lines after the wait keep their spacing instead of all being due at once.
    this.paceOriginWallMs += waited;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = null;
        resolve();
      }, ms);
    });
  }
}
