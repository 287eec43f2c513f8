import {
  InternerFullError,
  InvalidArgumentError,
  InvalidUnicodeError,
  UnknownInternIdError,
} from '../errors.js';
import { checkInteger } from '../validate.js';
import { hashBytes } from './byte-hash.js';
import { encodeUtf8Into } from './utf8-encode.js';

/** Options for {@link Interner}. */
export interface InternerOptions {
  /** Most distinct symbols the interner accepts before throwing `InternerFullError`. Default 65536. */
  maxEntries?: number;
  /** Most UTF-8 bytes, summed over all symbols, it stores. Default `64 * maxEntries` (capped at 2^31 - 1). */
  maxBytes?: number;
  /** Symbols to size the tables for up front, so a known universe never rehashes. Default 64. */
  initialCapacity?: number;
}

const EMPTY = -1;
// Returned by `encode` for a string that cannot fit `maxBytes`; distinct from encodeUtf8Into's -1.
const TOO_LONG = -2;
const MAX_ENTRIES_LIMIT = 1 << 28;
const MAX_BYTES_LIMIT = 2 ** 31 - 1;
const MIN_TABLE_SLOTS = 16;
const INITIAL_BYTES_PER_ENTRY = 16;
/** internBytes' memo: 256 slots, indexed by the top bits of a multiplicative hash (Knuth's constant). */
const MEMO_BITS = 8;
const MEMO_SHIFT = 32 - MEMO_BITS;
const MEMO_MULTIPLIER = 0x9e3779b1 | 0;

// Fatal so that invalid UTF-8 is refused instead of being decoded to U+FFFD, which would give the stored bytes a
// string whose encoding differs from them.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Maps symbol names (tickers, venue ids) to small dense integer ids, and finds the id of a symbol straight from the
 * raw bytes of a message without creating a string.
 *
 * Why: a parser sees the same few thousand tickers millions of times. Decoding each one to a JS string allocates
 * and pressures the GC; `internBytes` hashes the UTF-8 bytes in place, probes an open-addressing table held in
 * typed arrays and compares against the stored bytes, so the hit path allocates nothing. The string is created
 * once, the first time a symbol is seen. Ids start at 0, grow by one per new symbol and never change for the life
 * of the instance, so they can index plain arrays of per-symbol state.
 *
 * A string and its UTF-8 bytes always get the same id. Text that is not valid Unicode (invalid UTF-8, lone
 * surrogates) is refused with `InvalidUnicodeError` rather than being silently replaced.
 *
 * Bounded: a new symbol beyond `maxEntries` or `maxBytes` throws `InternerFullError`, leaving existing entries
 * usable, so a feed spewing garbage cannot grow memory without limit.
 *
 * @example
 * ```ts
 * const symbols = new Interner({ maxEntries: 10_000 });
 * const btc = symbols.intern('BTC-USD');
 * const frame = new TextEncoder().encode('{"s":"BTC-USD","p":1}');
 * symbols.internBytes(frame, 6, 13) === btc; // true, and no string was created
 * symbols.resolve(btc); // 'BTC-USD'
 * ```
 */
export class Interner {
  /** The bound on distinct symbols given at construction. */
  readonly maxEntries: number;
  /** The bound on stored UTF-8 bytes given at construction. */
  readonly maxBytes: number;

  private count = 0;
  private bytesUsed = 0;
  // Open-addressing table, two Int32 per slot: [id, hash]. Keeping the hash beside the id rejects most probe
  // mismatches without touching the byte store, and lets the table grow without rehashing any bytes.
  private table: Int32Array;
  private mask: number;
  // Bytes of entry `id` are arena[offsets[id] .. offsets[id + 1]).
  private arena: Uint8Array;
  private offsets: Uint32Array;
  private readonly strings: string[] = [];
  // Reused by the string methods so that a string lookup allocates nothing either.
  private scratch = new Uint8Array(64);
  // internBytes' memo: slot (from length and first four bytes) -> the id last found there, or EMPTY.
  private readonly memo = new Int32Array(1 << MEMO_BITS).fill(EMPTY);

  constructor(options: InternerOptions = {}) {
    this.maxEntries = checkInteger('maxEntries', options.maxEntries ?? 65536, 1, MAX_ENTRIES_LIMIT);
    this.maxBytes = checkInteger(
      'maxBytes',
      options.maxBytes ?? Math.min(64 * this.maxEntries, MAX_BYTES_LIMIT),
      0,
      MAX_BYTES_LIMIT,
    );
    const initial = Math.min(
      checkInteger('initialCapacity', options.initialCapacity ?? 64, 1, MAX_ENTRIES_LIMIT),
      this.maxEntries,
    );
    const slots = Math.max(MIN_TABLE_SLOTS, nextPowerOfTwo(initial * 2));
    this.table = new Int32Array(slots * 2).fill(EMPTY);
    this.mask = slots - 1;
    this.offsets = new Uint32Array(initial + 1);
    this.arena = new Uint8Array(Math.min(this.maxBytes, initial * INITIAL_BYTES_PER_ENTRY));
  }

  /** Number of distinct symbols interned so far; also the id the next new symbol will get. */
  get size(): number {
    return this.count;
  }

  /** UTF-8 bytes stored, summed over all symbols; compared against `maxBytes`. */
  get byteSize(): number {
    return this.bytesUsed;
  }

  /**
   * Id of `str`, adding it if new.
   *
   * @throws InternerFullError when `str` is new and a bound is reached.
   * @throws InvalidUnicodeError when `str` holds a lone surrogate.
   */
  intern(str: string): number {
    const length = this.encode(str);
    if (length === TOO_LONG) throw new InternerFullError('bytes', this.maxBytes);
    if (length < 0)
      throw new InvalidUnicodeError(`symbol is not well-formed Unicode: ${JSON.stringify(str)}`);
    const hash = hashBytes(this.scratch, 0, length);
    const id = this.find(this.scratch, 0, length, hash);
    return id >= 0 ? id : this.insert(this.scratch, 0, length, hash, str);
  }

  /**
   * Id of the UTF-8 symbol in `bytes[start..end)`, adding it if new. Allocates nothing when the symbol is known;
   * the string is decoded only the first time.
   *
   * @throws InvalidArgumentError when `start..end` is not an integer range inside `bytes`.
   * @throws InternerFullError when the symbol is new and a bound is reached.
   * @throws InvalidUnicodeError when the symbol is new and the bytes are not valid UTF-8.
   */
  internBytes(bytes: Uint8Array, start: number, end: number): number {
    checkRange(bytes, start, end);
    const length = end - start;
    // Memo first: the id last seen with this length and first four bytes, confirmed by a full comparison.
    // A feed's symbols almost always differ there, so a hit costs one pass over the bytes, not a hash pass
    // plus a comparison pass.
    let memoSlot = -1;
    if (length >= 4) {
      const head =
        bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24);
      memoSlot = Math.imul(head ^ length, MEMO_MULTIPLIER) >>> MEMO_SHIFT;
      const candidate = this.memo[memoSlot]!;
      if (candidate !== EMPTY && this.equals(candidate, bytes, start, length)) return candidate;
    }
    const hash = hashBytes(bytes, start, end);
    let id = this.find(bytes, start, end, hash);
    if (id < 0) id = this.insert(bytes, start, end, hash, undefined);
    if (memoSlot >= 0) this.memo[memoSlot] = id;
    return id;
  }

  /** Id of `str`, or -1 when it was never interned (including strings that are not well-formed Unicode). */
  lookup(str: string): number {
    const length = this.encode(str);
    if (length < 0) return EMPTY;
    return this.find(this.scratch, 0, length, hashBytes(this.scratch, 0, length));
  }

  /**
   * Id of the UTF-8 symbol in `bytes[start..end)`, or -1 when it was never interned. Never allocates.
   *
   * @throws InvalidArgumentError when `start..end` is not an integer range inside `bytes`.
   */
  lookupBytes(bytes: Uint8Array, start: number, end: number): number {
    checkRange(bytes, start, end);
    return this.find(bytes, start, end, hashBytes(bytes, start, end));
  }

  /**
   * The symbol behind `id`. Returns the same string instance every time, so it is cheap to call per message.
   *
   * @throws UnknownInternIdError when this interner never handed out `id`.
   */
  resolve(id: number): string {
    const str = this.strings[id];
    if (str === undefined) throw new UnknownInternIdError(id);
    return str;
  }

  // UTF-8 never takes fewer bytes than UTF-16 code units, so a longer string cannot be stored; refusing it here
  // also keeps the scratch buffer from growing to the size of an arbitrary input.
  private encode(str: string): number {
    if (str.length > this.maxBytes) return TOO_LONG;
    if (this.scratch.length < str.length * 3) this.scratch = new Uint8Array(nextPowerOfTwo(str.length * 3));
    return encodeUtf8Into(str, this.scratch);
  }

  private find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    const length = end - start;
    let slot = hash & mask;
    for (;;) {
      const id = table[slot * 2]!;
      if (id === EMPTY) return EMPTY;
      if (table[slot * 2 + 1] === hash && this.equals(id, bytes, start, length)) return id;
      slot = (slot + 1) & mask;
    }
  }

  private equals(id: number, bytes: Uint8Array, start: number, length: number): boolean {
    const from = this.offsets[id]!;
    if (this.offsets[id + 1]! - from !== length) return false;
    const arena = this.arena;
    for (let i = 0; i < length; i++) {
      if (arena[from + i] !== bytes[start + i]) return false;
    }
    return true;
  }

  private insert(
    bytes: Uint8Array,
    start: number,
    end: number,
    hash: number,
    known: string | undefined,
  ): number {
    const length = end - start;
    if (this.count >= this.maxEntries) throw new InternerFullError('entries', this.maxEntries);
    if (this.bytesUsed + length > this.maxBytes) throw new InternerFullError('bytes', this.maxBytes);
    const str = known ?? decodeUtf8(bytes, start, end);

    // Everything that can throw has run: from here on the entry is committed.
    const id = this.count;
    this.reserve(id + 1, this.bytesUsed + length);
    this.arena.set(bytes.subarray(start, end), this.bytesUsed);
    this.bytesUsed += length;
    this.offsets[id + 1] = this.bytesUsed;
    this.strings.push(str);
    this.count = id + 1;
    this.place(id, hash);
    return id;
  }

  private place(id: number, hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    while (table[slot * 2] !== EMPTY) slot = (slot + 1) & mask;
    table[slot * 2] = id;
    table[slot * 2 + 1] = hash;
  }

  private reserve(entries: number, bytes: number): void {
    if (entries + 1 > this.offsets.length) {
      const offsets = new Uint32Array(Math.min(this.maxEntries, this.offsets.length * 2) + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    if (bytes > this.arena.length) {
      const arena = new Uint8Array(Math.min(this.maxBytes, Math.max(bytes, this.arena.length * 2)));
      arena.set(this.arena.subarray(0, this.bytesUsed));
      this.arena = arena;
    }
    // Keep the load factor at or below 1/2 so that linear probes stay short.
    const slots = this.mask + 1;
    if (entries * 2 > slots) this.rehash(slots * 2);
  }

  private rehash(slots: number): void {
    const old = this.table;
    this.table = new Int32Array(slots * 2).fill(EMPTY);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const id = old[i]!;
      if (id !== EMPTY) this.place(id, old[i + 1]!);
    }
  }
}

function checkRange(bytes: Uint8Array, start: number, end: number): void {
  // `(x | 0) === x` rejects fractions, NaN and values past int32 in one cheap test.
  if ((start | 0) !== start || (end | 0) !== end || start < 0 || start > end || end > bytes.length) {
    // Blame `start` when it is wrong on its own, else `end` (which is then out of range or before `start`).
    const startFits = (start | 0) === start && start >= 0 && start <= bytes.length;
    throw new InvalidArgumentError(
      `byte range ${start}..${end} does not fit a buffer of ${bytes.length} bytes`,
      { argument: startFits ? 'end' : 'start' },
    );
  }
}

function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8Decoder.decode(bytes.subarray(start, end));
  } catch (cause) {
    throw new InvalidUnicodeError(`symbol bytes ${start}..${end} are not valid UTF-8`, { cause });
  }
}
