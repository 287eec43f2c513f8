/**
 * The reference journal: a bounded, in-process log whose append copies the
 * payload into a preallocated byte ring, so a steady-state append allocates
 * nothing and memory never exceeds the configured limits.
 */

import { JournalClosedError, JournalPayloadTooLargeError, SequenceEvictedError } from '../errors.js';
import { clock, type WallParts } from '../latency/clock.js';
import { checkInteger } from '../validate.js';
import type { Journal, JournalEntriesOptions, JournalEntry } from './journal.js';

/** Retention limits and clock for an {@link InMemoryJournal}. */
export interface InMemoryJournalOptions {
  /**
   * Most entries retained before the oldest is evicted (default 65 536). Slot
   * metadata for this many entries (about 20 bytes each) is allocated up front.
   */
  maxMessages?: number;
  /**
   * Most payload bytes retained (default 64 MiB); also the largest accepted
   * payload. The byte ring grows on demand up to this size. Payloads are
   * stored contiguously, so when a payload does not fit before the end of a
   * full ring an extra old entry may be evicted to make a contiguous gap.
   */
  maxBytes?: number;
  /**
   * Wall clock in nanoseconds since the Unix epoch for `timestampNanos`; called once per append. Default: the
   * process-wide `clock` (its one anchor), never decreasing.
   */
  clock?: () => number;
}

const DEFAULT_MAX_MESSAGES = 65_536;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const INITIAL_RING_BYTES = 64 * 1024;

const NANOS_PER_MILLI = 1_000_000;

/**
 * Wall time by the process-wide clock's one anchor (no anchor of the journal's own), without allocating. Held at
 * the last stamp when another user's re-anchor steps wall time back, so a journal's stamps never decrease.
 */
function processWallClock(): () => number {
  const parts: WallParts = { mono: 0, ms: 0, subMsNanos: 0 };
  let last = 0;
  return () => {
    parts.mono = clock.nowNanos();
    clock.wallParts(parts);
    const nanos = parts.ms * NANOS_PER_MILLI + parts.subMsNanos;
    if (nanos > last) last = nanos;
    return last;
  };
}

/**
 * A {@link Journal} held in memory with retention by message count and bytes.
 *
 * Entries live in a ring of slots indexed by `(sequence - 1) % maxMessages`
 * and their payloads in one byte ring, so `appendSync` is a bounds check, a
 * `Uint8Array.set` and a few typed-array stores. Reads copy payloads out, so
 * entries handed to callers stay valid after eviction.
 *
 * @example
 * ```ts
 * const journal = new InMemoryJournal({ maxMessages: 1_000, maxBytes: 1 << 20 });
 * const seq = journal.appendSync('md.raw.kraken', new Uint8Array([1, 2, 3]));
 * const [entry] = await journal.read(seq, 1);
 * for await (const e of journal.entries(journal.firstSequence)) console.log(e.sequence);
 * await journal.close();
 * ```
 */
export class InMemoryJournal implements Journal {
  /** Retention limit on entries. */
  readonly maxMessages: number;
  /** Retention limit on payload bytes, and the largest accepted payload. */
  readonly maxBytes: number;

  private readonly clock: () => number;
  private readonly offsets: Float64Array;
  private readonly lengths: Uint32Array;
  private readonly timestamps: Float64Array;
  private readonly subjects: string[];
  private ring: Uint8Array;
  /** Next write offset in `ring`. */
  private head = 0;
  /** True while the live region runs past the ring's end and continues at offset 0. */
  private wrapped = false;
  private first = 1;
  private last = 0;
  private bytes = 0;
  private closed = false;
  private wake: (() => void) | null = null;
  private appended: Promise<void> | null = null;

  constructor(options: InMemoryJournalOptions = {}) {
    this.maxMessages = checkInteger('maxMessages', options.maxMessages ?? DEFAULT_MAX_MESSAGES, 1);
    this.maxBytes = checkInteger('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES, 1);
    this.clock = options.clock ?? processWallClock();
    this.offsets = new Float64Array(this.maxMessages);
    this.lengths = new Uint32Array(this.maxMessages);
    this.timestamps = new Float64Array(this.maxMessages);
    this.subjects = new Array<string>(this.maxMessages).fill('');
    this.ring = new Uint8Array(Math.min(this.maxBytes, INITIAL_RING_BYTES));
  }

  /** Sequence of the newest entry, 0 when nothing was ever appended. */
  get lastSequence(): number {
    return this.last;
  }

  /** Sequence of the oldest retained entry; `lastSequence + 1` when none is retained. */
  get firstSequence(): number {
    return this.first;
  }

  /** Payload bytes currently retained. */
  get retainedBytes(): number {
    return this.bytes;
  }

  /** {@inheritDoc Journal.append} */
  async append(subject: string, payload: Uint8Array): Promise<number> {
    return this.appendSync(subject, payload);
  }

  /**
   * Synchronous append for the hot path: copies `payload`, evicts as needed and
   * returns the new sequence. Throws {@link JournalClosedError} after close and
   * {@link JournalPayloadTooLargeError} for a payload larger than `maxBytes`.
   */
  appendSync(subject: string, payload: Uint8Array): number {
    if (this.closed) throw new JournalClosedError('append');
    const length = payload.byteLength;
    if (length > this.maxBytes) throw new JournalPayloadTooLargeError(length, this.maxBytes);
    while (this.last - this.first + 1 >= this.maxMessages) this.evictOldest();
    while (this.bytes + length > this.maxBytes) this.evictOldest();
    const offset = this.place(length);
    this.ring.set(payload, offset);
    this.head = offset + length;
    const sequence = ++this.last;
    const slot = (sequence - 1) % this.maxMessages;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.timestamps[slot] = this.clock();
    this.subjects[slot] = subject;
    this.bytes += length;
    if (this.wake !== null) this.notifyFollowers();
    return sequence;
  }

  /** {@inheritDoc Journal.read} */
  async read(fromSequence: number, maxCount: number): Promise<JournalEntry[]> {
    if (this.closed) throw new JournalClosedError('read');
    checkInteger('fromSequence', fromSequence, 1);
    checkInteger('maxCount', maxCount, 0);
    if (fromSequence < this.first) throw new SequenceEvictedError(fromSequence, this.first);
    const end = Math.min(this.last, fromSequence + maxCount - 1);
    const out: JournalEntry[] = [];
    for (let sequence = fromSequence; sequence <= end; sequence++) out.push(this.entryAt(sequence));
    return out;
  }

  /** {@inheritDoc Journal.entries} */
  async *entries(
    fromSequence?: number,
    options: JournalEntriesOptions = {},
  ): AsyncIterableIterator<JournalEntry> {
    if (this.closed) throw new JournalClosedError('iterate');
    let next = checkInteger('fromSequence', fromSequence ?? this.first, 1);
    const { follow = false, signal } = options;
    const end = this.last;
    for (;;) {
      if (this.closed || signal?.aborted) return;
      if (next < this.first) throw new SequenceEvictedError(next, this.first);
      if (next <= this.last && (follow || next <= end)) {
        yield this.entryAt(next);
        next++;
      } else if (follow) {
        await this.nextAppend(signal);
      } else {
        return;
      }
    }
  }

  /** {@inheritDoc Journal.close} */
  async close(): Promise<void> {
    this.closed = true;
    if (this.wake !== null) this.notifyFollowers();
  }

  private entryAt(sequence: number): JournalEntry {
    const slot = (sequence - 1) % this.maxMessages;
    const offset = this.offsets[slot]!;
    return {
      sequence,
      subject: this.subjects[slot]!,
      payload: this.ring.slice(offset, offset + this.lengths[slot]!),
      timestampNanos: this.timestamps[slot]!,
    };
  }

  private evictOldest(): void {
    const slot = (this.first - 1) % this.maxMessages;
    const oldTail = this.offsets[slot]!;
    this.bytes -= this.lengths[slot]!;
    // Drop the subject reference so an evicted subject string can be collected.
    this.subjects[slot] = '';
    this.first++;
    if (this.first > this.last) {
      this.head = 0;
      this.wrapped = false;
    } else if (this.wrapped && this.offsets[(this.first - 1) % this.maxMessages]! < oldTail) {
      this.wrapped = false;
    }
  }

  /** Finds a contiguous gap of `length` bytes, growing the ring or evicting the oldest entries as needed. */
  private place(length: number): number {
    for (;;) {
      const capacity = this.ring.length;
      if (this.first > this.last) {
        if (length <= capacity) return 0;
      } else {
        const tail = this.offsets[(this.first - 1) % this.maxMessages]!;
        if (this.wrapped) {
          if (tail - this.head >= length) return this.head;
        } else if (capacity - this.head >= length) {
          return this.head;
        } else if (tail >= length) {
          this.wrapped = true;
          return 0;
        }
      }
      if (capacity < this.maxBytes) this.grow(length);
      else this.evictOldest();
    }
  }

  /** Moves live payloads, in order, to the start of a larger ring: allocation happens only while warming up. */
  private grow(length: number): void {
    const capacity = Math.min(this.maxBytes, Math.max(this.ring.length * 2, this.bytes + length));
    const ring = new Uint8Array(capacity);
    let at = 0;
    for (let sequence = this.first; sequence <= this.last; sequence++) {
      const slot = (sequence - 1) % this.maxMessages;
      const offset = this.offsets[slot]!;
      const size = this.lengths[slot]!;
      ring.set(this.ring.subarray(offset, offset + size), at);
      this.offsets[slot] = at;
      at += size;
    }
    this.ring = ring;
    this.head = at;
    this.wrapped = false;
  }

  private nextAppend(signal: AbortSignal | undefined): Promise<void> {
    if (this.appended === null) {
      this.appended = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (signal === undefined) return this.appended;
    const appended = this.appended;
    return new Promise<void>((resolve) => {
      const onAbort = (): void => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      const onAppended = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      appended.then(onAppended, onAppended);
    });
  }

  private notifyFollowers(): void {
    const wake = this.wake!;
    this.wake = null;
    this.appended = null;
    wake();
  }
}
