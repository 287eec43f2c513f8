/**
 * Fixed-layout Cap'n Proto writer for `BookUpdate` (schema/book.capnp), the book hot path: byte-identical to
 * capnp-es, written into one reused buffer. Layout: docs/design/codec.md#the-book-encoders-layout.
 */
import { checkInteger } from '@marketpipe/middleware/internal';
import { splitNanos } from '../codec/trade-encoder.js';
import { utf8ByteLength, writeUtf8 } from '../codec/utf8.js';
import { InvalidBookFieldError } from '../errors.js';
import type { BookFrame, BookLevel, BookLevels, BookUpdate } from './book-data.js';

/** Options for {@link BookEncoder}. */
export interface BookEncoderOptions {
  /** Largest ticker accepted, in UTF-8 bytes (default 256). */
  maxTextBytes?: number;
  /** Most levels accepted on one side of one update (default 100 000); bounds the buffer. */
  maxLevels?: number;
  /** Initial buffer size in bytes (default 4096); it grows on demand, never shrinks. */
  initialCapacity?: number;
}

/** Byte offsets of the fixed part; esbuild inlines enum members as literals. */
enum Wire {
  /** Root pointer, right after the 8-byte stream framing. */
  rootPointer = 8,
  timestamp = 16,
  received = 24,
  sequence = 32,
  flags = 40,
  tickerPointer = 48,
  bidsPointer = 56,
  asksPointer = 64,
  texts = 72,
  /** Root pointer upper word: 4 data words, 3 pointers. */
  rootSizeWord = 4 | (3 << 16),
}

/** List element-size codes: bytes (Text) and inline composite (struct lists). */
const LIST_ELEMENT_BYTE = 2;
const LIST_ELEMENT_COMPOSITE = 7;
/** Composite tag upper word of a `BookLevel` list: 2 data words, 0 pointers. */
const LEVEL_SIZE_WORD = 2;
const LEVEL_BYTES = 16;

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Writes `BookUpdate` messages into one reused buffer. Each `encode*` call
 * overwrites the previous message and returns its length; the message is
 * `buffer[0, length)`, also available as {@link BookEncoder.bytes}. `buffer`
 * is replaced when a message outgrows it, so read it after every encode.
 * {@link BookEncoder.encodeFrame} allocates nothing once the buffer is large
 * enough for the biggest update seen.
 *
 * @example
 * ```ts
 * const encoder = new BookEncoder();
 * const machine = new BybitBookSync((frame) => {
 *   encoder.encodeFrame(frame);
 *   transport.publish(`prod.bybit.book.${frame.ticker}`, encoder.bytes);
 * });
 * ```
 */
export class BookEncoder {
  /** Largest accepted ticker in UTF-8 bytes. */
  readonly maxTextBytes: number;
  /** Most accepted levels per side. */
  readonly maxLevels: number;
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;
  readonly #times = new Float64Array(4);
  readonly #halves = new Uint32Array(4);

  /** @throws {InvalidArgumentError} when an option is not a positive integer. */
  constructor(options: BookEncoderOptions = {}) {
    this.maxTextBytes = checkInteger('maxTextBytes', options.maxTextBytes ?? 256, 1);
    this.maxLevels = checkInteger('maxLevels', options.maxLevels ?? 100_000, 1);
    const capacity = (checkInteger('initialCapacity', options.initialCapacity ?? 4096, 1) + 7) & ~7;
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** The buffer holding the last message at `[0, length)`; replaced when a message outgrows it. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** Length in bytes of the last message. */
  get length(): number {
    return this.#length;
  }

  /** The last message as a view of {@link BookEncoder.buffer} (allocates the view). */
  get bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /**
   * Encodes the convenient form; returns the message length.
   *
   * @throws {InvalidBookFieldError} a time or sequence outside 0..2^64-1, a ticker over
   *   `maxTextBytes`, or more than `maxLevels` levels on a side.
   */
  encode(update: BookUpdate): number {
    checkU64(update.timestampNanos, 'timestampNanos');
    checkU64(update.receivedNanos, 'receivedNanos');
    checkU64(update.sequence, 'sequence');
    const tickerLength = utf8ByteLength(update.ticker);
    this.#checkCounts(tickerLength, update.bids.length, update.asks.length);
    const total = this.#layout(tickerLength, update.bids.length, update.asks.length);
    const view = this.#view;
    view.setBigUint64(Wire.timestamp, update.timestampNanos, true);
    view.setBigUint64(Wire.received, update.receivedNanos, true);
    view.setBigUint64(Wire.sequence, update.sequence, true);
    view.setUint32(Wire.flags, (update.isSnapshot ? 1 : 0) | (update.isRefresh === true ? 2 : 0), true);
    view.setUint32(Wire.flags + 4, 0, true);
    padText(this.#buffer, writeUtf8(update.ticker, this.#buffer, Wire.texts));
    const bidsAt = Wire.texts + textBytes(tickerLength);
    writeLevelObjects(view, bidsAt + 8, update.bids);
    writeLevelObjects(view, bidsAt + 16 + update.bids.length * LEVEL_BYTES, update.asks);
    this.#length = total;
    return total;
  }

  /**
   * Encodes a frame from a venue sync machine; returns the message length.
   * Allocates nothing once the buffer has grown to the largest update.
   *
   * @throws {InvalidBookFieldError} a time part out of range, a sequence that is not a
   *   non-negative safe integer, a ticker over `maxTextBytes`, or too many levels.
   */
  encodeFrame(frame: BookFrame): number {
    const times = this.#times;
    const halves = this.#halves;
    times[0] = frame.timestampMs;
    times[1] = frame.timestampSubMsNanos;
    times[2] = frame.receivedMs;
    times[3] = frame.receivedSubMsNanos;
    if (!splitNanos(times, halves, 0)) {
      throw new InvalidBookFieldError(
        'timestamp',
        `${frame.timestampMs} ms + ${frame.timestampSubMsNanos} ns`,
      );
    }
    if (!splitNanos(times, halves, 2)) {
      throw new InvalidBookFieldError('received', `${frame.receivedMs} ms + ${frame.receivedSubMsNanos} ns`);
    }
    const sequence = frame.sequence;
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new InvalidBookFieldError('sequence', `${sequence} is not a non-negative safe integer`);
    }
    const ticker = frame.tickerUtf8;
    const bids = frame.bids;
    const asks = frame.asks;
    this.#checkCounts(ticker.length, bids.count, asks.count);
    const total = this.#layout(ticker.length, bids.count, asks.count);
    const view = this.#view;
    view.setUint32(Wire.timestamp, halves[0]!, true);
    view.setUint32(Wire.timestamp + 4, halves[1]!, true);
    view.setUint32(Wire.received, halves[2]!, true);
    view.setUint32(Wire.received + 4, halves[3]!, true);
    const low = sequence >>> 0;
    view.setUint32(Wire.sequence, low, true);
    view.setUint32(Wire.sequence + 4, (sequence - low) / TWO_POW_32, true);
    view.setUint32(Wire.flags, (frame.isSnapshot ? 1 : 0) | (frame.isRefresh ? 2 : 0), true);
    view.setUint32(Wire.flags + 4, 0, true);
    const buffer = this.#buffer;
    for (let i = 0; i < ticker.length; i++) buffer[Wire.texts + i] = ticker[i]!;
    padText(buffer, Wire.texts + ticker.length);
    const bidsAt = Wire.texts + textBytes(ticker.length);
    writeLevels(view, bidsAt + 8, bids);
    writeLevels(view, bidsAt + 16 + bids.count * LEVEL_BYTES, asks);
    this.#length = total;
    return total;
  }

  #checkCounts(tickerLength: number, bidCount: number, askCount: number): void {
    if (tickerLength > this.maxTextBytes) {
      throw new InvalidBookFieldError(
        'ticker',
        `${tickerLength} UTF-8 bytes, more than ${this.maxTextBytes}`,
      );
    }
    if (bidCount > this.maxLevels) {
      throw new InvalidBookFieldError('bids', `${bidCount} levels, more than ${this.maxLevels}`);
    }
    if (askCount > this.maxLevels) {
      throw new InvalidBookFieldError('asks', `${askCount} levels, more than ${this.maxLevels}`);
    }
  }

  /** Reserves room and writes the framing, root pointer, the three pointers and both list tags. */
  #layout(tickerLength: number, bidCount: number, askCount: number): number {
    const bidsAt = Wire.texts + textBytes(tickerLength);
    const asksAt = bidsAt + 8 + bidCount * LEVEL_BYTES;
    const total = asksAt + 8 + askCount * LEVEL_BYTES;
    if (total > this.#buffer.length) {
      this.#buffer = new Uint8Array((Math.max(total, this.#buffer.length * 2) + 7) & ~7);
      this.#view = new DataView(this.#buffer.buffer);
    }
    const view = this.#view;
    view.setUint32(0, 0, true);
    view.setUint32(4, (total - Wire.rootPointer) / 8, true);
    view.setUint32(Wire.rootPointer, 0, true);
    view.setUint32(Wire.rootPointer + 4, Wire.rootSizeWord, true);
    view.setUint32(Wire.tickerPointer, listPointerLow(Wire.tickerPointer, Wire.texts), true);
    view.setUint32(Wire.tickerPointer + 4, (((tickerLength + 1) << 3) | LIST_ELEMENT_BYTE) >>> 0, true);
    view.setUint32(Wire.bidsPointer, listPointerLow(Wire.bidsPointer, bidsAt), true);
    view.setUint32(Wire.bidsPointer + 4, (((bidCount * 2) << 3) | LIST_ELEMENT_COMPOSITE) >>> 0, true);
    view.setUint32(Wire.asksPointer, listPointerLow(Wire.asksPointer, asksAt), true);
    view.setUint32(Wire.asksPointer + 4, (((askCount * 2) << 3) | LIST_ELEMENT_COMPOSITE) >>> 0, true);
    // Composite list tag: a struct pointer whose offset field holds the element count.
    view.setUint32(bidsAt, (bidCount << 2) >>> 0, true);
    view.setUint32(bidsAt + 4, LEVEL_SIZE_WORD, true);
    view.setUint32(asksAt, (askCount << 2) >>> 0, true);
    view.setUint32(asksAt + 4, LEVEL_SIZE_WORD, true);
    return total;
  }
}

function writeLevels(view: DataView, at: number, levels: BookLevels): void {
  const values = levels.values;
  const n = levels.count * 2;
  for (let i = 0; i < n; i++) view.setFloat64(at + i * 8, values[i]!, true);
}

function writeLevelObjects(view: DataView, at: number, levels: readonly BookLevel[]): void {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    view.setFloat64(at + i * 16, level.price, true);
    view.setFloat64(at + i * 16 + 8, level.size, true);
  }
}

/** Bytes a text takes: its UTF-8, a NUL, zero padding to a word. */
function textBytes(length: number): number {
  return ((length + 8) >>> 3) << 3;
}

function padText(buffer: Uint8Array, end: number): void {
  const next = (end + 8) & ~7;
  for (let i = end; i < next; i++) buffer[i] = 0;
}

function listPointerLow(pointerAt: number, contentAt: number): number {
  return (((contentAt - pointerAt - 8) >>> 3) << 2) | 1;
}

function checkU64(value: bigint, field: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new InvalidBookFieldError(field, `${String(value)} is not a bigint in 0..2^64-1`);
  }
}
