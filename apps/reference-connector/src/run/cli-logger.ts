/**
 * Structured logs (pino) to stderr, so stdout stays free for the status line,
 * summaries and `cat` output: JSON lines, or readable lines on a terminal.
 * Secrets are kept out twice: the code never puts them into log objects, and
 * `redact` censors the keys they would have if one slipped in.
 */
import type { Writable } from 'node:stream';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../options/run-config.js';
import { formatLogLine, type LogFormat } from './pretty-log.js';
import type { TerminalStatus } from './terminal-status.js';

const SECRET_KEYS = [
  'pass',
  'password',
  'token',
  'nkeySeed',
  'seed',
  'natsPass',
  'natsToken',
  'natsNkeySeed',
];

/** pino `redact` paths: every secret key at the top level and two levels down. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** How {@link createCliLogger} writes. */
export interface CliLoggerOptions {
  /** `json` (default) or `pretty`; see `chooseLogFormat`. */
  format?: LogFormat;
  /** Colour the level and time of pretty lines (a terminal without `NO_COLOR`). */
  color?: boolean;
  /** A status line on the same terminal: every log line is printed above it, never inside it. */
  terminalStatus?: TerminalStatus;
}

/**
 * A pino logger writing to `destination`: JSON lines, or readable lines
 * with `format: 'pretty'`.
 *
 * @example
 * ```ts
 * const logger = createCliLogger('info', process.stderr, { format: chooseLogFormat(undefined, process.stderr) });
 * logger.info({ venue: 'binance' }, 'starting');
 * ```
 */
export function createCliLogger(
  level: LogLevel,
  destination: Writable,
  options: CliLoggerOptions = {},
): Logger {
  const { format = 'json', color = false, terminalStatus } = options;
  const text = format === 'pretty' ? (line: string) => formatLogLine(line, color) : (line: string) => line;
  // pino hands the destination one whole serialized line per call, already redacted.
  const sink: DestinationStream = {
    write: terminalStatus
      ? (line) => terminalStatus.above(() => destination.write(text(line)))
      : (line) => destination.write(text(line)),
  };
  return pino(
    {
      name: 'marketpipe',
      level,
      base: { pid: process.pid },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    format === 'json' && terminalStatus === undefined ? destination : sink,
  );
}

/**
 * `text` with every occurrence of a secret replaced by `[redacted]`: the last
 * guard for messages that come from outside (a driver error quoting a URL).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

/** An error reduced to loggable fields (code, name, message, cause message), with secrets scrubbed. */
export function errorFields(err: unknown, secrets: readonly string[]): { code: string; message: string } {
  const code =
    typeof (err as { code?: unknown })?.code === 'string'
      ? (err as { code: string }).code
      : 'MP_ERR_UNEXPECTED';
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return { code, message: scrubSecrets(`${message}${cause}`, secrets) };
}
