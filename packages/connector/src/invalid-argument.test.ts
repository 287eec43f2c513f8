import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { TradeEncoder } from './codec/trade-encoder.js';
import { venueBookDepth } from './feeds/book-subscriptions.js';
import type { VenueProtocol } from './feeds/venue-feed.js';
import { RingBuffer } from './ring/ring-buffer.js';
import { MarketWalk } from './simulator/market-walk.js';
import { simulateMessages } from './simulator/simulate-messages.js';
import type { VenueEmulation } from './simulator/venue-emulation.js';
import { LineReplaySource } from './sources/line-replay-source.js';
import { validateBackoff } from './sources/reconnect-backoff.js';
import { WebSocketSource } from './sources/websocket-source.js';

const dir = mkdtempSync(join(tmpdir(), 'invalid-argument-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `argument` of the InvalidArgumentError `run` throws. */
function argumentOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).argument;
  }
  throw new Error('expected a throw');
}

describe('InvalidArgumentError.argument in the connector', () => {
  it('names the parameter or option the caller passed', () => {
    expect(argumentOf(() => new TradeEncoder({ maxTextBytes: -1 }))).toBe('maxTextBytes');
    expect(argumentOf(() => new TradeEncoder({ initialCapacity: 0.5 }))).toBe('initialCapacity');
    expect(argumentOf(() => venueBookDepth('kraken', 0))).toBe('depth');

    const emulation = { venue: 'kraken', maxTradesPerMessage: 5 } as VenueEmulation;
    expect(argumentOf(() => simulateMessages(emulation, ['X'], -1, 1))).toBe('count');
    expect(argumentOf(() => simulateMessages(emulation, ['X'], 1, 1, { stepMicros: 0.5 }))).toBe(
      'stepMicros',
    );
    expect(argumentOf(() => simulateMessages(emulation, ['X', 'X'], 1, 1))).toBe('symbols');
    const walk = new MarketWalk(['X'], {
      venue: 'kraken',
      seed: 1,
      maxTradesPerMessage: 1,
      skipProbability: 0,
    });
    expect(argumentOf(() => walk.skipTradeIds('Y', 1))).toBe('symbol');
    expect(argumentOf(() => walk.skipTradeIds('X', 0))).toBe('count');

    const curve = { initialDelayMs: 100, maxDelayMs: 10, multiplier: 2 };
    expect(argumentOf(() => validateBackoff(curve))).toBe('backoff.maxDelayMs');
    expect(argumentOf(() => validateBackoff(curve, 'books.resyncBackoff'))).toBe(
      'books.resyncBackoff.maxDelayMs',
    );
    const protocol = { keepAlive: { intervalMs: 50 }, staleAfterMs: 250 } as VenueProtocol;
    expect(argumentOf(() => new WebSocketSource({ protocol, symbols: [], url: 'http://x/' }))).toBe('url');
    expect(
      argumentOf(() => new WebSocketSource({ protocol, symbols: [], url: 'ws://x/', staleAfterMs: 0 })),
    ).toBe('staleAfterMs');
    expect(argumentOf(() => new LineReplaySource({ path: 'unused', chunkBytes: 0 }))).toBe('chunkBytes');

    const ring = RingBuffer.open(join(dir, 'r.ring'), { slotSize: 128, slotCount: 16 });
    try {
      const bytes = new Uint8Array(8);
      expect(argumentOf(() => ring.tryWrite(bytes, -1))).toBe('start');
      expect(argumentOf(() => ring.tryWrite(bytes, 0, 9))).toBe('end');
      expect(argumentOf(() => ring.tryWrite(bytes, 6, 2))).toBe('end');
      expect(argumentOf(() => ring.startSequenceAt(-1))).toBe('sequence');
      expect(argumentOf(() => ring.readBatch(1, () => {}, 1))).toBe('skip');
      expect(argumentOf(() => ring.release(1))).toBe('count');
    } finally {
      ring.close();
    }
  });
});
