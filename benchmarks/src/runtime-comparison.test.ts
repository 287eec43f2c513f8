import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchArgumentError } from './harness/bench-errors.js';
import { runBenchmarks } from './run-benchmarks.js';
import {
  defaultBenchLine,
  resolveOrInstallRuntime,
  resolveRuntime,
  runRuntimeComparison,
} from './runtime-comparison.js';

const pinned = JSON.parse(
  readFileSync(new URL('../../scripts/node-lines.json', import.meta.url), 'utf8'),
) as {
  lines: Record<string, string>;
};
/** A pinned line other than the one running this test (scripts/install-node.mjs installs it). */
const otherLine = Object.keys(pinned.lines).find((line) => line !== process.versions.node.split('.')[0])!;

describe('runtime comparison (pnpm bench --node ...)', () => {
  it('resolves this Node, a pinned line and refuses an unpinned one', () => {
    expect(resolveRuntime('current')).toEqual({
      spec: 'current',
      version: process.versions.node,
      execPath: process.execPath,
    });
    expect(resolveRuntime(otherLine).version).toBe(pinned.lines[otherLine]);
    expect(() => resolveRuntime('19')).toThrow(BenchArgumentError);
  });

  it('runs RESULTS.md under one Node, by default the newest pinned line, and names it', async () => {
    const lines = Object.keys(pinned.lines).map(Number);
    expect(defaultBenchLine()).toBe(String(Math.max(...lines)));
    expect(resolveOrInstallRuntime('current').execPath).toBe(process.execPath);
    const outDir = mkdtempSync(join(tmpdir(), 'marketpipe-bench-one-node-'));
    try {
      const runtime = resolveOrInstallRuntime(otherLine);
      const { report } = await runBenchmarks({
        smoke: true,
        outDir,
        suites: ['hot-path'],
        runtime,
        log: () => {},
      });
      expect(report.environment).toContain(`Node v${pinned.lines[otherLine]} on `);
      // The suite's own process says which Node ran it.
      expect(report.suites.map((suite) => suite.node)).toEqual([pinned.lines[otherLine]]);
      expect(readFileSync(join(outDir, 'RESULTS.md'), 'utf8')).toContain(
        `Node v${pinned.lines[otherLine]} on `,
      );
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs a suite under two Nodes and writes one table with a column and a ratio per Node', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'marketpipe-bench-runtimes-'));
    try {
      const runtimes = [resolveRuntime('current'), resolveRuntime(otherLine)];
      const lines: string[] = [];
      const { runs, markdown } = await runRuntimeComparison({
        runtimes,
        smoke: true,
        outDir,
        suites: ['hot-path'],
        log: (line) => lines.push(line),
      });
      expect(runs.map((run) => run.suites.map((suite) => suite.suite))).toEqual([['hot-path'], ['hot-path']]);
      const [a, b] = runtimes.map((r) => r.version);
      expect(lines).toContain(`-- suite hot-path on Node ${b} (smoke)`);
      const text = readFileSync(markdown, 'utf8');
      expect(text).toContain(`| what | Node ${a} | Node ${b} | ${b} vs ${a} |`);
      for (const row of ['hot path p50, binance', 'hot path p99, okx', 'hot path msgs/s, kraken']) {
        expect(text).toMatch(
          new RegExp(`\\| ${row} \\| [0-9.]+ (ns|µs|M/s|k/s) \\| [0-9.]+ (ns|µs|M/s|k/s) \\| x[0-9.]+ \\|`),
        );
      }
      expect(text).toContain('allocated per message, binance');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 180_000);
});
