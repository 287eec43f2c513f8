/**
 * Reads `run` options from their three sources with the precedence
 * flags > environment > config file (defaults are applied by the caller), and
 * converts each to its type. Every failure is an {@link InvalidOptionError}
 * naming the option, where the value came from and what is allowed; secret
 * values are never repeated in the message.
 */
import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError } from '../cli-errors.js';
import type { ConfigFile } from './config-file.js';
import { formatDuration, parseDuration } from './duration.js';
import { type RunOptionKey, type RunOptionSpec, runOption } from './run-option-table.js';

/** Highest CPU number a CPU list may name (the kernel's default `CPU_SETSIZE` is 1024). */
const MAX_CPU = 1023;

/** Where option values come from. */
export interface OptionSources {
  /** Values given on the command line (the parsed flags; absent when not given). */
  flags: Partial<Record<RunOptionKey, string | boolean>>;
  /** The process environment; empty variables count as unset. */
  env: Readonly<Record<string, string | undefined>>;
  /** The parsed `--config` file, if any. */
  file: ConfigFile | undefined;
  /** Folder relative paths from flags and variables are resolved against. */
  cwd: string;
}

interface Picked {
  spec: RunOptionSpec;
  raw: unknown;
  from: string;
  /** From the JSON config file, where values carry their own types (a flag or variable is always text). */
  typed: boolean;
  baseDir: string;
}

/**
 * Typed access to `run` options.
 *
 * @example
 * ```ts
 * const reader = new OptionReader({ flags: { venue: 'kraken' }, env: process.env, file: undefined, cwd: process.cwd() });
 * reader.oneOf('venue', ['binance', 'kraken']); // 'kraken'
 * ```
 */
/** The example a list option's error gives. */
const LIST_EXAMPLES: Partial<Record<RunOptionKey, string>> = {
  symbols: 'BTCUSDT,ETHUSDT',
  channels: 'trades,books',
};

export class OptionReader {
  constructor(private readonly sources: OptionSources) {}

  /** Where `key`'s value comes from, for messages; undefined when unset. */
  origin(key: RunOptionKey): string | undefined {
    return this.pick(key)?.from;
  }

  /** True when `key` is set in any source. */
  has(key: RunOptionKey): boolean {
    return this.pick(key) !== undefined;
  }

  /** A non-empty string. */
  string(key: RunOptionKey): string | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const value = picked.raw;
    if (typeof value !== 'string' || value.trim().length === 0) fail(picked, 'expected a non-empty string');
    return value.trim();
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: RunOptionKey, allowed: readonly T[]): T | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const value = typeof picked.raw === 'string' ? picked.raw.trim() : picked.raw;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      fail(picked, `expected one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** An integer in `[min, max]`; strings of digits are accepted from every source. */
  integer(key: RunOptionKey, min: number, max: number): number | undefined {
    const picked = this.pick(key);
    return picked === undefined ? undefined : integerIn(picked, min, max);
  }

  /** A finite number greater than 0 and at most `max`. */
  positiveNumber(key: RunOptionKey, max = Number.MAX_VALUE): number | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const value = toNumber(picked.raw);
    if (!Number.isFinite(value) || value <= 0 || value > max) {
      fail(picked, `expected a number greater than 0${max < Number.MAX_VALUE ? ` and at most ${max}` : ''}`);
    }
    return value;
  }

  /** A comma-separated list (or a JSON array of strings in the config file) of non-empty items. */
  list(key: RunOptionKey): string[] | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const raw = picked.raw;
    const items =
      typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) && raw.every(isString) ? raw : undefined;
    const trimmed = items?.map((item) => item.trim());
    if (trimmed === undefined || trimmed.length === 0 || trimmed.some((item) => item.length === 0)) {
      fail(picked, `expected a comma-separated list of non-empty names, e.g. ${LIST_EXAMPLES[key] ?? 'a,b'}`);
    }
    return trimmed;
  }

  /**
   * CPU numbers as `taskset -c` writes them: `1`, `0,2` or `2-5,7` (or, in the config file, a number or an array of
   * numbers); ascending, without duplicates. At most CPU 1023.
   */
  cpuList(key: RunOptionKey): number[] | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const raw = picked.raw;
    const expected = 'expected CPU numbers such as 1, 0,2 or 2-5,7';
    const text =
      typeof raw === 'number'
        ? `${raw}`
        : Array.isArray(raw) && raw.every((item) => typeof item === 'number')
          ? raw.join(',')
          : typeof raw === 'string'
            ? raw.trim()
            : fail(picked, expected);
    const cpus = new Set<number>();
    for (const part of text.split(',')) {
      const match = /^\s*(\d{1,4})\s*(?:-\s*(\d{1,4})\s*)?$/.exec(part);
      if (match === null) fail(picked, expected);
      const first = Number(match[1]);
      const last = match[2] === undefined ? first : Number(match[2]);
      if (last < first || last > MAX_CPU) fail(picked, `${expected} (ranges ascending, at most ${MAX_CPU})`);
      for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
    }
    return [...cpus].sort((a, b) => a - b);
  }

  /** A switch: `true`/`false` (also `1`/`0`, `yes`/`no` from flags and variables; only JSON booleans from a file). */
  boolean(key: RunOptionKey): boolean | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const raw = picked.raw;
    if (typeof raw === 'boolean') return raw;
    // A quoted "false" in JSON is a typing mistake; guessing its meaning has turned TLS on by surprise.
    if (picked.typed) fail(picked, 'expected true or false (a JSON boolean, not a string)');
    const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    if (text === 'true' || text === '1' || text === 'yes') return true;
    if (text === 'false' || text === '0' || text === 'no') return false;
    fail(picked, 'expected true or false');
  }

  /** A duration with a unit (`500ms`, `30s`, `5m`, `1h`), in ms, greater than 0 and at most `maxMs`. */
  duration(key: RunOptionKey, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    const ms = typeof picked.raw === 'string' ? parseDuration(picked.raw) : undefined;
    if (ms === undefined || ms <= 0) fail(picked, 'expected a duration such as 500ms, 30s, 5m or 1h');
    if (ms > maxMs) fail(picked, `expected a duration of at most ${formatDuration(maxMs)}`);
    return ms;
  }

  /** A file or folder path, made absolute (config-file paths are relative to the file). */
  path(key: RunOptionKey): string | undefined {
    const picked = this.pick(key);
    if (picked === undefined) return undefined;
    if (typeof picked.raw !== 'string' || picked.raw.length === 0) fail(picked, 'expected a path');
    return isAbsolute(picked.raw) ? picked.raw : resolve(picked.baseDir, picked.raw);
  }

  /** `path` made absolute against the folder of the source `key` came from. */
  pathFrom(key: RunOptionKey, path: string): string {
    return isAbsolute(path) ? path : resolve(this.pick(key)?.baseDir ?? this.sources.cwd, path);
  }

  /** Throws the standard error for `key`'s current value. */
  reject(key: RunOptionKey, expected: string): never {
    const picked = this.pick(key);
    if (picked === undefined)
      throw new InvalidOptionError(runOption(key).flag, `${runOption(key).flag}: ${expected}`);
    fail(picked, expected);
  }

  private pick(key: RunOptionKey): Picked | undefined {
    const spec = runOption(key);
    const flag = this.sources.flags[key];
    if (flag !== undefined) {
      return { spec, raw: flag, from: 'command line', typed: false, baseDir: this.sources.cwd };
    }
    const env = this.sources.env[spec.envVar];
    if (env !== undefined && env.length > 0) {
      return {
        spec,
        raw: env,
        from: `environment variable ${spec.envVar}`,
        typed: false,
        baseDir: this.sources.cwd,
      };
    }
    const file = this.sources.file;
    if (file !== undefined && file.values[key] !== undefined) {
      return {
        spec,
        raw: file.values[key],
        from: `config file ${file.path}, key "${key}"`,
        typed: true,
        baseDir: file.dir,
      };
    }
    return undefined;
  }
}

/**
 * A command's own flag outside the `run` table (e.g. `subscribe --count`), read with the same rules and
 * message as {@link OptionReader.integer}.
 */
export function integerFlag(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return integerIn({ spec: { flag, secret: false }, raw: text, from: 'command line' }, min, max);
}

/** What a failure message needs to know about a value. */
type Source = Pick<Picked, 'raw' | 'from'> & { spec: Pick<RunOptionSpec, 'flag' | 'secret'> };

function integerIn(source: Source, min: number, max: number): number {
  const value = toNumber(source.raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(source, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

function fail(picked: Source, expected: string): never {
  const shown = picked.spec.secret ? '' : ` ${JSON.stringify(picked.raw)}`;
  throw new InvalidOptionError(
    picked.spec.flag,
    `invalid ${picked.spec.flag}${shown} (from ${picked.from}): ${expected}`,
  );
}

function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(raw)) return Number(raw);
  return Number.NaN;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
