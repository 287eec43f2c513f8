import { describe, expect, it } from 'vitest';
import { countCodeLines, parsePerfScript } from './code-lines.js';

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
