/**
 * Fixed-layout Cap'n Proto writer for `TradeData`, the connector's hot path: a trade has a fixed shape, so it is laid
 * out directly into one reused buffer, byte-identical to capnp-es. Layout and why: docs/design/codec.md.
 */
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { InvalidTradeFieldError, TradeTextTooLongError } from '../errors.js';
import type { TradeData, TradeSide } from './trade-data.js';
import { utf8ByteLength, writeUtf8 } from './utf8.js';

/** The numeric fields of a trade, read from an object by {@link TradeEncoder.encodeFields}. */
export interface TradeNumbers {
  /** Venue trade time: whole epoch milliseconds. */
  timestampMs: number;
  /** Nanoseconds within that millisecond (0..999999). */
  timestampSubMsNanos: number;
  price: number;
  size: number;
  side: TradeSide;
}

/** A wall-clock time as whole epoch milliseconds plus nanoseconds within the millisecond. */
export interface EpochMsParts {
  /** Whole milliseconds since the Unix epoch (UTC). */
  ms: number;
  /** 0..999999 */
  subMsNanos: number;
}

/** Options for {@link TradeEncoder}. */
export interface TradeEncoderOptions {
  /**
   * Largest ticker or trade id accepted, in UTF-8 bytes (default 256). Longer
   * texts throw {@link TradeTextTooLongError}; the cap also bounds the buffer.
   */
  maxTextBytes?: number;
  /** Initial buffer size in bytes (default 128, enough for a typical trade); it grows on demand. */
  initialCapacity?: number;
}

/** {@link TradeEncoderOptions} and the switch tests use to run the big-endian path; exported from no entry. */
export interface TradeEncoderInternalOptions extends TradeEncoderOptions {
  /**
   * Write every field through a `DataView`, as a big-endian host must, even where typed-array stores
   * would do (default false). Same bytes, slower; it exists so the portable path is tested and measured
   * on little-endian machines too.
   */
  portableWrites?: boolean;
}

const DEFAULT_MAX_TEXT_BYTES = 256;
const DEFAULT_INITIAL_CAPACITY = 128;
/** Keeps list lengths far below the 29-bit element count and messages small. */
const MAX_TEXT_BYTES_LIMIT = 1 << 20;

/**
 * The message's fixed byte offsets as enum members, which esbuild (tsup) replaces by literals in the
 * build, so the hot path reads no module-level binding: in an ES module V8 (Node 20) loads those from the
 * module context at run time, which made the ESM build measurably slower than the CommonJS one.
 * `trade-encoder.test.ts` derives each value from `trade-layout.ts` and compares. Not part of the
 * package's API (the index does not export it).
 *
 * @internal
 */
export enum Wire {
  /** Stream framing: segment count - 1, then the segment size in words. */
  frameBytes = 8,
  rootPointer = frameBytes,
  /** Data section, after the root pointer; each field at its `*_OFFSET` in it. */
  data = rootPointer + 8,
  timestamp = data,
  received = data + 8,
  price = data + 16,
  size = data + 24,
  side = data + 32,
  /** Pointer section, after the 5 data words (`TRADE_DATA_WORDS`). */
  tickerPointer = data + 5 * 8,
  tradeIdPointer = tickerPointer + 8,
  /** First text, after the 2 pointers (`TRADE_POINTER_COUNT`). */
  texts = tickerPointer + 2 * 8,
  /** Root pointer upper word: data words in bits 0-15, pointer count in bits 16-31. */
  rootSizeWord = 5 | (2 << 16),
  /** Cap'n Proto list element-size code for bytes (`LIST_ELEMENT_BYTE`). */
  listElementByte = 2,
}

/**
 * Typed-array stores use the host's byte order, Cap'n Proto is little-endian:
 * on a big-endian host the encoder writes through a DataView instead.
 */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The numbers {@link splitNanos} works with, inlined for the same reason as {@link Wire}. */
enum Num {
  nanosPerMilli = 1_000_000,
  twoPow32 = 0x1_0000_0000,
  /** 2^-32, exact as a double. */
  inverseTwoPow32 = 2.3283064365386963e-10,
}
const U64_MAX = 0xffff_ffff_ffff_ffffn;

/**
 * Writes `TradeData` messages into one reused buffer without allocating per
 * message in steady state (no BigInt, no strings, no `TextEncoder`).
 *
 * Each `encode*` call overwrites the previous message and returns its length
 * in bytes; the message is `buffer[0, length)` (or {@link TradeEncoder.bytes}).
 * `buffer` is replaced when a message outgrows it, so read it after every
 * encode; copy the bytes to keep them past the next encode.
 *
 * @example
 * ```ts
 * const encoder = new TradeEncoder();
 * const length = encoder.encode({
 *   timestampNanos: 1_700_000_000_123_456_789n,
 *   receivedNanos: 1_700_000_000_124_000_000n,
 *   ticker: 'BTCUSDT',
 *   price: 37_000.5,
 *   size: 0.25,
 *   side: TradeSide.buy,
 *   tradeId: '3141592653',
 * });
 * transport.publish('trades.binance.BTCUSDT', encoder.bytes); // or encoder.buffer + length
 *
 * // Hot path: times as epoch ms + sub-ms nanos, texts as UTF-8 bytes already in hand.
 * const BTCUSDT = new TextEncoder().encode('BTCUSDT'); // once per symbol
 * encoder.encodeParts(1_700_000_000_123, 456_789, Date.now(), 0, BTCUSDT, 37_000.5, 0.25,
 *   TradeSide.sell, frame, idStart, idEnd);
 * ```
 */
export class TradeEncoder {
  /** Largest accepted ticker or trade id in UTF-8 bytes. */
  readonly maxTextBytes: number;
  /** True when {@link TradeEncoder.encodeFields} stores through typed arrays (little-endian host, not `portableWrites`). */
  readonly #typedStores: boolean;

  #buffer: Uint8Array;
  #view: DataView;
  /** 32-bit and 64-bit views of `#buffer` for the fixed words (little-endian hosts). */
  #u32: Uint32Array;
  #f64: Float64Array;
  /** `#buffer.subarray(0, words * 8)` by message word count, created on first use. */
  #messageViews: Array<Uint8Array | undefined>;
  #length = 0;

  /** Validated u64 halves (timestamp lo, hi, received lo, hi), so validation finishes before any byte is written. */
  readonly #halves = new Uint32Array(4);
  /**
   * Times being split, as [timestamp ms, sub-ms ns, received ms, sub-ms ns]. The received pair stays after
   * its halves are in `#halves[2..3]`, so a repeated receive time is split once; NaN (equal to nothing): none.
   */
  readonly #times = new Float64Array([0, 0, Number.NaN, Number.NaN]);
  /** Scratch objects through which {@link TradeEncoder.encodeParts} reaches {@link TradeEncoder.encodeFields}. */
  readonly #fields: TradeNumbers = { timestampMs: 0, timestampSubMsNanos: 0, price: 0.5, size: 0.5, side: 0 };
  readonly #received: EpochMsParts = { ms: 0, subMsNanos: 0 };

  constructor(options: TradeEncoderOptions = {}) {
    const maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
    if (!Number.isInteger(maxTextBytes) || maxTextBytes < 0 || maxTextBytes > MAX_TEXT_BYTES_LIMIT) {
      throw new InvalidArgumentError(`maxTextBytes must be an integer in 0..${MAX_TEXT_BYTES_LIMIT}`, {
        argument: 'maxTextBytes',
      });
    }
    const initialCapacity = options.initialCapacity ?? DEFAULT_INITIAL_CAPACITY;
    if (!Number.isInteger(initialCapacity) || initialCapacity < 0) {
      throw new InvalidArgumentError('initialCapacity must be a non-negative integer', {
        argument: 'initialCapacity',
      });
    }
    this.maxTextBytes = maxTextBytes;
    // The public type leaves the test switch out; the encoder still takes it.
    const internal: TradeEncoderInternalOptions = options;
    const portableWrites = internal.portableWrites ?? false;
    if (typeof portableWrites !== 'boolean')
      throw new InvalidArgumentError('portableWrites must be a boolean', { argument: 'portableWrites' });
    this.#typedStores = HOST_IS_LITTLE_ENDIAN && !portableWrites;
    this.#buffer = new Uint8Array(padToWord(Math.max(initialCapacity, Wire.texts + 16)));
    this.#view = new DataView(this.#buffer.buffer);
    this.#u32 = new Uint32Array(this.#buffer.buffer);
    this.#f64 = new Float64Array(this.#buffer.buffer);
    this.#messageViews = emptyViews(this.#buffer.length);
  }

  /**
   * The reused output buffer; the last message is `buffer[0, length)`.
   * Replaced (not resized) when a message needs more room.
   */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** Length in bytes of the last encoded message (0 before the first). */
  get length(): number {
    return this.#length;
  }

  /**
   * The last encoded message as a view of {@link TradeEncoder.buffer}. The view
   * is cached per message length, so reading it per trade does not allocate in
   * steady state. Overwritten by the next encode.
   */
  get bytes(): Uint8Array {
    const words = this.#length >>> 3;
    let message = this.#messageViews[words];
    if (message === undefined) {
      message = this.#buffer.subarray(0, this.#length);
      this.#messageViews[words] = message;
    }
    return message;
  }

  /**
   * Encodes a {@link TradeData} and returns the message length in bytes.
   * Convenience path: texts are UTF-8 encoded straight into the buffer.
   *
   * @throws {InvalidTradeFieldError} a time outside 0..2^64-1 or a side outside `TradeSide`.
   * @throws {TradeTextTooLongError} a text longer than `maxTextBytes`.
   */
  encode(trade: TradeData): number {
    const { timestampNanos, receivedNanos, ticker, tradeId } = trade;
    checkU64(timestampNanos, 'timestampNanos');
    checkU64(receivedNanos, 'receivedNanos');
    checkSide(trade.side);
    const tickerBytes = utf8ByteLength(ticker);
    const idBytes = utf8ByteLength(tradeId);
    this.#checkTextLength(tickerBytes, 'ticker');
    this.#checkTextLength(idBytes, 'tradeId');

    const total = this.#reserve(tickerBytes, idBytes);
    this.#writeFramePortable(total, tickerBytes, idBytes);
    const view = this.#view;
    view.setBigUint64(Wire.timestamp, timestampNanos, true);
    view.setBigUint64(Wire.received, receivedNanos, true);
    // Written inline: passing the doubles to a helper would box them into heap numbers per call.
    view.setFloat64(Wire.price, trade.price, true);
    view.setFloat64(Wire.size, trade.size, true);
    // One 32-bit store sets the 16-bit side and clears the next 2 bytes of the last data word.
    view.setUint32(Wire.side, trade.side, true);
    view.setUint32(Wire.side + 4, 0, true);
    const tickerEnd = writeUtf8(ticker, this.#buffer, Wire.texts);
    const idAt = padText(this.#buffer, tickerEnd);
    padText(this.#buffer, writeUtf8(tradeId, this.#buffer, idAt));
    this.#length = total;
    return total;
  }

  /**
   * Encode from parts already in hand; returns the message length in bytes.
   *
   * Times are integer epoch milliseconds (`0..2^53-1`) plus nanoseconds within
   * the millisecond (`0..999999`). The trade id is `idBytes[idStart, idEnd)`,
   * typically a slice of the raw venue frame; `tickerUtf8` is usually cached per
   * symbol; both are copied as is and must be UTF-8. The hottest callers use
   * {@link TradeEncoder.encodeFields} (why: docs/design/codec.md).
   *
   * @throws {InvalidTradeFieldError} a time part out of range (or a total
   *   above 2^64-1), a side outside `TradeSide`, or an id range outside `idBytes`.
   * @throws {TradeTextTooLongError} a text longer than `maxTextBytes`.
   */
  encodeParts(
    timestampMs: number,
    timestampSubMsNanos: number,
    receivedMs: number,
    receivedSubMsNanos: number,
    tickerUtf8: Uint8Array,
    price: number,
    size: number,
    side: TradeSide,
    idBytes: Uint8Array,
    idStart: number,
    idEnd: number,
  ): number {
    const fields = this.#fields;
    fields.timestampMs = timestampMs;
    fields.timestampSubMsNanos = timestampSubMsNanos;
    fields.price = price;
    fields.size = size;
    fields.side = side;
    const received = this.#received;
    received.ms = receivedMs;
    received.subMsNanos = receivedSubMsNanos;
    return this.encodeFields(fields, received, tickerUtf8, idBytes, idStart, idEnd);
  }

  /**
   * The hot-path encode: numeric fields are read from `fields` (a parser's
   * reused trade object fits) and the receive time from `received`, so no
   * double crosses a call boundary and nothing is allocated. Same rules and
   * errors as {@link TradeEncoder.encodeParts}.
   */
  encodeFields(
    fields: TradeNumbers,
    received: EpochMsParts,
    tickerUtf8: Uint8Array,
    idBytes: Uint8Array,
    idStart: number,
    idEnd: number,
  ): number {
    const halves = this.#halves;
    // The times reach splitNanos through a Float64Array, not as arguments: whether or not V8 inlines it
    // (its budget depends on the caller), no double is boxed.
    // The typeof tests keep what a Float64Array store would coerce (null, strings, booleans) an error.
    const times = this.#times;
    const timestampMs = fields.timestampMs;
    const timestampSub = fields.timestampSubMsNanos;
    if (typeof timestampMs !== 'number' || typeof timestampSub !== 'number') {
      throw invalidTime('timestamp', timestampMs, timestampSub);
    }
    times[0] = timestampMs;
    times[1] = timestampSub;
    if (!splitNanos(times, halves, 0)) throw invalidTime('timestamp', timestampMs, timestampSub);
    // Every trade of a message shares its receive time: split it once.
    const receivedMs = received.ms;
    const receivedSub = received.subMsNanos;
    if (receivedMs !== times[2] || receivedSub !== times[3]) {
      if (typeof receivedMs !== 'number' || typeof receivedSub !== 'number') {
        throw invalidTime('received', receivedMs, receivedSub);
      }
      times[2] = receivedMs;
      times[3] = receivedSub;
      if (!splitNanos(times, halves, 2)) {
        times[2] = Number.NaN;
        throw invalidTime('received', receivedMs, receivedSub);
      }
    }
    const side = fields.side;
    checkSide(side);
    if (!Number.isInteger(idStart) || !Number.isInteger(idEnd) || idStart < 0 || idEnd < idStart) {
      throw new InvalidTradeFieldError('idStart', `[${idStart}, ${idEnd}) is not a byte range`);
    }
    if (idEnd > idBytes.length) {
      throw new InvalidTradeFieldError('idEnd', `${idEnd} is past the end of idBytes (${idBytes.length})`);
    }
    const tickerLength = tickerUtf8.length;
    const idLength = idEnd - idStart;
    const maxTextBytes = this.maxTextBytes;
    if (tickerLength > maxTextBytes) throw new TradeTextTooLongError('ticker', tickerLength, maxTextBytes);
    if (idLength > maxTextBytes) throw new TradeTextTooLongError('tradeId', idLength, maxTextBytes);

    const total = this.#reserve(tickerLength, idLength);
    if (!this.#typedStores) {
      this.#writeFramePortable(total, tickerLength, idLength);
      this.#writeBodyPortable(total, fields, side, tickerUtf8, idBytes, idStart, idLength);
      return total;
    }
    // Plain typed-array stores: cheaper than DataView calls, same bytes on a little-endian host. The frame
    // is written here rather than by a helper, and the big-endian path is a separate method, so that every
    // helper this method still calls fits V8's inlining budget on every run: when they did not all fit,
    // which ones were inlined changed from process to process, and so did the time per encode.
    const u32 = this.#u32;
    const idAt = Wire.texts + (((tickerLength + 8) >>> 3) << 3);
    // Framing: one segment (count - 1 = 0) of (total - 8) / 8 words.
    u32[0] = 0;
    u32[1] = (total - Wire.frameBytes) >>> 3;
    // Root struct pointer: offset 0, then the data and pointer section sizes.
    u32[Wire.rootPointer >>> 2] = 0;
    u32[(Wire.rootPointer >>> 2) + 1] = Wire.rootSizeWord;
    // Text pointers: a list pointer's lower word, then (byte count including the NUL << 3) | size code.
    u32[Wire.tickerPointer >>> 2] = listPointerLow(Wire.tickerPointer, Wire.texts);
    u32[(Wire.tickerPointer >>> 2) + 1] = (((tickerLength + 1) << 3) | Wire.listElementByte) >>> 0;
    u32[Wire.tradeIdPointer >>> 2] = listPointerLow(Wire.tradeIdPointer, idAt);
    u32[(Wire.tradeIdPointer >>> 2) + 1] = (((idLength + 1) << 3) | Wire.listElementByte) >>> 0;
    u32[Wire.timestamp >>> 2] = halves[0]!;
    u32[(Wire.timestamp >>> 2) + 1] = halves[1]!;
    u32[Wire.received >>> 2] = halves[2]!;
    u32[(Wire.received >>> 2) + 1] = halves[3]!;
    const f64 = this.#f64;
    f64[Wire.price >>> 3] = fields.price;
    f64[Wire.size >>> 3] = fields.size;
    u32[Wire.side >>> 2] = side;
    u32[(Wire.side >>> 2) + 1] = 0;
    // Zero each text's last word (its NUL and padding) with two stores, then copy the bytes over it.
    const tickerLast = (idAt >>> 2) - 2;
    u32[tickerLast] = 0;
    u32[tickerLast + 1] = 0;
    const idLast = (total >>> 2) - 2;
    u32[idLast] = 0;
    u32[idLast + 1] = 0;
    // Short texts: word loops beat `set(subarray())` and allocate no view.
    copyText(tickerUtf8, 0, tickerLength, u32, Wire.texts);
    copyText(idBytes, idStart, idLength, u32, idAt);
    this.#length = total;
    return total;
  }

  /** The body writes of a big-endian host (or `portableWrites`): the same bytes through a DataView and byte loops. */
  #writeBodyPortable(
    total: number,
    fields: TradeNumbers,
    side: number,
    tickerUtf8: Uint8Array,
    idBytes: Uint8Array,
    idStart: number,
    idLength: number,
  ): void {
    const halves = this.#halves;
    const view = this.#view;
    view.setUint32(Wire.timestamp, halves[0]!, true);
    view.setUint32(Wire.timestamp + 4, halves[1]!, true);
    view.setUint32(Wire.received, halves[2]!, true);
    view.setUint32(Wire.received + 4, halves[3]!, true);
    view.setFloat64(Wire.price, fields.price, true);
    view.setFloat64(Wire.size, fields.size, true);
    view.setUint32(Wire.side, side, true);
    view.setUint32(Wire.side + 4, 0, true);
    const buffer = this.#buffer;
    const tickerLength = tickerUtf8.length;
    for (let i = 0; i < tickerLength; i++) buffer[Wire.texts + i] = tickerUtf8[i]!;
    const idAt = padText(buffer, Wire.texts + tickerLength);
    for (let i = 0; i < idLength; i++) buffer[idAt + i] = idBytes[idStart + i]!;
    padText(buffer, idAt + idLength);
    this.#length = total;
  }

  #checkTextLength(byteLength: number, field: 'ticker' | 'tradeId'): void {
    if (byteLength > this.maxTextBytes) throw new TradeTextTooLongError(field, byteLength, this.maxTextBytes);
  }

  /** Ensures room for a message with texts of the given UTF-8 lengths; returns the message length. */
  #reserve(tickerLength: number, idLength: number): number {
    const total = Wire.texts + (((tickerLength + 8) >>> 3) + ((idLength + 8) >>> 3)) * 8;
    if (total > this.#buffer.length) this.#grow(total);
    return total;
  }

  /**
   * Writes the framing, root pointer and both text pointers of a message of `total` bytes with texts of
   * the given UTF-8 lengths, through the DataView (any host byte order).
   */
  #writeFramePortable(total: number, tickerLength: number, idLength: number): void {
    const idAt = Wire.texts + (((tickerLength + 8) >>> 3) << 3);
    const view = this.#view;
    view.setUint32(0, 0, true);
    view.setUint32(4, (total - Wire.frameBytes) >>> 3, true);
    view.setUint32(Wire.rootPointer, 0, true);
    view.setUint32(Wire.rootPointer + 4, Wire.rootSizeWord, true);
    view.setUint32(Wire.tickerPointer, listPointerLow(Wire.tickerPointer, Wire.texts), true);
    view.setUint32(Wire.tickerPointer + 4, (((tickerLength + 1) << 3) | Wire.listElementByte) >>> 0, true);
    view.setUint32(Wire.tradeIdPointer, listPointerLow(Wire.tradeIdPointer, idAt), true);
    view.setUint32(Wire.tradeIdPointer + 4, (((idLength + 1) << 3) | Wire.listElementByte) >>> 0, true);
  }

  #grow(needed: number): void {
    const capacity = padToWord(Math.max(needed, this.#buffer.length * 2));
    this.#buffer = new Uint8Array(capacity);
    this.#view = new DataView(this.#buffer.buffer);
    this.#u32 = new Uint32Array(this.#buffer.buffer);
    this.#f64 = new Float64Array(this.#buffer.buffer);
    this.#messageViews = emptyViews(capacity);
  }
}

/**
 * Splits `times[at]` epoch milliseconds plus `times[at + 1]` nanoseconds into
 * the 32-bit halves of the u64 nanosecond count at `out[at]` (lo) and
 * `out[at + 1]` (hi). Every product and sum stays under 2^53, so the double
 * arithmetic is exact. Returns false for a value outside the ranges or above
 * 2^64-1.
 */
export function splitNanos(times: Float64Array, out: Uint32Array, at: number): boolean {
  const ms = times[at]!;
  const subMs = times[at + 1]!;
  if (
    !Number.isSafeInteger(ms) ||
    ms < 0 ||
    !Number.isInteger(subMs) ||
    subMs < 0 ||
    subMs >= Num.nanosPerMilli
  ) {
    return false;
  }
  // `>>> 0` is ToUint32: the exact value modulo 2^32 for any integer below 2^53, with no division.
  const msLo = ms >>> 0;
  const low = msLo * Num.nanosPerMilli + subMs;
  const lowLo = low >>> 0;
  // Multiplying by 2^-32 is exact here (the differences are multiples of 2^32) and cheaper than dividing.
  const hi = (ms - msLo) * Num.inverseTwoPow32 * Num.nanosPerMilli + (low - lowLo) * Num.inverseTwoPow32;
  if (hi >= Num.twoPow32) return false;
  out[at] = lowLo;
  out[at + 1] = hi;
  return true;
}

/** The error for a time {@link splitNanos} refused (cold path). */
function invalidTime(which: 'timestamp' | 'received', ms: number, subMs: number): InvalidTradeFieldError {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    return new InvalidTradeFieldError(`${which}Ms`, `${ms} is not an integer in 0..2^53-1`);
  }
  if (!Number.isInteger(subMs) || subMs < 0 || subMs >= Num.nanosPerMilli) {
    return new InvalidTradeFieldError(`${which}SubMsNanos`, `${subMs} is not an integer in 0..999999`);
  }
  return new InvalidTradeFieldError(`${which}Ms`, `${ms} ms is more than 2^64-1 nanoseconds`);
}

function checkU64(value: bigint, field: 'timestampNanos' | 'receivedNanos'): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new InvalidTradeFieldError(field, `${String(value)} is not a bigint in 0..2^64-1`);
  }
}

function checkSide(side: number): void {
  if (side !== 0 && side !== 1 && side !== 2) {
    throw new InvalidTradeFieldError('side', `${side} is not a TradeSide (0 buy, 1 sell, 2 unknown)`);
  }
}

/**
 * Copies `length` bytes from `source[from..]` into the text at byte `at` (word aligned) of the message
 * whose little-endian 32-bit view is `words`: whole words assembled from four bytes and stored at once,
 * then the last one to three bytes as one word whose upper bytes are zero, which is what a text's NUL and
 * padding are. Fewer stores and branches than a byte loop; small enough for V8 to inline.
 */
function copyText(source: Uint8Array, from: number, length: number, words: Uint32Array, at: number): void {
  let i = 0;
  let word = at >>> 2;
  for (; i + 4 <= length; i += 4, word++) {
    const s = from + i;
    words[word] = source[s]! | (source[s + 1]! << 8) | (source[s + 2]! << 16) | (source[s + 3]! << 24);
  }
  const rest = length - i;
  if (rest !== 0) {
    const s = from + i;
    let last = source[s]!;
    if (rest > 1) last |= source[s + 1]! << 8;
    if (rest > 2) last |= source[s + 2]! << 16;
    words[word] = last;
  }
}

/** Writes the text's NUL and zero padding after `end`; returns the next word boundary. */
function padText(buffer: Uint8Array, end: number): number {
  const next = (end + 8) & ~7;
  for (let i = end; i < next; i++) buffer[i] = 0;
  return next;
}

/** Lower word of a list pointer at `pointerAt` to content at `contentAt`: (word offset << 2) | kind 1. */
function listPointerLow(pointerAt: number, contentAt: number): number {
  return (((contentAt - pointerAt - 8) >>> 3) << 2) | 1;
}

function padToWord(bytes: number): number {
  return (bytes + 7) & ~7;
}

function emptyViews(capacity: number): Array<Uint8Array | undefined> {
  return new Array<Uint8Array | undefined>((capacity >>> 3) + 1).fill(undefined);
}
