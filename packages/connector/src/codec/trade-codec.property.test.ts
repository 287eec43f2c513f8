import * as capnp from 'capnp-es';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapnpFormatError } from '../errors.js';
import { TradeData as TradeDataStruct } from './generated/trade.gen.js';
import { type TradeData, TradeSide } from './trade-data.js';
import { TradeEncoder, type TradeEncoderInternalOptions } from './trade-encoder.js';
import { TradeView } from './trade-view.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const RUNS = 1500;
const utf8 = new TextEncoder();

const u64 = fc.oneof(
  fc.constantFrom(0n, 1n, U64_MAX, U64_MAX - 1n, 2n ** 63n, 2n ** 53n + 1n, 2n ** 32n - 1n, 2n ** 32n),
  fc.bigInt({ min: 0n, max: U64_MAX }),
);
const float = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0,
    -0,
    Number.MIN_VALUE, // smallest subnormal
    -Number.MIN_VALUE,
    2.225073858507201e-308, // largest subnormal
    2.2250738585072014e-308, // smallest normal
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.EPSILON,
  ),
  fc.double(),
);
/** Valid Unicode (no lone surrogates), so decoded strings equal the originals. */
const text = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }),
  fc.constantFrom('😀', '\u{10ffff}', 'BTC/USDT', '"quoted\\"', '𝄞\u0000x'),
);
const side = fc.constantFrom(TradeSide.buy, TradeSide.sell, TradeSide.unknown);
const trade: fc.Arbitrary<TradeData> = fc.record({
  timestampNanos: u64,
  receivedNanos: u64,
  ticker: text,
  price: float,
  size: float,
  side,
  tradeId: text,
});

/** capnp-es reference encoding, fields set in schema order (or texts reversed). */
function capnpEsEncode(t: TradeData, tradeIdFirst = false): Uint8Array {
  const message = new capnp.Message();
  const root = message.initRoot(TradeDataStruct);
  if (tradeIdFirst) root.tradeId = t.tradeId;
  root.timestampNanos = t.timestampNanos;
  root.receivedNanos = t.receivedNanos;
  root.ticker = t.ticker;
  root.price = t.price;
  root.size = t.size;
  root.side = t.side;
  if (!tradeIdFirst) root.tradeId = t.tradeId;
  return new Uint8Array(message.toArrayBuffer());
}

function capnpEsDecode(bytes: Uint8Array): TradeData {
  const root = new capnp.Message(bytes, false).getRoot(TradeDataStruct);
  return {
    timestampNanos: root.timestampNanos,
    receivedNanos: root.receivedNanos,
    ticker: root.ticker,
    price: root.price,
    size: root.size,
    side: root.side,
    tradeId: root.tradeId,
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Encodes and copies the message out of the encoder's reused buffer. */
function encodeCopy(encoder: TradeEncoder, t: TradeData): Uint8Array {
  const length = encoder.encode(t);
  const bytes = encoder.bytes;
  expect(bytes.length).toBe(length);
  return bytes.slice();
}

describe('TradeEncoder against capnp-es', () => {
  it('writes byte-identical messages that capnp-es and TradeView read back equal', () => {
    // A small start exercises growth; one encoder across runs exercises buffer reuse.
    const encoder = new TradeEncoder({ initialCapacity: 16 });
    const view = new TradeView();
    fc.assert(
      fc.property(trade, (t) => {
        const fast = encodeCopy(encoder, t);
        expect(hex(fast)).toBe(hex(capnpEsEncode(t)));
        expect(capnpEsDecode(fast)).toEqual(t);
        expect(view.wrap(fast).toTradeData()).toEqual(t);
        expect(view.byteLength).toBe(fast.length);
        expect(view.tickerBytes).toEqual(utf8.encode(t.ticker));
        expect(view.tradeIdBytes).toEqual(utf8.encode(t.tradeId));
      }),
      { numRuns: RUNS },
    );
  });

  it('matches capnp-es for any UTF-16, lone surrogates included', () => {
    const anyUtf16 = fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
      maxLength: 30,
    });
    const encoder = new TradeEncoder();
    fc.assert(
      fc.property(trade, anyUtf16, anyUtf16, (t, ticker, tradeId) => {
        const odd = { ...t, ticker, tradeId };
        const length = encoder.encode(odd);
        const reference = capnpEsEncode(odd);
        expect(hex(encoder.buffer.subarray(0, length))).toBe(hex(reference));
        const decoded = capnpEsDecode(reference);
        const view = new TradeView(encoder.buffer, 0, length);
        expect([view.ticker, view.tradeId]).toEqual([decoded.ticker, decoded.tradeId]);
      }),
      { numRuns: RUNS },
    );
  });

  it('encodeParts agrees with encode for millisecond + sub-millisecond times, on both write paths', () => {
    const maxMs = Number(U64_MAX / 1_000_000n);
    const ms = fc.oneof(
      fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, maxMs, maxMs + 1, 2 ** 53 - 1),
      fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }), // realistic epoch ms
      fc.bigInt({ min: 0n, max: BigInt(maxMs) }).map(Number),
      fc.maxSafeNat(),
    );
    const subMs = fc.oneof(
      fc.constantFrom(0, 1, 999_999, 551_615, 551_616),
      fc.integer({ min: 0, max: 999_999 }),
    );
    const garbage = fc.uint8Array({ maxLength: 12 });
    const parts = new TradeEncoder();
    const whole = new TradeEncoder();
    // What a big-endian host runs (DataView writes), exercised here on a little-endian one.
    const portableOptions: TradeEncoderInternalOptions = { portableWrites: true, initialCapacity: 16 };
    const portable = new TradeEncoder(portableOptions);
    fc.assert(
      fc.property(
        trade,
        ms,
        subMs,
        ms,
        subMs,
        garbage,
        garbage,
        (t, tsMs, tsSub, rxMs, rxSub, before, after) => {
          const timestampNanos = BigInt(tsMs) * 1_000_000n + BigInt(tsSub);
          const receivedNanos = BigInt(rxMs) * 1_000_000n + BigInt(rxSub);
          const id = utf8.encode(t.tradeId);
          const frame = new Uint8Array([...before, ...id, ...after]);
          const encodeParts = (encoder = parts) =>
            encoder.encodeParts(
              tsMs,
              tsSub,
              rxMs,
              rxSub,
              utf8.encode(t.ticker),
              t.price,
              t.size,
              t.side,
              frame,
              before.length,
              before.length + id.length,
            );
          if (timestampNanos > U64_MAX || receivedNanos > U64_MAX) {
            expect(() => encodeParts()).toThrow(
              expect.objectContaining({ code: 'MP_ERR_INVALID_TRADE_FIELD' }),
            );
            expect(() => encodeParts(portable)).toThrow(
              expect.objectContaining({ code: 'MP_ERR_INVALID_TRADE_FIELD' }),
            );
            return;
          }
          const length = encodeParts();
          const expected = whole.encode({ ...t, timestampNanos, receivedNanos });
          expect(length).toBe(expected);
          expect(hex(parts.buffer.subarray(0, length))).toBe(hex(whole.buffer.subarray(0, expected)));
          expect(encodeParts(portable)).toBe(expected);
          expect(hex(portable.bytes)).toBe(hex(whole.bytes));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('TradeView with other writers and hostile input', () => {
  it('reads capnp-es messages whose texts were written in the other order', () => {
    const view = new TradeView();
    fc.assert(
      fc.property(trade, (t) => {
        const bytes = capnpEsEncode(t, true);
        expect(view.wrap(bytes).toTradeData()).toEqual(t);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a stream of messages packed back to back at any offset', () => {
    fc.assert(
      fc.property(
        fc.array(trade, { minLength: 1, maxLength: 8 }),
        fc.uint8Array({ maxLength: 9 }),
        (ts, lead) => {
          const encoder = new TradeEncoder();
          const stream = Buffer.concat([lead, ...ts.map((t) => encodeCopy(encoder, t))]);
          const view = new TradeView();
          let at = lead.length;
          for (const t of ts) {
            expect(view.wrap(stream, at).toTradeData()).toEqual(t);
            at += view.byteLength;
          }
          expect(at).toBe(stream.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws CapnpFormatError for every truncation of a valid message', () => {
    const encoder = new TradeEncoder();
    const view = new TradeView();
    fc.assert(
      fc.property(trade, (t) => {
        const bytes = encodeCopy(encoder, t);
        for (let length = 0; length < bytes.length; length += 1 + (length % 3)) {
          expect(() => view.wrap(bytes, 0, length)).toThrow(CapnpFormatError);
          expect(view.byteLength).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never crashes or reads outside the message on corrupted bytes', () => {
    const encoder = new TradeEncoder();
    const view = new TradeView();
    const flip = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
    fc.assert(
      fc.property(trade, fc.array(flip, { minLength: 1, maxLength: 4 }), (t, flips) => {
        const message = encodeCopy(encoder, t);
        // Guard bytes around the message catch any read past its bounds.
        const guarded = new Uint8Array(message.length + 64).fill(0xee);
        guarded.set(message, 32);
        for (const { at, value } of flips) guarded[32 + (at % message.length)] = value;
        try {
          view.wrap(guarded, 32, message.length);
        } catch (err) {
          expect(err instanceof CapnpFormatError, String(err)).toBe(true);
          return;
        }
        const read = view.toTradeData();
        expect(view.byteLength).toBeLessThanOrEqual(message.length);
        for (const textBytes of [view.tickerBytes, view.tradeIdBytes]) {
          if (textBytes.length === 0) continue;
          expect(textBytes.byteOffset).toBeGreaterThanOrEqual(32);
          expect(textBytes.byteOffset + textBytes.length).toBeLessThanOrEqual(32 + message.length);
        }
        expect([TradeSide.buy, TradeSide.sell, TradeSide.unknown]).toContain(read.side);
      }),
      { numRuns: RUNS },
    );
  });

  it('never crashes on random bytes', () => {
    const view = new TradeView();
    const header = fc.uint8Array({ maxLength: 120 }).map((body) => {
      // Half the time give the garbage a plausible single-segment frame so pointer checks run.
      const framed = new Uint8Array(8 + body.length - (body.length % 8));
      framed.set(body.subarray(0, framed.length - 8), 8);
      new DataView(framed.buffer).setUint32(4, (framed.length - 8) / 8, true);
      return framed;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), header), (bytes) => {
        try {
          view.wrap(bytes);
        } catch (err) {
          expect(err instanceof CapnpFormatError, String(err)).toBe(true);
          return;
        }
        view.toTradeData();
        expect(view.byteLength).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: RUNS },
    );
  });
});
