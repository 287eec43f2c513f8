/**
 * How long a suite measures: the full profile of `pnpm bench`, or the smoke profile that only proves the suites
 * still run (tiny counts, numbers meaningless).
 */

/** Measurement sizes shared by every suite. */
export interface BenchProfile {
  /** True for `--smoke`: tiny counts, results are not benchmarks. */
  readonly smoke: boolean;
  /** Timed rounds per case; the report gives the median round. */
  readonly rounds: number;
  /** Untimed rounds per case before timing starts (JIT warm-up). */
  readonly warmupRounds: number;
  /** Wall time one timed round aims for, in ms; the iteration count is calibrated to it. */
  readonly roundMs: number;
  /** Cap on iterations per round, so slow calibrations cannot run away. */
  readonly maxIterations: number;
  /** Multiplies the suites' own durations (message counts, hold times); 1 for the full run. */
  readonly scale: number;
}

/** The profile of a full `pnpm bench` run. */
export const FULL_PROFILE: BenchProfile = Object.freeze({
  smoke: false,
  rounds: 7,
  warmupRounds: 2,
  roundMs: 40,
  maxIterations: 5_000_000,
  scale: 1,
});

/** The profile of `--smoke`: everything runs once or twice with tiny counts. */
export const SMOKE_PROFILE: BenchProfile = Object.freeze({
  smoke: true,
  rounds: 2,
  warmupRounds: 1,
  roundMs: 1,
  maxIterations: 2_000,
  scale: 0.01,
});

/** `count` scaled by the profile, at least `min`. */
export function scaled(profile: BenchProfile, count: number, min = 1): number {
  return Math.max(min, Math.round(count * profile.scale));
}
