/**
 * A small JSON venue for the source tests, independent of the real venue
 * modules: trades as `{"data":[{"s","i","p","q","S","T","u"}]}`, text or
 * ws-ping keep-alives, a subscribe ack and a status control message.
 */
import type { VenueProtocol } from '../../src/feeds/venue-feed.js';
import type { SimTrade, VenueEmulation } from '../../src/simulator/venue-emulation.js';

/** Knobs of {@link fixtureProtocol}. */
export interface FixtureOptions {
  keepAlive?: VenueProtocol['keepAlive'];
  staleAfterMs?: number;
  /** `false`: streams chosen by URL, no subscribe frame (Binance style). */
  subscribe?: boolean;
  maxTradesPerMessage?: number;
}

/** The subscribe frame the fixture venue expects. */
export function fixtureSubscribe(symbols: readonly string[]): string {
  return JSON.stringify({ op: 'subscribe', args: symbols });
}

/** A fixture venue protocol (the client half). */
export function fixtureProtocol(options: FixtureOptions = {}): VenueProtocol {
  return {
    venue: 'okx',
    liveUrl: (symbols) => `wss://fixture.invalid/ws?streams=${symbols.join(',')}`,
    subscribeMessages: (symbols) => (options.subscribe === false ? [] : [fixtureSubscribe(symbols)]),
    keepAlive: options.keepAlive ?? { intervalMs: 50, kind: 'text', payload: 'ping' },
    staleAfterMs: options.staleAfterMs ?? 250,
  };
}

/** The fixture venue's server half, as the simulator plays it. */
export function fixtureEmulation(options: FixtureOptions = {}): VenueEmulation {
  return {
    venue: 'okx',
    maxTradesPerMessage: options.maxTradesPerMessage ?? 4,
    formatTrades: (trades: readonly SimTrade[]) =>
      JSON.stringify({
        data: trades.map((t) => ({
          s: t.symbol,
          i: t.tradeId,
          p: t.price,
          q: t.size,
          S: t.side,
          T: t.timestampMs,
          u: t.timestampMicros,
        })),
      }),
    respondTo: (frame) => {
      if (frame === 'ping') return ['pong'];
      if (frame.startsWith('{"op":"subscribe"')) return ['{"event":"subscribe","ok":true}'];
      return [];
    },
    controlMessages: () => ['{"event":"status","status":"open"}'],
  };
}

/** Both halves of the fixture venue, for a `SimulatorServer`. */
export function fixtureServer(options: FixtureOptions = {}): {
  protocol: VenueProtocol;
  emulation: VenueEmulation;
} {
  return { protocol: fixtureProtocol(options), emulation: fixtureEmulation(options) };
}

/** A fixture trade as parsed back from a message. */
export interface FixtureTrade {
  s: string;
  i: number;
  p: string;
  q: string;
  S: 'buy' | 'sell';
  T: number;
  u: number;
}

/** The trades of a fixture trade message, or `[]` for any other frame (acks, pongs, garbage). */
export function parseFixtureTrades(bytes: Uint8Array): FixtureTrade[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof value === 'object' && value !== null && Array.isArray((value as { data?: unknown }).data)) {
      return (value as { data: FixtureTrade[] }).data;
    }
  } catch {
    // Garbage frames are expected in these tests.
  }
  return [];
}

/** Sum of the trade-id gaps per symbol, counting from each symbol's first id. */
export function gapsPerSymbol(
  trades: readonly FixtureTrade[],
  firstIds: ReadonlyMap<string, number>,
): Map<string, number> {
  const next = new Map(firstIds);
  const gaps = new Map<string, number>([...firstIds.keys()].map((s) => [s, 0]));
  for (const trade of trades) {
    const expected = next.get(trade.s);
    if (expected === undefined) throw new Error(`unexpected symbol ${trade.s}`);
    if (trade.i < expected) throw new Error(`trade id went back on ${trade.s}: ${trade.i} < ${expected}`);
    gaps.set(trade.s, (gaps.get(trade.s) ?? 0) + trade.i - expected);
    next.set(trade.s, trade.i + 1);
  }
  return gaps;
}
