import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTradeFieldError, TradeTextTooLongError } from '../errors.js';
import { type TradeData, TradeSide } from './trade-data.js';
import { TradeEncoder, type TradeEncoderInternalOptions, Wire } from './trade-encoder.js';
import {
  LIST_ELEMENT_BYTE,
  PRICE_OFFSET,
  RECEIVED_OFFSET,
  SIDE_OFFSET,
  SIZE_OFFSET,
  TICKER_POINTER,
  TIMESTAMP_OFFSET,
  TRADE_DATA_WORDS,
  TRADE_ID_POINTER,
  TRADE_POINTER_COUNT,
} from './trade-layout.js';

const utf8 = new TextEncoder();
const U64_MAX = 0xffff_ffff_ffff_ffffn;

const sample: TradeData = {
  timestampNanos: 1n,
  receivedNanos: 2n,
  ticker: 'BTCUSDT',
  price: 1.5,
  size: 2,
  side: TradeSide.sell,
  tradeId: '',
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function encodeToHex(encoder: TradeEncoder, trade: TradeData): string {
  // Read `buffer` after encoding: a growing encode replaces it.
  const length = encoder.encode(trade);
  return hex(encoder.buffer.subarray(0, length));
}

describe('TradeEncoder.encode', () => {
  it('writes the exact bytes capnp-es produces for a known trade', () => {
    // Captured from capnp-es 0.0.16 `message.toArrayBuffer()` with the fields set in schema order.
    const expected = [
      '000000000a000000', // framing: 1 segment of 10 words
      '0000000005000200', // root struct pointer: offset 0, 5 data words, 2 pointers
      '0100000000000000', // timestampNanos
      '0200000000000000', // receivedNanos
      '000000000000f83f', // price 1.5
      '0000000000000040', // size 2
      '0100000000000000', // side sell + padding
      '0500000042000000', // ticker: list +1 word, 8 bytes
      '050000000a000000', // tradeId: list +1 word, 1 byte (the NUL)
      '4254435553445400', // "BTCUSDT\0"
      '0000000000000000', // "\0" + padding
    ].join('');
    const encoder = new TradeEncoder();
    expect(encodeToHex(encoder, sample)).toBe(expected);
    expect(encoder.length).toBe(88);
  });

  it('clears bytes left by a longer previous message', () => {
    const encoder = new TradeEncoder();
    const fresh = encodeToHex(new TradeEncoder(), sample);
    encoder.encode({ ...sample, ticker: 'X'.repeat(30), tradeId: 'Y'.repeat(30), side: TradeSide.unknown });
    expect(encodeToHex(encoder, sample)).toBe(fresh);
  });

  it('rejects invalid fields without touching the previous message', () => {
    const encoder = new TradeEncoder({ maxTextBytes: 8 });
    const length = encoder.encode(sample);
    const before = hex(encoder.buffer.subarray(0, length));
    const attempts: Array<[Partial<TradeData>, (err: unknown) => boolean]> = [
      [{ timestampNanos: -1n }, (e: unknown) => e instanceof InvalidTradeFieldError],
      [{ receivedNanos: U64_MAX + 1n }, (e: unknown) => e instanceof InvalidTradeFieldError],
      [{ timestampNanos: 5 as unknown as bigint }, (e: unknown) => e instanceof InvalidTradeFieldError],
      [{ side: 3 as TradeSide }, (e: unknown) => e instanceof InvalidTradeFieldError],
      [{ ticker: '123456789' }, (e: unknown) => e instanceof TradeTextTooLongError],
      // 3 characters but 9 UTF-8 bytes: the cap counts bytes, not characters.
      [{ tradeId: '€€€' }, (e: unknown) => e instanceof TradeTextTooLongError],
    ];
    for (const [patch, guard] of attempts) {
      let thrown: unknown;
      try {
        encoder.encode({
          ...sample,
          ...patch,
          ticker: patch.ticker ?? 'ZZZZZZZZ',
          tradeId: patch.tradeId ?? '77',
        });
      } catch (err) {
        thrown = err;
      }
      expect(
        guard(thrown),
        `${JSON.stringify(patch, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
      ).toBe(true);
      expect(encoder.length).toBe(length);
      expect(hex(encoder.buffer.subarray(0, length))).toBe(before);
    }
  });

  it('reports which text is too long and by how much', () => {
    const encoder = new TradeEncoder({ maxTextBytes: 4 });
    try {
      encoder.encode({ ...sample, ticker: 'BTC', tradeId: 'ñandú' });
      expect.unreachable('encode accepted a 7-byte trade id');
    } catch (err) {
      expect(err instanceof TradeTextTooLongError).toBe(true);
      const tooLong = err as TradeTextTooLongError;
      expect([tooLong.field, tooLong.byteLength, tooLong.maxBytes, tooLong.code]).toEqual([
        'tradeId',
        7,
        4,
        'MP_ERR_TRADE_TEXT_TOO_LONG',
      ]);
      expect(tooLong.name).toBe('TradeTextTooLongError');
    }
  });

  it('accepts texts of exactly maxTextBytes and u64 extremes', () => {
    const encoder = new TradeEncoder({ maxTextBytes: 8 });
    const length = encoder.encode({
      ...sample,
      timestampNanos: U64_MAX,
      receivedNanos: 0n,
      ticker: '12345678',
      tradeId: '€€',
    });
    // 72 fixed bytes + "12345678\0" padded to 16 + "€€\0" (7 bytes) padded to 8.
    expect(length).toBe(96);
    expect(hex(encoder.buffer.subarray(16, 32))).toBe(`${'ff'.repeat(8)}${'00'.repeat(8)}`);
  });
});

describe('TradeEncoder buffer', () => {
  it('grows when a message needs more room and keeps encoding correctly', () => {
    const small = new TradeEncoder({ initialCapacity: 0, maxTextBytes: 1000 });
    const roomy = new TradeEncoder({ initialCapacity: 4096, maxTextBytes: 1000 });
    const firstBuffer = small.buffer;
    const big = { ...sample, ticker: 'T'.repeat(500), tradeId: '9'.repeat(999) };
    expect(encodeToHex(small, big)).toBe(encodeToHex(roomy, big));
    expect(small.buffer).not.toBe(firstBuffer);
    expect(small.buffer.length % 8).toBe(0);
    const grown = small.buffer;
    expect(encodeToHex(small, sample)).toBe(encodeToHex(roomy, sample));
    expect(small.buffer).toBe(grown);
  });

  it('serves the last message as a view cached per length', () => {
    const encoder = new TradeEncoder();
    const length = encoder.encode(sample);
    const first = encoder.bytes;
    expect(first.buffer).toBe(encoder.buffer.buffer);
    expect(first.byteOffset).toBe(0);
    expect(first.length).toBe(length);
    encoder.encode({ ...sample, tradeId: '1234567' });
    expect(encoder.bytes).toBe(first);
    encoder.encode({ ...sample, tradeId: '12345678' });
    expect(encoder.bytes).not.toBe(first);
    expect(encoder.bytes.length).toBe(length + 8);
  });

  it('rejects bad options', () => {
    for (const options of [{ maxTextBytes: -1 }, { maxTextBytes: 1.5 }, { maxTextBytes: 2 ** 21 }]) {
      expect(() => new TradeEncoder(options)).toThrow(
        expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(catchError(() => new TradeEncoder({ initialCapacity: -8 })) instanceof InvalidArgumentError).toBe(
      true,
    );
  });
});

describe('TradeEncoder.encodeParts', () => {
  const ticker = utf8.encode('BTC-USD');
  const frame = utf8.encode('{"trade_id":98765432109876543210,"x":1}');
  const idStart = frame.indexOf(0x39);
  const idEnd = idStart + 20;

  function viaParts(encoder: TradeEncoder, ms: number, subMs: number, rxMs = 0, rxSubMs = 0): string {
    const length = encoder.encodeParts(
      ms,
      subMs,
      rxMs,
      rxSubMs,
      ticker,
      1.25,
      3,
      TradeSide.buy,
      frame,
      idStart,
      idEnd,
    );
    return hex(encoder.buffer.subarray(0, length));
  }

  function viaTrade(encoder: TradeEncoder, timestampNanos: bigint, receivedNanos = 0n): string {
    return encodeToHex(encoder, {
      timestampNanos,
      receivedNanos,
      ticker: 'BTC-USD',
      price: 1.25,
      size: 3,
      side: TradeSide.buy,
      tradeId: '98765432109876543210',
    });
  }

  it('assembles u64 nanoseconds exactly at the 32-bit and 53-bit edges', () => {
    const parts = new TradeEncoder();
    const whole = new TradeEncoder();
    const edges: Array<[number, number]> = [
      [0, 0],
      [0, 999_999],
      [1, 0],
      [4294, 967_295], // 2^32 - 1 ns: low word full, high word 0
      [4294, 967_296], // 2^32 ns: first carry into the high word
      [2 ** 32 - 1, 999_999],
      [2 ** 32, 0],
      [1_700_000_000_123, 456_789], // a 2023 timestamp
      [9_007_199_254_740, 991_000], // around 2^53 ns, beyond exact doubles
      [18_446_744_073_709, 551_615], // 2^64 - 1 ns, the largest representable
    ];
    for (const [ms, subMs] of edges) {
      const nanos = BigInt(ms) * 1_000_000n + BigInt(subMs);
      expect(viaParts(parts, ms, subMs, subMs, ms % 1_000_000), `${ms} ms + ${subMs} ns`).toBe(
        viaTrade(whole, nanos, BigInt(subMs) * 1_000_000n + BigInt(ms % 1_000_000)),
      );
    }
  });

  it('rejects times that do not fit, without touching the previous message', () => {
    const encoder = new TradeEncoder();
    const before = viaParts(encoder, 1, 2);
    const bad: Array<[number, number, string]> = [
      [18_446_744_073_709, 551_616, 'timestampMs'], // 2^64 ns
      [2 ** 53 - 1, 0, 'timestampMs'],
      [2 ** 53, 0, 'timestampMs'],
      [-1, 0, 'timestampMs'],
      [1.5, 0, 'timestampMs'],
      [Number.NaN, 0, 'timestampMs'],
      [0, 1_000_000, 'timestampSubMsNanos'],
      [0, -1, 'timestampSubMsNanos'],
      [0, 0.5, 'timestampSubMsNanos'],
      // Not numbers at all (untyped callers): never coerced into a time.
      [null as unknown as number, 0, 'timestampMs'],
      ['1700000000000' as unknown as number, 0, 'timestampMs'],
      [0, true as unknown as number, 'timestampSubMsNanos'],
      [1n as unknown as number, 0, 'timestampMs'],
    ];
    for (const [ms, subMs, field] of bad) {
      const err = catchError(() => viaParts(encoder, ms, subMs));
      expect(err instanceof InvalidTradeFieldError, `${ms} ms + ${subMs} ns`).toBe(true);
      expect((err as InvalidTradeFieldError).field).toBe(field);
      const rxErr = catchError(() => viaParts(encoder, 0, 0, ms, subMs));
      expect((rxErr as InvalidTradeFieldError).field).toBe(field.replace('timestamp', 'received'));
    }
    expect(hex(encoder.buffer.subarray(0, encoder.length))).toBe(before);
  });

  it('rejects id ranges outside the id buffer and bad sides', () => {
    const encoder = new TradeEncoder();
    const calls: Array<() => number> = [
      () => encoder.encodeParts(0, 0, 0, 0, ticker, 1, 1, TradeSide.buy, frame, 5, 4),
      () => encoder.encodeParts(0, 0, 0, 0, ticker, 1, 1, TradeSide.buy, frame, -1, 4),
      () => encoder.encodeParts(0, 0, 0, 0, ticker, 1, 1, TradeSide.buy, frame, 0, frame.length + 1),
      () => encoder.encodeParts(0, 0, 0, 0, ticker, 1, 1, 7 as TradeSide, frame, 0, 1),
    ];
    for (const call of calls) expect(catchError(call) instanceof InvalidTradeFieldError).toBe(true);
    const tooLong = catchError(() =>
      new TradeEncoder({ maxTextBytes: 19 }).encodeParts(0, 0, 0, 0, ticker, 1, 1, 0, frame, idStart, idEnd),
    );
    expect(tooLong instanceof TradeTextTooLongError).toBe(true);
    expect(encoder.length).toBe(0);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('TradeEncoder.encodeFields', () => {
  it('writes the same bytes as encodeParts, reading the numbers from objects', () => {
    const ticker = new TextEncoder().encode('ETHUSDT');
    const frame = new TextEncoder().encode('{"t":705291099}');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 44 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 2 ** 44 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.double(),
        fc.double(),
        fc.constantFrom(0, 1, 2),
        (tsMs, tsSub, rxMs, rxSub, price, size, side) => {
          const a = new TradeEncoder();
          const b = new TradeEncoder();
          const la = a.encodeParts(
            tsMs,
            tsSub,
            rxMs,
            rxSub,
            ticker,
            price,
            size,
            side as 0 | 1 | 2,
            frame,
            5,
            14,
          );
          const lb = b.encodeFields(
            { timestampMs: tsMs, timestampSubMsNanos: tsSub, price, size, side: side as 0 | 1 | 2 },
            { ms: rxMs, subMsNanos: rxSub },
            ticker,
            frame,
            5,
            14,
          );
          expect(lb).toBe(la);
          expect(b.bytes).toEqual(a.bytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reuses the split of a repeated receive time and still follows every change of it', () => {
    // One encoder across a run of trades, some sharing a receive time (as trades of one message do),
    // must write what a fresh encoder writes for each.
    const ticker = new TextEncoder().encode('ETHUSDT');
    const frame = new TextEncoder().encode('{"t":705291099}');
    const shared = new TradeEncoder();
    const fields = { timestampMs: 1, timestampSubMsNanos: 2, price: 3.5, size: 4, side: 0 as const };
    const receivedTimes: Array<[number, number]> = [
      [1_700_000_000_000, 5],
      [1_700_000_000_000, 5],
      [1_700_000_000_000, 6],
      [1_700_000_000_001, 6],
      [1_700_000_000_001, 6],
      [0, 0],
      [2 ** 44, 999_999],
    ];
    for (const [ms, subMsNanos] of receivedTimes) {
      shared.encodeFields(fields, { ms, subMsNanos }, ticker, frame, 5, 14);
      const fresh = new TradeEncoder();
      fresh.encodeFields(fields, { ms, subMsNanos }, ticker, frame, 5, 14);
      expect(shared.bytes).toEqual(fresh.bytes);
    }
    // A refused receive time is not remembered as split: the same value is refused again.
    const bad = { ms: -1, subMsNanos: 6 };
    for (let i = 0; i < 2; i++) {
      expect(() => shared.encodeFields(fields, bad, ticker, frame, 5, 14)).toThrow(/receivedMs/);
    }
  });

  it('refuses an out-of-range receive time before writing', () => {
    const encoder = new TradeEncoder();
    const ticker = new TextEncoder().encode('X');
    expect(() =>
      encoder.encodeFields(
        { timestampMs: 1, timestampSubMsNanos: 0, price: 1, size: 1, side: 0 },
        { ms: 1, subMsNanos: 1_000_000 },
        ticker,
        ticker,
        0,
        1,
      ),
    ).toThrow(/receivedSubMsNanos/);
  });
});

describe("Wire (the encoder's inlined layout)", () => {
  it('has exactly the offsets of trade-layout.ts, member for member', () => {
    const data = 8 + 8;
    const pointers = data + TRADE_DATA_WORDS * 8;
    // A numeric enum also maps each value back to its name: keep the names only.
    const members = Object.fromEntries(Object.entries(Wire).filter(([name]) => Number.isNaN(Number(name))));
    expect(members).toEqual({
      frameBytes: 8,
      rootPointer: 8,
      data,
      timestamp: data + TIMESTAMP_OFFSET,
      received: data + RECEIVED_OFFSET,
      price: data + PRICE_OFFSET,
      size: data + SIZE_OFFSET,
      side: data + SIDE_OFFSET,
      tickerPointer: pointers + TICKER_POINTER * 8,
      tradeIdPointer: pointers + TRADE_ID_POINTER * 8,
      texts: pointers + TRADE_POINTER_COUNT * 8,
      rootSizeWord: TRADE_DATA_WORDS | (TRADE_POINTER_COUNT << 16),
      listElementByte: LIST_ELEMENT_BYTE,
    });
  });
});

describe('TradeEncoder portableWrites', () => {
  it('writes through a DataView only when asked, with the same bytes', () => {
    const ticker = utf8.encode('BTCUSDT');
    const frame = utf8.encode('{"t":42}');
    const fields = {
      timestampMs: 1_700_000_000_000,
      timestampSubMsNanos: 7,
      price: 1.5,
      size: 2,
      side: 1 as const,
    };
    const received = { ms: 1_700_000_000_001, subMsNanos: 0 };
    const calls = { count: 0 };
    const original = DataView.prototype.setFloat64;
    DataView.prototype.setFloat64 = function (this: DataView, ...args: Parameters<DataView['setFloat64']>) {
      calls.count++;
      return original.apply(this, args);
    };
    try {
      const fast = new TradeEncoder();
      fast.encodeFields(fields, received, ticker, frame, 5, 7);
      expect(calls.count).toBe(0);
      const portableOptions: TradeEncoderInternalOptions = { portableWrites: true };
      const portable = new TradeEncoder(portableOptions);
      portable.encodeFields(fields, received, ticker, frame, 5, 7);
      expect(calls.count).toBe(2); // price and size
      expect(hex(portable.bytes)).toBe(hex(fast.bytes));
    } finally {
      DataView.prototype.setFloat64 = original;
    }
  });

  it('rejects a portableWrites that is not a boolean', () => {
    const options: TradeEncoderInternalOptions = { portableWrites: 'yes' as unknown as boolean };
    expect(() => new TradeEncoder(options)).toThrow(InvalidArgumentError);
  });
});
