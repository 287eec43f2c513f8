// The shared argument validators of both packages: each throws the one InvalidArgumentError, naming the argument.
// Internal (`@marketpipe/middleware/internal`), not part of the public API.
import { InvalidArgumentError } from './errors.js';

/**
 * Returns `value` when it is a safe integer in `min..max`.
 *
 * @throws {@link InvalidArgumentError} naming `name` otherwise.
 */
export function checkInteger(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new InvalidArgumentError(`${name} must be an integer ${range}, got ${value}`, { argument: name });
  }
  return value;
}

/**
 * Returns `value` when it is a finite number in `min..max` (above `min` when `exclusiveMin` is set).
 *
 * @throws {@link InvalidArgumentError} naming `name` otherwise.
 */
export function checkNumber(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_VALUE,
  exclusiveMin = false,
): number {
  const aboveMin = exclusiveMin ? value > min : value >= min;
  if (!(Number.isFinite(value) && aboveMin && value <= max)) {
    const low = `${exclusiveMin ? '>' : '>='} ${min}`;
    const range = max === Number.MAX_VALUE ? low : `${low} and <= ${max}`;
    throw new InvalidArgumentError(`${name} must be a finite number ${range}, got ${value}`, {
      argument: name,
    });
  }
  return value;
}

/**
 * Returns `value` when it is one of `allowed`.
 *
 * @throws {@link InvalidArgumentError} naming `name` and the allowed values otherwise.
 */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new InvalidArgumentError(
      `unknown ${name} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`,
      {
        argument: name,
      },
    );
  }
  return value as T;
}
