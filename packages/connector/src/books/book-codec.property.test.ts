import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import * as capnp from 'capnp-es';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BookUpdate as BookUpdateStruct } from '../codec/generated/book.gen.js';
import { CapnpFormatError, InvalidBookFieldError } from '../errors.js';
import { type BookFrame, type BookUpdate, createBookFrame, frameToUpdate } from './book-data.js';
import { BookEncoder } from './book-encoder.js';
import { BookView } from './book-view.js';
import { OrderBook } from './order-book.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const u64 = fc.oneof(
  fc.constantFrom(0n, 1n, U64_MAX, 2n ** 53n + 1n, 2n ** 32n),
  fc.bigInt({ min: 0n, max: U64_MAX }),
);
const level = fc.record({ price: fc.double(), size: fc.double() });
// `isRefresh` is absent or true: BookView.toUpdate leaves it out when false.
const update: fc.Arbitrary<BookUpdate> = fc.record(
  {
    timestampNanos: u64,
    receivedNanos: u64,
    ticker: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('', 'BTC/USD', 'ÉTH-€ 😀'),
    ),
    sequence: u64,
    isSnapshot: fc.boolean(),
    bids: fc.array(level, { maxLength: 12 }),
    asks: fc.array(level, { maxLength: 12 }),
    isRefresh: fc.constant(true),
  },
  {
    requiredKeys: ['timestampNanos', 'receivedNanos', 'ticker', 'sequence', 'isSnapshot', 'bids', 'asks'],
  },
);

function capnpEsEncode(u: BookUpdate): Uint8Array {
  const message = new capnp.Message();
  const root = message.initRoot(BookUpdateStruct);
  root.timestampNanos = u.timestampNanos;
  root.receivedNanos = u.receivedNanos;
  root.ticker = u.ticker;
  root.sequence = u.sequence;
  root.isSnapshot = u.isSnapshot;
  root.isRefresh = u.isRefresh === true;
  const bids = root._initBids(u.bids.length);
  u.bids.forEach((l, i) => {
    bids.get(i).price = l.price;
    bids.get(i).size = l.size;
  });
  const asks = root._initAsks(u.asks.length);
  u.asks.forEach((l, i) => {
    asks.get(i).price = l.price;
    asks.get(i).size = l.size;
  });
  return new Uint8Array(message.toArrayBuffer());
}

/** The same update as a frame, for updates whose numbers fit the frame's ranges. */
function toFrame(u: BookUpdate, frame: BookFrame): BookFrame {
  frame.timestampMs = Number(u.timestampNanos / 1_000_000n);
  frame.timestampSubMsNanos = Number(u.timestampNanos % 1_000_000n);
  frame.receivedMs = Number(u.receivedNanos / 1_000_000n);
  frame.receivedSubMsNanos = Number(u.receivedNanos % 1_000_000n);
  frame.ticker = u.ticker;
  frame.tickerUtf8 = new TextEncoder().encode(u.ticker);
  frame.sequence = Number(u.sequence);
  frame.isSnapshot = u.isSnapshot;
  frame.isRefresh = u.isRefresh === true;
  frame.bids.clear();
  frame.asks.clear();
  for (const l of u.bids) frame.bids.push(l.price, l.size);
  for (const l of u.asks) frame.asks.push(l.price, l.size);
  return frame;
}

describe('BookEncoder', () => {
  it('is byte-identical to capnp-es, and BookView reads back every field', () => {
    const encoder = new BookEncoder({ initialCapacity: 8 });
    const view = new BookView();
    fc.assert(
      fc.property(update, (u) => {
        encoder.encode(u);
        expect(Buffer.from(encoder.bytes)).toEqual(Buffer.from(capnpEsEncode(u)));
        const back = view.wrap(encoder.bytes).toUpdate();
        expect(back).toEqual(u);
      }),
      { numRuns: 800 },
    );
  });

  it('encodeFrame writes the same bytes as encode for frame-sized numbers', () => {
    const encoder = new BookEncoder();
    const frame = createBookFrame();
    const safe = update.map((u) => ({
      ...u,
      timestampNanos: u.timestampNanos % 2n ** 63n,
      receivedNanos: u.receivedNanos % 2n ** 63n,
      sequence: u.sequence % 2n ** 53n,
    }));
    fc.assert(
      fc.property(safe, (u) => {
        const expected = capnpEsEncode(u);
        encoder.encodeFrame(toFrame(u, frame));
        expect(Buffer.from(encoder.bytes)).toEqual(Buffer.from(expected));
        expect(frameToUpdate(frame)).toEqual(u);
      }),
      { numRuns: 500 },
    );
  });

  it('reuses its buffer once grown: no new buffer per update in steady state', () => {
    const encoder = new BookEncoder({ initialCapacity: 8 });
    const frame = createBookFrame();
    frame.ticker = 'BTCUSDT';
    frame.tickerUtf8 = new TextEncoder().encode('BTCUSDT');
    for (let i = 0; i < 50; i++) frame.bids.push(100 - i, 1);
    encoder.encodeFrame(frame);
    const grown = encoder.buffer;
    for (let n = 0; n < 1000; n++) {
      frame.sequence = n;
      frame.bids.clear();
      for (let i = 0; i < (n % 50) + 1; i++) frame.bids.push(100 - i, n);
      encoder.encodeFrame(frame);
      expect(encoder.buffer).toBe(grown);
    }
  });

  it('rejects out-of-range fields with a typed error and writes nothing', () => {
    const encoder = new BookEncoder({ maxLevels: 2 });
    const frame = createBookFrame();
    frame.sequence = -1;
    expect(() => encoder.encodeFrame(frame)).toThrow(InvalidBookFieldError);
    frame.sequence = 2 ** 53;
    expect(() => encoder.encodeFrame(frame)).toThrow(/sequence/);
    frame.sequence = 0;
    for (let i = 0; i < 3; i++) frame.asks.push(i, 1);
    expect(() => encoder.encodeFrame(frame)).toThrow(/asks/);
    expect(encoder.length).toBe(0);
  });

  it('rejects options that are not positive integers with InvalidArgumentError naming the option', () => {
    expect(() => new BookEncoder({ maxLevels: 0 })).toThrow(InvalidArgumentError);
    expect(() => new BookEncoder({ maxTextBytes: 1.5 })).toThrow(/maxTextBytes/);
    expect(() => new BookEncoder({ initialCapacity: -8 })).toThrow(/initialCapacity/);
  });
});

describe('BookView', () => {
  it('never crashes on garbage: it reads or throws CapnpFormatError', () => {
    const view = new BookView();
    const encoder = new BookEncoder();
    fc.assert(
      fc.property(
        update,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        (u, flips) => {
          encoder.encode(u);
          const bytes = encoder.bytes.slice();
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          try {
            view.wrap(bytes);
            for (let i = 0; i < view.bidCount; i++) view.bidPrice(i) + view.bidSize(i);
            for (let i = 0; i < view.askCount; i++) view.askPrice(i) + view.askSize(i);
            void view.ticker;
          } catch (err) {
            expect(err instanceof CapnpFormatError).toBe(true);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('capnp decode (reference C++ implementation)', () => {
  it('decodes encoded book updates to the same levels', () => {
    const encoder = new BookEncoder();
    const updates: BookUpdate[] = [
      {
        timestampNanos: 1_700_000_000_123_456_789n,
        receivedNanos: U64_MAX,
        ticker: 'BTC-USDT',
        sequence: 335_226_848_531n,
        isSnapshot: true,
        bids: [
          { price: 30080.49, size: 0.0225 },
          { price: 30079.19, size: 0.1 },
        ],
        asks: [{ price: 30382.6, size: 0.1504 }],
      },
      {
        timestampNanos: 0n,
        receivedNanos: 1n,
        ticker: '',
        sequence: 0n,
        isSnapshot: false,
        bids: [],
        asks: [],
      },
      {
        timestampNanos: 2n,
        receivedNanos: 3n,
        ticker: 'BTCUSDT',
        sequence: 42n,
        isSnapshot: true,
        isRefresh: true,
        bids: [{ price: 1.5, size: 2 }],
        asks: [],
      },
    ];
    const stream = Buffer.concat(
      updates.map((u) => {
        encoder.encode(u);
        return Buffer.from(encoder.bytes);
      }),
    );
    const out = execFileSync('capnp', ['decode', '--short', 'schema/book.capnp', 'BookUpdate'], {
      cwd: packageRoot,
      env: { ...process.env, PWD: packageRoot },
      input: stream,
    })
      .toString()
      .trim()
      .split('\n');
    expect(out).toEqual([
      '(timestampNanos = 1700000000123456789, receivedNanos = 18446744073709551615, ticker = "BTC-USDT", ' +
        'sequence = 335226848531, isSnapshot = true, bids = [(price = 30080.49, size = 0.0225), ' +
        '(price = 30079.19, size = 0.1)], asks = [(price = 30382.6, size = 0.1504)], isRefresh = false)',
      '(timestampNanos = 0, receivedNanos = 1, ticker = "", sequence = 0, isSnapshot = false, bids = [], asks = [], ' +
        'isRefresh = false)',
      '(timestampNanos = 2, receivedNanos = 3, ticker = "BTCUSDT", sequence = 42, isSnapshot = true, ' +
        'bids = [(price = 1.5, size = 2)], asks = [], isRefresh = true)',
    ]);
  });
});

describe('encoder -> BookView -> OrderBook', () => {
  it('equals a plain Map book after every message of a random valid sequence', () => {
    const price = fc.integer({ min: 1, max: 40 }).map((p) => p / 4);
    const size = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 1000 }).map((s) => s / 8),
    );
    const levels = fc.array(fc.record({ price, size }), { maxLength: 8 });
    const step = fc.record({ isSnapshot: fc.boolean(), bids: levels, asks: levels });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const encoder = new BookEncoder();
        const view = new BookView();
        const book = new OrderBook();
        const bids = new Map<number, number>();
        const asks = new Map<number, number>();
        steps.forEach((s, n) => {
          // A snapshot holds no zero sizes.
          const clean = (l: typeof s.bids) => (s.isSnapshot ? l.filter((x) => x.size > 0) : l);
          const u: BookUpdate = {
            timestampNanos: BigInt(n),
            receivedNanos: BigInt(n),
            ticker: 'X',
            sequence: BigInt(n + 1),
            isSnapshot: s.isSnapshot || n === 0,
            bids: clean(s.bids),
            asks: clean(s.asks),
          };
          if (u.isSnapshot) {
            bids.clear();
            asks.clear();
          }
          for (const l of u.bids) l.size === 0 ? bids.delete(l.price) : bids.set(l.price, l.size);
          for (const l of u.asks) l.size === 0 ? asks.delete(l.price) : asks.set(l.price, l.size);
          encoder.encode(u);
          book.applyView(view.wrap(encoder.bytes));
          const want = (m: Map<number, number>, dir: number) =>
            [...m].sort((a, b) => dir * (a[0] - b[0])).map(([p, q]) => ({ price: p, size: q }));
          expect(book.bids()).toEqual(want(bids, -1));
          expect(book.asks()).toEqual(want(asks, 1));
          expect(book.sequence).toBe(BigInt(n + 1));
        });
      }),
      { numRuns: 300 },
    );
  });
});
