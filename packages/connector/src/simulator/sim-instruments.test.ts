import { describe, expect, it } from 'vitest';
import type { VenueName } from '../feeds/venue-feed.js';
import { createParser, VENUE_NAMES } from '../feeds/venues.js';
import { venueEmulation } from './emulations.js';
import { formatDecimal } from './sim-instruments.js';
import { simulateMessages } from './simulate-messages.js';

/** Each venue's BTC and ETH spot tickers, with the tick and lot decimals of its listing. */
const LISTINGS: Readonly<Record<VenueName, readonly [string, number, number][]>> = {
  binance: [
    ['BTCUSDT', 2, 5],
    ['ETHUSDT', 2, 4],
  ],
  coinbase: [
    ['BTC-USD', 2, 8],
    ['ETH-USD', 2, 8],
  ],
  kraken: [
    ['BTC/USD', 1, 8],
    ['ETH/USD', 2, 8],
  ],
  bybit: [
    ['BTCUSDT', 2, 6],
    ['ETHUSDT', 2, 5],
  ],
  okx: [
    ['BTC-USDT', 1, 8],
    ['ETH-USDT', 2, 6],
  ],
};

/** Where a plausible tape of each base asset trades: far apart, so swapped levels cannot pass. */
const PRICE_RANGE = { BTC: [50_000, 200_000], ETH: [1_000, 10_000] } as const;
const MEAN_SIZE_RANGE = { BTC: [0.005, 0.1], ETH: [0.1, 2] } as const;

function isMultipleOf(value: number, decimals: number): boolean {
  const units = value * 10 ** decimals;
  return Math.abs(units - Math.round(units)) < 1e-6;
}

/** Prices and sizes per symbol, read back by the venue's own parser from simulated messages. */
function tape(venue: VenueName, symbols: readonly string[], seed: number) {
  const parser = createParser(venue);
  const seen = new Map<string, { prices: number[]; sizes: number[] }>();
  const decoder = new TextDecoder();
  const sink = {
    onTrade(trade: {
      bytes: Uint8Array;
      symbol: string | null;
      symbolStart: number;
      symbolEnd: number;
      price: number;
      size: number;
    }) {
      const symbol = trade.symbol ?? decoder.decode(trade.bytes.subarray(trade.symbolStart, trade.symbolEnd));
      const entry = seen.get(symbol) ?? { prices: [], sizes: [] };
      entry.prices.push(trade.price);
      entry.sizes.push(trade.size);
      seen.set(symbol, entry);
    },
  };
  const texts = [...simulateMessages(venueEmulation(venue), symbols, 4000, seed)];
  for (const text of texts) {
    const bytes = new TextEncoder().encode(text);
    parser.parse(bytes, 0, bytes.length, sink);
  }
  return { seen, texts };
}

describe('simulated instruments', () => {
  for (const venue of VENUE_NAMES) {
    it(`${venue}: BTC and ETH trade at plausible prices and sizes, on the venue's tick and lot`, () => {
      const listings = LISTINGS[venue];
      for (const seed of [1, 2, 99]) {
        const { seen } = tape(
          venue,
          listings.map(([symbol]) => symbol),
          seed,
        );
        for (const [symbol, priceDecimals, sizeDecimals] of listings) {
          const base = symbol.startsWith('BTC') ? 'BTC' : 'ETH';
          const entry = seen.get(symbol);
          expect(entry?.prices.length, symbol).toBeGreaterThan(1000);
          const { prices, sizes } = entry as { prices: number[]; sizes: number[] };
          const [low, high] = PRICE_RANGE[base];
          expect(Math.min(...prices), symbol).toBeGreaterThan(low);
          expect(Math.max(...prices), symbol).toBeLessThan(high);
          expect(
            prices.every((p) => isMultipleOf(p, priceDecimals)),
            `${symbol} tick`,
          ).toBe(true);
          expect(
            sizes.every((s) => s > 0 && isMultipleOf(s, sizeDecimals)),
            `${symbol} lot`,
          ).toBe(true);
          const meanSize = sizes.reduce((a, b) => a + b, 0) / sizes.length;
          expect(meanSize, `${symbol} mean size`).toBeGreaterThan(MEAN_SIZE_RANGE[base][0]);
          expect(meanSize, `${symbol} mean size`).toBeLessThan(MEAN_SIZE_RANGE[base][1]);
        }
      }
    });
  }

  it("writes decimals the venue's way: at the tick, padded to 8 (Binance), trailing zeros cut (OKX)", () => {
    const sample = (venue: VenueName, symbol: string) =>
      simulateMessages(venueEmulation(venue), [symbol], 1, 3).next().value as string;
    expect(sample('binance', 'BTCUSDT')).toMatch(/"p":"\d{5,6}\.\d\d000000","q":"\d+\.\d{5}000"/);
    expect(sample('coinbase', 'ETH-USD')).toMatch(/"size":"\d+\.\d{8}","price":"\d{4}\.\d\d"/);
    expect(sample('kraken', 'BTC/USD')).toMatch(/"price":\d{5,6}\.\d,"qty":\d+\.\d{8}/);
    expect(sample('bybit', 'ETHUSDT')).toMatch(/"v":"\d+\.\d{5}","p":"\d{4}\.\d\d"/);
    expect(sample('okx', 'BTC-USDT')).toMatch(/"px":"\d{5,6}(\.\d)?","sz":"\d+(\.\d*[1-9])?"/);
    expect(formatDecimal(6_701_235, 2, 'pad8')).toBe('67012.35000000');
    expect(formatDecimal(3_023_600, 2, 'trim')).toBe('30236');
    expect(formatDecimal(20_000, 8, 'trim')).toBe('0.0002');
    expect(formatDecimal(20_000, 8, 'tick')).toBe('0.00020000');
    expect(formatDecimal(7, 0, 'pad8')).toBe('7.00000000');
  });
});
