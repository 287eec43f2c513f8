import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./latency-recorder-optimization-child.mjs', import.meta.url));

// Its sum of nanoseconds passes 2^31 after 2.1 s of recorded latency; started as a small integer, that crossing
// deoptimized `record` and the hot path it is inlined into (src/double-field.ts).
describe('LatencyRecorder and the optimizing compiler', () => {
  it('keeps a function recording into it optimized when the sum of the values passes 2^31 ns', () => {
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--no-concurrent-recompilation', CHILD],
      { encoding: 'utf8' },
    );
    const result = JSON.parse(out) as { before: boolean; after: boolean; count: number; max: number };
    expect(result.before).toBe(true);
    expect(result.after).toBe(true);
    expect(result.count).toBe(1_000 + 1 + 2_160);
    expect(result.max).toBeGreaterThanOrEqual(1_000_000);
  });
});
