/**
 * The `--config` file: a JSON object whose keys are the camelCase option
 * names (`venue`, `symbols`, `natsUser`, `dataDir`, ...). JSON keeps the app
 * free of a parser dependency; unknown keys are rejected so a typo does not
 * silently fall back to a default.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigFileError } from '../cli-errors.js';
import { RUN_OPTIONS, type RunOptionKey } from './run-option-table.js';

/** A parsed config file. */
export interface ConfigFile {
  /** The path as given. */
  path: string;
  /** Absolute folder of the file: relative paths inside it are resolved from here. */
  dir: string;
  /** The option values, unvalidated (validation happens with the other sources). */
  values: Partial<Record<RunOptionKey, unknown>>;
}

const KNOWN_KEYS = new Set<string>(RUN_OPTIONS.map((spec) => spec.key));

/**
 * Reads and shape-checks a config file.
 *
 * @throws {ConfigFileError} when the file is unreadable, not JSON, not an object, or has an unknown key.
 * @example
 * ```ts
 * const file = loadConfigFile('marketpipe.json'); // { "venue": "kraken", "symbols": ["BTC/USD"] }
 * file.values.venue; // 'kraken'
 * ```
 */
export function loadConfigFile(path: string, cwd: string = process.cwd()): ConfigFile {
  const absolute = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new ConfigFileError(path, `cannot be read (${typeof code === 'string' ? code : 'error'})`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigFileError(path, `is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigFileError(path, 'must hold a JSON object of options, e.g. {"venue": "binance"}');
  }
  const values: Partial<Record<RunOptionKey, unknown>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigFileError(
        path,
        `unknown option ${JSON.stringify(key)}; allowed keys: ${[...KNOWN_KEYS].join(', ')}`,
      );
    }
    values[key as RunOptionKey] = value;
  }
  return { path, dir: dirname(absolute), values };
}
