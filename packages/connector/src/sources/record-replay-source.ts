/**
 * Replays marketpipe's own recordings (record files written by the disk
 * flusher) as a message source: every recorded raw message, in recorded
 * order, as fast as possible or at the recorded pace (the records' stamps:
 * each message's receive time, or its write time in a recording made
 * before ring format 2).
 * Damaged bytes in a file are skipped (the records after them are replayed),
 * counted in the status and announced by a `damage` event per file.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkInteger, checkNumber } from '@marketpipe/middleware/internal';
import { ReplayFileError } from '../errors.js';
import { DEFAULT_RECORD_FILE_EXTENSION } from '../flusher/record-format.js';
import { type FlushedRecord, readRecordFile } from '../flusher/record-reader.js';
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

/** Options of a {@link RecordReplaySource}. */
export interface RecordReplayOptions {
  /** A record file, or a venue folder of day files (`<dataDir>/<venue>`), replayed oldest day first. */
  path: string;
  /** `fast` (default) or `recorded` (the gaps between the records' wall-clock stamps, divided by `speed`). */
  pace?: 'fast' | 'recorded';
  /** Replay speed in `recorded` pace (default 1). */
  speed?: number;
  /** Records delivered per event-loop turn in `fast` pace (default 4096). */
  batch?: number;
}

/** State and counters of a {@link RecordReplaySource}. */
export interface RecordReplayStatus extends SourceStatus {
  /** Files fully read. */
  files: number;
  /** Damaged ranges skipped (torn tails and corruption; reading goes on after each). */
  damagedRanges: number;
  /** Bytes in those ranges: recorded messages that could not be replayed are in them. */
  damagedBytes: number;
  /** Times the replay waited for a backed-up consumer (see {@link RecordReplaySource.setBackpressure}). */
  pauses: number;
  /** Milliseconds spent in those waits, the current one included. */
  pausedMs: number;
}

const NANOS_PER_MILLI = 1_000_000n;

/**
 * The record files a replay path names, in replay order.
 *
 * @throws {ReplayFileError} for a folder that holds no record file (`<day>.mprec`): a replay of it would end at
 *   once with nothing replayed, which looks like success (a data dir's root holds its venues' folders, not files).
 */
export function recordFilesOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const suffix = `.${DEFAULT_RECORD_FILE_EXTENSION}`;
  const files = readdirSync(path)
    .filter((name) => /^\d{4}-\d{2}-\d{2}\./.test(name) && name.endsWith(suffix))
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) {
    throw new ReplayFileError(
      `${path} holds no record file (<day>.${DEFAULT_RECORD_FILE_EXTENSION}); a data dir keeps them in one folder per venue, e.g. ${join(path, 'binance')}`,
    );
  }
  return files;
}

/**
 * A finite {@link MessageSource} over record files.
 *
 * @example
 * ```ts
 * const source = new RecordReplaySource({ path: 'data/binance' });
 * source.onMessage((bytes) => runner.onMessage(bytes));
 * source.start();
 * await source.done;
 * ```
 */
export class RecordReplaySource implements MessageSource {
  /** Resolves after the last record (`end`), on `stop()` (`stopped`) or when a file cannot be read (`error`). */
  readonly done: Promise<SourceEnd>;
  readonly #path: string;
  readonly #pace: 'fast' | 'recorded';
  readonly #speed: number;
  readonly #batch: number;
  readonly #life = new SourceLifecycle('RecordReplaySource');
  #timer: NodeJS.Timeout | undefined;
  #files = 0;
  #iterating = false;
  #damagedRanges = 0;
  #damagedBytes = 0;
  #records: Generator<FlushedRecord, void, undefined> | undefined;
  #firstWall = 0n;
  #startedAt = 0;
  /** A record read ahead in `recorded` pace, delivered when its time comes. */
  #pending: FlushedRecord | undefined;
  #backedUp: BackpressureCheck | undefined;
  /** When the current wait for a backed-up consumer began (`performance.now()`), or -1. */
  #pausedSince = -1;
  #pauses = 0;
  #pausedMs = 0;

  /** @throws {InvalidArgumentError} for a speed that is not a finite number > 0, or a batch below 1. */
  constructor(options: RecordReplayOptions) {
    this.#path = options.path;
    this.#pace = options.pace ?? 'fast';
    this.#speed = checkNumber('speed', options.speed ?? 1, 0, Number.MAX_VALUE, true);
    this.#batch = checkInteger('batch', options.batch ?? 4096, 1);
    this.done = this.#life.done;
  }

  /** Sets the message handler (replaces the previous one). */
  onMessage(handler: RawMessageHandler): void {
    this.#life.setHandler(handler);
  }

  /**
   * After each record, asks `check` whether the consumer is backed up; while it is, the replay waits (asking
   * again every millisecond) instead of delivering more. Set it before {@link RecordReplaySource.start}.
   */
  setBackpressure(check: BackpressureCheck): void {
    this.#backedUp = check;
  }

  /** Adds an event listener (`damage` and `error` events); returns its remover. */
  onEvent(listener: SourceEventListener): () => void {
    return this.#life.onEvent(listener);
  }

  /**
   * Starts replaying; returns at once. A path that cannot be listed, or a folder with no record file, ends the
   * run through `done` ({@link ReplayFileError}).
   * @throws {SourceStateError} when called a second time or after `stop()`.
   */
  start(): void {
    this.#life.start('running');
    try {
      this.#records = this.#iterate(recordFilesOf(this.#path));
    } catch (error) {
      this.#life.fail(error, (message) => new ReplayFileError(message, { cause: error }));
      return;
    }
    this.#startedAt = performance.now();
    this.#schedule(0);
  }

  /** Stops before the next record and closes the file being read. */
  stop(): Promise<void> {
    return this.#life.stop(this.#halt);
  }

  /** A snapshot of the state and counters. */
  status(): RecordReplayStatus {
    return this.#life.status({
      files: this.#files,
      damagedRanges: this.#damagedRanges,
      damagedBytes: this.#damagedBytes,
      pauses: this.#pauses,
      pausedMs: this.#pausedMs + (this.#pausedSince < 0 ? 0 : performance.now() - this.#pausedSince),
    });
  }

  /** The first `stop()` of a started replay: nothing is left to wait for, so it settles at once. */
  readonly #halt = (): void => {
    clearTimeout(this.#timer);
    this.#endPause();
    this.#life.settle({ reason: 'stopped' });
    // Ends the file iteration now, which closes the file being read. From a `damage` listener the
    // iteration is running and cannot be ended from outside: #iterate then ends itself.
    if (!this.#iterating) this.#records?.return();
  };

  *#iterate(files: string[]): Generator<FlushedRecord, void, undefined> {
    for (const file of files) {
      const summary = yield* readRecordFile(file);
      this.#files++;
      if (summary.damage.length > 0) {
        const bytes = summary.damage.reduce((sum, damage) => sum + damage.bytes, 0);
        this.#damagedRanges += summary.damage.length;
        this.#damagedBytes += bytes;
        // One event per file, however many ranges it has.
        this.#iterating = true;
        this.#life.emit({ type: 'damage', file, ranges: summary.damage.length, bytes });
        this.#iterating = false;
        if (this.#life.settled) return;
      }
    }
  }

  #schedule(delayMs: number): void {
    this.#timer =
      delayMs > 0
        ? setTimeout(this.#pump, Math.min(delayMs, MAX_TIMER_MS))
        : (setImmediate(this.#pump) as unknown as NodeJS.Timeout);
  }

  #pause(): void {
    this.#pauses++;
    this.#pausedSince = performance.now();
    this.#schedule(1);
  }

  #endPause(): void {
    if (this.#pausedSince < 0) return;
    const waited = performance.now() - this.#pausedSince;
    this.#pausedMs += waited;
    this.#pausedSince = -1;
    // At the recorded pace the records after the wait keep their spacing instead of all being due at once.
    this.#startedAt += waited;
  }

  /** Milliseconds until `record` is due at the recorded pace. */
  #waitMs(record: FlushedRecord): number {
    const dueMs = Number((record.wallNanos - this.#firstWall) / NANOS_PER_MILLI) / this.#speed;
    return dueMs - (performance.now() - this.#startedAt);
  }

  readonly #pump = (): void => {
    if (this.#life.state !== 'running' || this.#records === undefined) return;
    if (this.#pausedSince >= 0) {
      if (this.#backedUp?.() === true) {
        this.#schedule(1);
        return;
      }
      this.#endPause();
    }
    try {
      if (this.#pending !== undefined) {
        // A wait longer than one timer holds wakes early: wait again for the rest.
        const waitMs = this.#waitMs(this.#pending);
        if (waitMs >= 1) {
          this.#schedule(waitMs);
          return;
        }
        this.#life.deliver(this.#pending.payload);
        this.#pending = undefined;
        if (this.#backedUp?.() === true) {
          this.#pause();
          return;
        }
      }
      for (let n = 0; n < this.#batch; n++) {
        const next = this.#records.next();
        if (next.done === true) {
          this.#life.settle({ reason: 'end' });
          return;
        }
        const record = next.value;
        if (this.#pace === 'recorded') {
          if (this.#life.messages === 0) this.#firstWall = record.wallNanos;
          const waitMs = this.#waitMs(record);
          if (waitMs >= 1) {
            this.#pending = record;
            this.#schedule(waitMs);
            return;
          }
        }
        this.#life.deliver(record.payload);
        if (this.#backedUp?.() === true) {
          this.#pause();
          return;
        }
      }
    } catch (error) {
      this.#life.fail(error, (message) => new ReplayFileError(message, { cause: error }));
      return;
    }
    this.#schedule(0);
  };
}
