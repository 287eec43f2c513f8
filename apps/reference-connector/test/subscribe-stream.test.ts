/**
 * `marketpipe subscribe --stream`: trades read back from a JetStream stream
 * on a private nats-server, from a sequence or a time, and as a durable
 * consumer that the next run resumes.
 */
import { JetStreamJournal } from '@marketpipe/middleware/journal';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { TradeJson } from '../src/subscribe/trade-line.js';
import { createHarness } from './support/cli-harness.js';
import { encodeTrade, sampleTrade } from './support/trade-bus.js';

let server: NatsServerHandle;
let midpoint: Date;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
  const journal = await JetStreamJournal.open({
    connection: { servers: server.url },
    stream: { name: 'TRADES', subjects: ['prod.*.trade.>'], storage: 'memory' },
  });
  // 20 BTCUSDT trades with ids 0..19 and 5 ETHUSDT ones, a pause in the middle for --from <time>.
  for (let n = 0; n < 20; n++) {
    if (n === 10) {
      await new Promise((r) => setTimeout(r, 50));
      midpoint = new Date();
      await new Promise((r) => setTimeout(r, 50));
    }
    await journal.append('prod.binance.trade.BTCUSDT', encodeTrade(sampleTrade(n)));
    if (n % 4 === 0)
      await journal.append('prod.binance.trade.ETHUSDT', encodeTrade(sampleTrade(n, 'ETHUSDT')));
  }
  await journal.close();
});
afterAll(async () => {
  await server?.dispose();
});

/** Runs `subscribe --stream TRADES --json <args>` and returns the exit code and the trade ids printed. */
async function subscribe(args: string[]) {
  const harness = createHarness();
  const code = await main(
    ['subscribe', '--transport', server.url, '--stream', 'TRADES', '--json', ...args],
    harness.context,
  );
  const trades = harness.stdout.text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TradeJson);
  const base = BigInt(sampleTrade(0).tradeId);
  return {
    code,
    ids: trades.map((t) => `${t.ticker}:${BigInt(t.tradeId) - base}`),
    logs: harness.stderr.logs,
    stderr: harness.stderr.text,
  };
}

const btc = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `BTCUSDT:${from + i}`);

describe('marketpipe subscribe --stream', () => {
  it('reads from the first message by default, filtered by --subject', async () => {
    const run = await subscribe(['--subject', 'prod.binance.trade.BTCUSDT', '--count', '20']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.ids).toEqual(btc(0, 20));
  });

  it('starts at a stream sequence or at a time', async () => {
    const bySequence = await subscribe(['--from', '3', '--count', '3']);
    // Sequence 1 is BTC 0, 2 is ETH 0, 3 is BTC 1, 4 is BTC 2, 5 is BTC 3.
    expect(bySequence.ids).toEqual(['BTCUSDT:1', 'BTCUSDT:2', 'BTCUSDT:3']);
    const byTime = await subscribe([
      '--from',
      midpoint.toISOString(),
      '--subject',
      '*.*.trade.BTCUSDT',
      '--count',
      '10',
    ]);
    expect(byTime.ids).toEqual(btc(10, 20));
  });

  it('a durable consumer resumes after the last trade printed, across runs', async () => {
    const args = ['--durable', 'desk-a', '--subject', 'prod.binance.trade.BTCUSDT'];
    const first = await subscribe([...args, '--count', '7']);
    const second = await subscribe([...args, '--count', '13']);
    expect(first.ids).toEqual(btc(0, 7));
    expect(second.ids).toEqual(btc(7, 20));
    expect(second.logs.find((log) => log.msg === 'resuming durable consumer')).toMatchObject({
      consumer: 'desk-a',
      stream: 'TRADES',
    });
  });

  it('stops after --duration while waiting for new trades', async () => {
    const run = await subscribe(['--from', 'new', '--duration', '300ms']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.ids).toEqual([]);
    expect(run.logs.find((log) => log.msg === 'subscription ended')).toMatchObject({ reason: 'duration' });
  });

  it.each([
    [['--from', 'yesterday'], 'invalid --from "yesterday"'],
    [['--from', '0'], 'invalid --from "0"'],
    [['--durable', 'a.b'], 'invalid --durable "a.b"'],
  ])('exits 2 for %j', async (args, message) => {
    const run = await subscribe(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 2 for --from or --durable without --stream, and for --stream on the in-memory transport', async () => {
    for (const args of [
      ['--transport', server.url, '--from', 'first'],
      ['--transport', server.url, '--durable', 'x'],
      ['--transport', 'memory', '--stream', 'TRADES'],
    ]) {
      const harness = createHarness();
      expect(await main(['subscribe', ...args], harness.context), args.join(' ')).toBe(2);
      expect(harness.stderr.text).toMatch(/need --stream|--stream reads a JetStream stream/);
    }
  });

  it('exits 1 with a clear message for a stream that does not exist', async () => {
    const harness = createHarness();
    const code = await main(
      ['subscribe', '--transport', server.url, '--stream', 'NO_SUCH_STREAM', '--count', '1'],
      harness.context,
    );
    expect(code).toBe(1);
    expect(harness.stderr.text).toContain("cannot read stream 'NO_SUCH_STREAM'");
  });
});
