/**
 * Zero-copy reader for `BookUpdate` messages (schema/book.capnp) in Cap'n
 * Proto stream framing. Like `TradeView` it follows the pointers instead of
 * assuming the encoder's layout, so it reads any conforming single-segment
 * writer, older or newer schemas included. Every offset is bounds-checked in
 * `wrap()`; the getters then read without further checks.
 */

import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { CapnpFormatError } from '../errors.js';
import type { BookLevel, BookUpdate } from './book-data.js';

const POINTER_KIND_STRUCT = 0;
const POINTER_KIND_LIST = 1;
const ELEMENT_BYTE = 2;
const ELEMENT_COMPOSITE = 7;
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * A re-pointable view of one encoded book update. Keep one instance and call
 * {@link BookView.wrap} per message; nothing is copied, the ticker is decoded
 * only when read. Fields absent from the message read as their defaults.
 *
 * @example
 * ```ts
 * const view = new BookView();
 * const book = new OrderBook();
 * subscription.onMessage((bytes) => {
 *   book.applyView(view.wrap(bytes)); // throws CapnpFormatError on malformed input
 *   console.log(view.ticker, book.bestBid(), book.bestAsk());
 * });
 * ```
 */
export class BookView {
  #bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);
  #byteLength = 0;
  #dataAt = 0;
  #dataBytes = 0;
  #tickerAt = 0;
  #tickerLength = 0;
  #bidsAt = 0;
  #bidCount = 0;
  #bidStride = 0;
  #bidWords = 0;
  #asksAt = 0;
  #askCount = 0;
  #askStride = 0;
  #askWords = 0;

  /** Optionally wraps a first message; see {@link BookView.wrap}. */
  constructor(bytes?: Uint8Array, offset?: number, length?: number) {
    if (bytes !== undefined) this.wrap(bytes, offset, length);
  }

  /**
   * Points this view at the message at `bytes[offset]` within `length` bytes
   * (default: to the end) and validates it. After a failed wrap the view is
   * empty, never half-updated.
   *
   * @throws {CapnpFormatError} the bytes are not a well-formed single-segment message.
   * @returns this view, for chaining.
   */
  wrap(bytes: Uint8Array, offset = 0, length: number = bytes.length - offset): this {
    this.#clear();
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > bytes.length
    ) {
      throw new CapnpFormatError(`range [${offset}, +${length}) is outside the ${bytes.length}-byte input`);
    }
    const view = this.#bytes.buffer === bytes.buffer ? this.#view : new DataView(bytes.buffer);
    const start = bytes.byteOffset + offset;
    if (length < 8) throw new CapnpFormatError(`message is ${length} bytes, shorter than its 8-byte framing`);
    const extraSegments = view.getUint32(start, true);
    if (extraSegments !== 0) {
      throw new CapnpFormatError(
        `message has ${extraSegments + 1} segments; only single-segment messages are read`,
      );
    }
    const segmentAt = start + 8;
    const segmentEnd = segmentAt + view.getUint32(start + 4, true) * 8;
    if (segmentEnd > start + length) {
      throw new CapnpFormatError(
        `segment of ${segmentEnd - segmentAt} bytes overruns the ${length}-byte message`,
      );
    }
    if (segmentEnd - segmentAt < 8) throw new CapnpFormatError('segment has no room for the root pointer');
    let dataAt = segmentAt;
    let dataBytes = 0;
    let pointersAt = segmentAt;
    let pointerCount = 0;
    const rootLow = view.getUint32(segmentAt, true);
    const rootHigh = view.getUint32(segmentAt + 4, true);
    if (rootLow !== 0 || rootHigh !== 0) {
      if ((rootLow & 3) !== POINTER_KIND_STRUCT) {
        throw new CapnpFormatError(`root pointer has kind ${rootLow & 3}, expected a struct pointer`);
      }
      dataAt = segmentAt + 8 + (rootLow >> 2) * 8;
      dataBytes = (rootHigh & 0xffff) * 8;
      pointerCount = rootHigh >>> 16;
      pointersAt = dataAt + dataBytes;
      if (dataAt < segmentAt || pointersAt + pointerCount * 8 > segmentEnd) {
        throw new CapnpFormatError('root struct lies outside the segment');
      }
    }
    const bounds = { segmentAt, segmentEnd };
    const ticker = pointerCount > 0 ? readText(view, pointersAt, bounds) : NULL_TEXT;
    const bids = pointerCount > 1 ? readLevels(view, pointersAt + 8, bounds, 'bids') : NULL_LIST;
    const asks = pointerCount > 2 ? readLevels(view, pointersAt + 16, bounds, 'asks') : NULL_LIST;
    this.#bytes = bytes;
    this.#view = view;
    this.#byteLength = segmentEnd - start;
    this.#dataAt = dataAt;
    this.#dataBytes = dataBytes;
    this.#tickerAt = ticker.at;
    this.#tickerLength = ticker.length;
    this.#bidsAt = bids.at;
    this.#bidCount = bids.count;
    this.#bidStride = bids.stride;
    this.#bidWords = bids.dataWords;
    this.#asksAt = asks.at;
    this.#askCount = asks.count;
    this.#askStride = asks.stride;
    this.#askWords = asks.dataWords;
    return this;
  }

  /** Length of the wrapped message in bytes, framing included. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Venue event time, nanoseconds since the Unix epoch. */
  get timestampNanos(): bigint {
    return this.#u64(0);
  }

  /** Receive time, nanoseconds since the Unix epoch. */
  get receivedNanos(): bigint {
    return this.#u64(8);
  }

  /** The venue's update id; 0n where it has none. */
  get sequence(): bigint {
    return this.#u64(16);
  }

  /** True when the levels replace the whole book. */
  get isSnapshot(): boolean {
    return this.#dataBytes > 24 && (this.#view.getUint8(this.#dataAt + 24) & 1) === 1;
  }

  /**
   * True on a refresh: a snapshot the connector republished for subscribers that started late, at the sequence of
   * the last update applied (see `OrderBook`, which skips one its book already holds).
   */
  get isRefresh(): boolean {
    return this.#dataBytes > 24 && (this.#view.getUint8(this.#dataAt + 24) & 2) === 2;
  }

  /** The venue ticker (decoded from UTF-8 on every read). */
  get ticker(): string {
    if (this.#tickerLength === 0) return '';
    const at = this.#tickerAt - this.#bytes.byteOffset;
    return utf8.decode(this.#bytes.subarray(at, at + this.#tickerLength));
  }

  /** Number of bid levels. */
  get bidCount(): number {
    return this.#bidCount;
  }

  /** Number of ask levels. */
  get askCount(): number {
    return this.#askCount;
  }

  /** Price of bid `i` (0-based). @throws {InvalidArgumentError} `i` outside `0..bidCount-1`. */
  bidPrice(i: number): number {
    return this.#level(this.#bidsAt, this.#bidCount, this.#bidStride, this.#bidWords, i, 0);
  }

  /** Size of bid `i`. @throws {InvalidArgumentError} `i` outside `0..bidCount-1`. */
  bidSize(i: number): number {
    return this.#level(this.#bidsAt, this.#bidCount, this.#bidStride, this.#bidWords, i, 1);
  }

  /** Price of ask `i`. @throws {InvalidArgumentError} `i` outside `0..askCount-1`. */
  askPrice(i: number): number {
    return this.#level(this.#asksAt, this.#askCount, this.#askStride, this.#askWords, i, 0);
  }

  /** Size of ask `i`. @throws {InvalidArgumentError} `i` outside `0..askCount-1`. */
  askSize(i: number): number {
    return this.#level(this.#asksAt, this.#askCount, this.#askStride, this.#askWords, i, 1);
  }

  /** Copies the message into the convenient {@link BookUpdate} form (allocates). */
  toUpdate(): BookUpdate {
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let i = 0; i < this.#bidCount; i++) bids.push({ price: this.bidPrice(i), size: this.bidSize(i) });
    for (let i = 0; i < this.#askCount; i++) asks.push({ price: this.askPrice(i), size: this.askSize(i) });
    return {
      timestampNanos: this.timestampNanos,
      receivedNanos: this.receivedNanos,
      ticker: this.ticker,
      sequence: this.sequence,
      isSnapshot: this.isSnapshot,
      bids,
      asks,
      ...(this.isRefresh ? { isRefresh: true } : {}),
    };
  }

  #u64(offset: number): bigint {
    return offset + 8 <= this.#dataBytes ? this.#view.getBigUint64(this.#dataAt + offset, true) : 0n;
  }

  #level(at: number, count: number, stride: number, words: number, i: number, word: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new InvalidArgumentError(`level ${i} is outside 0..${count - 1}`, { argument: 'level' });
    return word < words ? this.#view.getFloat64(at + i * stride + word * 8, true) : 0;
  }

  #clear(): void {
    this.#byteLength = 0;
    this.#dataBytes = 0;
    this.#tickerLength = 0;
    this.#bidCount = 0;
    this.#askCount = 0;
  }
}

interface Bounds {
  segmentAt: number;
  segmentEnd: number;
}

interface ListSpan {
  at: number;
  count: number;
  stride: number;
  dataWords: number;
}

const NULL_TEXT = { at: 0, length: 0 };
const NULL_LIST: ListSpan = { at: 0, count: 0, stride: 0, dataWords: 0 };

function readText(view: DataView, pointerAt: number, bounds: Bounds): { at: number; length: number } {
  const low = view.getUint32(pointerAt, true);
  const high = view.getUint32(pointerAt + 4, true);
  if (low === 0 && high === 0) return NULL_TEXT;
  if ((low & 3) !== POINTER_KIND_LIST || (high & 7) !== ELEMENT_BYTE) {
    throw new CapnpFormatError('ticker is not a byte list (Text)');
  }
  const at = pointerAt + 8 + (low >> 2) * 8;
  const bytes = high >>> 3;
  if (bytes === 0 || at < bounds.segmentAt || at + bytes > bounds.segmentEnd) {
    throw new CapnpFormatError('ticker text lies outside the segment or has no NUL');
  }
  if (view.getUint8(at + bytes - 1) !== 0) throw new CapnpFormatError('ticker text is not NUL-terminated');
  return { at, length: bytes - 1 };
}

function readLevels(view: DataView, pointerAt: number, bounds: Bounds, field: string): ListSpan {
  const low = view.getUint32(pointerAt, true);
  const high = view.getUint32(pointerAt + 4, true);
  if (low === 0 && high === 0) return NULL_LIST;
  if ((low & 3) !== POINTER_KIND_LIST || (high & 7) !== ELEMENT_COMPOSITE) {
    throw new CapnpFormatError(`${field} is not a list of structs`);
  }
  const tagAt = pointerAt + 8 + (low >> 2) * 8;
  const words = high >>> 3;
  if (tagAt < bounds.segmentAt || tagAt + 8 + words * 8 > bounds.segmentEnd) {
    throw new CapnpFormatError(`${field} list lies outside the segment`);
  }
  const tagLow = view.getUint32(tagAt, true);
  const tagHigh = view.getUint32(tagAt + 4, true);
  if ((tagLow & 3) !== POINTER_KIND_STRUCT)
    throw new CapnpFormatError(`${field} list tag is not a struct tag`);
  const count = tagLow >>> 2;
  const dataWords = tagHigh & 0xffff;
  const stride = (dataWords + (tagHigh >>> 16)) * 8;
  if (count * stride > words * 8) {
    throw new CapnpFormatError(`${field}: ${count} levels of ${stride} bytes overrun the ${words}-word list`);
  }
  return { at: tagAt + 8, count, stride, dataWords };
}
