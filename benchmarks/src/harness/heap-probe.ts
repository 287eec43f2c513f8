/**
 * Bytes allocated by a block of code, from heap deltas.
 *
 * Node 20 has no allocation counter, so the probe reads the heap's used size before and after and trusts the
 * delta only when no GC ran in between (a GC would free memory and hide allocations). Suites that use it run with
 * a young generation large enough (`--min-semi-space-size` / `--max-semi-space-size`) for a measured loop to finish
 * without a scavenge.
 *
 * Only the spaces that hold the program's objects count. Code V8 compiles during a probe (a re-optimization after
 * the full GC before it dropped optimized code, an on-stack replacement) lands in the code and trusted spaces (the
 * code, its bytecode and deoptimization data): hundreds of KB at once, which over a round read as about a byte per
 * message of a path that allocates nothing. That growth is reported apart (`codeBytes`), not as allocations. The
 * split needs V8 12 or later (Node 22+): Node 20's V8 keeps bytecode and deoptimization data in the old space, where
 * a recompile still counts as allocation (the benchmarks run on Node 26 unless told otherwise).
 */
import v8 from 'node:v8';
import { median } from './batch-timer.js';
import { BenchPreconditionError } from './bench-errors.js';
import type { GcCounter } from './gc-counter.js';

/** Result of {@link probeAllocations}. */
export interface AllocationProbe {
  /** Growth of the object spaces during the block, in bytes; `NaN` when a GC ran (the delta would be wrong). */
  bytes: number;
  /** Growth of the code and trusted spaces (compiled code and its metadata) during the block, in bytes. */
  codeBytes: number;
  /** GC events during the block. */
  gcs: number;
  /** Operations the block ran. */
  operations: number;
  /** `bytes / operations`. */
  bytesPerOperation: number;
}

/** Node flags a suite process needs for {@link probeAllocations}. */
export const HEAP_PROBE_FLAGS: readonly string[] = [
  '--expose-gc',
  '--min-semi-space-size=128',
  '--max-semi-space-size=128',
];

/** Spaces of compiled code and its metadata (V8 12+ keeps bytecode and deoptimization data in trusted space). */
const CODE_SPACES: ReadonlySet<string> = new Set([
  'code_space',
  'code_large_object_space',
  'trusted_space',
  'trusted_large_object_space',
  'shared_trusted_space',
  'shared_trusted_large_object_space',
]);

/** Used bytes of the object spaces and of the code spaces. */
function heapUsed(): { objects: number; code: number } {
  let objects = 0;
  let code = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (CODE_SPACES.has(space.space_name)) code += space.space_used_size;
    else objects += space.space_used_size;
  }
  return { objects, code };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') {
    throw new BenchPreconditionError('allocation probes need node --expose-gc (the runner passes it)');
  }
  gc();
}

/**
 * Runs `block` (which performs `operations` operations) after a full GC and reports the bytes it allocated.
 * Warm `block` up before probing: the first runs allocate compiled code and feedback, not per-operation garbage.
 *
 * @throws BenchPreconditionError when the process was started without `--expose-gc`.
 */
export async function probeAllocations(
  block: () => void,
  operations: number,
  gcs: GcCounter,
): Promise<AllocationProbe> {
  collectGarbage();
  const gcsBefore = await gcs.settledCount();
  const before = heapUsed();
  block();
  const after = heapUsed();
  const collected = (await gcs.settledCount()) - gcsBefore;
  const bytes = collected === 0 ? Math.max(0, after.objects - before.objects) : Number.NaN;
  const codeBytes = Math.max(0, after.code - before.code);
  return { bytes, codeBytes, gcs: collected, operations, bytesPerOperation: bytes / operations };
}

/**
 * Bytes per operation of `block`, from the difference between a probe of `2 * operations` and one of `operations`
 * (each a {@link probeAllocations} after its own full GC), so what a probe costs whatever its length cancels out:
 * on Node 26 a probe of zero operations reads 16-21 KB of heap growth (the allocation area opened after the GC, the
 * heap statistics object), which over a 50 000-message round read as 0.4 B per message of a path that allocates
 * nothing (docs/design/latency-tail.md, "What a probe costs by itself"). The median over `probes` pairs in which no
 * GC ran (`NaN` when one ran in every pair), at least 0. Several pairs because the full GC before each probe can
 * make V8 drop and redo optimised code, whose allocations are then charged to the next probe. `between` runs before
 * each probe: warm-up, or letting a consumer catch up. `block(n)` must run exactly `n` operations.
 */
export async function medianAllocationPerOperation(
  block: (operations: number) => void,
  operations: number,
  gcs: GcCounter,
  between: () => void | Promise<void> = () => block(operations),
  probes = 3,
  onProbe?: (probe: AllocationProbe) => void,
): Promise<number> {
  const valid: number[] = [];
  for (let p = 0; p < probes; p++) {
    // Alternating which length goes first, so a drift over the pair does not always land on the same side.
    let once = Number.NaN;
    let twice = Number.NaN;
    for (const doubled of p % 2 === 0 ? [false, true] : [true, false]) {
      const length = doubled ? 2 * operations : operations;
      await between();
      // NaN when a GC ran during the probe.
      const probe = await probeAllocations(() => block(length), length, gcs);
      onProbe?.(probe);
      const { bytes } = probe;
      if (doubled) twice = bytes;
      else once = bytes;
    }
    // NaN when either probe saw a GC: the pair is dropped.
    const perOperation = (twice - once) / operations;
    if (!Number.isNaN(perOperation)) valid.push(Math.max(0, perOperation));
  }
  return valid.length > 0 ? median(valid) : Number.NaN;
}
