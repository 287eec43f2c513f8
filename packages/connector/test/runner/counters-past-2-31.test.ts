import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./counters-past-2-31-child.ts', import.meta.url));

/** Runs one case of the child (V8's test intrinsics need a process of their own) and parses its JSON line. */
function runCase(which: 'runner-bytes' | 'ring-positions'): Record<string, unknown> {
  const out = execFileSync(
    process.execPath,
    [
      '--allow-natives-syntax',
      '--no-concurrent-recompilation',
      '--import',
      'tsx',
      '--conditions=@marketpipe/source',
      CHILD,
      which,
    ],
    { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) },
  );
  return JSON.parse(out) as Record<string, unknown>;
}

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
