/**
 * `run --jetstream-stream` over a real nats-server with JetStream: every
 * published trade is in the stream exactly once, in the runner's order.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TradeView } from '@marketpipe/connector';
import { JetStreamJournal } from '@marketpipe/middleware/journal';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import { createHarness } from './support/cli-harness.js';
import { tempDataDir } from './support/record-files.js';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});

afterAll(async () => {
  await server?.dispose();
});

describe('marketpipe run into JetStream', () => {
  it('stores every published trade exactly once', async () => {
    const dir = tempDataDir();
    const runner = createHarness({ realPipeline: true });
    const code = await main(
      [
        'run',
        '--env',
        'js',
        '--venue',
        'okx',
        '--rate',
        '300',
        '--duration',
        '1500ms',
        '--transport',
        server.url,
        '--jetstream-stream',
        'JSTEST',
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 'summary.json'),
        '--log-level',
        'warn',
      ],
      runner.context,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.trades).toBeGreaterThan(50);
    expect(summary.transport).toContain('jetstream JSTEST');

    const journal = await JetStreamJournal.open({
      connection: { servers: server.url },
      stream: { name: 'JSTEST', subjects: ['js.okx.trade.>'] },
    });
    try {
      const entries = await journal.read(1, 100_000);
      expect(entries).toHaveLength(summary.trades);
      const view = new TradeView();
      const keys = entries.map((e) => `${e.subject} ${view.wrap(e.payload).tradeId}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const entry of entries) expect(entry.subject).toMatch(/^js\.okx\.trade\.(BTC-USDT|ETH-USDT)$/);
    } finally {
      await journal.close();
    }
  });
});
