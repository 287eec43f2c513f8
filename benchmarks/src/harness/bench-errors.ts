/**
 * Failure kinds of the benchmark harness. Each has a stable `code` so callers (the smoke test, CI logs) can tell
 * them apart; `instanceof` works across package copies.
 */
import { MarketpipeError } from '@marketpipe/middleware';

/** A command-line argument of `run` or of a suite is unknown or malformed. */
export class BenchArgumentError extends MarketpipeError {
  override readonly name = 'BenchArgumentError' as const;
  static readonly code = 'MP_ERR_BENCH_ARGUMENT' as const;
  readonly code = BenchArgumentError.code;
}

/** A suite process exited with an error, was killed, or wrote no result file. */
export class BenchSuiteError extends MarketpipeError {
  override readonly name = 'BenchSuiteError' as const;
  static readonly code = 'MP_ERR_BENCH_SUITE' as const;
  readonly code = BenchSuiteError.code;
  /** The suite that failed, e.g. `hot-path`. */
  readonly suite: string;

  constructor(suite: string, message: string, options?: ErrorOptions) {
    super(`benchmark suite ${suite} failed: ${message}`, options);
    this.suite = suite;
  }
}

/**
 * A measurement precondition does not hold, so the number would be wrong: the process lacks `--expose-gc`, a
 * pipeline dropped messages, a server did not start. The suite fails instead of reporting it.
 */
export class BenchPreconditionError extends MarketpipeError {
  override readonly name = 'BenchPreconditionError' as const;
  static readonly code = 'MP_ERR_BENCH_PRECONDITION' as const;
  readonly code = BenchPreconditionError.code;
}
