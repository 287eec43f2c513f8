import { InMemoryTransport } from '@marketpipe/middleware';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { TradeJson } from '../src/subscribe/trade-line.js';
import { createHarness } from './support/cli-harness.js';
import { encodeTrade, observedTransport, sampleTrade } from './support/trade-bus.js';

describe('marketpipe subscribe', () => {
  it('prints one line per decoded trade and exits after --count', async () => {
    const { transport, subscribed } = observedTransport();
    let connectedWith: unknown;
    const harness = createHarness({
      connectTransport: async (config) => {
        connectedWith = config;
        return transport;
      },
    });
    const running = main(
      ['subscribe', '--transport', 'memory', '--subject', 'dev.binance.trade.*', '--count', '2'],
      harness.context,
    );
    await subscribed;
    transport.publish('dev.binance.trade.BTCUSDT', encodeTrade(sampleTrade(0)));
    transport.publish('dev.kraken.trade.BTC-USD', encodeTrade(sampleTrade(5, 'BTC/USD')));
    transport.publish('dev.binance.trade.ETHUSDT', encodeTrade(sampleTrade(1, 'ETHUSDT')));
    transport.publish('dev.binance.trade.BTCUSDT', encodeTrade(sampleTrade(2)));
    expect(await running).toBe(0);
    expect(connectedWith).toEqual({ kind: 'memory' });
    expect(harness.stdout.text).toBe(
      'dev.binance.trade.BTCUSDT BTCUSDT buy 43210.5 0.012 id=9007199254740993 ' +
        'ts=2025-01-04T14:13:20.123456789Z recv=2025-01-04T14:13:20.223456789Z\n' +
        'dev.binance.trade.ETHUSDT ETHUSDT sell 43211.5 0.012 id=9007199254740994 ' +
        'ts=2025-01-04T14:13:20.123456790Z recv=2025-01-04T14:13:20.223456790Z\n',
    );
    expect(transport.status).toBe('closed');
  });

  it('prints JSON lines with --json, nanosecond times as strings', async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(['subscribe', '--transport', 'memory', '--json', '--count', '1'], harness.context);
    await subscribed;
    transport.publish('prod.okx.trade.BTC-USDT', encodeTrade(sampleTrade(3, 'BTC-USDT')));
    expect(await running).toBe(0);
    const trade = JSON.parse(harness.stdout.text) as TradeJson;
    expect(trade).toEqual({
      subject: 'prod.okx.trade.BTC-USDT',
      ticker: 'BTC-USDT',
      side: 'sell',
      price: 43213.5,
      size: 0.012,
      tradeId: '9007199254740996',
      timestampNanos: '1736000000123456792',
      receivedNanos: '1736000000223456792',
      timestamp: '2025-01-04T14:13:20.123456792Z',
    });
  });

  it('counts and logs messages that are not trades, and keeps going', async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(['subscribe', '--transport', 'memory', '--count', '1'], harness.context);
    await subscribed;
    transport.publish('dev.binance.trade.BTCUSDT', new TextEncoder().encode('not capnp'));
    transport.publish('dev.binance.trade.BTCUSDT', encodeTrade(sampleTrade(0)));
    expect(await running).toBe(0);
    expect(harness.stdout.text.split('\n')).toHaveLength(2);
    const logs = harness.stderr.logs;
    expect(logs.find((log) => log.msg === 'not a trade message')).toMatchObject({ bytes: 9, level: 40 });
    expect(logs.find((log) => log.msg === 'subscription ended')).toMatchObject({
      reason: 'count',
      trades: 1,
      undecodable: 1,
    });
  });

  it('stops on SIGINT or after --duration', async () => {
    const first = observedTransport();
    const harness = createHarness({ connectTransport: async () => first.transport });
    const running = main(['subscribe', '--transport', 'memory'], harness.context);
    await first.subscribed;
    harness.signals.fire('SIGINT');
    expect(await running).toBe(0);
    const second = createHarness({ connectTransport: async () => new InMemoryTransport() });
    expect(await main(['subscribe', '--transport', 'memory', '--duration', '20ms'], second.context)).toBe(0);
    expect(second.stderr.logs.find((log) => log.msg === 'subscription ended')).toMatchObject({
      reason: 'duration',
    });
  });

  it('defaults to a local NATS server', async () => {
    let connectedWith: unknown;
    const harness = createHarness({
      connectTransport: async (config) => {
        connectedWith = config;
        return new InMemoryTransport();
      },
    });
    expect(await main(['subscribe', '--duration', '1ms'], harness.context)).toBe(0);
    expect(connectedWith).toEqual({
      kind: 'nats',
      connection: { servers: ['nats://127.0.0.1:4222'], name: 'marketpipe', firstConnectTimeoutMs: 10_000 },
    });
  });

  it.each([
    [['--subject', 'a..b'], 'invalid --subject "a..b"'],
    [['--count', '0'], 'invalid --count "0" (from command line): expected an integer from 1 to'],
    [['--count', '2.5'], 'invalid --count "2.5" (from command line): expected an integer from 1 to'],
    [['--duration', 'soon'], 'invalid --duration "soon" (from command line)'],
  ])('exits 2 for %j', async (args, message) => {
    const harness = createHarness({ connectTransport: async () => new InMemoryTransport() });
    expect(await main(['subscribe', '--transport', 'memory', ...args], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain(message);
  });

  it('exits 2 for a bad --subject before it tries the broker', async () => {
    let connects = 0;
    const harness = createHarness({
      connectTransport: async () => {
        connects++;
        throw Object.assign(new Error('could not connect to nats://127.0.0.1:1'), {
          code: 'MP_ERR_TRANSPORT_CONNECT',
        });
      },
    });
    expect(await main(['subscribe', '--subject', 'a..b'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain('invalid --subject "a..b": empty-token');
    expect(connects).toBe(0);
  });
});
