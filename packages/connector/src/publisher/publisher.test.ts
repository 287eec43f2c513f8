import { InMemoryTransport, Interner } from '@marketpipe/middleware';
import { describe, expect, it } from 'vitest';
import { TradeSide } from '../codec/trade-data.js';
import { TradeView } from '../codec/trade-view.js';
import { SubjectCollisionError } from '../errors.js';
import { Publisher } from './publisher.js';

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
        { ms: 1_639_351_062_300, subMsNanos: 500, mono: 1 },
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
    expect(collisions[0] instanceof SubjectCollisionError).toBe(true);
    expect(collisions[0]).toMatchObject({
      subject: 'test.binance.trade.BTC_USD',
      owner: 'BTC.USD',
      ticker: 'BTC_USD',
    });
    expect(publisher.counters()).toEqual({
      published: 1,
      collisionDrops: 2,
      collidingTickers: 1,
      unlistedDrops: 0,
    });
  });

  it('rejects invalid env and venue names', () => {
    const transport = new InMemoryTransport();
    const interner = new Interner();
    expect(() => new Publisher({ transport, interner, env: 'a.b', venue: 'binance' })).toThrow(/invalid env/);
    expect(() => new Publisher({ transport, interner, env: 'prod', venue: '../x' })).toThrow(/invalid venue/);
  });
});

describe('Publisher with configured symbols', () => {
  function trade(ticker: string, n: number) {
    return {
      timestampNanos: 1_700_000_000_000_000_000n + BigInt(n),
      receivedNanos: 1_700_000_000_000_000_000n + BigInt(n),
      ticker,
      price: 100 + n,
      size: 1,
      side: TradeSide.buy,
      tradeId: String(n),
    };
  }

  function listed(allowUnlisted: boolean) {
    const transport = new InMemoryTransport();
    const interner = new Interner();
    const subjects: string[] = [];
    const view = new TradeView();
    transport.subscribe('>', (payload, subject) => {
      view.wrap(payload);
      subjects.push(`${subject} ${view.toTradeData().ticker}`);
    });
    const collisions: SubjectCollisionError[] = [];
    const unlisted: string[] = [];
    const publisher = new Publisher({
      transport,
      interner,
      env: 'dev',
      venue: 'kraken',
      symbols: ['BTC/USD', 'ETH/USD'],
      allowUnlisted,
      onCollision: (e) => collisions.push(e),
      onUnlisted: (ticker) => unlisted.push(ticker),
    });
    return { interner, publisher, subjects, collisions, unlisted };
  }

  it('reserves the subjects of the symbols: a stray ticker seen first never takes one', () => {
    const { publisher, subjects, collisions, unlisted } = listed(true);
    expect(publisher.publish(trade('BTC-USD', 0))).toBe(false);
    for (let n = 1; n <= 1_000; n++) expect(publisher.publish(trade('BTC/USD', n))).toBe(true);
    expect(subjects).toHaveLength(1_000);
    expect(new Set(subjects)).toEqual(new Set(['dev.kraken.trade.BTC-USD BTC/USD']));
    expect(collisions.map((e) => [e.owner, e.ticker])).toEqual([['BTC/USD', 'BTC-USD']]);
    expect(unlisted).toEqual([]);
    // An unlisted ticker on a free subject is published when allowed.
    expect(publisher.publish(trade('SOL/USD', 1))).toBe(true);
    expect(publisher.counters()).toMatchObject({ published: 1_001, collisionDrops: 1, unlistedDrops: 0 });
  });

  it('refuses and counts tickers that were not asked for, and reports each once', () => {
    const { interner, publisher, subjects, collisions, unlisted } = listed(false);
    expect(publisher.publish(trade('BTC-USD', 0))).toBe(false);
    expect(publisher.publish(trade('SOL/USD', 1))).toBe(false);
    expect(publisher.publish(trade('SOL/USD', 2))).toBe(false);
    expect(publisher.publish(trade('ETH/USD', 3))).toBe(true);
    expect(subjects).toEqual(['dev.kraken.trade.ETH-USD ETH/USD']);
    expect(unlisted).toEqual(['BTC-USD', 'SOL/USD']);
    expect(collisions).toEqual([]);
    expect(publisher.isUnlisted(interner.intern('SOL/USD'))).toBe(true);
    expect(publisher.isUnlisted(interner.intern('ETH/USD'))).toBe(false);
    expect(publisher.counters()).toMatchObject({ published: 1, collisionDrops: 0, unlistedDrops: 3 });
  });
});
