import { describe, expect, it } from 'vitest';
import { MessageKind } from '../../src/feeds/message-kind.js';
import { createParser, VENUE_NAMES, venueProtocol } from '../../src/feeds/venues.js';
import { venueEmulation } from '../../src/simulator/emulations.js';
import { BACKENDS, run } from '../feeds/parse-helpers.js';

describe("venue emulations (the simulator's server side)", () => {
  for (const venue of VENUE_NAMES) {
    it(`${venue}: the simulator's acks, pongs and control frames are non-trade messages`, () => {
      const protocol = venueProtocol(venue);
      const emulation = venueEmulation(venue);
      const symbols = venue === 'kraken' ? ['BTC/USD', 'ETH/USD'] : ['BTC-USDT', 'ETH-USDT'];
      const frames = [
        ...protocol.subscribeMessages(symbols).flatMap((frame) => emulation.respondTo(frame, symbols)),
        ...(protocol.keepAlive.kind === 'text'
          ? emulation.respondTo(protocol.keepAlive.payload, symbols)
          : []),
        ...emulation.controlMessages(symbols),
      ];
      if (venue !== 'binance') expect(frames.length).toBeGreaterThan(0);
      for (const backend of BACKENDS) {
        const parser = createParser(venue, { backend });
        for (const frame of frames) expect(run(parser, frame).kind, frame).toBe(MessageKind.nonTrade);
      }
    });
  }

  it('answers the OKX text ping with a text pong', () => {
    expect(venueEmulation('okx').respondTo('ping', [])).toEqual(['pong']);
  });

  it('rejects unknown venues', () => {
    expect(() => venueEmulation('nasdaq' as 'okx')).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT' }),
    );
  });

  const trade = {
    symbol: 'BTCUSDT',
    tradeId: 1,
    price: '1',
    size: '1',
    side: 'buy' as const,
    timestampMs: 1,
    timestampMicros: 0,
  };

  it('refuses simulated batches the venue never sends', () => {
    expect(() => venueEmulation('binance').formatTrades([trade, trade])).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_SIM_BATCH', reason: 'count' }),
    );
    expect(() => venueEmulation('coinbase').formatTrades([])).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_SIM_BATCH' }),
    );
    expect(() => venueEmulation('bybit').formatTrades([trade, { ...trade, symbol: 'ETHUSDT' }])).toThrow(
      expect.objectContaining({ code: 'MP_ERR_INVALID_SIM_BATCH', reason: 'mixed-symbols' }),
    );
  });
});
