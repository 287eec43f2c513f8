/**
 * Hostile input through the whole app, seeded with fast-check: a replay file
 * and a live simulator stream of truncated JSON, wrong types, huge numbers,
 * integers beyond 2^53, exponents, deep nesting, 1 MB and 10 MB frames,
 * invalid UTF-8, binary frames, and unicode or control characters in symbols.
 *
 * Nothing crashes; every published trade is decoded from Cap'n Proto and
 * matches a plain `JSON.parse` reference of its raw message (and every plain
 * valid trade is published); every message is accounted for in the summary:
 * one trade, a parse error, a non-trade message or a counted drop; and every
 * raw message is recorded byte for byte.
 *
 * Parser-level fuzzing of every venue lives in
 * `packages/connector/test/feeds/venue-hostile.property.test.ts`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, TradeView } from '@marketpipe/connector';
import { binanceProtocol } from '@marketpipe/connector/feeds';
import { binanceEmulation, type SimTrade, SimulatorServer } from '@marketpipe/connector/simulator';
import { InMemoryTransport } from '@marketpipe/middleware';
import { waitFor } from '@marketpipe/test-support/wait-for';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { RunSummary } from '../../src/run/run-summary.js';
import { createHarness } from '../support/cli-harness.js';
import {
  checkPublished,
  type HostileFrame,
  hostileFrame,
  type PublishedTrade,
  publishedTrade,
} from './support/hostile-binance.js';
import { catBytes, readSummary, recordingDifference } from './support/recordings.js';
import { reliabilitySeed } from './support/seeded-random.js';

const ENV = 'hz';

/** An in-memory bus that decodes every trade published on it. */
function decodingBus(): { bus: InMemoryTransport; published: PublishedTrade[] } {
  const bus = new InMemoryTransport();
  const published: PublishedTrade[] = [];
  const view = new TradeView();
  bus.subscribe(`${ENV}.>`, (payload, subject) => {
    published.push(publishedTrade(subject, view.wrap(payload)));
  });
  return { bus, published };
}

/** Every message is one trade, a parse error, a non-trade message, or a counted trade drop. */
function expectAccounted(summary: RunSummary, published: number): void {
  const tradeDrops =
    (summary.drops.subjectCollision ?? 0) +
    (summary.drops.invalidTicker ?? 0) +
    (summary.drops.internerFull ?? 0) +
    (summary.drops.unlistedSymbol ?? 0) +
    (summary.drops.publishError ?? 0);
  expect(summary.trades).toBe(published);
  expect(summary.published).toBe(published);
  expect(published + tradeDrops + summary.parseErrors + summary.nonTrade).toBe(summary.received);
  expect(summary.recordsWritten + (summary.drops.oversize ?? 0)).toBe(summary.received);
  expect(summary.drops.ringOverflow ?? 0).toBe(0);
}

let simulator: SimulatorServer | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

describe('hostile input through the whole app', () => {
  it('replay files of hostile lines: no crash, no wrong trade, every rejection counted, every byte recorded', async () => {
    const seed = reliabilitySeed('hostile-replay');
    let runs = 0;
    let parseErrors = 0;
    let trades = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrame, { minLength: 150, maxLength: 300 }), async (frames) => {
        runs++;
        const dir = mkdtempSync(join(tmpdir(), 'mp-hostile-'));
        const replay = join(dir, 'hostile.jsonl');
        writeFileSync(replay, Buffer.concat(frames.flatMap((f) => [f.bytes, Buffer.from('\n')])));
        const { bus, published } = decodingBus();
        const harness = createHarness({ realPipeline: true, connectTransport: async () => bus });
        const code = await main(
          [
            'run',
            '--source',
            `replay:${replay}`,
            '--env',
            ENV,
            '--data-dir',
            join(dir, 'data'),
            '--json-summary',
            join(dir, 'summary.json'),
            '--log-level',
            'error',
          ],
          harness.context,
        );
        // 0 or 3 (gaps and counted drops are expected here); never 1, an error.
        expect([0, 3], harness.stderr.text).toContain(code);
        const summary = readSummary(join(dir, 'summary.json'));
        expect(summary.stopReason).toBe('source-finished');
        expect(summary.received).toBe(frames.length);
        expectAccounted(summary, published.length);
        expect(checkPublished(published, frames, ENV)).toBeNull();
        expect(recordingDifference(await catBytes(join(dir, 'data')), readFileSync(replay))).toBeNull();
        parseErrors += summary.parseErrors;
        trades += summary.trades;
      }),
      { numRuns: 5, seed, endOnFailure: true },
    );
    // Both outcomes must be common, or the property proves little.
    expect(runs).toBe(5);
    expect(trades).toBeGreaterThan(300);
    expect(parseErrors).toBeGreaterThan(100);
  }, 120_000);

  it('a live stream of hostile frames, invalid UTF-8, binary and 10 MB frames: no crash, no wrong trade, all counted', async () => {
    const seed = reliabilitySeed('hostile-live');
    const frames: HostileFrame[] = fc
      .sample(hostileFrame, { numRuns: 400, seed })
      // A text frame carries a string: invalid UTF-8 goes through sendGarbage below instead.
      .map((f) => ({ ...f, bytes: new TextEncoder().encode(Buffer.from(f.bytes).toString('utf8')) }));
    const tenMegabytes = 10 * 1024 * 1024;
    const bigTrade = `{"e":"trade","E":1,"s":"BTCUSDT","t":777,"p":"1.5","q":"2","T":1736000000000,"m":false,"X":"${'y'.repeat(tenMegabytes)}"}`;
    const queue = [
      ...frames.map((f) => Buffer.from(f.bytes).toString('utf8')),
      bigTrade,
      `{"stream":${'['.repeat(tenMegabytes / 2)}${']'.repeat(tenMegabytes / 2)}}`,
    ];
    let next = 0;
    const sim = new SimulatorServer({
      // The venue's own server, except that its "trades" are the hostile frames, in order.
      protocol: binanceProtocol,
      emulation: {
        ...binanceEmulation,
        formatTrades: (_trades: readonly SimTrade[]) => queue[next++] ?? '{"result":null,"id":1}',
      },
      symbols: ['BTCUSDT'],
      messagesPerSecond: 2000,
      log: { maxEntries: 100_000 },
    });
    simulator = sim;
    const url = await sim.start();
    const dir = mkdtempSync(join(tmpdir(), 'mp-hostile-live-'));
    const { bus, published } = decodingBus();
    const harness = createHarness({ realPipeline: true, connectTransport: async () => bus });
    let pipeline: Pipeline | undefined;
    harness.context.startPipeline = async (options) => {
      pipeline = await Pipeline.start(options);
      return pipeline;
    };
    const running = main(
      [
        'run',
        '--source',
        'live',
        '--url',
        url,
        '--env',
        ENV,
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 'summary.json'),
        '--log-level',
        'error',
        // Hostile tickers must reach the publisher and the encoder, not stop at the symbol list.
        '--allow-unlisted-symbols',
      ],
      harness.context,
    );
    await waitFor('the hostile frames to be sent', () => next >= queue.length, { timeoutMs: 60_000 });
    sim.setRate(0);
    sim.sendGarbage('text', 9);
    sim.sendGarbage('binary', 5);
    const sent = sim.sent;
    await waitFor('every frame to arrive', () => pipeline?.status().received === sent.length);
    harness.signals.fire('SIGTERM');
    expect(await running, harness.stderr.text).toBe(3);

    const summary = readSummary(join(dir, 'summary.json'));
    expect(summary.received).toBe(sent.length);
    expect(summary.drops.oversize).toBe(2);
    expectAccounted(summary, published.length);
    const sentFrames: HostileFrame[] = sent.map((frame, i) => ({
      bytes: frame.data,
      valid: i < frames.length && (frames[i]?.valid ?? false),
    }));
    expect(checkPublished(published, sentFrames, ENV)).toBeNull();
    // The 10 MB trade is still parsed and published; only the recording refuses it (counted as oversize).
    expect(published.some((t) => t.tradeId === '777')).toBe(true);
    const recorded = Buffer.concat(
      sent.filter((f) => f.data.length <= tenMegabytes).flatMap((f) => [f.data, Buffer.from('\n')]),
    );
    expect(recordingDifference(await catBytes(join(dir, 'data')), recorded)).toBeNull();
  }, 120_000);
});
