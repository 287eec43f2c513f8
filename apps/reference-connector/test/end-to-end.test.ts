/**
 * The real connector end to end, in-process: `run` on the built-in simulator
 * for 2 s, `subscribe` watching it, then `cat` and `verify` on what it
 * recorded, then a replay of that recording into a second data dir.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryTransport, type Transport } from '@marketpipe/middleware';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import type { TradeJson } from '../src/subscribe/trade-line.js';
import { createHarness } from './support/cli-harness.js';
import { tempDataDir } from './support/record-files.js';

/** A shared in-memory bus; `close` is left to the run so the watcher ending early does not close it. */
function sharedBus(): { bus: InMemoryTransport; watcherView: Transport } {
  const bus = new InMemoryTransport();
  const watcherView: Transport = {
    get status() {
      return bus.status;
    },
    publish: (subject, payload) => bus.publish(subject, payload),
    subscribe: (pattern, handler) => bus.subscribe(pattern, handler),
    flush: () => bus.flush(),
    close: () => Promise.resolve(),
    onStatus: (listener) => bus.onStatus(listener),
    onError: (listener) => bus.onError(listener),
    counters: () => bus.counters(),
  };
  return { bus, watcherView };
}

async function catLines(dataDir: string): Promise<string[]> {
  const harness = createHarness();
  expect(await main(['cat', '--data-dir', dataDir, '--venue', 'binance'], harness.context)).toBe(0);
  const text = harness.stdout.text;
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('marketpipe end to end', () => {
  it('records, publishes, prints and verifies a 2 s simulator run, and replays it', async () => {
    const dir = tempDataDir();
    const dataDir = join(dir, 'data');
    const { bus, watcherView } = sharedBus();

    const watcher = createHarness({ connectTransport: async () => watcherView });
    const watching = main(
      ['subscribe', '--transport', 'memory', '--json', '--count', '20', '--subject', 'e2e.binance.trade.>'],
      watcher.context,
    );

    const runner = createHarness({ realPipeline: true, connectTransport: async () => bus });
    const code = await main(
      [
        'run',
        '--source',
        'sim',
        '--rate',
        '300',
        '--duration',
        '2s',
        '--env',
        'e2e',
        '--data-dir',
        dataDir,
        '--json-summary',
        join(dir, 'summary.json'),
      ],
      runner.context,
    );
    expect(code).toBe(0);
    expect(await watching).toBe(0);

    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({
      outcome: 'clean',
      exitCode: 0,
      stopReason: 'duration',
      lost: 0,
      parseErrors: 0,
    });
    expect(summary.received).toBeGreaterThan(50);
    expect(summary.recordsWritten).toBe(summary.received);
    expect(summary.trades).toBeGreaterThanOrEqual(summary.received);
    expect(Object.keys(summary.tradesPerSymbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(Object.values(summary.tradesPerSymbol).reduce((a, b) => a + b, 0)).toBe(summary.trades);
    expect(Object.values(summary.drops).every((n) => n === 0)).toBe(true);
    expect(runner.stdout.text).toContain('exit code     0 (clean: nothing lost)');

    // cat prints exactly what was received: one venue JSON message per line.
    const lines = await catLines(dataDir);
    expect(lines).toHaveLength(summary.recordsWritten);
    const recordedIds = new Set<string>();
    for (const line of lines) {
      const message = JSON.parse(line) as { stream: string; data: { t: number } };
      expect(message.stream).toMatch(/^(btc|eth)usdt@trade$/);
      recordedIds.add(String(message.data.t));
    }

    // Every trade the watcher saw was published by the run and is in the recording.
    const watched = watcher.stdout.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TradeJson);
    expect(watched).toHaveLength(20);
    for (const trade of watched) {
      expect(trade.subject).toBe(`e2e.binance.trade.${trade.ticker}`);
      expect(recordedIds.has(trade.tradeId)).toBe(true);
    }

    const verify = createHarness();
    expect(await main(['verify', '--data-dir', dataDir], verify.context)).toBe(0);
    expect(verify.stdout.text).toContain(`total ${summary.recordsWritten} records`);

    // A replay of the recording ends by itself and re-records the same bytes.
    const replayDir = join(dir, 'replayed');
    const replay = createHarness({ realPipeline: true });
    expect(
      await main(
        [
          'run',
          '--source',
          `replay:${join(dataDir, 'binance')}`,
          '--data-dir',
          replayDir,
          '--json-summary',
          join(dir, 'replay.json'),
        ],
        replay.context,
      ),
    ).toBe(0);
    const replaySummary = JSON.parse(readFileSync(join(dir, 'replay.json'), 'utf8')) as RunSummary;
    expect(replaySummary).toMatchObject({
      stopReason: 'source-finished',
      received: summary.received,
      trades: summary.trades,
    });
    expect(await catLines(replayDir)).toEqual(lines);
  });
});
