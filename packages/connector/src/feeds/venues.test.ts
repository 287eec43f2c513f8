import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { describe, expect, it } from 'vitest';
import { createParser, VENUE_NAMES, VENUES, venueDefinition, venueProtocol } from './venues.js';

describe('venue registry', () => {
  it('names every venue once, in registry order', () => {
    expect(VENUE_NAMES).toEqual(['binance', 'coinbase', 'kraken', 'bybit', 'okx']);
    expect(new Set(VENUE_NAMES).size).toBe(VENUE_NAMES.length);
  });

  it.each(VENUE_NAMES)('%s: its entry agrees with itself (parser, protocol, symbols, book)', (venue) => {
    const entry = venueDefinition(venue);
    expect(entry).toBe(VENUES[venue]);
    expect(entry.displayName.toLowerCase()).toBe(venue);
    expect(entry.protocol.venue).toBe(venue);
    expect(venueProtocol(venue)).toBe(entry.protocol);
    expect(createParser(venue).venue).toBe(venue);
    expect(entry.defaultSymbols.length).toBeGreaterThan(0);
    expect(entry.createBookSync(() => undefined).counters.updates).toBe(0);
  });

  it('refuses a venue outside the registry, naming the argument', () => {
    expect(() => venueDefinition('nasdaq' as 'okx')).toThrow(InvalidArgumentError);
    expect(() => venueDefinition('toString' as 'okx')).toThrow(InvalidArgumentError);
  });
});
