import { hasErrorCode, MarketpipeError } from '../errors.js';

/** Which bound of an {@link Interner} was reached. */
export type InternerLimit = 'entries' | 'bytes';

/**
 * Thrown by `Interner.intern`/`internBytes` when a new entry would exceed `maxEntries` or `maxBytes`.
 *
 * The interner is left unchanged, so ids already handed out stay valid and lookups keep working; only new
 * symbols are refused. A feed that hits this is usually receiving garbage instead of tickers.
 */
export class InternerFullError extends MarketpipeError {
  override readonly name = 'InternerFullError' as const;
  readonly code = 'ERR_INTERNER_FULL' as const;
  /** The bound that was reached. */
  readonly limit: InternerLimit;
  /** The configured value of that bound. */
  readonly max: number;

  constructor(limit: InternerLimit, max: number, options?: ErrorOptions) {
    super(`interner is full: ${limit === 'entries' ? 'maxEntries' : 'maxBytes'} = ${max} reached`, options);
    this.limit = limit;
    this.max = max;
  }

  /** True when `err` carries this class's code, even if it comes from another copy of the package. */
  static is(err: unknown): err is InternerFullError {
    return hasErrorCode(err, 'ERR_INTERNER_FULL');
  }
}

/** Thrown by `Interner.resolve` for an id that this interner never handed out. */
export class UnknownInternIdError extends MarketpipeError {
  override readonly name = 'UnknownInternIdError' as const;
  readonly code = 'ERR_UNKNOWN_INTERN_ID' as const;
  /** The id that was asked for. */
  readonly id: number;

  constructor(id: number, options?: ErrorOptions) {
    super(`unknown intern id: ${id}`, options);
    this.id = id;
  }

  /** True when `err` carries this class's code, even if it comes from another copy of the package. */
  static is(err: unknown): err is UnknownInternIdError {
    return hasErrorCode(err, 'ERR_UNKNOWN_INTERN_ID');
  }
}

/**
 * Thrown when a symbol is not valid Unicode text: invalid UTF-8 bytes, or a string with a lone surrogate.
 *
 * Refusing both keeps the byte form and the string form of every entry in one-to-one correspondence, so
 * `intern(s)` and `internBytes(utf8(s))` can never disagree.
 */
export class InvalidUnicodeError extends MarketpipeError {
  override readonly name = 'InvalidUnicodeError' as const;
  readonly code = 'ERR_INVALID_UNICODE' as const;

  /** True when `err` carries this class's code, even if it comes from another copy of the package. */
  static is(err: unknown): err is InvalidUnicodeError {
    return hasErrorCode(err, 'ERR_INVALID_UNICODE');
  }
}
