/**
 * Failure kinds of the benchmark harness. Each has a stable `code` so callers (the smoke test, CI logs) can tell
 * them apart without `instanceof`.
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';

/** A command-line argument of `run` or of a suite is unknown or malformed. */
export class BenchArgumentError extends MarketpipeError {
  override readonly name = 'BenchArgumentError' as const;
  readonly code = 'ERR_BENCH_ARGUMENT' as const;

  /** True for a {@link BenchArgumentError}, across package copies. */
  static is(err: unknown): err is BenchArgumentError {
    return hasErrorCode(err, 'ERR_BENCH_ARGUMENT');
  }
}

/** A suite process exited with an error, was killed, or wrote no result file. */
export class BenchSuiteError extends MarketpipeError {
  override readonly name = 'BenchSuiteError' as const;
  readonly code = 'ERR_BENCH_SUITE' as const;
  /** The suite that failed, e.g. `hot-path`. */
  readonly suite: string;

  constructor(suite: string, message: string, options?: ErrorOptions) {
    super(`benchmark suite ${suite} failed: ${message}`, options);
    this.suite = suite;
  }

  /** True for a {@link BenchSuiteError}, across package copies. */
  static is(err: unknown): err is BenchSuiteError {
    return hasErrorCode(err, 'ERR_BENCH_SUITE');
  }
}

/**
 * A measurement precondition does not hold, so the number would be wrong: the process lacks `--expose-gc`, a
 * pipeline dropped messages, a server did not start. The suite fails instead of reporting it.
 */
export class BenchPreconditionError extends MarketpipeError {
  override readonly name = 'BenchPreconditionError' as const;
  readonly code = 'ERR_BENCH_PRECONDITION' as const;

  /** True for a {@link BenchPreconditionError}, across package copies. */
  static is(err: unknown): err is BenchPreconditionError {
    return hasErrorCode(err, 'ERR_BENCH_PRECONDITION');
  }
}
