/**
 * The three pieces together on every real venue protocol: the simulator
 * speaks the venue, the live source records it byte-exact, and the venue's
 * own parser finds every simulated trade with contiguous ids.
 */

import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import type { ParsedTrade, VenueName } from '../../src/feeds/venue-feed.js';
import { createParser, VENUE_NAMES, venueProtocol } from '../../src/feeds/venues.js';
import type { SourceEvent } from '../../src/sources/message-source.js';
import { SimulatorServer } from '../../src/sources/simulator.js';
import { WebSocketSource } from '../../src/sources/websocket-source.js';

const SYMBOLS: Record<VenueName, string[]> = {
  binance: ['BTCUSDT', 'ETHUSDT'],
  coinbase: ['BTC-USD', 'ETH-USD'],
  kraken: ['BTC/USD', 'ETH/USD'],
  bybit: ['BTCUSDT', 'ETHUSDT'],
  okx: ['BTC-USDT', 'ETH-USDT'],
};

const running: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

describe.each(VENUE_NAMES)('%s over the simulator', (venue) => {
  it('records every frame byte-exact, keeps alive, resubscribes, and every trade parses with contiguous ids', async () => {
    const protocol = venueProtocol(venue);
    const symbols = SYMBOLS[venue];
    const sim = new SimulatorServer({ protocol, symbols, messagesPerSecond: 400, seed: 11 });
    running.push(sim);
    await sim.start();
    const source = new WebSocketSource({
      protocol,
      symbols,
      url: sim.url,
      keepAliveIntervalMs: 40,
      staleAfterMs: 400,
      backoff: { initialDelayMs: 10, maxDelayMs: 10 },
    });
    running.push(source);
    const frames: Buffer[] = [];
    const events: SourceEvent[] = [];
    source.onMessage((bytes) => frames.push(Buffer.from(bytes)));
    source.onEvent((event) => events.push(event));
    source.start();

    await waitFor('trades', () => sim.stats().tradeMessages >= 60);
    sim.dropConnections();
    await waitFor('reconnected', () => events.some((e) => e.type === 'reconnected'));
    const resumedAt = sim.stats().tradeMessages;
    await waitFor('trades after the reconnect', () => sim.stats().tradeMessages >= resumedAt + 60);
    sim.setRate(0);
    // Frames in flight when the connection was cut are lost; compare each connection's frames separately.
    const connections = [...new Set(sim.sent.map((frame) => frame.connection))];
    expect(connections).toEqual([1, 2]);
    const secondStart = () => frames.length - sim.sent.filter((f) => f.connection === 2).length;
    await waitFor('everything sent on connection 2', () => {
      const sent = sim.sent.filter((f) => f.connection === 2);
      const tail = frames.slice(-sent.length);
      return tail.length === sent.length && tail.every((frame, i) => frame.equals(sent[i]?.data as Buffer));
    });
    const firstConnection = frames.slice(0, secondStart());
    const sentFirst = sim.sent.filter((f) => f.connection === 1);
    // What arrived on the dropped connection is exactly what was sent, up to the cut.
    expect(firstConnection.length).toBeGreaterThan(10);
    expect(firstConnection).toEqual(sentFirst.slice(0, firstConnection.length).map((f) => f.data));

    expect(source.status().staleDetections).toBe(0);
    expect(source.status().keepAlivesSent).toBeGreaterThan(0);
    const subscribes = protocol.subscribeMessages(symbols);
    expect(sim.received.filter((f) => subscribes.includes(f.text)).length).toBe(subscribes.length * 2);

    const parser = createParser(venue);
    const tradeIds = new Map<string, number[]>();
    const sink = {
      onTrade(trade: ParsedTrade): void {
        const symbol =
          trade.symbol ??
          Buffer.from(trade.bytes.subarray(trade.symbolStart, trade.symbolEnd)).toString('utf8');
        const ids = tradeIds.get(symbol) ?? [];
        ids.push(trade.tradeIdNumber);
        tradeIds.set(symbol, ids);
      },
    };
    for (const frame of frames) parser.parse(frame, 0, frame.length, sink);
    expect(parser.malformedMessages).toBe(0);
    // Only trades lost in flight at the drop may be missing, and then as one gap per symbol at most.
    const sentTrades = sim.stats().trades;
    expect(parser.trades).toBeLessThanOrEqual(sentTrades);
    expect(parser.trades).toBeGreaterThan(sentTrades * 0.5);
    expect([...tradeIds.keys()].sort()).toEqual([...symbols].sort());
    for (const [symbol, ids] of tradeIds) {
      let gaps = 0;
      for (let i = 1; i < ids.length; i++) {
        expect(ids[i], symbol).toBeGreaterThan(ids[i - 1] as number);
        if (ids[i] !== (ids[i - 1] as number) + 1) gaps++;
      }
      expect(gaps, symbol).toBeLessThanOrEqual(1);
    }
  });
});
