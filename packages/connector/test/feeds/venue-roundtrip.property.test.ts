import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageKind } from '../../src/feeds/message-kind.js';
import { createParser, VENUE_NAMES, venueProtocol } from '../../src/feeds/venues.js';
import { venueEmulation } from '../../src/simulator/emulations.js';
import { expectedTrades, prng, serialize, tradeModel, tradesArb } from './message-gen.js';
import { BACKENDS, run } from './parse-helpers.js';

describe('simulated venue messages', () => {
  for (const venue of VENUE_NAMES) {
    it(`${venue}: formatTrades output parses back to the same trades on every backend`, () => {
      const emulation = venueEmulation(venue);
      const parsers = BACKENDS.map((backend) => createParser(venue, { backend }));
      fc.assert(
        fc.property(tradesArb(venue), (trades) => {
          const message = emulation.formatTrades(trades);
          const expected = expectedTrades(venue, trades);
          for (const parser of parsers) {
            const result = run(parser, message);
            expect(result.kind).toBe(MessageKind.trades);
            expect(result.trades).toEqual(expected);
          }
        }),
        { numRuns: 300, seed: 0x5eed + venue.length },
      );
    });

    it(`${venue}: shuffled keys, escapes, whitespace and extra fields change nothing, on every backend`, () => {
      const parsers = BACKENDS.map((backend) => createParser(venue, { backend }));
      fc.assert(
        fc.property(
          tradesArb(venue),
          fc.integer(),
          fc.record({
            escape: fc.constantFrom(0, 0.05, 0.5),
            whitespace: fc.constantFrom(0, 0.3, 1),
            shuffle: fc.boolean(),
            extra: fc.constantFrom(0, 0.5, 1),
          }),
          (trades, seed, style) => {
            const message = serialize(tradeModel(venue, trades), { random: prng(seed), ...style });
            const expected = expectedTrades(venue, trades);
            for (const parser of parsers) {
              const result = run(parser, message);
              expect(result.kind, message).toBe(MessageKind.trades);
              expect(result.trades, message).toEqual(expected);
            }
          },
        ),
        { numRuns: 400, seed: 0xa11 + venue.length },
      );
    });
  }

  it('protocols give live URLs, subscribe frames and keep-alives', () => {
    expect(venueProtocol('binance').liveUrl(['BTCUSDT', 'ETHUSDT'])).toBe(
      'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/ethusdt@trade',
    );
    expect(
      venueProtocol('bybit').subscribeMessages(Array.from({ length: 12 }, (_, i) => `S${i}`)),
    ).toHaveLength(2);
    expect(venueProtocol('okx').keepAlive).toEqual({ intervalMs: 25_000, kind: 'text', payload: 'ping' });
    for (const venue of VENUE_NAMES) {
      const protocol = venueProtocol(venue);
      expect(protocol.staleAfterMs).toBeGreaterThan(protocol.keepAlive.intervalMs);
      expect(protocol.liveUrl(['X']).startsWith('wss://')).toBe(true);
    }
  });
});

describe('typed errors of the feed API', () => {
  it('rejects unknown venues and backends', () => {
    expect(() => createParser('nasdaq' as 'okx')).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT', argument: 'venue' }),
    );
    expect(() => createParser('okx', { backend: 'yaml' as 'json' })).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT', argument: 'backend' }),
    );
    expect(() => venueProtocol('nasdaq' as 'okx')).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT' }),
    );
  });
});
