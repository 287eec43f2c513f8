/**
 * Shows progress while `run` works: on a terminal, the status line redrawn
 * every second; otherwise (CI, pipes, files) a structured `status` log line
 * every `--status-interval`, since `\r` redraws would only fill a log with
 * garbage.
 */
import type { PipelineStatus } from '@marketpipe/connector';
import type { LatencyRecorder } from '@marketpipe/middleware/latency';
import type { CliOutput } from '../cli-context.js';
import type { CliLogger } from './cli-logger.js';
import { RateMeter } from './rate-meter.js';
import { formatStatusLine, statusLogFields } from './status-line.js';
import type { TerminalStatus } from './terminal-status.js';

/** Terminal redraw period. */
const TTY_INTERVAL_MS = 1_000;

/** A running reporter; `stop()` clears the status line on a terminal (idempotent). */
export interface StatusReporter {
  stop(): void;
}

/**
 * Starts reporting `status()` to `stdout` (terminal) or `logger` (anything else).
 *
 * @example
 * ```ts
 * const terminal = new TerminalStatus(process.stdout);
 * const reporter = startStatusReporter({ stdout: process.stdout, terminal, logger, intervalMs: 5000, status: () => pipeline.status() });
 * // ...
 * reporter.stop();
 * ```
 */
export function startStatusReporter(options: {
  stdout: CliOutput;
  /** Where the terminal status line is drawn (shared with the logger, which prints above it). */
  terminal: TerminalStatus;
  logger: CliLogger;
  /** Log period when stdout is not a terminal. */
  intervalMs: number;
  status: () => PipelineStatus;
  /** The recorder the pipeline records into, for the latency of each interval (otherwise the run-long figures). */
  latency?: LatencyRecorder;
}): StatusReporter {
  const { stdout, terminal, logger, status } = options;
  const meter = new RateMeter(options.latency);
  const tty = stdout.isTTY === true;
  const timer = setInterval(
    () => {
      const snapshot = status();
      const rates = meter.sample(snapshot, performance.now());
      if (tty) terminal.show(formatStatusLine(snapshot, rates, stdout.columns));
      else logger.info(statusLogFields(snapshot, rates), 'status');
    },
    tty ? TTY_INTERVAL_MS : options.intervalMs,
  );
  return {
    stop: () => {
      clearInterval(timer);
      terminal.clear();
    },
  };
}
