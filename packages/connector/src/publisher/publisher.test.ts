import { InMemoryTransport, Interner } from '@marketpipe/middleware';
import { describe, expect, it } from 'vitest';
import { TradeSide } from '../codec/trade-data.js';
import { TradeView } from '../codec/trade-view.js';
import { Publisher, SubjectCollisionError } from './publisher.js';

const utf8 = new TextEncoder();

function setup() {
  const transport = new InMemoryTransport();
  const interner = new Interner();
  const received: { subject: string; trade: ReturnType<TradeView['toTradeData']> }[] = [];
  const view = new TradeView();
  transport.subscribe('>', (payload, subject) => {
    view.wrap(payload);
    received.push({ subject, trade: view.toTradeData() });
  });
  const collisions: SubjectCollisionError[] = [];
  const publisher = new Publisher({
    transport,
    interner,
    env: 'test',
    venue: 'binance',
    onCollision: (e) => collisions.push(e),
  });
  return { transport, interner, publisher, received, collisions };
}

describe('Publisher', () => {
  it('publishes under {env}.{venue}.trade.{SYMBOL} with the ticker mapped to a token', () => {
    const { publisher, received } = setup();
    expect(publisher.prefix).toBe('test.binance.trade.');
    publisher.publish({
      timestampNanos: 1_700_000_000_123_456_789n,
      receivedNanos: 1_700_000_000_223_456_789n,
      ticker: 'BTC/USDT',
      price: 42_000.5,
      size: 0.25,
      side: TradeSide.sell,
      tradeId: '123456789012345678901',
    });
    expect(received).toEqual([
      {
        subject: 'test.binance.trade.BTC-USDT',
        trade: {
          timestampNanos: 1_700_000_000_123_456_789n,
          receivedNanos: 1_700_000_000_223_456_789n,
          ticker: 'BTC/USDT',
          price: 42_000.5,
          size: 0.25,
          side: TradeSide.sell,
          tradeId: '123456789012345678901',
        },
      },
    ]);
  });

  it('publishes from parts on the hot path, with the id taken from a byte range', () => {
    const { publisher, interner, received } = setup();
    const frame = utf8.encode('{"t":705291099,"s":"ETHUSDT"}');
    const id = interner.intern('ETHUSDT');
    expect(
      publisher.publishFields(
        id,
        { timestampMs: 1_639_351_062_243, timestampSubMsNanos: 0, price: 4149.74, size: 0.4387, side: 1 },
        { ms: 1_639_351_062_300, subMsNanos: 500 },
        frame,
        5,
        14,
      ),
    ).toBe(true);
    expect(received[0]?.subject).toBe('test.binance.trade.ETHUSDT');
    expect(received[0]?.trade).toMatchObject({
      timestampNanos: 1_639_351_062_243_000_000n,
      receivedNanos: 1_639_351_062_300_000_500n,
      ticker: 'ETHUSDT',
      tradeId: '705291099',
      side: TradeSide.sell,
    });
    expect(publisher.subjectFor(id)).toBe('test.binance.trade.ETHUSDT');
  });

  it('never lets a ticker add a subject token or a wildcard', () => {
    const { publisher, interner } = setup();
    for (const ticker of ['A.B', 'A*', '>', 'C D', '../x', 'x\0y', '这是测试币456']) {
      const subject = publisher.subjectFor(interner.intern(ticker));
      expect(subject?.split('.')).toHaveLength(4);
      expect(subject).toMatch(/^test\.binance\.trade\.[A-Za-z0-9_-]+$/);
    }
  });

  it('detects two tickers sharing a subject, reports it once and counts every refused trade', () => {
    const { publisher, interner, received, collisions } = setup();
    const trade = {
      timestampNanos: 1n,
      receivedNanos: 2n,
      price: 1,
      size: 1,
      side: TradeSide.buy,
      tradeId: '1',
    };
    expect(publisher.publish({ ...trade, ticker: 'BTC.USD' })).toBe(true);
    expect(publisher.publish({ ...trade, ticker: 'BTC_USD' })).toBe(false);
    expect(publisher.publish({ ...trade, ticker: 'BTC_USD' })).toBe(false);
    expect(publisher.subjectFor(interner.intern('BTC_USD'))).toBeUndefined();
    expect(received.map((r) => r.trade.ticker)).toEqual(['BTC.USD']);
    expect(collisions).toHaveLength(1);
    expect(SubjectCollisionError.is(collisions[0])).toBe(true);
    expect(collisions[0]).toMatchObject({
      subject: 'test.binance.trade.BTC_USD',
      owner: 'BTC.USD',
      ticker: 'BTC_USD',
    });
    expect(publisher.counters()).toEqual({ published: 1, collisionDrops: 2, collidingTickers: 1 });
  });

  it('rejects invalid env and venue names', () => {
    const transport = new InMemoryTransport();
    const interner = new Interner();
    expect(() => new Publisher({ transport, interner, env: 'a.b', venue: 'binance' })).toThrow(/invalid env/);
    expect(() => new Publisher({ transport, interner, env: 'prod', venue: '../x' })).toThrow(/invalid venue/);
  });
});
