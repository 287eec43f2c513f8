/**
 * `run` and `subscribe` over a real, password-protected nats-server: trades
 * flow from one to the other, and the password never shows up anywhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import type { TradeJson } from '../src/subscribe/trade-line.js';
import { createHarness } from './support/cli-harness.js';
import { tempDataDir } from './support/record-files.js';

const password = 'Nats-Pa55-7f3c9e';
let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer({ args: ['--user', 'alice', '--pass', password] });
});

afterAll(async () => {
  await server?.dispose();
});

describe('marketpipe over NATS with a password', () => {
  it('publishes from run to subscribe, and keeps the password out of every output', async () => {
    const dir = tempDataDir();
    const env = {
      MARKETPIPE_NATS_USER: 'alice',
      MARKETPIPE_NATS_PASS: password,
      MARKETPIPE_TRANSPORT: server.url,
    };
    const watcher = createHarness({ env });
    const watching = main(
      ['subscribe', '--json', '--count', '10', '--subject', 'nt.binance.trade.>'],
      watcher.context,
    );
    const runner = createHarness({ env, realPipeline: true });
    const code = await main(
      [
        'run',
        '--env',
        'nt',
        '--rate',
        '200',
        '--duration',
        '1500ms',
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 'summary.json'),
        '--status-interval',
        '200ms',
        '--log-level',
        'debug',
      ],
      runner.context,
    );
    expect(code).toBe(0);
    expect(await watching).toBe(0);

    const trades = watcher.stdout.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TradeJson);
    expect(trades).toHaveLength(10);
    for (const trade of trades) expect(['BTCUSDT', 'ETHUSDT']).toContain(trade.ticker);

    const summaryText = readFileSync(join(dir, 'summary.json'), 'utf8');
    const summary = JSON.parse(summaryText) as RunSummary;
    expect(summary.transport).toBe(`nats ${server.url} (auth: user alice)`);
    expect(summary.published).toBe(summary.trades);
    const everything = [
      runner.stdout.text,
      runner.stderr.text,
      watcher.stdout.text,
      watcher.stderr.text,
      summaryText,
    ];
    for (const output of everything) expect(output).not.toContain(password);
    expect(runner.stderr.logs.some((log) => log.msg === 'status')).toBe(true);
  });

  it('fails with exit 1 and a secret-free message on a wrong password', async () => {
    const wrong = 'Wrong-Pa55-0b1d';
    const harness = createHarness({ env: { MARKETPIPE_NATS_PASS: wrong } });
    const code = await main(
      ['run', '--transport', server.url, '--nats-user', 'alice', '--data-dir', tempDataDir()],
      harness.context,
    );
    expect(code).toBe(1);
    const failure = harness.stderr.logs.find((log) => log.msg === 'run failed');
    expect(failure).toMatchObject({ error: { code: 'MP_ERR_TRANSPORT_CONNECT' } });
    expect(JSON.stringify(failure)).toContain('Authorization Violation');
    expect(harness.stderr.text + harness.stdout.text).not.toContain(wrong);
  });
});
