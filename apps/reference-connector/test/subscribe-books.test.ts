/**
 * `marketpipe subscribe` on book subjects: each BookUpdate printed (text and JSON), and with `--book` the top
 * of the book it maintains from the updates, a snapshot replacing it and size 0 removing a level.
 */
import { BookEncoder, type BookUpdate } from '@marketpipe/connector/books';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { BookUpdateJson, TopOfBookJson } from '../src/subscribe/book-line.js';
import { createHarness } from './support/cli-harness.js';
import { observedTransport } from './support/trade-bus.js';

function encodeBook(update: Partial<BookUpdate>): Uint8Array {
  const encoder = new BookEncoder();
  encoder.encode({
    timestampNanos: 1_672_304_484_978_000_000n,
    receivedNanos: 1_672_304_484_980_000_000n,
    ticker: 'BTCUSDT',
    sequence: 18521288n,
    isSnapshot: false,
    bids: [],
    asks: [],
    ...update,
  });
  return encoder.bytes.slice();
}

const SNAPSHOT = encodeBook({
  isSnapshot: true,
  bids: [
    { price: 16493.5, size: 0.006 },
    { price: 16493, size: 0.1 },
  ],
  asks: [
    { price: 16611, size: 0.029 },
    { price: 16612, size: 0.213 },
  ],
});
const DELTA = encodeBook({
  sequence: 18521289n,
  bids: [{ price: 16493.5, size: 0 }],
  asks: [{ price: 16610, size: 1.5 }],
});

describe('marketpipe subscribe, book subjects', () => {
  it('prints each book update, beside trades, and exits after --count messages', async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(
      ['subscribe', '--transport', 'memory', '--subject', 'dev.bybit.*.BTCUSDT', '--count', '2'],
      harness.context,
    );
    await subscribed;
    transport.publish('dev.bybit.book.BTCUSDT', SNAPSHOT);
    transport.publish('dev.bybit.book.BTCUSDT', DELTA);
    expect(await running).toBe(0);
    expect(harness.stdout.text).toBe(
      'dev.bybit.book.BTCUSDT BTCUSDT snapshot seq=18521288 bids=[0.006@16493.5 0.1@16493] ' +
        'asks=[0.029@16611 0.213@16612] ts=2022-12-29T09:01:24.978000000Z recv=2022-12-29T09:01:24.980000000Z\n' +
        'dev.bybit.book.BTCUSDT BTCUSDT delta seq=18521289 bids=[0@16493.5] asks=[1.5@16610] ' +
        'ts=2022-12-29T09:01:24.978000000Z recv=2022-12-29T09:01:24.980000000Z\n',
    );
  });

  it('prints every level as JSON with --json', async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(
      ['subscribe', '--transport', 'memory', '--subject', '*.*.book.>', '--json', '--count', '1'],
      harness.context,
    );
    await subscribed;
    transport.publish('dev.bybit.book.BTCUSDT', SNAPSHOT);
    expect(await running).toBe(0);
    expect(JSON.parse(harness.stdout.text) as BookUpdateJson).toEqual({
      subject: 'dev.bybit.book.BTCUSDT',
      ticker: 'BTCUSDT',
      kind: 'snapshot',
      sequence: '18521288',
      bids: [
        [16493.5, 0.006],
        [16493, 0.1],
      ],
      asks: [
        [16611, 0.029],
        [16612, 0.213],
      ],
      timestampNanos: '1672304484978000000',
      receivedNanos: '1672304484980000000',
    });
  });

  it('--book prints the top of the maintained book after each update (default subject *.*.book.>)', async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(['subscribe', '--transport', 'memory', '--book', '--count', '2'], harness.context);
    await subscribed;
    transport.publish('dev.bybit.trade.BTCUSDT', new Uint8Array(0)); // not matched by the default subject
    transport.publish('dev.bybit.book.BTCUSDT', SNAPSHOT);
    transport.publish('dev.bybit.book.BTCUSDT', DELTA);
    expect(await running).toBe(0);
    expect(harness.stdout.text).toBe(
      'dev.bybit.book.BTCUSDT BTCUSDT bid 0.006@16493.5 ask 0.029@16611 levels 2/2 seq=18521288\n' +
        'dev.bybit.book.BTCUSDT BTCUSDT bid 0.1@16493 ask 1.5@16610 levels 1/3 seq=18521289\n',
    );

    const json = observedTransport();
    const jsonHarness = createHarness({ connectTransport: async () => json.transport });
    const jsonRun = main(
      ['subscribe', '--transport', 'memory', '--book', '--json', '--count', '1'],
      jsonHarness.context,
    );
    await json.subscribed;
    json.transport.publish('dev.bybit.book.BTCUSDT', SNAPSHOT);
    expect(await jsonRun).toBe(0);
    expect(JSON.parse(jsonHarness.stdout.text) as TopOfBookJson).toEqual({
      subject: 'dev.bybit.book.BTCUSDT',
      ticker: 'BTCUSDT',
      sequence: '18521288',
      bid: { price: 16493.5, size: 0.006 },
      ask: { price: 16611, size: 0.029 },
      bidLevels: 2,
      askLevels: 2,
    });
  });

  it("--book skips the deltas that come before a subject's first snapshot, and says so once", async () => {
    const { transport, subscribed } = observedTransport();
    const harness = createHarness({ connectTransport: async () => transport });
    const running = main(['subscribe', '--transport', 'memory', '--book', '--count', '1'], harness.context);
    await subscribed;
    // Started after the connector: a delta first, from which alone a wrong top of book would follow.
    transport.publish('dev.bybit.book.BTCUSDT', DELTA);
    transport.publish('dev.bybit.book.BTCUSDT', DELTA);
    transport.publish('dev.bybit.book.BTCUSDT', SNAPSHOT);
    expect(await running).toBe(0);
    expect(harness.stdout.text).toBe(
      'dev.bybit.book.BTCUSDT BTCUSDT bid 0.006@16493.5 ask 0.029@16611 levels 2/2 seq=18521288\n',
    );
    expect(harness.stderr.text.match(/book deltas skipped until a snapshot arrives/g)).toHaveLength(1);
    expect(harness.stderr.text).toContain('"waitingForSnapshot":2');
  });
});
