/**
 * The per-venue layout fast paths: messages in each venue's exact byte layout
 * must parse through them, with results identical to the `JSON.parse`
 * reference whatever the values (ids beyond 2^53, exponents, escapes, unicode
 * tickers); a message that follows the layout up to some byte and then differs
 * must still parse exactly like the reference, through the general scanner.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageKind } from '../../src/feeds/message-kind.js';
import type { VenueName } from '../../src/feeds/venue-feed.js';
import type { VenueParser } from '../../src/feeds/venue-parser.js';
import { createParser, VENUE_NAMES } from '../../src/feeds/venues.js';
import { venueEmulation } from '../../src/simulator/emulations.js';
import { prng, tradesArb } from './message-gen.js';
import { type Parsed, run } from './parse-helpers.js';
import { VENUE_SAMPLES } from './venue-samples.js';

/** Values of one generated trade, as the JSON text each is sent as. */
interface LayoutTrade {
  /** The ticker as a JSON string literal (quotes included, maybe escaped). */
  symbol: string;
  /** True when the ticker is printable ASCII without escapes, so a byte range of it is the ticker. */
  plainSymbol: boolean;
  id: string;
  price: string;
  size: string;
  time: string;
  buy: boolean;
}

const plainSymbolArb = fc.constantFrom('BTCUSDT', 'ETH-USD', 'BTC/USD', 'BTC-28APR23-29500-C', 'x');
const symbolArb = fc.oneof(
  { weight: 4, arbitrary: plainSymbolArb.map((s) => ({ symbol: JSON.stringify(s), plainSymbol: true })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('这是测试币456', 'A"B\\C', 'ÉTH')
      .map((s) => ({ symbol: JSON.stringify(s), plainSymbol: false })),
  },
  { weight: 1, arbitrary: plainSymbolArb.map((s) => ({ symbol: `"\\u0042${s}"`, plainSymbol: false })) },
);
const digitsArb = (maxLength: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{0,${maxLength - 1}}$`));
/** Ids: safe integers, integers beyond 2^53 (up to 25 digits), zero. */
const idArb = fc.oneof(
  fc.nat({ max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 25n }).map(String),
  fc.constant('0'),
);
/** Decimals: plain (up to 20 significant digits), exponents, zero forms. */
const decimalArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(digitsArb(9), fc.stringMatching(/^[0-9]{1,12}$/)).map(([i, f]) => `${i}.${f}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('0', '12'), fc.stringMatching(/^[0-9]{1,8}$/))
      .map(([i, f]) => `${i}.${f}`),
  },
  { weight: 1, arbitrary: digitsArb(20) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(digitsArb(4), fc.constantFrom('e', 'E', 'e-', 'E+'), fc.integer({ min: 0, max: 30 }))
      .map(([m, e, x]) => `${m}${e}${x}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('0', '0.0', '0.000000001', '1.5e-3') },
);
/** Epoch times in ms, in µs (Binance `timeUnit=MICROSECOND`), and beyond 2^53. */
const epochArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String) },
  fc.integer({ min: 1e15, max: 4_102_444_800_000_000 }).map(String),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 20n }).map(String),
);

const layoutTradeArb: fc.Arbitrary<LayoutTrade> = fc
  .record({
    symbol: symbolArb,
    id: idArb,
    price: decimalArb,
    size: decimalArb,
    time: epochArb,
    buy: fc.boolean(),
  })
  .map(({ symbol, ...rest }) => ({ ...symbol, ...rest }));

function rfc3339(epoch: string): string {
  const ms = Number(epoch) % 4_102_444_800_000;
  return `${new Date(ms).toISOString().slice(0, 23)}${epoch.slice(-3)}Z`;
}

/** A trade message of `venue` in the venue's exact layout (as the live feed and the simulator send it). */
function layoutMessage(venue: VenueName, trades: readonly LayoutTrade[]): string {
  const first = trades[0]!;
  switch (venue) {
    case 'binance':
      return (
        `{"stream":"btcusdt@trade","data":{"e":"trade","E":1700000000000,"s":${first.symbol},"t":${first.id},` +
        `"p":"${first.price}","q":"${first.size}","T":${first.time},"m":${!first.buy},"M":true}}`
      );
    case 'coinbase':
      return (
        `{"type":"match","trade_id":${first.id},"maker_order_id":"ac928c66-ca53-498f-9c13-a110027a60e8",` +
        `"taker_order_id":"0e9b1d2c-1b23-4c56-8d9e-0f1a2b3c4d5e","side":"${first.buy ? 'sell' : 'buy'}",` +
        `"size":"${first.size}","price":"${first.price}","product_id":${first.symbol},"sequence":50,` +
        `"time":"${rfc3339(first.time)}"}`
      );
    case 'kraken':
      return `{"channel":"trade","type":"update","data":[${trades
        .map(
          (t) =>
            `{"symbol":${t.symbol},"side":"${t.buy ? 'buy' : 'sell'}","price":${t.price},"qty":${t.size},` +
            `"ord_type":"limit","trade_id":${t.id},"timestamp":"${rfc3339(t.time)}"}`,
        )
        .join(',')}]}`;
    case 'bybit':
      return `{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1700000000000,"data":[${trades
        .map(
          (t) =>
            `{"T":${t.time},"s":${t.symbol},"S":"${t.buy ? 'Buy' : 'Sell'}","v":"${t.size}","p":"${t.price}",` +
            `"L":"PlusTick","i":"${t.id}","BT":false,"RPI":true,"seq":4976907633}`,
        )
        .join(',')}]}`;
    case 'okx':
      return `{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[${trades
        .map(
          (t) =>
            `{"instId":${t.symbol},"tradeId":"${t.id}","px":"${t.price}","sz":"${t.size}",` +
            `"side":"${t.buy ? 'buy' : 'sell'}","ts":"${t.time}","count":"1","source":"0","seqId":977907633}`,
        )
        .join(',')}]}`;
  }
}

/**
 * True when every value is one the layout path reads itself (the rest it must hand on). Coinbase and Kraken
 * times are RFC 3339 text built from a valid date, always readable.
 */
function fullyInLayout(trades: readonly LayoutTrade[]): boolean {
  return trades.every(
    (t) =>
      t.plainSymbol &&
      Number.isSafeInteger(Number(t.time)) &&
      Number.isFinite(Number(t.price)) &&
      Number.isFinite(Number(t.size)),
  );
}

function same(reference: Parsed, other: Parsed, message: string): void {
  expect(other.kind, message).toBe(reference.kind);
  expect(other.trades, message).toEqual(reference.trades);
  expect(other.nonTradeKind, message).toBe(reference.nonTradeKind);
  expect(other.reason, message).toBe(reference.reason);
}

function parsers(venue: VenueName): { fast: VenueParser; reference: VenueParser } {
  return {
    fast: createParser(venue, { backend: 'scanner' }),
    reference: createParser(venue, { backend: 'json' }),
  };
}

describe('venue layout fast paths', () => {
  for (const venue of VENUE_NAMES) {
    const batchArb =
      venue === 'binance' || venue === 'coinbase'
        ? layoutTradeArb.map((t) => [t])
        : fc.array(layoutTradeArb, { minLength: 1, maxLength: 4 });

    it(`${venue}: the simulator's trade messages all take the layout path`, () => {
      const { fast } = parsers(venue);
      const emulation = venueEmulation(venue);
      for (const trades of fc.sample(tradesArb(venue), { numRuns: 200, seed: 11 })) {
        if (!trades.every((t) => /^[\x20-\x7e]+$/.test(t.symbol) && !/["\\]/.test(t.symbol))) continue;
        const result = run(fast, emulation.formatTrades(trades));
        expect(result.kind).toBe(MessageKind.trades);
        expect(result.ranges).toBe(true);
      }
      expect(fast.tradeMessages).toBeGreaterThan(50);
      expect(fast.layoutMisses).toBe(0);
      expect(fast.scannerFallbacks).toBe(0);
    });

    it(`${venue}: random values in the exact layout give what JSON.parse gives`, () => {
      const { fast, reference } = parsers(venue);
      let viaLayout = 0;
      let handedOn = 0;
      fc.assert(
        fc.property(batchArb, (trades) => {
          const message = layoutMessage(venue, trades);
          const missesBefore = fast.layoutMisses;
          const result = run(fast, message);
          same(run(reference, message), result, message);
          if (fast.layoutMisses === missesBefore) viaLayout++;
          else handedOn++;
          if (fullyInLayout(trades)) {
            // Everything the layout can read itself, it reads: no detour through the general scanner.
            expect(fast.layoutMisses, message).toBe(missesBefore);
            expect(result.kind, message).toBe(MessageKind.trades);
            expect(result.ranges, message).toBe(true);
            for (const [i, trade] of result.trades.entries()) {
              expect(trade.price).toBe(Number(trades[i]!.price));
              expect(trade.size).toBe(Number(trades[i]!.size));
              expect(trade.tradeId).toBe(trades[i]!.id);
              const safe = Number.isSafeInteger(Number(trades[i]!.id));
              expect(trade.tradeIdNumber).toBe(safe ? Number(trades[i]!.id) : -1);
            }
          }
        }),
        { numRuns: 400, seed: 0x1a7 + venue.length },
      );
      // Both branches must be exercised, or the property proves little.
      expect(viaLayout).toBeGreaterThan(50);
      expect(handedOn).toBeGreaterThan(20);
    });

    it(`${venue}: a message that leaves the layout at any byte still parses like JSON.parse`, () => {
      const { fast, reference } = parsers(venue);
      const random = prng(venue.length);
      const base = fc.sample(
        batchArb.filter((t) => fullyInLayout(t)),
        { numRuns: 3, seed: 5 },
      );
      const edits = [' ', 'x', '"', ',', '0', '}', '\\n'];
      let checked = 0;
      for (const trades of base) {
        const message = layoutMessage(venue, trades);
        for (let at = 0; at <= message.length; at++) {
          const edit = edits[Math.floor(random() * edits.length)]!;
          const variants = [
            message.slice(0, at) + edit + message.slice(at),
            message.slice(0, at) + edit + message.slice(at + 1),
            message.slice(0, at),
          ];
          for (const variant of variants) {
            same(run(reference, variant), run(fast, variant), variant);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(300);
      expect(fast.layoutMisses).toBeGreaterThan(checked / 2);
    });
  }

  it('takes the layout path for the verbatim venue frames sent in the live layout', () => {
    const live = [
      'coinbase 2a match 1',
      'bybit 4b recorded frame',
      'bybit 4c LTCUSDT',
      'okx 5b trade BTC-USD-220527',
      'okx 5b trade BTC-USDT',
    ];
    for (const name of live) {
      const sample = VENUE_SAMPLES.find((s) => `${s.venue} ${s.name}` === name);
      expect(sample, name).toBeDefined();
      const parser = createParser(sample!.venue);
      const result = run(parser, sample!.message);
      expect(result.trades, name).toEqual(sample!.expect);
      expect(parser.layoutMisses, name).toBe(0);
    }
  });

  it('reads a Kraken snapshot in the layout as replayed trades: counted, published only when asked', () => {
    const message =
      '{"channel":"trade","type":"snapshot","data":[{"symbol":"BTC/USD","side":"sell","price":27500.1,"qty":0.5,"ord_type":"limit","trade_id":7,"timestamp":"2023-10-06T17:35:55.440295Z"}]}';
    const counting = createParser('kraken');
    const result = run(counting, message);
    expect(result.kind).toBe(MessageKind.nonTrade);
    expect(result.trades).toEqual([]);
    const publishing = createParser('kraken', { publishSnapshots: true });
    const published = run(publishing, message);
    expect(published.trades).toEqual(
      run(createParser('kraken', { backend: 'json', publishSnapshots: true }), message).trades,
    );
    expect(published.trades[0]?.price).toBe(27500.1);
    expect(counting.layoutMisses + publishing.layoutMisses).toBe(0);
  });

  it('hands an aggTrade and a heartbeat to the general scanner, counted as layout misses', () => {
    const binance = createParser('binance');
    run(
      binance,
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":5,"p":"1","q":"1","f":1,"l":2,"T":1,"m":true,"M":true}}',
    );
    const kraken = createParser('kraken');
    expect(run(kraken, '{"channel":"heartbeat"}').kind).toBe(MessageKind.nonTrade);
    expect(binance.layoutMisses).toBe(1);
    expect(binance.scannerFallbacks).toBe(0);
    expect(kraken.layoutMisses).toBe(1);
    binance.resetCounters();
    expect(binance.layoutMisses).toBe(0);
  });
});
