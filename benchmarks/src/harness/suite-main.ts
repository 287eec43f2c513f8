/**
 * The entry point every suite process shares: parses `--smoke` and `--out <file>`, runs the suite, writes its
 * {@link SuiteResult} as JSON and exits non-zero on failure.
 */
import { writeFileSync } from 'node:fs';
import { benchSink } from './batch-timer.js';
import { BenchArgumentError } from './bench-errors.js';
import { type BenchProfile, FULL_PROFILE, SMOKE_PROFILE } from './bench-profile.js';
import type { SuiteResult } from './suite-result.js';

/** Arguments of a suite process. */
export interface SuiteArgs {
  smoke: boolean;
  /** Where to write the result JSON. */
  out: string;
}

/**
 * Parses a suite's command line: `[--smoke] --out <file>`.
 *
 * @throws BenchArgumentError for an unknown argument or a missing `--out`.
 */
export function parseSuiteArgs(argv: readonly string[]): SuiteArgs {
  let smoke = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--smoke') smoke = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) out = argv[++i];
    else
      throw new BenchArgumentError(
        `unknown suite argument ${JSON.stringify(arg)} (expected --smoke, --out <file>)`,
      );
  }
  if (out === undefined) throw new BenchArgumentError('a suite needs --out <file>');
  return { smoke, out };
}

/** What a suite module provides: its measurement, given the profile. */
export type SuiteBody = (
  profile: BenchProfile,
) => Promise<Omit<SuiteResult, 'smoke' | 'durationMs' | 'node'>>;

/**
 * Runs `body` as this process's suite. Call it once at the top level of a suite module; it sets the exit code
 * itself, so the module needs no top-level await (the CJS build forbids it).
 */
export function runSuiteProcess(body: SuiteBody): void {
  const run = async (): Promise<void> => {
    const args = parseSuiteArgs(process.argv.slice(2));
    const profile = args.smoke ? SMOKE_PROFILE : FULL_PROFILE;
    const started = performance.now();
    const result = await body(profile);
    const full: SuiteResult = {
      ...result,
      smoke: args.smoke,
      durationMs: performance.now() - started,
      node: process.versions.node,
    };
    writeFileSync(args.out, `${JSON.stringify(full, null, 2)}\n`);
    // The sink folds every timed batch's result; printing it keeps all measured work observable.
    process.stdout.write(
      `[${result.suite}] done in ${(full.durationMs / 1000).toFixed(1)} s (sink ${benchSink()})\n`,
    );
  };
  run().then(
    () => {
      process.exitCode = 0;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
