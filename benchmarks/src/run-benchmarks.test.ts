import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBenchmarks } from './run-benchmarks.js';
import { SUITES } from './suite-registry.js';

describe('runBenchmarks --smoke', () => {
  it('runs every suite in its own process and writes JSON, Markdown and SVG to the given directory', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'marketpipe-bench-smoke-'));
    const lines: string[] = [];
    try {
      const { report, files } = await runBenchmarks({ smoke: true, outDir, log: (line) => lines.push(line) });

      expect(lines[0]).toContain(process.version);
      expect(report.smoke).toBe(true);
      expect(report.suites.map((suite) => suite.suite)).toEqual(SUITES.map((suite) => suite.id));
      for (const suite of report.suites) {
        expect(suite.smoke).toBe(true);
        expect(suite.tables.length).toBeGreaterThan(0);
        for (const table of suite.tables) {
          expect(table.rows.length).toBeGreaterThan(0);
          for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
        }
        for (const value of Object.values(suite.metrics)) expect(typeof value).toBe('number');
      }
      const targets = report.suites.flatMap((suite) => suite.targets);
      expect(targets.map((t) => t.name)).toEqual(
        expect.arrayContaining([
          'hot path p50 (Binance trade)',
          'flusher records/s, flat out',
          'in-memory publish by target, one exact subscriber',
          'encode allocations per trade (heap growth, no GC during the probe)',
          'hot path p99 vs same-run noise floor p99 at 1000 msg/s',
          'send->subscriber, marketpipe vs naive relay at 1000 msg/s (p50, p99, p99.9)',
          'marketpipe --help',
        ]),
      );

      // The live path's rounds carry the forwarder, and the p50 / floor target divides the p50 timed in the floor's
      // own rounds (its process), not the first table's.
      const live = report.suites.find((suite) => suite.suite === 'live-path');
      const rounds = live?.tables.find((table) => table.title.startsWith('Send->subscriber round by round'));
      expect(rounds?.rows.map((row) => row[1])).toEqual(['marketpipe', 'naive', 'forward']);
      const hot = report.suites.find((suite) => suite.suite === 'hot-path');
      expect(hot?.metrics['binance.floorRigP50Ns']).toBeGreaterThan(0);
      expect(hot?.metrics['binance.p50OverFloor']).toBeCloseTo(
        (hot?.metrics['binance.floorRigP50Ns'] ?? 0) / (hot?.metrics['binance.floorNs'] ?? 1),
      );

      for (const file of Object.values(files)) expect(file.startsWith(outDir)).toBe(true);
      const json = JSON.parse(readFileSync(files.json, 'utf8'));
      expect(json.suites).toHaveLength(SUITES.length);
      const markdown = readFileSync(files.markdown, 'utf8');
      expect(markdown).toContain('SMOKE RUN');
      expect(markdown).toContain(`## Targets (`);
      expect(markdown).toContain('](latency.svg)');
      const svg = readFileSync(files.chart, 'utf8');
      const series = report.suites.flatMap((suite) => suite.latencies);
      expect(series.length).toBeGreaterThanOrEqual(8);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.match(/<polyline /g)).toHaveLength(series.length);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses a smoke run without an output directory, so RESULTS.md is never overwritten', async () => {
    await expect(runBenchmarks({ smoke: true, log: () => {} })).rejects.toMatchObject({
      code: 'MP_ERR_BENCH_SUITE',
    });
  });
});
