/**
 * Process exit codes of the `marketpipe` CLI. They are part of its interface:
 * scripts and CI check them, so they never change meaning.
 */
export const ExitCode = {
  /** Success: for `run`, nothing was lost or dropped; for `verify`, the recordings are clean. */
  ok: 0,
  /**
   * A runtime error (could not connect, pipeline failure, unreadable files, the data dir is in use for this
   * venue by another process), or `verify` found problems.
   */
  error: 1,
  /** Invalid command line, environment variable or config file. */
  usage: 2,
  /**
   * Finished, but something was lost, dropped or skipped: `run` (see the summary's `lossReasons`, which include
   * damaged bytes a record replay skipped and damaged file ends set aside at start), or `cat` skipping damaged
   * bytes. (`verify` reports damage as a problem: 1.)
   */
  lost: 3,
  /** Forced exit by a second Ctrl-C: 128 + SIGINT, as shells report it. */
  forced: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
