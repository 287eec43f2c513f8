import { describe, expect, it } from 'vitest';
import { runV8Child } from '../v8-child.js';

const CHILD = new URL('./ring-close-protector-child.ts', import.meta.url);

interface Result {
  before: boolean[];
  after: boolean[];
  trades: number;
}

const runCase = (which: 'ring-close' | 'detach'): Result => runV8Child(CHILD, which);

// Detaching any ArrayBuffer invalidates V8's ArrayBufferDetaching protector for the whole isolate: every optimized
// function that reads a typed array is thrown away, and compiled again with a check on every access (a Runner
// 9-22% slower in a tight loop; docs/design/ring-buffer.md, "Closing"). Closing a ring used to detach its mapping.
describe("closing a ring leaves the process's optimized code alone", () => {
  it('keeps the parser and the ring hand-off optimized when another ring is closed', () => {
    const result = runCase('ring-close');
    expect(result.before).toEqual([true, true]);
    expect(result.after).toEqual([true, true]);
    expect(result.trades).toBeGreaterThan(200);
  });

  it('sees the deoptimization a detached ArrayBuffer causes (the control)', () => {
    const result = runCase('detach');
    expect(result.before).toEqual([true, true]);
    expect(result.after).toEqual([false, false]);
  });
});
