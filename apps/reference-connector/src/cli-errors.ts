/**
 * The one error module of the `marketpipe` command line. Each kind has a stable
 * `MP_ERR_` code, and `instanceof` works across package copies. Messages never
 * contain secret option values (passwords, tokens, NKey seeds).
 */
import { MarketpipeError } from '@marketpipe/middleware/errors';

/**
 * An option value that cannot be used: the message names the option, where
 * the value came from (flag, environment variable or config file) and what is
 * allowed. The CLI exits with code 2 for it.
 */
export class InvalidOptionError extends MarketpipeError {
  override readonly name = 'InvalidOptionError' as const;
  static readonly code = 'MP_ERR_INVALID_OPTION' as const;
  readonly code = InvalidOptionError.code;
  /** The option's flag, e.g. `--venue`. */
  readonly option: string;

  constructor(option: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.option = option;
  }
}

/**
 * The `--config` file cannot be read, is not a JSON object, or holds a key
 * that is not an option. The CLI exits with code 2 for it.
 */
export class ConfigFileError extends MarketpipeError {
  override readonly name = 'ConfigFileError' as const;
  static readonly code = 'MP_ERR_CONFIG_FILE' as const;
  readonly code = ConfigFileError.code;
  /** The config file path as given. */
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`config file ${path}: ${problem}`, options);
    this.path = path;
  }
}

/** `cat` or `verify` found no record files where it was pointed. The CLI exits with code 1. */
export class RecordingsNotFoundError extends MarketpipeError {
  override readonly name = 'RecordingsNotFoundError' as const;
  static readonly code = 'MP_ERR_RECORDINGS_NOT_FOUND' as const;
  readonly code = RecordingsNotFoundError.code;
}
