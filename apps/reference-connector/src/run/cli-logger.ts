/**
 * Structured logs to stderr, so stdout stays free for the status line,
 * summaries and `cat` output: JSON lines, or readable lines on a terminal.
 * Secrets are kept out twice: the code never puts them into log objects, and
 * the logger censors the keys they would have if one slipped in.
 *
 * The lines are pino's (`level` as a number, `time` in epoch ms, `pid`,
 * `name`, the child's bindings, the fields, `msg`), written by a logger of our
 * own: loading pino took ~30 ms of every start on Node 20, for a CLI whose
 * data-path warnings are aggregated to a few lines a minute
 * (docs/design/startup.md).
 */
import type { Writable } from 'node:stream';
import type { LogLevel } from '../options/run-config.js';
import { formatLogLine, type LogFormat } from './pretty-log.js';
import type { TerminalStatus } from './terminal-status.js';

const SECRET_KEYS: ReadonlySet<string> = new Set([
  'pass',
  'password',
  'token',
  'nkeySeed',
  'seed',
  'natsPass',
  'natsToken',
  'natsNkeySeed',
]);
/** Secret keys are censored at the top level of a log object and two levels down (pino's `key`, `*.key`, `*.*.key`). */
const REDACT_DEPTH = 2;
const CENSOR = '[redacted]';

const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};

/** One level's method: fields then a message, or a message alone. */
export interface LogMethod {
  (fields: object, msg?: string): void;
  (msg: string): void;
}

/** The CLI's logger: pino's methods and line format, the part the CLI uses. */
export interface CliLogger {
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;
  /** A logger whose lines also carry `bindings` (after `name`, before the call's fields). */
  child(bindings: object): CliLogger;
}

/** How {@link createCliLogger} writes. */
export interface CliLoggerOptions {
  /** `json` (default) or `pretty`; see `chooseLogFormat`. */
  format?: LogFormat;
  /** Colour the level and time of pretty lines (a terminal without `NO_COLOR`). */
  color?: boolean;
  /** A status line on the same terminal: every log line is printed above it, never inside it. */
  terminalStatus?: TerminalStatus;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` with secret keys censored down to {@link REDACT_DEPTH}; copies only plain objects and arrays. */
function redacted(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > REDACT_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key) ? CENSOR : redacted(item, depth + 1);
  }
  return out;
}

/** JSON for what `JSON.stringify` cannot say: errors as type, message and stack, bigints as digits. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: value.message,
      ...(code !== undefined ? { code } : {}),
      stack: value.stack,
    };
  }
  return value;
}

/** The members of `fields` as JSON without the braces (`"a":1,"b":2`), or `''`. Never throws. */
function jsonMembers(fields: object): string {
  let json: string;
  try {
    // undefined for what JSON has no text for (a function): no members then.
    json = JSON.stringify(redacted(fields, 0), jsonValue) ?? '{}';
  } catch (err) {
    // A cycle (or a throwing toJSON) must not cost the line: say so instead of the fields.
    json = JSON.stringify({ logFieldsError: err instanceof Error ? err.message : String(err) });
  }
  // An array (or a toJSON that returns no object) has no members of its own: it becomes one, `value`.
  if (!json.startsWith('{')) return `"value":${json}`;
  return json.length > 2 ? json.slice(1, -1) : '';
}

class LineLogger implements CliLogger {
  readonly trace: LogMethod;
  readonly debug: LogMethod;
  readonly info: LogMethod;
  readonly warn: LogMethod;
  readonly error: LogMethod;
  readonly fatal: LogMethod;

  /** `,"pid":1,"name":"marketpipe"` plus the bindings of every parent, ready to append after `time`. */
  readonly #head: string;
  readonly #threshold: number;
  readonly #write: (line: string) => void;

  constructor(head: string, threshold: number, write: (line: string) => void) {
    this.#head = head;
    this.#threshold = threshold;
    this.#write = write;
    this.trace = this.#method(10);
    this.debug = this.#method(20);
    this.info = this.#method(30);
    this.warn = this.#method(40);
    this.error = this.#method(50);
    this.fatal = this.#method(60);
  }

  child(bindings: object): CliLogger {
    const members = jsonMembers(bindings);
    return new LineLogger(
      members === '' ? this.#head : `${this.#head},${members}`,
      this.#threshold,
      this.#write,
    );
  }

  #method(level: number): LogMethod {
    if (level < this.#threshold) return () => {};
    return (fieldsOrMsg: object | string, msg?: string) => {
      const fields = typeof fieldsOrMsg === 'string' ? undefined : fieldsOrMsg;
      const text = typeof fieldsOrMsg === 'string' ? fieldsOrMsg : msg;
      const members = fields === undefined ? '' : jsonMembers(fields);
      this.#write(
        `{"level":${level},"time":${Date.now()}${this.#head}${members === '' ? '' : `,${members}`}` +
          `${text === undefined ? '' : `,"msg":${JSON.stringify(text)}`}}\n`,
      );
    };
  }
}

/**
 * A logger writing to `destination`: JSON lines as pino writes them, or
 * readable lines with `format: 'pretty'`. Levels below `level` cost nothing
 * (their methods are empty); `silent` writes nothing.
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
): CliLogger {
  const { format = 'json', color = false, terminalStatus } = options;
  const text = format === 'pretty' ? (line: string) => formatLogLine(line, color) : (line: string) => line;
  const write = terminalStatus
    ? (line: string) => terminalStatus.above(() => destination.write(text(line)))
    : (line: string) => destination.write(text(line));
  return new LineLogger(`,"pid":${process.pid},"name":"marketpipe"`, LEVEL_VALUES[level], write);
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
