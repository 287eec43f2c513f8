import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countCodeLines,
  functionName,
  l1InstructionCacheKiB,
  PerfUnavailableError,
  parsePerfScript,
  recordCodeLines,
} from './code-lines.js';

const SCRIPT = [
  " 100/100  10.000000:      7f0000001000 JS:*'scan file:///x/chunk.js:1:2",
  " 100/100  10.500000:      7f0000001000 JS:*'scan file:///x/chunk.js:1:2",
  // Same function, another compiled version: one name.
  " 100/100  11.000000:      7f0000002040 JS:*'scan file:///x/chunk.js:1:2",
  " 100/100  11.100000:      7f0000002050 JS:*'scan file:///x/chunk.js:1:2",
  " 100/100  11.200000:      7f0000002080 JS:*'scan file:///x/chunk.js:1:2",
  ' 100/100  11.300000:      7f0000003000 Builtins_AtomicsStore',
  ' 100/100  11.400000:  ffffffff8221c2be mas_find',
  // A compiler thread: not the main thread.
  ' 100/104  11.500000:      7f0000004000 v8::internal::compiler::Reduce',
  ' 100/100  11.600000:      7f0000003010 ',
  'not a sample',
  '',
].join('\n');

describe('code lines from perf samples', () => {
  it('parses pid/tid, time, address and the symbol without its file', () => {
    const samples = parsePerfScript(SCRIPT);
    expect(samples).toHaveLength(9);
    expect(samples[0]).toEqual({ pid: 100, tid: 100, time: 10, ip: 0x7f0000001000n, symbol: "JS:*'scan" });
    expect(samples[7]!.tid).toBe(104);
    expect(samples[8]!.symbol).toBe('');
  });

  it('counts distinct 64-byte lines per function on the main thread after the warm-up cut', () => {
    const counted = countCodeLines(parsePerfScript(SCRIPT), 0.5, 0);
    // From 10.8 s on: scan's two lines (0x2040 and 0x2050 share one, 0x2080 is the next), the builtin, the
    // unknown symbol; not the kernel sample, not the compiler thread, not the first two samples.
    expect(counted.samples).toBe(5);
    expect(counted.functions).toEqual([
      { name: "JS:*'scan", lines: 2, samplesShare: 3 / 5 },
      { name: 'Builtins_AtomicsStore', lines: 1, samplesShare: 1 / 5 },
      { name: '[unknown]', lines: 1, samplesShare: 1 / 5 },
    ]);
  });

  it('leaves out functions below the minimum share of samples', () => {
    const counted = countCodeLines(parsePerfScript(SCRIPT), 0, 0.25);
    expect(counted.functions.map((f) => f.name)).toEqual(["JS:*'scan"]);
  });

  it('reads an empty profile as nothing', () => {
    expect(countCodeLines([])).toEqual({ samples: 0, functions: [] });
  });
});

describe('recording code lines', () => {
  it('says perf is unavailable, as a typed error, when it cannot run', () => {
    expect(() => recordCodeLines(['-e', '0'], '/nonexistent/perf')).toThrow(PerfUnavailableError);
    expect(() => recordCodeLines(['-e', '0'], '/nonexistent/perf')).toThrow(/install linux-perf/);
  });

  it('says perf is unavailable when it runs but cannot record here', () => {
    // `false` stands in for a perf that cannot record (refused by perf_event_paranoid, or not built for this
    // kernel): the check on `true` fails first.
    expect(() => recordCodeLines(['-e', '0'], 'false')).toThrow(PerfUnavailableError);
    expect(() => recordCodeLines(['-e', '0'], 'false')).toThrow(/cannot record here/);
  });

  it('reports a failed recording of the measured process as a failure, not as a missing tool', () => {
    // A perf that records `true` and fails on anything else: the check passes, the real recording fails.
    const dir = mkdtempSync(join(tmpdir(), 'fake-perf-'));
    try {
      const fake = join(dir, 'perf');
      writeFileSync(
        fake,
        '#!/bin/sh\nfor a in "$@"; do last="$a"; done\n[ "$last" = true ] && exit 0\necho "workload failed" >&2\nexit 1\n',
        {
          mode: 0o755,
        },
      );
      let thrown: unknown;
      try {
        recordCodeLines(['-e', '0'], fake);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(PerfUnavailableError);
      expect(String(thrown)).toMatch(/workload failed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a function without V8's tier marks", () => {
    expect(functionName("JS:*'scanBinanceTradeLayout")).toBe('scanBinanceTradeLayout');
    expect(functionName('JS:*onMessage')).toBe('onMessage');
    expect(functionName('JS:o*bodies.runner')).toBe('bodies.runner');
    expect(functionName("JS:+'release")).toBe('release');
    expect(functionName('Builtins_AtomicsStore')).toBe('Builtins_AtomicsStore');
  });
});

describe('the L1 instruction cache from sysfs', () => {
  it('finds the level-1 instruction cache among the cache indexes, and says nothing without one', () => {
    const root = mkdtempSync(join(tmpdir(), 'cache-'));
    try {
      const index = (n: number, level: string, type: string, size: string): void => {
        mkdirSync(join(root, `index${n}`));
        writeFileSync(join(root, `index${n}`, 'level'), `${level}\n`);
        writeFileSync(join(root, `index${n}`, 'type'), `${type}\n`);
        writeFileSync(join(root, `index${n}`, 'size'), `${size}\n`);
      };
      index(0, '1', 'Data', '48K');
      expect(l1InstructionCacheKiB(root)).toBeUndefined();
      index(1, '1', 'Instruction', '32K');
      index(2, '2', 'Unified', '1024K');
      expect(l1InstructionCacheKiB(root)).toBe(32);
      expect(l1InstructionCacheKiB(join(root, 'absent'))).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
