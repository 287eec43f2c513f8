import { createParser, type ParsedTrade } from '@marketpipe/connector/feeds';
import { simulateMessages, venueEmulation } from '@marketpipe/connector/simulator';
import { VENUE_NAMES, VENUES } from '@marketpipe/connector/venues';
import { describe, expect, it } from 'vitest';
import { CLI_VENUES, VENUE_CHOICES } from './venue-defaults.js';

/** Plausible price ranges by base asset; far apart, so swapped levels cannot pass. */
const PRICE_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  BTC: [50_000, 200_000],
  ETH: [1_000, 10_000],
};

describe('default symbols in the simulator', () => {
  it.each(VENUE_NAMES)('%s: every default symbol trades in its plausible price range', (venue) => {
    const symbols = VENUES[venue].defaultSymbols;
    const prices = new Map<string, number[]>();
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const parser = createParser(venue);
    const sink = {
      onTrade(trade: ParsedTrade) {
        const symbol =
          trade.symbol ?? decoder.decode(trade.bytes.subarray(trade.symbolStart, trade.symbolEnd));
        prices.set(symbol, [...(prices.get(symbol) ?? []), trade.price]);
      },
    };
    for (const text of simulateMessages(venueEmulation(venue), symbols, 2000, 1)) {
      const bytes = encoder.encode(text);
      parser.parse(bytes, 0, bytes.length, sink);
    }
    for (const symbol of symbols) {
      const range = PRICE_RANGE[symbol.slice(0, 3)];
      expect(range, `${venue} ${symbol} has a known price range`).toBeDefined();
      const seen = prices.get(symbol) ?? [];
      expect(seen.length, symbol).toBeGreaterThan(100);
      expect(Math.min(...seen), symbol).toBeGreaterThan(range?.[0] ?? 0);
      expect(Math.max(...seen), symbol).toBeLessThan(range?.[1] ?? 0);
    }
  });
});

describe('venue choices', () => {
  it('lists every registry venue, in registry order, for --help', () => {
    expect(VENUE_CHOICES).toBe('binance | coinbase | kraken | bybit | okx');
    expect(VENUE_CHOICES.split(' | ')).toEqual(VENUE_NAMES);
    expect(CLI_VENUES).toEqual(VENUE_NAMES);
  });
});
