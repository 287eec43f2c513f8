import { describe, expect, it } from 'vitest';
import { MessageKind } from '../../src/feeds/message-kind.js';
import { createParser } from '../../src/feeds/venues.js';
import { BACKENDS, run } from './parse-helpers.js';
import { VENUE_SAMPLES } from './venue-samples.js';

describe('verbatim venue samples', () => {
  for (const backend of BACKENDS) {
    describe(`${backend} backend`, () => {
      for (const sample of VENUE_SAMPLES) {
        it(`${sample.venue} ${sample.name}`, () => {
          const parser = createParser(sample.venue, { backend });
          const result = run(parser, sample.message);
          if (Array.isArray(sample.expect)) {
            expect(result.kind).toBe(MessageKind.trades);
            expect(result.trades).toEqual(sample.expect);
            expect(parser.trades).toBe(sample.expect.length);
            if (backend === 'scanner') {
              // Real trade messages take the allocation-free path, ticker and id as byte ranges.
              expect(parser.scannerFallbacks).toBe(0);
              expect(result.ranges).toBe(true);
            }
          } else {
            expect(result.kind).toBe(MessageKind.nonTrade);
            expect(result.nonTradeKind).toBe(sample.expect);
            expect(result.trades).toEqual([]);
            expect(parser.nonTradeCount(sample.expect)).toBe(1);
          }
          expect(parser.lastError).toBeNull();
          if (sample.snapshotTrades !== undefined) {
            const publishing = createParser(sample.venue, { backend, publishSnapshots: true });
            const published = run(publishing, sample.message);
            expect(published.kind).toBe(MessageKind.trades);
            expect(published.trades).toEqual(sample.snapshotTrades);
          }
        });
      }
    });
  }

  it('keeps every digit of a Binance trade id beyond 2^53 and gives -1 as its number', () => {
    const message =
      '{"e":"trade","E":1,"s":"BTCUSDT","t":123456789012345678901,"p":"1.5","q":"2","T":1672515782136,"m":false}';
    for (const backend of BACKENDS) {
      const { trades } = run(createParser('binance', { backend }), message);
      expect(trades[0]?.tradeId).toBe('123456789012345678901');
      expect(trades[0]?.tradeIdNumber).toBe(-1);
      expect(trades[0]?.seqFirst).toBe(-1);
    }
  });

  it('reads a Binance aggTrade: id from a, sequence f..l, taker side from m', () => {
    const message =
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1672515782136,"s":"BTCUSDT","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}}';
    for (const backend of BACKENDS) {
      const { kind, trades } = run(createParser('binance', { backend }), message);
      expect(kind).toBe(MessageKind.trades);
      expect(trades).toEqual([
        {
          symbol: 'BTCUSDT',
          tradeId: '12345',
          tradeIdNumber: 12345,
          seqFirst: 100,
          seqLast: 105,
          timestampMs: 1672515782136,
          timestampSubMsNanos: 0,
          price: 0.001,
          size: 100,
          side: 'sell',
        },
      ]);
    }
  });

  it('reads Binance microsecond trade times (timeUnit=MICROSECOND) into ms + sub-ms ns', () => {
    const message = '{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1","q":"1","T":1672515782136123,"m":false}';
    for (const backend of BACKENDS) {
      const { trades } = run(createParser('binance', { backend }), message);
      expect(trades[0]?.timestampMs).toBe(1672515782136);
      expect(trades[0]?.timestampSubMsNanos).toBe(123_000);
    }
  });

  it('takes a unicode ticker through the full parse with the exact string', () => {
    const message = '{"e":"trade","E":1,"s":"这是测试币456","t":7,"p":"1","q":"1","T":1,"m":false}';
    for (const backend of BACKENDS) {
      const parser = createParser('binance', { backend });
      const { trades } = run(parser, message);
      expect(trades[0]?.symbol).toBe('这是测试币456');
    }
  });

  it('records a typed error for a malformed message and counts it, without throwing', () => {
    const parser = createParser('coinbase');
    const result = run(
      parser,
      '{"type":"match","trade_id":1,"product_id":"BTC-USD","price":"1","size":"1","side":"up"}',
    );
    expect(result.kind).toBe(MessageKind.malformed);
    expect(parser.malformedMessages).toBe(1);
    expect(parser.lastError?.code).toBe('MP_ERR_MALFORMED_VENUE_MESSAGE');
    expect(parser.lastError?.reason).toBe('invalid-side');
    expect(parser.lastError?.field).toBe('side');
    expect(run(parser, '{"type":"match"').reason).toBe('invalid-json');
    expect(run(parser, new Uint8Array([0x7b, 0xff, 0x7d])).reason).toBe('invalid-utf8');
    expect(parser.malformedMessages).toBe(3);
  });
});
