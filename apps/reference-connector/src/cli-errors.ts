/**
 * Typed failures of the `marketpipe` command line. Each kind has a stable
 * `code`; test with the static `is` guard, not `instanceof`. Messages never
 * contain secret option values (passwords, tokens, NKey seeds).
 */
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware/errors';

/**
 * An option value that cannot be used: the message names the option, where
 * the value came from (flag, environment variable or config file) and what is
 * allowed. The CLI exits with code 2 for it.
 */
export class InvalidOptionError extends MarketpipeError {
  override readonly name = 'InvalidOptionError' as const;
  readonly code = 'ERR_INVALID_OPTION' as const;
  /** The option's flag, e.g. `--venue`. */
  readonly option: string;

  constructor(option: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.option = option;
  }

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is InvalidOptionError {
    return hasErrorCode(err, 'ERR_INVALID_OPTION');
  }
}

/**
 * The `--config` file cannot be read, is not a JSON object, or holds a key
 * that is not an option. The CLI exits with code 2 for it.
 */
export class ConfigFileError extends MarketpipeError {
  override readonly name = 'ConfigFileError' as const;
  readonly code = 'ERR_CONFIG_FILE' as const;
  /** The config file path as given. */
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`config file ${path}: ${problem}`, options);
    this.path = path;
  }

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is ConfigFileError {
    return hasErrorCode(err, 'ERR_CONFIG_FILE');
  }
}

/** `cat` or `verify` found no record files where it was pointed. The CLI exits with code 1. */
export class RecordingsNotFoundError extends MarketpipeError {
  override readonly name = 'RecordingsNotFoundError' as const;
  readonly code = 'ERR_RECORDINGS_NOT_FOUND' as const;

  /** True when `err` carries this error's code, across package copies. */
  static is(err: unknown): err is RecordingsNotFoundError {
    return hasErrorCode(err, 'ERR_RECORDINGS_NOT_FOUND');
  }
}
