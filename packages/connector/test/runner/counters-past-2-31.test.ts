import { describe, expect, it } from 'vitest';
import { runV8Child } from '../v8-child.js';

const CHILD = new URL('./counters-past-2-31-child.ts', import.meta.url);

const runCase = (which: 'runner-bytes' | 'ring-positions'): Record<string, unknown> =>
  runV8Child(CHILD, which);

// A counter that starts as a small integer is compiled for small integers; passing 2^31 then deoptimizes the
// hot path (packages/middleware/src/double-field.ts). Both cases fail on the counters as they were.
describe('counters past 2^31 on the hot path', () => {
  it('keeps Runner.onMessage optimized when the bytes received pass 2 GiB', () => {
    const result = runCase('runner-bytes');
    expect(result.before).toBe(true);
    expect(result.after).toBe(true);
    expect(result.bytesReceived).toBeGreaterThan(2 ** 31);
    // Every message counted: as received, and as an oversize record and a parse error.
    expect(result.issues).toBe(2 * (result.received as number));
  });

  it("keeps the ring's hand-off optimized when its position and sequence pass 2^31", () => {
    const result = runCase('ring-positions');
    expect(result.before).toBe(true);
    expect(result.after).toBe(true);
    expect(result.nextWrite).toBeGreaterThan(2 ** 31);
    // Every record written came back out, in order, across the crossing.
    expect(result.nextRead).toBe(result.nextWrite);
    expect(result.read).toBe((result.nextWrite as number) - (result.start as number));
  });
});
