/**
 * Subject ownership: the subjects of the configured symbols are reserved at
 * start, so a stray ticker that maps to the same subject can never take one
 * away, whatever arrives first; and trades of tickers that were not asked for
 * are counted and not published (unless allowed), never silently.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { PipelineMetrics } from '../../src/run/pipeline-metrics.js';
import { createHarness, emptyStatus } from '../support/cli-harness.js';
import { readSummary } from './support/recordings.js';

function krakenTrade(symbol: string, id: number): string {
  return (
    `{"channel":"trade","type":"update","data":[{"symbol":"${symbol}","side":"buy","price":${100 + (id % 7)},` +
    `"qty":1,"ord_type":"market","trade_id":${id},"timestamp":"2023-10-06T17:35:55.440295Z"}]}`
  );
}

/** A Kraken replay: one stray `BTC-USD` trade first, then 1 000 `BTC/USD` trades, then `extra` lines. */
function writeReplay(dir: string, extra: string[] = []): string {
  const lines = [krakenTrade('BTC-USD', 1)];
  for (let id = 1; id <= 1_000; id++) lines.push(krakenTrade('BTC/USD', id));
  const path = join(dir, 'kraken.jsonl');
  writeFileSync(path, `${[...lines, ...extra].join('\n')}\n`);
  return path;
}

async function replay(args: string[], extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-ownership-'));
  const bus = new InMemoryTransport();
  const bySubject = new Map<string, number>();
  bus.subscribe('>', (_payload, subject) => {
    bySubject.set(subject, (bySubject.get(subject) ?? 0) + 1);
  });
  const harness = createHarness({ realPipeline: true, connectTransport: async () => bus });
  const code = await main(
    [
      'run',
      '--venue',
      'kraken',
      '--source',
      `replay:${writeReplay(dir, extra)}`,
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      join(dir, 'summary.json'),
      ...args,
    ],
    harness.context,
  );
  return { code, bySubject, summary: readSummary(join(dir, 'summary.json')), harness };
}

describe('subject ownership', () => {
  it('a stray BTC-USD before 1 000 BTC/USD trades: the configured symbol keeps its subject', async () => {
    const run = await replay([]);
    expect(Object.fromEntries(run.bySubject)).toEqual({ 'dev.kraken.trade.BTC-USD': 1_000 });
    expect(run.summary.tradesPerSymbol).toEqual({ 'BTC/USD': 1_000 });
    expect(run.summary.drops.subjectCollision).toBe(1);
    // The stray trade was dropped: counted, and the run is not clean.
    expect(run.code, run.harness.stderr.text).toBe(3);
    expect(run.summary.lossReasons).toContain('drops.subjectCollision: 1');
  }, 30_000);

  it('with --symbols, tickers not asked for are counted and not published (status, summary, metrics)', async () => {
    const run = await replay(
      ['--symbols', 'BTC/USD'],
      [krakenTrade('SOL/USD', 1), krakenTrade('SOL/USD', 2)],
    );
    expect(Object.fromEntries(run.bySubject)).toEqual({ 'dev.kraken.trade.BTC-USD': 1_000 });
    expect(run.summary.drops.unlistedSymbol).toBe(3);
    expect(run.summary.drops.subjectCollision).toBe(0);
    expect(run.code).toBe(3);
    expect(run.harness.stdout.text).toContain('unlistedSymbol');
    const warnings = run.harness.stderr.logs.filter((log) => String(log.msg).includes('not in symbols'));
    expect(warnings.map((log) => log.ticker)).toEqual(['BTC-USD', 'SOL/USD']);
    const metrics = new PipelineMetrics();
    metrics.update({ ...emptyStatus(), drops: run.summary.drops });
    expect(await metrics.registry.metrics()).toContain('marketpipe_drops_total{cause="unlistedSymbol"} 3');
  }, 30_000);

  it('--allow-unlisted-symbols publishes them on free subjects, never on a reserved one', async () => {
    const run = await replay(
      ['--symbols', 'BTC/USD', '--allow-unlisted-symbols'],
      [krakenTrade('SOL/USD', 1), krakenTrade('SOL/USD', 2)],
    );
    expect(Object.fromEntries(run.bySubject)).toEqual({
      'dev.kraken.trade.BTC-USD': 1_000,
      'dev.kraken.trade.SOL-USD': 2,
    });
    expect(run.summary.drops.unlistedSymbol).toBe(0);
    expect(run.summary.drops.subjectCollision).toBe(1);
  }, 30_000);
});
