/**
 * The byte-scanning sync machines (Coinbase, Kraken, Bybit, OKX, Binance) against `JSON.parse` reference models (written here, from BOOK_SAMPLES.md's rules):
 * random valid messages in the venues' verbatim shapes (key order, whitespace, extra keys, numbers as strings or
 * JSON numbers varied) give the same results, levels and counters; random mutations and garbage never throw and
 * never yield a level the reference does not.
 */
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinanceBookSync } from './binance-book.js';
import { type BookFrame, type BookUpdate, frameToUpdate } from './book-data.js';
import { type BookSync, type BookSyncCounters, BookSyncResult } from './book-sync.js';
import { BybitBookSync } from './bybit-book.js';
import { CoinbaseBookSync } from './coinbase-book.js';
import { KrakenBookSync } from './kraken-book.js';
import { OkxBookSync } from './okx-book.js';

type Json = Record<string, unknown>;
interface Outcome {
  result: BookSyncResult;
  updates: BookUpdate[];
}

const RUNS = 200;
const encoder = new TextEncoder();

// ---------- shared generators ----------

/** A decimal text: mantissa and decimals chosen apart, so trailing zeros and values below 1 both occur. */
const decimalText = (maxDecimals: number, allowZero: boolean) =>
  fc
    .tuple(fc.integer({ min: allowZero ? 0 : 1, max: 99_999_999 }), fc.integer({ min: 0, max: maxDecimals }))
    .map(([mantissa, places]) => {
      if (places === 0) return String(mantissa);
      const digits = String(mantissa).padStart(places + 1, '0');
      return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    });

const rfc3339Text = fc
  .tuple(fc.integer({ min: 0, max: 4_102_444_799_999 }), fc.integer({ min: 0, max: 9 }), fc.nat(999_999))
  .map(([ms, digits, extra]) => {
    const base = new Date(ms).toISOString().slice(0, 19);
    const fraction = `${String(ms % 1000).padStart(3, '0')}${String(extra).padStart(6, '0')}`.slice(
      0,
      digits,
    );
    return digits === 0 ? `${base}Z` : `${base}.${fraction}Z`;
  });

/** Extra keys a venue may add, which every reader must skip. */
const extraValue = fc.oneof(
  fc.constantFrom(null, true, false, 12345, -1.5e-7, 'text', 'esc\\"aped\n', [], {}),
  fc.dictionary(fc.constantFrom('k', 'x'), fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), {
    maxKeys: 2,
  }),
);

/** Writes `entries` as a JSON object in the given key order, compact or spaced. */
function objectText(entries: Array<[string, string]>, spaced: boolean): string {
  const sep = spaced ? ', ' : ',';
  const colon = spaced ? ' : ' : ':';
  return `{${spaced ? ' ' : ''}${entries.map(([k, v]) => `${JSON.stringify(k)}${colon}${v}`).join(sep)}${spaced ? ' ' : ''}}`;
}

/** Tokens a number may be replaced with: each is something a reader must refuse, or read exactly as JSON.parse. */
const EDGE_TOKENS = [
  '-1',
  '-0',
  '"-0.5"',
  '1e400',
  '"1e400"',
  '"NaN"',
  '""',
  '" 1"',
  '"0x10"',
  '"1_0"',
  '.5',
  '"5."',
  '01',
  '1.',
  'null',
  'true',
  '"\\u0031"',
  '[]',
  '{}',
  '"Infinity"',
  '12345678901234567890',
  '0.1234567890123456789',
  '1E2',
];
/** Keys that, repeated, JSON.parse resolves to the last one. */
const DUPLICATE_KEYS = [
  'type',
  'product_id',
  'changes',
  'bids',
  'asks',
  'time',
  'channel',
  'data',
  'symbol',
  'checksum',
  'timestamp',
  'price',
  'qty',
  'action',
  'instId',
  'seqId',
  'prevSeqId',
  'event',
];

/** Random edits of a message: what a corrupted frame, a truncation, a venue change or a hostile sender might send. */
const mutation = fc.array(
  fc.tuple(
    fc.constantFrom('delete', 'insert', 'replace', 'truncate', 'duplicate', 'token', 'token', 'key', 'key'),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(...'{}[]",:.-+eE0123456789 \\nulltruefalseabc\u00e9'.split('')),
    fc.constantFrom(...EDGE_TOKENS),
    fc.constantFrom(...DUPLICATE_KEYS),
  ),
  { minLength: 1, maxLength: 4 },
);

/** One byte-level edit of a message: kind, where (0..1), a character, an edge token, a duplicate key. */
type EditList = Array<[string, number, string, string, string]>;
/** A JSON value replaced by an edge token: where (0..1), the token. */
type TokenEdit = [number, string];

function mutate(text: string, edits: EditList): string {
  let out = text;
  for (const [kind, where, char, token, key] of edits) {
    const at = Math.min(out.length, Math.floor(where * out.length));
    if (kind === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else if (kind === 'insert') out = out.slice(0, at) + char + out.slice(at);
    else if (kind === 'replace') out = out.slice(0, at) + char + out.slice(at + 1);
    else if (kind === 'truncate') out = out.slice(0, at);
    else if (kind === 'duplicate') out = out.slice(0, at) + out.slice(at, at + 8) + out.slice(at);
    else if (kind === 'token') {
      // Replace one number or string value (chosen by `where`) with an edge token.
      const values = [...out.matchAll(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\]*"(?!\s*:)/g)];
      const pick = values[Math.floor(where * values.length)];
      if (pick !== undefined) out = out.slice(0, pick.index) + token + out.slice(pick.index + pick[0].length);
    } else {
      // Repeat a key inside the object that holds it (or the first object), before or after the original.
      const hold = out.indexOf(`"${key}"`);
      const open = hold < 0 ? out.indexOf('{') : out.lastIndexOf('{', hold);
      if (open >= 0) {
        const entry = `"${key}":${token},`;
        out =
          where < 0.5
            ? out.slice(0, open + 1) + entry + out.slice(open + 1)
            : out.slice(0, open + 1) + out.slice(open + 1).replace(/}/, `,${entry.slice(0, -1)}}`);
      }
    }
  }
  return out;
}

/** One value of the message (a number, or a string that is not a key), chosen by `where`, replaced by `token`. */
const tokenEdit = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...EDGE_TOKENS));

function replaceValue(text: string, [where, token]: TokenEdit): string {
  return mutate(text, [['token', where, ' ', token, 'type']]);
}

function collect(): { updates: BookUpdate[]; sink: (frame: BookFrame) => void } {
  const updates: BookUpdate[] = [];
  return { updates, sink: (frame) => updates.push(frameToUpdate(frame)) };
}

/** A `JSON.parse` model of one venue's sync rules: the outcome of each message, as the machine should report it. */
interface Reference {
  onMessage(text: string, receivedNanos: bigint): Outcome;
}

/** Feeds `texts` to the machine and its reference side by side: each message's result and updates must agree. */
function agreeWithReference(
  sync: BookSync,
  updates: BookUpdate[],
  reference: Reference,
  texts: string[],
  asBytes: boolean,
): void {
  for (const text of texts) {
    const before = updates.length;
    const result = sync.onMessage(asBytes ? encoder.encode(text) : text, 5, 7);
    const expected = reference.onMessage(text, 5_000_007n);
    expect({ result, updates: updates.slice(before) }).toEqual(expected);
  }
}

/** Each text with its optional value edit, then its optional byte mutations applied. */
function damaged(
  texts: string[],
  edits: ReadonlyArray<readonly [unknown, (EditList | undefined)?, (TokenEdit | undefined)?]>,
): string[] {
  return texts.map((text, i) => {
    const [, byteEdits, edit] = edits[i]!;
    const edited = edit === undefined ? text : replaceValue(text, edit);
    return byteEdits === undefined ? edited : mutate(edited, byteEdits);
  });
}

/** The machine reads any bytes as malformed or ignored, never a throw. */
function neverThrowsOnBytes(make: () => BookSync): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expect([BookSyncResult.malformed, BookSyncResult.ignored]).toContain(make().onMessage(bytes, 1));
    }),
    { numRuns: RUNS },
  );
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Number()` of a string or a number, as a venue decimal; NaN otherwise. */
function refDecimal(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.length > 0 ? Number(value) : Number.NaN;
}

function refTime(value: unknown): bigint | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(value);
  if (match === null) return undefined;
  const seconds = Date.parse(`${match[1]}Z`);
  if (Number.isNaN(seconds) || seconds < 0) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** Levels `[[price, size, ...], ...]` as the venue sends them; undefined when one is malformed. */
function refPairs(value: unknown): Array<{ price: number; size: number }> | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Array<{ price: number; size: number }> = [];
  for (const level of value) {
    if (!Array.isArray(level)) return undefined;
    const price = refDecimal(level[0]);
    const size = refDecimal(level[1]);
    if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return undefined;
    out.push({ price, size });
  }
  return out;
}

function counters(c: Readonly<BookSyncCounters>) {
  return { ...c };
}

// ---------- Coinbase ----------

/** The Coinbase `level2_batch` rules over `JSON.parse`, counting as the machine does. */
class CoinbaseReference {
  readonly synced = new Map<string, boolean>();
  malformed = 0;
  unsynced = 0;

  onMessage(text: string, receivedNanos: bigint): Outcome {
    const none = (result: BookSyncResult): Outcome => ({ result, updates: [] });
    const json = tryParse(text) as Json | null | undefined;
    if (json === undefined) return this.#malformed();
    const type = json?.type;
    if (type !== 'snapshot' && type !== 'l2update') return none(BookSyncResult.ignored);
    const symbol = json!.product_id;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.#malformed();
    if (!this.synced.has(symbol)) this.synced.set(symbol, false);
    const time = refTime(json!.time) ?? 0n;
    const update = (isSnapshot: boolean, bids: BookUpdate['bids'], asks: BookUpdate['asks']): Outcome => ({
      result: BookSyncResult.emitted,
      updates: [
        { timestampNanos: time, receivedNanos, ticker: symbol, sequence: 0n, isSnapshot, bids, asks },
      ],
    });
    if (type === 'snapshot') {
      const bids = refPairs(json!.bids);
      const asks = refPairs(json!.asks);
      if (bids === undefined || asks === undefined) return this.#malformed(symbol);
      this.synced.set(symbol, true);
      return update(true, bids, asks);
    }
    if (!this.synced.get(symbol)) {
      this.unsynced++;
      return none(BookSyncResult.unsynced);
    }
    const changes = json!.changes;
    if (!Array.isArray(changes)) return this.#malformed(symbol);
    const bids: BookUpdate['bids'] = [];
    const asks: BookUpdate['asks'] = [];
    for (const change of changes) {
      if (!Array.isArray(change)) return this.#malformed(symbol);
      const side = change[0] === 'buy' ? bids : change[0] === 'sell' ? asks : undefined;
      const level = refPairs([[change[1], change[2]]]);
      if (side === undefined || level === undefined) return this.#malformed(symbol);
      side.push(level[0]!);
    }
    return update(false, bids, asks);
  }

  #malformed(symbol?: string): Outcome {
    this.malformed++;
    if (symbol !== undefined) this.synced.set(symbol, false);
    return { result: BookSyncResult.malformed, updates: [] };
  }
}

const coinbaseProduct = fc.constantFrom('BTC-USD', 'ETH-EUR', 'X');
const coinbaseValue = (maxDecimals: number, allowZero: boolean) =>
  fc.tuple(decimalText(maxDecimals, allowZero), fc.boolean()).map(([text, asNumber]) =>
    // Coinbase sends strings; JSON numbers are read alike (the reference's decimal takes both).
    asNumber ? text : JSON.stringify(text),
  );
const coinbasePair = fc.tuple(coinbaseValue(8, false), coinbaseValue(8, true));

const coinbaseMessage = fc.oneof(
  fc.record({
    type: fc.constant('snapshot'),
    product: coinbaseProduct,
    bids: fc.array(coinbasePair, { maxLength: 8 }),
    asks: fc.array(coinbasePair, { maxLength: 8 }),
    time: fc.option(rfc3339Text, { nil: undefined }),
    extra: fc.option(extraValue, { nil: undefined }),
    order: fc.nat(),
    spaced: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('l2update'),
    product: coinbaseProduct,
    changes: fc.array(
      fc.tuple(fc.constantFrom('buy', 'sell'), coinbaseValue(8, false), coinbaseValue(8, true)),
      {
        maxLength: 6,
      },
    ),
    time: fc.option(rfc3339Text, { nil: undefined }),
    extra: fc.option(extraValue, { nil: undefined }),
    order: fc.nat(),
    spaced: fc.boolean(),
  }),
);

function coinbaseText(m: CoinbaseGen): string {
  const entries: Array<[string, string]> = [
    ['type', JSON.stringify(m.type)],
    ['product_id', JSON.stringify(m.product)],
  ];
  const pairs = (list: Array<[string, string]>) => `[${list.map(([p, s]) => `[${p},${s}]`).join(',')}]`;
  if (m.type === 'snapshot') {
    entries.push(['bids', pairs(m.bids!)], ['asks', pairs(m.asks!)]);
  } else {
    entries.push(['changes', `[${m.changes!.map(([side, p, s]) => `["${side}",${p},${s}]`).join(',')}]`]);
  }
  if (m.time !== undefined) entries.push(['time', JSON.stringify(m.time)]);
  if (m.extra !== undefined) entries.push(['sequence', JSON.stringify(m.extra)]);
  // Rotate the keys: the documented samples put `type` first, but nothing guarantees it.
  const shift = m.order % entries.length;
  return objectText([...entries.slice(shift), ...entries.slice(0, shift)], m.spaced);
}

interface CoinbaseGen {
  type: 'snapshot' | 'l2update';
  product: string;
  bids?: Array<[string, string]>;
  asks?: Array<[string, string]>;
  changes?: Array<[string, string, string]>;
  time: string | undefined;
  extra: unknown;
  order: number;
  spaced: boolean;
}

function runCoinbase(texts: string[], asBytes: boolean): void {
  const { updates, sink } = collect();
  const sync = new CoinbaseBookSync(sink);
  const reference = new CoinbaseReference();
  agreeWithReference(sync, updates, reference, texts, asBytes);
  expect(sync.counters).toMatchObject({ malformed: reference.malformed, unsynced: reference.unsynced });
}

describe('CoinbaseBookSync byte scan vs a JSON.parse reference', () => {
  it('reads random valid snapshot / l2update streams exactly as the reference', () => {
    fc.assert(
      fc.property(
        fc.array(coinbaseMessage, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (messages, asBytes) => {
          runCoinbase(
            messages.map((m) => coinbaseText(m as CoinbaseGen)),
            asBytes,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated messages, and emits only what the reference emits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coinbaseMessage, fc.option(mutation, { nil: undefined })), {
          minLength: 1,
          maxLength: 8,
        }),
        (messages) => {
          runCoinbase(
            damaged(
              messages.map(([m]) => coinbaseText(m as CoinbaseGen)),
              messages,
            ),
            true,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('after in-sync snapshots, a value replaced by an edge token is read exactly as the reference reads it', () => {
    const snapshots = ['BTC-USD', 'ETH-EUR', 'X'].map(
      (product) => `{"type":"snapshot","product_id":"${product}","bids":[["1.5","2"]],"asks":[["3","4"]]}`,
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coinbaseMessage, fc.option(tokenEdit, { nil: undefined })), {
          minLength: 1,
          maxLength: 8,
        }),
        (messages) => {
          runCoinbase(
            [
              ...snapshots,
              ...messages.map(([m, edit]) => {
                const text = coinbaseText(m as CoinbaseGen);
                return edit === undefined ? text : replaceValue(text, edit);
              }),
            ],
            true,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('never throws on arbitrary bytes', () => {
    neverThrowsOnBytes(() => new CoinbaseBookSync(() => {}));
  });

  it('reads the verbatim BOOK_SAMPLES.md 3b/3c payloads', () => {
    runCoinbase(
      [
        '{\n  "type": "snapshot",\n  "product_id": "BTC-USD",\n  "bids": [["10101.10", "0.45054140"]],\n  "asks": [["10102.55", "0.57753524"]]\n}',
        '{\n  "type": "l2update",\n  "product_id": "BTC-USD",\n  "time": "2019-08-14T20:42:27.265Z",\n  "changes": [\n    [\n      "buy",\n      "10101.80000000",\n      "0.162567"\n    ]\n  ]\n}',
        '{\n  "type": "l2update",\n  "product_id": "BTC-USD",\n  "changes": [\n    [\n      "buy",\n      "22356.270000",\n      "0.00000000"\n    ],\n    [\n      "buy",\n      "22356.300000",\n      "1.00000000"\n    ]\n  ],\n  "time": "2022-08-04T15:25:05.010758Z"\n}',
      ],
      true,
    );
  });
});

// ---------- Kraken ----------

const CHECKSUM_LEVELS = 10;

interface RefLevel {
  price: string;
  qty: string;
}

/**
 * The Kraken v2 `book` rules over `JSON.parse` (price and qty texts kept by quoting the number tokens first, since
 * Node 20's JSON.parse cannot give a number's source text): depth truncation, CRC32 over the top 10 texts at the
 * pair's precision (inferred here: the most decimals seen).
 */
class KrakenReference {
  readonly books = new Map<
    string,
    { bids: Map<number, RefLevel>; asks: Map<number, RefLevel>; synced: boolean; p: number; q: number }
  >();
  malformed = 0;
  unsynced = 0;
  checksumFailures = 0;

  constructor(readonly depth: number) {}

  onMessage(text: string, receivedNanos: bigint): Outcome {
    const none = (result: BookSyncResult): Outcome => ({ result, updates: [] });
    if (tryParse(text) === undefined) return this.#malformed();
    if (!text.includes('"book"')) return none(BookSyncResult.ignored);
    const json = tryParse(text.replace(/"(price|qty)"\s*:\s*(-?[0-9][0-9.eE+-]*)/g, '"$1":"$2"')) as
      | Json
      | undefined;
    if (json === undefined) return this.#malformed();
    if (json.channel !== 'book' || (json.type !== 'snapshot' && json.type !== 'update'))
      return none(BookSyncResult.ignored);
    if (!Array.isArray(json.data)) return this.#malformed();
    const out: Outcome = { result: BookSyncResult.emitted, updates: [] };
    for (const entry of json.data as Json[]) {
      const one = this.#entry(json.type === 'snapshot', entry, receivedNanos);
      if (one.updates.length > 0) out.updates.push(...one.updates);
      if (out.result === BookSyncResult.emitted) out.result = one.result;
    }
    return out;
  }

  #entry(isSnapshot: boolean, entry: Json, receivedNanos: bigint): Outcome {
    const symbol = entry?.symbol;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.#malformed();
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = { bids: new Map(), asks: new Map(), synced: false, p: 0, q: 0 };
      this.books.set(symbol, book);
    }
    const time = refTime(entry.timestamp);
    if (typeof entry.checksum !== 'number' || time === undefined) return this.#malformed(book);
    if (!isSnapshot && !book.synced) {
      this.unsynced++;
      return { result: BookSyncResult.unsynced, updates: [] };
    }
    if (isSnapshot) {
      book.bids.clear();
      book.asks.clear();
    }
    const update: BookUpdate = {
      timestampNanos: time,
      receivedNanos,
      ticker: symbol,
      sequence: 0n,
      isSnapshot,
      bids: [],
      asks: [],
    };
    for (const [levels, side, out] of [
      [entry.bids, book.bids, update.bids],
      [entry.asks, book.asks, update.asks],
    ] as const) {
      if (!Array.isArray(levels)) return this.#malformed(book);
      for (const level of levels as Json[]) {
        const price = level?.price;
        const qty = level?.qty;
        if (typeof price !== 'string' || typeof qty !== 'string') return this.#malformed(book);
        const p = Number(price);
        const q = Number(qty);
        if (!Number.isFinite(p) || !Number.isFinite(q) || q < 0) return this.#malformed(book);
        book.p = Math.max(book.p, places(price));
        book.q = Math.max(book.q, places(qty));
        if (q === 0) side.delete(p);
        else side.set(p, { price, qty });
        out.push({ price: p, size: q });
      }
    }
    for (const [side, out, descending] of [
      [book.bids, update.bids, true],
      [book.asks, update.asks, false],
    ] as const) {
      const sorted = [...side.keys()].sort((a, b) => (descending ? b - a : a - b));
      // The machine drops the worst level first.
      for (const price of sorted.slice(this.depth).reverse()) {
        side.delete(price);
        out.push({ price, size: 0 });
      }
    }
    let check = '';
    for (const [side, descending] of [
      [book.asks, false],
      [book.bids, true],
    ] as const) {
      const sorted = [...side.keys()].sort((a, b) => (descending ? b - a : a - b)).slice(0, CHECKSUM_LEVELS);
      for (const price of sorted) {
        const level = side.get(price)!;
        check += checksumDigits(level.price, book.p) + checksumDigits(level.qty, book.q);
      }
    }
    if (crc32(check) >>> 0 !== entry.checksum) {
      this.checksumFailures++;
      book.synced = false;
      return { result: BookSyncResult.checksumFailure, updates: [] };
    }
    book.synced = true;
    return { result: BookSyncResult.emitted, updates: [update] };
  }

  #malformed(book?: { synced: boolean }): Outcome {
    this.malformed++;
    if (book !== undefined) book.synced = false;
    return { result: BookSyncResult.malformed, updates: [] };
  }
}

function places(text: string): number {
  if (/[eE]/.test(text)) return 0;
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** BOOK_SAMPLES.md 4d: the text at the pair's decimals, point and leading zeros removed. */
function checksumDigits(text: string, decimals: number): string {
  const fixed = /[eE]/.test(text) ? Number(text).toFixed(decimals) : text;
  const [whole, fraction = ''] = fixed.split('.');
  const all = whole + fraction.padEnd(decimals, '0');
  const stripped = all.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

interface KrakenGen {
  snapshot: boolean;
  symbol: string;
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  checksum: 'right' | 'wrong';
  time: string;
  extra: unknown;
  order: number;
  spaced: boolean;
}

const krakenNumber = (maxDecimals: number, allowZero: boolean) =>
  fc.oneof(
    { weight: 8, arbitrary: decimalText(maxDecimals, allowZero) },
    // Exponent forms and a trailing-zero form are valid JSON numbers too.
    { weight: 1, arbitrary: fc.constantFrom('1e-5', '2.5E+2', '0.50', '100') },
  );
/** Bids below 1000 and asks above, so generated books never cross. */
const krakenLevel = (bid: boolean) =>
  fc.tuple(
    krakenNumber(4, false).map((t) =>
      bid ? t : `1${t.includes('e') || t.includes('E') ? '000' : t.padStart(8, '0')}`,
    ),
    krakenNumber(8, true),
  );

const krakenMessage: fc.Arbitrary<KrakenGen> = fc.record({
  snapshot: fc.boolean(),
  symbol: fc.constantFrom('MATIC/USD', 'BTC/USD'),
  bids: fc.array(krakenLevel(true), { maxLength: 12 }),
  asks: fc.array(krakenLevel(false), { maxLength: 12 }),
  checksum: fc.constantFrom<'right' | 'wrong'>('right', 'right', 'right', 'wrong'),
  time: rfc3339Text,
  extra: fc.option(extraValue, { nil: undefined }),
  order: fc.nat(),
  spaced: fc.boolean(),
});

/**
 * Writes the messages with checksums a scratch reference computes as it goes (so most verify, and 'wrong' ones
 * do not): the message text is built with a placeholder, the reference sees it with each candidate.
 */
function krakenTexts(messages: KrakenGen[], depth: number): string[] {
  const scratch = new KrakenReference(depth);
  return messages.map((m) => {
    const level = ([p, q]: [string, string]) => `{"price":${p},"qty":${q}}`;
    const entries: Array<[string, string]> = [
      ['symbol', JSON.stringify(m.symbol)],
      ['bids', `[${m.bids.map(level).join(',')}]`],
      ['asks', `[${m.asks.map(level).join(',')}]`],
      ['checksum', 'CHECKSUM'],
      ['timestamp', JSON.stringify(m.time)],
    ];
    if (m.extra !== undefined) entries.push(['extra', JSON.stringify(m.extra)]);
    const shift = m.order % entries.length;
    const entry = objectText([...entries.slice(shift), ...entries.slice(0, shift)], m.spaced);
    const template = objectText(
      [
        ['channel', '"book"'],
        ['type', m.snapshot ? '"snapshot"' : '"update"'],
        ['data', `[${entry}]`],
      ],
      m.spaced,
    );
    // The checksum the venue would send: try the message on a copy of the scratch reference's state.
    const probe = new KrakenReference(depth);
    for (const [symbol, book] of scratch.books) {
      probe.books.set(symbol, { ...book, bids: new Map(book.bids), asks: new Map(book.asks) });
    }
    const zero = template.replace('CHECKSUM', '0');
    probe.onMessage(zero, 0n);
    const book = probe.books.get(m.symbol)!;
    let check = '';
    for (const [side, descending] of [
      [book.asks, false],
      [book.bids, true],
    ] as const) {
      const sorted = [...side.keys()].sort((a, b) => (descending ? b - a : a - b)).slice(0, CHECKSUM_LEVELS);
      for (const price of sorted) {
        const l = side.get(price)!;
        check += checksumDigits(l.price, book.p) + checksumDigits(l.qty, book.q);
      }
    }
    const right = crc32(check) >>> 0;
    const text = template.replace('CHECKSUM', String(m.checksum === 'right' ? right : (right + 1) >>> 0));
    scratch.onMessage(text, 0n);
    return text;
  });
}

function runKraken(texts: string[], depth: number, asBytes: boolean): void {
  const { updates, sink } = collect();
  const sync = new KrakenBookSync(sink, { depth });
  const reference = new KrakenReference(depth);
  agreeWithReference(sync, updates, reference, texts, asBytes);
  expect(counters(sync.counters)).toMatchObject({
    malformed: reference.malformed,
    unsynced: reference.unsynced,
    checksumFailures: reference.checksumFailures,
  });
}

describe('KrakenBookSync byte scan vs a JSON.parse reference', () => {
  it('reads random valid streams exactly as the reference: levels, truncation, CRC32 over the venue texts', () => {
    fc.assert(
      fc.property(
        fc.array(krakenMessage, { minLength: 1, maxLength: 10 }),
        fc.constantFrom(10, 25),
        fc.boolean(),
        (messages, depth, asBytes) => {
          const texts = krakenTexts(messages, depth);
          runKraken(texts, depth, asBytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('verifies most generated checksums (the property above is not vacuous)', () => {
    const messages = fc
      .sample(krakenMessage, { numRuns: 40, seed: 7 })
      .map((m) => ({ ...m, checksum: 'right' as const }));
    const { updates, sink } = collect();
    const sync = new KrakenBookSync(sink, { depth: 10 });
    for (const text of krakenTexts(messages, 10)) sync.onMessage(encoder.encode(text), 1);
    expect(sync.counters.checksumFailures).toBe(0);
    expect(updates.length).toBeGreaterThan(10);
  });

  it('never throws on mutated messages, and emits only what the reference emits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(krakenMessage, fc.option(mutation, { nil: undefined })), {
          minLength: 1,
          maxLength: 6,
        }),
        (messages) => {
          runKraken(
            damaged(
              krakenTexts(
                messages.map(([m]) => m),
                10,
              ),
              messages,
            ),
            10,
            true,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('after in-sync snapshots, a value replaced by an edge token is read exactly as the reference reads it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(krakenMessage, fc.option(tokenEdit, { nil: undefined })), {
          minLength: 1,
          maxLength: 6,
        }),
        (messages) => {
          const stream = [
            ...['MATIC/USD', 'BTC/USD'].map((symbol) => ({
              ...messages[0]![0],
              symbol,
              snapshot: true,
              checksum: 'right' as const,
            })),
            ...messages.map(([m]) => m),
          ];
          const texts = krakenTexts(stream, 10);
          runKraken(
            texts.map((text, i) => {
              const edit = i < 2 ? undefined : messages[i - 2]![1];
              return edit === undefined ? text : replaceValue(text, edit);
            }),
            10,
            true,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('counts a negative, non-finite or non-JSON number as malformed, never as a level (verbatim 4c update)', () => {
    const update =
      '{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}';
    for (const bad of ['-1', '1e400', '01', '1.', '"12"', 'null']) {
      const { updates, sink } = collect();
      const sync = new KrakenBookSync(sink);
      const text = update.replace('1098.3947558', bad);
      // A snapshot-typed copy, so the levels are read whatever the sync state.
      expect(sync.onMessage(encoder.encode(text.replace('"update"', '"snapshot"')), 1)).toBe(
        bad === '"12"' ? BookSyncResult.checksumFailure : BookSyncResult.malformed,
      );
      expect(updates).toEqual([]);
    }
  });

  it('never throws on arbitrary bytes', () => {
    neverThrowsOnBytes(() => new KrakenBookSync(() => {}));
  });
});

// ---------- every venue ----------

describe('every book sync machine on JSON that is not an object', () => {
  it('ignores null, numbers, strings and arrays (valid JSON, not a book message) and never throws', () => {
    const machines = [
      new BinanceBookSync(() => {}),
      new CoinbaseBookSync(() => {}),
      new KrakenBookSync(() => {}),
      new BybitBookSync(() => {}),
      new OkxBookSync(() => {}),
    ];
    for (const sync of machines) {
      for (const text of ['null', '1', '"book"', '[]', '[null]', 'true']) {
        expect(sync.onMessage(text, 1)).toBe(BookSyncResult.ignored);
      }
      expect(sync.counters.malformed).toBe(0);
    }
  });
});

// ---------- Bybit ----------

/** The Bybit v5 `orderbook` rules over `JSON.parse`: snapshot (or u = 1), then deltas with u rising by one. */
class BybitReference {
  readonly books = new Map<string, { synced: boolean; lastU: number }>();
  malformed = 0;
  unsynced = 0;
  stale = 0;
  gaps = 0;

  onMessage(text: string, receivedNanos: bigint): Outcome {
    const none = (result: BookSyncResult): Outcome => ({ result, updates: [] });
    const json = tryParse(text) as Json | null | undefined;
    if (json === undefined) return this.#malformed();
    if (json === null || typeof json.topic !== 'string' || !json.topic.startsWith('orderbook.'))
      return none(BookSyncResult.ignored);
    const data = json.data as Json | null | undefined;
    const symbol = data?.s;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.#malformed();
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = { synced: false, lastU: 0 };
      this.books.set(symbol, book);
    }
    const u = data!.u;
    const tsValue = typeof json.ts === 'string' ? Number(json.ts) : json.ts;
    const ts = typeof tsValue === 'number' && Number.isSafeInteger(tsValue) && tsValue >= 0 ? tsValue : -1;
    if (typeof u !== 'number' || !Number.isSafeInteger(u) || u < 1 || ts < 0) return this.#malformed(book);
    const isSnapshot = json.type === 'snapshot' || u === 1;
    if (!isSnapshot) {
      if (json.type !== 'delta') return this.#malformed(book);
      if (!book.synced) {
        this.unsynced++;
        return none(BookSyncResult.unsynced);
      }
      if (u <= book.lastU) {
        this.stale++;
        return none(BookSyncResult.stale);
      }
      if (u !== book.lastU + 1) {
        this.gaps++;
        book.synced = false;
        return none(BookSyncResult.gap);
      }
    }
    const bids = refPairs(data!.b);
    const asks = refPairs(data!.a);
    if (bids === undefined || asks === undefined) return this.#malformed(book);
    book.lastU = u;
    book.synced = true;
    return {
      result: BookSyncResult.emitted,
      updates: [
        {
          timestampNanos: BigInt(ts) * 1_000_000n,
          receivedNanos,
          ticker: symbol,
          sequence: BigInt(u),
          isSnapshot,
          bids,
          asks,
        },
      ],
    };
  }

  #malformed(book?: { synced: boolean }): Outcome {
    this.malformed++;
    if (book !== undefined) book.synced = false;
    return { result: BookSyncResult.malformed, updates: [] };
  }
}

interface BybitGen {
  type: 'snapshot' | 'delta';
  symbol: string;
  /** How `u` moves from the symbol's last one: next, repeat, skip ahead, or restart at 1. */
  step: 'next' | 'next' | 'next' | 'same' | 'skip' | 'one';
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  extra: unknown;
  order: number;
  spaced: boolean;
}

const bybitMessage: fc.Arbitrary<BybitGen> = fc.record({
  type: fc.constantFrom<'snapshot' | 'delta'>('snapshot', 'delta', 'delta', 'delta'),
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
  step: fc.constantFrom<BybitGen['step']>('next', 'next', 'next', 'same', 'skip', 'one'),
  bids: fc.array(coinbasePair, { maxLength: 6 }),
  asks: fc.array(coinbasePair, { maxLength: 6 }),
  extra: fc.option(extraValue, { nil: undefined }),
  order: fc.nat(),
  spaced: fc.boolean(),
});

/** Writes the messages in the verbatim 5b/5c shape, `u` following each message's step per symbol. */
function bybitTexts(messages: BybitGen[]): string[] {
  const lastU = new Map<string, number>();
  return messages.map((m) => {
    const last = lastU.get(m.symbol) ?? 100;
    const u = { next: last + 1, same: last, skip: last + 3, one: 1 }[m.step];
    lastU.set(m.symbol, u);
    const pairs = (list: Array<[string, string]>) => `[${list.map(([p, s]) => `[${p},${s}]`).join(',')}]`;
    const dataEntries: Array<[string, string]> = [
      ['s', JSON.stringify(m.symbol)],
      ['b', pairs(m.bids)],
      ['a', pairs(m.asks)],
      ['u', String(u)],
      ['seq', String(7_961_638_724 + u)],
    ];
    const shift = m.order % dataEntries.length;
    const entries: Array<[string, string]> = [
      ['topic', JSON.stringify(`orderbook.50.${m.symbol}`)],
      ['type', JSON.stringify(m.type)],
      ['ts', String(1_687_940_967_466 + u)],
      ['data', objectText([...dataEntries.slice(shift), ...dataEntries.slice(0, shift)], m.spaced)],
      ['cts', '1687940967464'],
    ];
    if (m.extra !== undefined) entries.push(['extra', JSON.stringify(m.extra)]);
    const top = m.order % entries.length;
    return objectText([...entries.slice(top), ...entries.slice(0, top)], m.spaced);
  });
}

function runBybit(texts: string[], asBytes: boolean): void {
  const { updates, sink } = collect();
  const sync = new BybitBookSync(sink);
  const reference = new BybitReference();
  agreeWithReference(sync, updates, reference, texts, asBytes);
  expect(sync.counters).toMatchObject({
    malformed: reference.malformed,
    unsynced: reference.unsynced,
    stale: reference.stale,
    gaps: reference.gaps,
  });
}

describe('BybitBookSync byte scan vs a JSON.parse reference', () => {
  it('reads random valid streams (snapshots, deltas, repeats, gaps, u = 1) exactly as the reference', () => {
    fc.assert(
      fc.property(
        fc.array(bybitMessage, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (messages, asBytes) => {
          runBybit(bybitTexts(messages), asBytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on mutated messages or edge tokens, and emits only what the reference emits', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            bybitMessage,
            fc.option(mutation, { nil: undefined }),
            fc.option(tokenEdit, { nil: undefined }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (messages) => {
          runBybit(damaged(bybitTexts(messages.map(([m]) => m)), messages), true);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('counts null, arbitrary bytes and garbage as ignored or malformed, never a throw', () => {
    const sync = new BybitBookSync(() => {});
    expect(sync.onMessage('null', 1)).toBe(BookSyncResult.ignored);
    neverThrowsOnBytes(() => sync);
  });
});

// ---------- OKX ----------

const OKX_CHANNELS = new Set(['books', 'books50-l2-tbt', 'books-l2-tbt']);

interface OkxRefBook {
  synced: boolean;
  lastSeqId: number;
  bids: Map<number, [string, string]>;
  asks: Map<number, [string, string]>;
}

/** OKX's CRC32 over a kept book, written from BOOK_SAMPLES.md 6d: top 25 `price:size` texts, bid then ask, signed. */
function okxRefChecksum(book: Pick<OkxRefBook, 'bids' | 'asks'>): number {
  const bids = [...book.bids.entries()].sort((a, b) => b[0] - a[0]).slice(0, 25);
  const asks = [...book.asks.entries()].sort((a, b) => a[0] - b[0]).slice(0, 25);
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    if (bids[i] !== undefined) parts.push(`${bids[i]![1][0]}:${bids[i]![1][1]}`);
    if (asks[i] !== undefined) parts.push(`${asks[i]![1][0]}:${asks[i]![1][1]}`);
  }
  return crc32(parts.join(':')) | 0;
}

const isOkxSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The OKX `books` rules over `JSON.parse`: snapshot, then updates chained by `prevSeqId`, non-zero checksums checked. */
class OkxReference {
  readonly books = new Map<string, OkxRefBook>();
  malformed = 0;
  unsynced = 0;
  gaps = 0;
  checksumFailures = 0;
  /** Emitted updates whose non-zero checksum was verified (so the properties are not vacuous). */
  verified = 0;

  onMessage(text: string, receivedNanos: bigint): Outcome {
    const json = tryParse(text) as Json | null | undefined;
    if (json === undefined) return { result: this.#malformed(), updates: [] };
    const arg = json?.arg as Json | null | undefined;
    if (typeof arg?.channel !== 'string' || !OKX_CHANNELS.has(arg.channel) || json!.event !== undefined)
      return { result: BookSyncResult.ignored, updates: [] };
    const symbol = arg.instId;
    if (typeof symbol !== 'string' || symbol.length === 0 || !Array.isArray(json!.data))
      return { result: this.#malformed(), updates: [] };
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = { synced: false, lastSeqId: -1, bids: new Map(), asks: new Map() };
      this.books.set(symbol, book);
    }
    const out: Outcome = { result: BookSyncResult.emitted, updates: [] };
    for (const entry of json!.data as unknown[]) {
      const one = this.#entry(book, symbol, json!.action, entry as Json | null, receivedNanos, out.updates);
      if (out.result === BookSyncResult.emitted) out.result = one;
    }
    return out;
  }

  #entry(
    book: OkxRefBook,
    symbol: string,
    action: unknown,
    entry: Json | null,
    receivedNanos: bigint,
    updates: BookUpdate[],
  ): BookSyncResult {
    const seqId = entry?.seqId;
    const prevSeqId = entry?.prevSeqId;
    const tsValue = typeof entry?.ts === 'string' ? Number(entry.ts) : entry?.ts;
    const ts = typeof tsValue === 'number' && Number.isSafeInteger(tsValue) && tsValue >= 0 ? tsValue : -1;
    if (!isOkxSeq(seqId) || (prevSeqId !== undefined && !isOkxSeq(prevSeqId) && prevSeqId !== -1) || ts < 0)
      return this.#malformed(book);
    const isSnapshot = action === 'snapshot';
    if (!isSnapshot) {
      if (action !== 'update') return this.#malformed(book);
      if (!book.synced) {
        this.unsynced++;
        return BookSyncResult.unsynced;
      }
      if (prevSeqId !== book.lastSeqId) {
        this.gaps++;
        book.synced = false;
        return BookSyncResult.gap;
      }
    }
    if (isSnapshot) {
      book.bids.clear();
      book.asks.clear();
    }
    const bids = this.#apply(entry!.bids, book.bids);
    const asks = bids === undefined ? undefined : this.#apply(entry!.asks, book.asks);
    if (bids === undefined || asks === undefined) return this.#malformed(book);
    const checksum = entry!.checksum;
    if (typeof checksum === 'number' && checksum !== 0) {
      if (checksum !== okxRefChecksum(book)) {
        this.checksumFailures++;
        book.synced = false;
        return BookSyncResult.checksumFailure;
      }
      this.verified++;
    }
    book.lastSeqId = seqId;
    if (isSnapshot) book.synced = true;
    updates.push({
      timestampNanos: BigInt(ts) * 1_000_000n,
      receivedNanos,
      ticker: symbol,
      sequence: BigInt(seqId),
      isSnapshot,
      bids,
      asks,
    });
    return BookSyncResult.emitted;
  }

  /** OKX levels: `[price, size, ...]` with both as decimal strings; undefined when one is malformed. */
  #apply(
    levels: unknown,
    side: Map<number, [string, string]>,
  ): Array<{ price: number; size: number }> | undefined {
    if (!Array.isArray(levels)) return undefined;
    const out: Array<{ price: number; size: number }> = [];
    for (const level of levels) {
      if (!Array.isArray(level) || typeof level[0] !== 'string' || typeof level[1] !== 'string')
        return undefined;
      const price = Number(level[0]);
      const size = Number(level[1]);
      if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return undefined;
      if (size === 0) side.delete(price);
      else side.set(price, [level[0], level[1]]);
      out.push({ price, size });
    }
    return out;
  }

  #malformed(book?: OkxRefBook): BookSyncResult {
    this.malformed++;
    if (book !== undefined) book.synced = false;
    return BookSyncResult.malformed;
  }
}

interface OkxGen {
  action: 'snapshot' | 'update';
  symbol: string;
  channel: string;
  /** How the message chains to the symbol's last `seqId`: next, a broken chain, or OKX's sequence reset. */
  step: 'next' | 'next' | 'next' | 'skip' | 'reset';
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  /** The checksum sent: the book's own, OKX's post-2026 0, a wrong one, or none. */
  checksum: 'right' | 'right' | 'zero' | 'wrong' | 'absent';
  tsAsNumber: boolean;
  extra: unknown;
  order: number;
  spaced: boolean;
}

/** Prices from a small grid, so updates change and delete (size 0) levels the snapshot set. */
const okxLevel = (allowZero: boolean) =>
  fc.tuple(
    fc.constantFrom('8476.98', '8477', '8477.5', '8475.1', '0.00012', '120', '8476.980'),
    decimalText(6, allowZero),
  );

const okxMessage: fc.Arbitrary<OkxGen> = fc.record({
  action: fc.constantFrom<'snapshot' | 'update'>('snapshot', 'update', 'update', 'update'),
  symbol: fc.constantFrom('BTC-USDT', 'ETH-USDT-SWAP'),
  channel: fc.constantFrom('books', 'books', 'books50-l2-tbt', 'books-l2-tbt'),
  step: fc.constantFrom<OkxGen['step']>('next', 'next', 'next', 'skip', 'reset'),
  bids: fc.array(okxLevel(true), { maxLength: 6 }),
  asks: fc.array(okxLevel(true), { maxLength: 6 }),
  checksum: fc.constantFrom<OkxGen['checksum']>('right', 'right', 'zero', 'wrong', 'absent'),
  tsAsNumber: fc.boolean(),
  extra: fc.option(extraValue, { nil: undefined }),
  order: fc.nat(),
  spaced: fc.boolean(),
});

/**
 * Writes the messages in the verbatim BOOK_SAMPLES.md 6b/6c shape (`[price, size, "0", orders]` strings), chaining
 * `prevSeqId` per symbol; a `right` checksum is the CRC32 of the book the message leaves, as the sender keeps it.
 */
function okxTexts(messages: OkxGen[]): string[] {
  const books = new Map<
    string,
    { seqId: number; bids: Map<number, [string, string]>; asks: Map<number, [string, string]> }
  >();
  return messages.map((m) => {
    let book = books.get(m.symbol);
    if (book === undefined) {
      book = { seqId: 1000, bids: new Map(), asks: new Map() };
      books.set(m.symbol, book);
    }
    if (m.action === 'snapshot') {
      book.bids.clear();
      book.asks.clear();
    }
    for (const [side, levels] of [
      [book.bids, m.bids],
      [book.asks, m.asks],
    ] as const) {
      for (const [price, size] of levels) {
        if (Number(size) === 0) side.delete(Number(price));
        else side.set(Number(price), [price, size]);
      }
    }
    const prev = m.action === 'snapshot' ? -1 : m.step === 'skip' ? book.seqId + 7 : book.seqId;
    const seqId = m.step === 'reset' ? 3 : book.seqId + 1 + (m.order % 3);
    book.seqId = seqId;
    const sum = okxRefChecksum(book);
    const checksum = { right: sum, zero: 0, wrong: sum ^ 0x5a5a5a5a, absent: undefined }[m.checksum];
    const levels = (list: Array<[string, string]>) =>
      `[${list.map(([p, s], i) => `[${JSON.stringify(p)},${JSON.stringify(s)},"0","${i + 1}"]`).join(',')}]`;
    const ts = String(1_597_026_383_085 + seqId);
    const dataEntries: Array<[string, string]> = [
      ['asks', levels(m.asks)],
      ['bids', levels(m.bids)],
      ['ts', m.tsAsNumber ? ts : JSON.stringify(ts)],
      ['prevSeqId', String(prev)],
      ['seqId', String(seqId)],
    ];
    if (checksum !== undefined) dataEntries.splice(3, 0, ['checksum', String(checksum)]);
    const shift = m.order % dataEntries.length;
    const argText = objectText(
      [
        ['channel', JSON.stringify(m.channel)],
        ['instId', JSON.stringify(m.symbol)],
      ],
      m.spaced,
    );
    const entries: Array<[string, string]> = [
      ['arg', argText],
      ['action', JSON.stringify(m.action)],
      ['data', `[${objectText([...dataEntries.slice(shift), ...dataEntries.slice(0, shift)], m.spaced)}]`],
    ];
    if (m.extra !== undefined) entries.push(['extra', JSON.stringify(m.extra)]);
    const top = m.order % entries.length;
    return objectText([...entries.slice(top), ...entries.slice(0, top)], m.spaced);
  });
}

function runOkx(texts: string[], asBytes: boolean): OkxReference {
  const { updates, sink } = collect();
  const sync = new OkxBookSync(sink);
  const reference = new OkxReference();
  agreeWithReference(sync, updates, reference, texts, asBytes);
  expect(sync.counters).toMatchObject({
    malformed: reference.malformed,
    unsynced: reference.unsynced,
    gaps: reference.gaps,
    checksumFailures: reference.checksumFailures,
  });
  return reference;
}

describe('OkxBookSync byte scan vs a JSON.parse reference', () => {
  it('reads random valid streams (snapshots, updates, broken chains, resets, checksums) exactly as the reference', () => {
    let verified = 0;
    fc.assert(
      fc.property(
        fc.array(okxMessage, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (messages, asBytes) => {
          verified += runOkx(okxTexts(messages), asBytes).verified;
        },
      ),
      { numRuns: RUNS },
    );
    // The checksum comparison above is not vacuous: many generated checksums were verified as right (about one
    // per run; a quarter of that leaves room for the random streams).
    expect(verified).toBeGreaterThan(RUNS / 4);
  });

  it('never throws on mutated messages or edge tokens, and emits only what the reference emits', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            okxMessage,
            fc.option(mutation, { nil: undefined }),
            fc.option(tokenEdit, { nil: undefined }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (messages) => {
          runOkx(damaged(okxTexts(messages.map(([m]) => m)), messages), true);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('counts null, arbitrary bytes and garbage as ignored or malformed, never a throw', () => {
    const sync = new OkxBookSync(() => {});
    expect(sync.onMessage('null', 1)).toBe(BookSyncResult.ignored);
    neverThrowsOnBytes(() => sync);
  });
});

// ---------- Binance ----------

interface BinanceRefEvent {
  firstId: number;
  lastId: number;
  eventMs: number;
  receivedNanos: bigint;
  bids: Array<{ price: number; size: number }>;
  asks: Array<{ price: number; size: number }>;
}

const isBinanceId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Binance's "manage a local order book" rules (BOOK_SAMPLES.md 1d) over `JSON.parse`, counting as the machine does. */
class BinanceReference {
  readonly books = new Map<
    string,
    { synced: boolean; lastId: number; straddle: boolean; buffer: BinanceRefEvent[]; levels: number }
  >();
  malformed = 0;
  stale = 0;
  gaps = 0;
  unsynced = 0;
  levelsOverCap = 0;

  constructor(readonly maxLevels = 10_000) {}

  #book(symbol: string) {
    let book = this.books.get(symbol);
    if (book === undefined) {
      book = { synced: false, lastId: 0, straddle: true, buffer: [], levels: 0 };
      this.books.set(symbol, book);
    }
    return book;
  }

  onMessage(text: string, receivedNanos: bigint): Outcome {
    const none = (result: BookSyncResult): Outcome => ({ result, updates: [] });
    let json = tryParse(text) as Json | null | undefined;
    if (json === undefined) return this.#malformed();
    if (json === null) return none(BookSyncResult.ignored);
    if (typeof json.stream === 'string' && typeof json.data === 'object' && json.data !== null) {
      json = json.data as Json;
    }
    if (json.e !== 'depthUpdate') return none(BookSyncResult.ignored);
    const symbol = json.s;
    if (typeof symbol !== 'string' || symbol.length === 0) return this.#malformed();
    const book = this.#book(symbol);
    const eventValue = typeof json.E === 'string' ? Number(json.E) : json.E;
    const { U: firstId, u: lastId } = json;
    if (!isBinanceId(firstId) || !isBinanceId(lastId) || firstId > lastId || !isBinanceId(eventValue))
      return this.#malformed(book);
    const event = (): BinanceRefEvent | undefined => {
      const bids = refPairs(json.b);
      const asks = refPairs(json.a);
      if (bids === undefined || asks === undefined) return undefined;
      return { firstId, lastId, eventMs: eventValue, receivedNanos, bids, asks };
    };
    if (!book.synced) {
      const held = event();
      if (held === undefined) return this.#malformed(book);
      this.#hold(book, held);
      return none(BookSyncResult.buffered);
    }
    const check = this.#check(book, firstId, lastId);
    if (check !== BookSyncResult.emitted) {
      if (check === BookSyncResult.gap) {
        const held = event();
        if (held !== undefined) this.#hold(book, held);
      }
      return none(check);
    }
    const applied = event();
    if (applied === undefined) return this.#malformed(book);
    return { result: BookSyncResult.emitted, updates: [this.#apply(book, symbol, applied)] };
  }

  applySnapshot(symbol: string, text: string, receivedNanos: bigint): Outcome {
    const json = tryParse(text) as Json | undefined;
    const book = this.#book(symbol);
    const lastUpdateId = json?.lastUpdateId;
    if (!isBinanceId(lastUpdateId)) return this.#malformed(book);
    const pending = book.buffer.filter((e) => e.lastId > lastUpdateId);
    this.stale += book.buffer.length - pending.length;
    if (pending.length > 0 && pending[0]!.firstId > lastUpdateId + 1) {
      this.stale++;
      book.buffer = pending;
      book.synced = false;
      return { result: BookSyncResult.stale, updates: [] };
    }
    const bids = refPairs(json!.bids);
    const asks = refPairs(json!.asks);
    if (bids === undefined || asks === undefined) return this.#malformed(book);
    const updates: BookUpdate[] = [
      {
        timestampNanos: 0n,
        receivedNanos,
        ticker: symbol,
        sequence: BigInt(lastUpdateId),
        isSnapshot: true,
        bids,
        asks,
      },
    ];
    book.buffer = [];
    book.levels = 0;
    book.lastId = lastUpdateId;
    book.straddle = true;
    book.synced = true;
    for (let i = 0; i < pending.length; i++) {
      const event = pending[i]!;
      const check = this.#check(book, event.firstId, event.lastId);
      if (check === BookSyncResult.stale) continue;
      if (check !== BookSyncResult.emitted) {
        book.buffer = pending.slice(i);
        for (const kept of book.buffer) book.levels += kept.bids.length + kept.asks.length;
        return { result: check, updates };
      }
      updates.push(this.#apply(book, symbol, event));
    }
    return { result: BookSyncResult.emitted, updates };
  }

  #check(book: { synced: boolean; lastId: number; straddle: boolean }, firstId: number, lastId: number) {
    if (lastId <= book.lastId) {
      this.stale++;
      return BookSyncResult.stale;
    }
    if (book.straddle ? firstId > book.lastId + 1 : firstId !== book.lastId + 1) {
      this.gaps++;
      book.synced = false;
      return BookSyncResult.gap;
    }
    return BookSyncResult.emitted;
  }

  #hold(book: { synced: boolean; buffer: BinanceRefEvent[]; levels: number }, event: BinanceRefEvent): void {
    const levels = event.bids.length + event.asks.length;
    if (book.levels + levels > this.maxLevels) {
      this.levelsOverCap += book.levels;
      this.unsynced += book.buffer.length;
      book.buffer = [];
      book.levels = 0;
    }
    book.buffer.push(event);
    book.levels += levels;
    book.synced = false;
  }

  #apply(book: { lastId: number; straddle: boolean }, symbol: string, event: BinanceRefEvent): BookUpdate {
    book.lastId = event.lastId;
    book.straddle = false;
    return {
      timestampNanos: BigInt(event.eventMs) * 1_000_000n,
      receivedNanos: event.receivedNanos,
      ticker: symbol,
      sequence: BigInt(event.lastId),
      isSnapshot: false,
      bids: event.bids,
      asks: event.asks,
    };
  }

  #malformed(book?: { synced: boolean }): Outcome {
    this.malformed++;
    if (book !== undefined) book.synced = false;
    return { result: BookSyncResult.malformed, updates: [] };
  }
}

interface BinanceGen {
  /** A diff-depth event, or a REST snapshot taken at the symbol's current update id (`rest`). */
  kind: 'event' | 'event' | 'event' | 'rest';
  symbol: string;
  /** How the event's `[U, u]` follows the symbol's last `u`: next, overlapping the last (straddle), stale, skip. */
  step: 'next' | 'next' | 'next' | 'straddle' | 'stale' | 'skip';
  span: number;
  envelope: boolean;
  bids: Array<[string, string]>;
  asks: Array<[string, string]>;
  extra: unknown;
  order: number;
  spaced: boolean;
}

/** Binance sends every price and size as a string. */
const binanceValue = (maxDecimals: number, allowZero: boolean) =>
  decimalText(maxDecimals, allowZero).map((text) => JSON.stringify(text));
const binancePair = fc.tuple(binanceValue(8, false), binanceValue(8, true));

const binanceMessage: fc.Arbitrary<BinanceGen> = fc.record({
  kind: fc.constantFrom<BinanceGen['kind']>('event', 'event', 'event', 'rest'),
  symbol: fc.constantFrom('BTCUSDT', 'BNBBTC'),
  step: fc.constantFrom<BinanceGen['step']>('next', 'next', 'next', 'straddle', 'stale', 'skip'),
  span: fc.integer({ min: 0, max: 3 }),
  envelope: fc.boolean(),
  bids: fc.array(binancePair, { maxLength: 6 }),
  asks: fc.array(binancePair, { maxLength: 6 }),
  extra: fc.option(extraValue, { nil: undefined }),
  order: fc.nat(),
  spaced: fc.boolean(),
});

type BinanceItem = { rest: false; text: string } | { rest: true; symbol: string; text: string };

/** Writes the messages in the verbatim 1b shape (bare or in the combined stream's envelope), ids per symbol. */
function binanceItems(messages: BinanceGen[]): BinanceItem[] {
  const lastU = new Map<string, number>();
  const pairs = (list: Array<[string, string]>) => `[${list.map(([p, s]) => `[${p},${s}]`).join(',')}]`;
  return messages.map((m) => {
    const last = lastU.get(m.symbol) ?? 157;
    if (m.kind === 'rest') {
      const text = objectText(
        [
          ['lastUpdateId', String(last)],
          ['bids', pairs(m.bids)],
          ['asks', pairs(m.asks)],
        ],
        m.spaced,
      );
      return { rest: true, symbol: m.symbol, text };
    }
    const first = {
      next: last + 1,
      straddle: Math.max(0, last - 1),
      stale: Math.max(0, last - 2 - m.span),
      skip: last + 3,
    }[m.step];
    const u = m.step === 'stale' ? Math.max(first, last - 1) : first + m.span;
    lastU.set(m.symbol, Math.max(last, u));
    const entries: Array<[string, string]> = [
      ['e', '"depthUpdate"'],
      ['E', String(1_672_515_782_136 + u)],
      ['s', JSON.stringify(m.symbol)],
      ['U', String(first)],
      ['u', String(u)],
      ['b', pairs(m.bids)],
      ['a', pairs(m.asks)],
    ];
    if (m.extra !== undefined) entries.push(['x', JSON.stringify(m.extra)]);
    const shift = m.order % entries.length;
    const event = objectText([...entries.slice(shift), ...entries.slice(0, shift)], m.spaced);
    const text = m.envelope
      ? objectText(
          m.order % 2 === 0
            ? [
                ['stream', JSON.stringify(`${m.symbol.toLowerCase()}@depth`)],
                ['data', event],
              ]
            : [
                ['data', event],
                ['stream', JSON.stringify(`${m.symbol.toLowerCase()}@depth@100ms`)],
              ],
          m.spaced,
        )
      : event;
    return { rest: false, text };
  });
}

function runBinance(items: BinanceItem[], asBytes: boolean): void {
  const { updates, sink } = collect();
  const sync = new BinanceBookSync(sink);
  const reference = new BinanceReference();
  for (const item of items) {
    const before = updates.length;
    const result = item.rest
      ? sync.applySnapshot(item.symbol, item.text, 5, 7)
      : sync.onMessage(asBytes ? encoder.encode(item.text) : item.text, 5, 7);
    const expected = item.rest
      ? reference.applySnapshot(item.symbol, item.text, 5_000_007n)
      : reference.onMessage(item.text, 5_000_007n);
    expect({ result, updates: updates.slice(before) }).toEqual(expected);
  }
  expect(sync.counters).toMatchObject({
    malformed: reference.malformed,
    stale: reference.stale,
    gaps: reference.gaps,
    unsynced: reference.unsynced,
    levelsOverCap: reference.levelsOverCap,
  });
}

describe('BinanceBookSync byte scan vs a JSON.parse reference', () => {
  it('reads random valid streams (buffering, REST snapshots, straddles, stale events, gaps) exactly as the reference', () => {
    fc.assert(
      fc.property(
        fc.array(binanceMessage, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        (messages, asBytes) => {
          runBinance(binanceItems(messages), asBytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('emits a scanned delta after a REST snapshot (the property above is not vacuous)', () => {
    const items = binanceItems([
      {
        kind: 'rest',
        symbol: 'BTCUSDT',
        step: 'next',
        span: 0,
        envelope: false,
        bids: [['"1.5"', '"2"']],
        asks: [],
        extra: undefined,
        order: 0,
        spaced: false,
      },
      {
        kind: 'event',
        symbol: 'BTCUSDT',
        step: 'next',
        span: 1,
        envelope: true,
        bids: [['"1.5"', '"0"']],
        asks: [['"2.25"', '"3"']],
        extra: undefined,
        order: 3,
        spaced: true,
      },
    ]);
    const { updates, sink } = collect();
    const sync = new BinanceBookSync(sink);
    expect(sync.applySnapshot('BTCUSDT', items[0]!.text, 5)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(encoder.encode(items[1]!.text), 5)).toBe(BookSyncResult.emitted);
    expect(updates[1]).toMatchObject({
      sequence: 159n,
      bids: [{ price: 1.5, size: 0 }],
      asks: [{ price: 2.25, size: 3 }],
    });
  });

  it('never throws on mutated messages or edge tokens, and emits only what the reference emits', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            binanceMessage,
            fc.option(mutation, { nil: undefined }),
            fc.option(tokenEdit, { nil: undefined }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        (messages) => {
          const items = binanceItems(messages.map(([m]) => m));
          const texts = damaged(
            items.map((item) => item.text),
            messages,
          );
          runBinance(
            items.map((item, i) => ({ ...item, text: texts[i]! })),
            true,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('leaves envelopes it does not take whole to JSON.parse, with the same outcome', () => {
    const event = '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}';
    const shapes = [
      `{"stream":"btcusdt@depth","data":${event},"E":2}`,
      `{"data":${event}}`,
      `{"stream":"btcusdt@depth","data":${event},"data":${event}}`,
      `{"stream":7,"data":${event}}`,
      `{"stream":"x","data":[]}`,
      `{"stream":"x","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[]},"a":[]}`,
      '{"e":"trade","b":"not levels"}',
      '{"e":"depthUpdate","E":"17","s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}',
      '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":7,"u":6,"b":[],"a":[]}',
    ];
    for (const text of shapes) runBinance([{ rest: false, text }], true);
  });

  it('counts null, arbitrary bytes and garbage as ignored or malformed, never a throw', () => {
    const sync = new BinanceBookSync(() => {});
    expect(sync.onMessage('null', 1)).toBe(BookSyncResult.ignored);
    neverThrowsOnBytes(() => sync);
  });
});
