/**
 * Error conventions shared by every marketpipe package.
 *
 * Each failure kind is its own class with a string-literal `name` and a
 * stable `code`. Callers should test errors with {@link hasErrorCode} (or the
 * static `is` guard on each class) rather than `instanceof`, which breaks when
 * two copies of a package are installed side by side.
 */

/** Base class for every typed marketpipe error. */
export abstract class MarketpipeError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INVALID_SUBJECT`. Never changes between releases. */
  abstract readonly code: string;
}

/**
 * True when `err` is an object carrying the given stable `code`.
 *
 * @example
 * ```ts
 * try { transport.publish('a..b', payload); }
 * catch (err) { if (hasErrorCode(err, 'ERR_INVALID_SUBJECT')) console.error(err.message); }
 * ```
 */
export function hasErrorCode<C extends string>(err: unknown, code: C): err is Error & { code: C } {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
