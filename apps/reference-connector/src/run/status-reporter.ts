/**
 * Shows progress while `run` works: on a terminal, the status line redrawn
 * every second; otherwise (CI, pipes, files) a structured `status` log line
 * every `--status-interval`, since `\r` redraws would only fill a log with
 * garbage.
 */
import type { PipelineStatus } from '@marketpipe/connector';
import type { Logger } from 'pino';
import type { CliOutput } from '../cli-context.js';
import { RateMeter } from './rate-meter.js';
import { CLEAR_LINE, formatStatusLine, statusLogFields } from './status-line.js';

/** Terminal redraw period. */
const TTY_INTERVAL_MS = 1_000;

/** A running reporter; `stop()` clears the status line on a terminal. */
export interface StatusReporter {
  stop(): void;
}

/**
 * Starts reporting `status()` to `stdout` (terminal) or `logger` (anything else).
 *
 * @example
 * ```ts
 * const reporter = startStatusReporter({ stdout: process.stdout, logger, intervalMs: 5000, status: () => pipeline.status() });
 * // ...
 * reporter.stop();
 * ```
 */
export function startStatusReporter(options: {
  stdout: CliOutput;
  logger: Logger;
  /** Log period when stdout is not a terminal. */
  intervalMs: number;
  status: () => PipelineStatus;
}): StatusReporter {
  const { stdout, logger, status } = options;
  const meter = new RateMeter();
  const tty = stdout.isTTY === true;
  const timer = setInterval(
    () => {
      const snapshot = status();
      const rates = meter.sample(snapshot, performance.now());
      if (tty) stdout.write(CLEAR_LINE + formatStatusLine(snapshot, rates, stdout.columns));
      else logger.info(statusLogFields(snapshot, rates), 'status');
    },
    tty ? TTY_INTERVAL_MS : options.intervalMs,
  );
  return {
    stop: () => {
      clearInterval(timer);
      if (tty) stdout.write(CLEAR_LINE);
    },
  };
}
