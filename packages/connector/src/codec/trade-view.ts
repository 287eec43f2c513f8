/**
 * Zero-copy reader for `TradeData` messages in Cap'n Proto stream framing.
 *
 * It follows the pointers instead of assuming the encoder's fixed layout, so it
 * reads messages from any conforming single-segment writer (capnp-es with its
 * larger segment, texts in another order, structs from an older or newer
 * schema with fewer or more fields). Every offset is bounds-checked in
 * `wrap()`; the getters then read without further checks.
 */
import { CapnpFormatError } from '../errors.js';
import { type TradeData, TradeSide } from './trade-data.js';
import {
  LIST_ELEMENT_BYTE,
  PRICE_OFFSET,
  RECEIVED_OFFSET,
  SIDE_OFFSET,
  SIZE_OFFSET,
  TICKER_POINTER,
  TIMESTAMP_OFFSET,
  TRADE_ID_POINTER,
} from './trade-layout.js';

const POINTER_KIND_STRUCT = 0;
const POINTER_KIND_LIST = 1;
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * A re-pointable view of one encoded trade. Subscribers keep one instance and
 * call {@link TradeView.wrap} per message; nothing is copied, and text fields
 * are decoded only when read.
 *
 * Fields absent from the message (a writer with an older schema) read as
 * their defaults: 0, empty text, `buy`. A side value this schema does not know
 * reads as `unknown`.
 *
 * @example
 * ```ts
 * const view = new TradeView();
 * subscription.onMessage((bytes) => {
 *   view.wrap(bytes); // throws CapnpFormatError on malformed input
 *   if (view.price > limit) alert(view.ticker, view.timestampNanos);
 * });
 * ```
 */
export class TradeView {
  #bytes: Uint8Array = EMPTY;
  #view: DataView = new DataView(EMPTY.buffer);
  #byteLength = 0;
  /** Absolute (ArrayBuffer) offset of the data section, and its size in bytes. */
  #dataAt = 0;
  #dataBytes = 0;
  /** Absolute offsets and UTF-8 lengths (without NUL) of the texts; 0 length for a null pointer. */
  #tickerAt = 0;
  #tickerLength = 0;
  #idAt = 0;
  #idLength = 0;

  /** Optionally wraps a first message; see {@link TradeView.wrap}. */
  constructor(bytes?: Uint8Array, offset?: number, length?: number) {
    if (bytes !== undefined) this.wrap(bytes, offset, length);
  }

  /**
   * Points this view at the message starting at `bytes[offset]` within
   * `length` bytes (default: to the end of `bytes`) and validates it. Bytes
   * after the message are ignored; {@link TradeView.byteLength} says where the
   * next message of a stream starts. The view reads `bytes` in place: do not
   * modify them while the view is in use. After a failed wrap the view is
   * empty (`byteLength` 0, every field at its default), never half-updated.
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
    // One DataView per underlying ArrayBuffer: re-wrapping frames of the same buffer allocates nothing.
    const view = this.#bytes.buffer === bytes.buffer ? this.#view : new DataView(bytes.buffer);
    const start = bytes.byteOffset + offset;
    const end = start + length;
    if (length < 8) throw new CapnpFormatError(`message is ${length} bytes, shorter than its 8-byte framing`);
    const extraSegments = view.getUint32(start, true);
    if (extraSegments !== 0) {
      throw new CapnpFormatError(
        `message has ${extraSegments + 1} segments; only single-segment messages are read`,
      );
    }
    const segmentAt = start + 8;
    const segmentEnd = segmentAt + view.getUint32(start + 4, true) * 8;
    if (segmentEnd > end) {
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
    // A null root pointer is the default struct: every field reads as its default.
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

    let tickerAt = 0;
    let tickerLength = 0;
    if (TICKER_POINTER < pointerCount) {
      tickerAt = readTextPointer(view, pointersAt + TICKER_POINTER * 8, segmentAt, segmentEnd, 'ticker');
      tickerLength = textLength;
    }
    let idAt = 0;
    let idLength = 0;
    if (TRADE_ID_POINTER < pointerCount) {
      idAt = readTextPointer(view, pointersAt + TRADE_ID_POINTER * 8, segmentAt, segmentEnd, 'tradeId');
      idLength = textLength;
    }
    this.#bytes = bytes;
    this.#view = view;
    this.#byteLength = segmentEnd - start;
    this.#dataAt = dataAt;
    this.#dataBytes = dataBytes;
    this.#tickerAt = tickerAt;
    this.#tickerLength = tickerLength;
    this.#idAt = idAt;
    this.#idLength = idLength;
    return this;
  }

  /** Length of the wrapped message in bytes, framing included: where the next message of a stream starts. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Venue trade time, nanoseconds since the Unix epoch. */
  get timestampNanos(): bigint {
    return this.#dataBytes >= TIMESTAMP_OFFSET + 8
      ? this.#view.getBigUint64(this.#dataAt + TIMESTAMP_OFFSET, true)
      : 0n;
  }

  /** Wall-clock receive time, nanoseconds since the Unix epoch. */
  get receivedNanos(): bigint {
    return this.#dataBytes >= RECEIVED_OFFSET + 8
      ? this.#view.getBigUint64(this.#dataAt + RECEIVED_OFFSET, true)
      : 0n;
  }

  /** Trade price. */
  get price(): number {
    return this.#dataBytes >= PRICE_OFFSET + 8 ? this.#view.getFloat64(this.#dataAt + PRICE_OFFSET, true) : 0;
  }

  /** Trade size. */
  get size(): number {
    return this.#dataBytes >= SIZE_OFFSET + 8 ? this.#view.getFloat64(this.#dataAt + SIZE_OFFSET, true) : 0;
  }

  /** Taker side; values this schema does not define read as `unknown`. */
  get side(): TradeSide {
    if (this.#dataBytes < SIDE_OFFSET + 2) return TradeSide.buy;
    const side = this.#view.getUint16(this.#dataAt + SIDE_OFFSET, true);
    if (side === TradeSide.buy) return TradeSide.buy;
    return side === TradeSide.sell ? TradeSide.sell : TradeSide.unknown;
  }

  /** Venue ticker, decoded from UTF-8 on each read. */
  get ticker(): string {
    return this.#decode(this.#tickerAt, this.#tickerLength);
  }

  /** Venue ticker as UTF-8 bytes without the NUL, a view into the wrapped message (no copy). */
  get tickerBytes(): Uint8Array {
    return this.#slice(this.#tickerAt, this.#tickerLength);
  }

  /** Venue trade id, decoded from UTF-8 on each read. */
  get tradeId(): string {
    return this.#decode(this.#idAt, this.#idLength);
  }

  /** Venue trade id as UTF-8 bytes without the NUL, a view into the wrapped message (no copy). */
  get tradeIdBytes(): Uint8Array {
    return this.#slice(this.#idAt, this.#idLength);
  }

  /** Copies every field into a plain {@link TradeData}. */
  toTradeData(): TradeData {
    return {
      timestampNanos: this.timestampNanos,
      receivedNanos: this.receivedNanos,
      ticker: this.ticker,
      price: this.price,
      size: this.size,
      side: this.side,
      tradeId: this.tradeId,
    };
  }

  #clear(): void {
    this.#byteLength = 0;
    this.#dataBytes = 0;
    this.#tickerLength = 0;
    this.#idLength = 0;
  }

  #slice(at: number, length: number): Uint8Array {
    if (length === 0) return EMPTY;
    return new Uint8Array(this.#bytes.buffer, at, length);
  }

  #decode(at: number, length: number): string {
    return length === 0 ? '' : utf8.decode(this.#slice(at, length));
  }
}

/** Byte length (without NUL) of the text found by the last {@link readTextPointer} call. */
let textLength = 0;

/**
 * Validates the text pointer at `pointerAt` and returns the absolute offset of
 * its bytes, leaving their length in `textLength` (a module scratch value, so
 * validation returns two numbers without allocating). A null pointer is the
 * empty text.
 */
function readTextPointer(
  view: DataView,
  pointerAt: number,
  segmentAt: number,
  segmentEnd: number,
  field: string,
): number {
  const low = view.getUint32(pointerAt, true);
  const high = view.getUint32(pointerAt + 4, true);
  textLength = 0;
  if (low === 0 && high === 0) return 0;
  if ((low & 3) !== POINTER_KIND_LIST) {
    throw new CapnpFormatError(`${field} pointer has kind ${low & 3}, expected a list pointer`);
  }
  if ((high & 7) !== LIST_ELEMENT_BYTE) {
    throw new CapnpFormatError(`${field} pointer has element size ${high & 7}, expected bytes`);
  }
  const at = pointerAt + 8 + (low >> 2) * 8;
  const count = high >>> 3;
  if (at < segmentAt || at + count > segmentEnd) {
    throw new CapnpFormatError(`${field} text lies outside the segment`);
  }
  if (count === 0 || view.getUint8(at + count - 1) !== 0) {
    throw new CapnpFormatError(`${field} text is not NUL-terminated`);
  }
  textLength = count - 1;
  return at;
}
