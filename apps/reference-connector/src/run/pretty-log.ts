/**
 * Log lines for a person at a terminal: time, level, message, then the
 * fields as `key=value`. Built on the JSON lines the CLI's logger writes
 * (pino's format, after redaction), so both formats carry the same fields. A formatter of our own
 * rather than pino-pretty: it loads in no measurable time where pino-pretty
 * costs about 40 ms at start-up (measured: the app README's "Logs").
 */

/** `json`: one JSON object per line (pipes, files, CI); `pretty`: readable lines for a terminal. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const LEVEL_COLORS: Readonly<Record<number, string>> = {
  10: '\u001b[90m',
  20: '\u001b[36m',
  30: '\u001b[32m',
  40: '\u001b[33m',
  50: '\u001b[31m',
  60: '\u001b[1;31m',
};
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';
/** The logger's own fields (pino's): shown as time, level and message, or not at all. */
const HIDDEN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/**
 * The format for a log destination: the one asked for, else `pretty` on a
 * terminal and `json` anywhere else.
 */
export function chooseLogFormat(asked: LogFormat | undefined, destination: { isTTY?: boolean }): LogFormat {
  return asked ?? (destination.isTTY === true ? 'pretty' : 'json');
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  const ms = date.getMilliseconds();
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item !== 'object' || item === null)
  ) {
    return value.map((item) => String(item)).join(',');
  }
  return JSON.stringify(value);
}

/**
 * One JSON log line (pino's format) as a readable line (with a trailing newline):
 * `12:00:01.250 WARN  source disconnected code=1006 reason=""`. A line that
 * is not a JSON object is passed through unchanged.
 *
 * @example
 * ```ts
 * formatLogLine('{"level":30,"time":0,"msg":"starting","venue":"binance"}', false);
 * // '01:00:00.000 INFO  starting venue=binance\n' (in the local time zone)
 * ```
 */
export function formatLogLine(line: string, color: boolean): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${line.trimEnd()}\n`;
  const record = entry as Record<string, unknown>;
  const level = typeof record.level === 'number' ? record.level : 30;
  const levelName = LEVEL_NAMES[level] ?? `L${level}`.padEnd(5);
  const time = clockTime(typeof record.time === 'number' ? record.time : Date.now());
  let text = color
    ? `${DIM}${time}${RESET} ${LEVEL_COLORS[level] ?? ''}${levelName}${RESET}`
    : `${time} ${levelName}`;
  if (typeof record.msg === 'string') text += ` ${record.msg}`;
  for (const [key, value] of Object.entries(record)) {
    if (!HIDDEN_KEYS.has(key) && value !== undefined) text += ` ${key}=${fieldValue(value)}`;
  }
  return `${text}\n`;
}
