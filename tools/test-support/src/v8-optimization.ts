/**
 * V8's test intrinsics for tests that check what the optimizing compiler does with a function (that it stays
 * optimized when a value crosses 2^31, say). Only for a process started with `--allow-natives-syntax` (best with
 * `--no-concurrent-recompilation`, so an optimization requested is done at the next call): a child of the test.
 *
 * @example
 * ```ts
 * prepareFunctionForOptimization(step);
 * for (let i = 0; i < 1000; i++) step(i);
 * optimizeOnNextCall(step);
 * step(0);
 * const before = isOptimized(step); // true
 * ```
 */

type Intrinsic = (fn: unknown) => number;

// Compiled at run time: the `%` syntax is neither TypeScript nor JavaScript without the flag.
function intrinsic(name: string): Intrinsic {
  try {
    return new Function('fn', `return %${name}(fn);`) as Intrinsic;
  } catch (error) {
    throw new Error(`V8 intrinsics need node --allow-natives-syntax (${name})`, { cause: error });
  }
}

const prepare = intrinsic('PrepareFunctionForOptimization');
const optimize = intrinsic('OptimizeFunctionOnNextCall');
const status = intrinsic('GetOptimizationStatus');
const forbid = intrinsic('NeverOptimizeFunction');

/** Lets V8 gather the feedback it needs to optimize `fn` (call before its first calls). */
export function prepareFunctionForOptimization(fn: unknown): void {
  prepare(fn);
}

/**
 * Keeps V8 from optimizing `fn` (call before its first call), so the calls it makes run the callees' own code and
 * never a copy of them inlined into it: a driver loop around the functions a test watches.
 */
export function neverOptimize(fn: unknown): void {
  forbid(fn);
}

/** Has V8 optimize `fn` at its next call. */
export function optimizeOnNextCall(fn: unknown): void {
  optimize(fn);
}

// The status bits that mean "optimized" moved between V8 versions: those of a function optimized here, less those
// of one never optimized.
function probe(x: number): number {
  return x + 1;
}
function never(x: number): number {
  return x - 1;
}
prepare(probe);
probe(1);
probe(2);
optimize(probe);
probe(3);
never(1);
const OPTIMIZED = status(probe) & ~status(never);

/** True while V8 runs `fn` as optimized code. */
export function isOptimized(fn: unknown): boolean {
  return OPTIMIZED !== 0 && (status(fn) & OPTIMIZED) === OPTIMIZED;
}
