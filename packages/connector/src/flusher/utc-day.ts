/**
 * UTC calendar days as integers (days since 1970-01-01) and their
 * `YYYY-MM-DD` names, used to name and rotate record files.
 */
import { InvalidDayError } from '../errors.js';

/** Seconds in a UTC day (UTC days in Unix time have no leap seconds). */
export const SECONDS_PER_DAY = 86_400;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day number containing the Unix time `seconds`. */
export function dayOfSeconds(seconds: number): number {
  return Math.floor(seconds / SECONDS_PER_DAY);
}

/** `YYYY-MM-DD` name of UTC day number `day`. */
export function formatDay(day: number): string {
  return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}

/**
 * UTC day number of a `YYYY-MM-DD` string.
 *
 * @throws {InvalidDayError} when `text` is not a real calendar date in that form.
 */
export function parseDay(text: string): number {
  const match = DAY_PATTERN.exec(text);
  if (match === null) throw new InvalidDayError(`not a YYYY-MM-DD day: ${JSON.stringify(text)}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const day = ms / 1000 / SECONDS_PER_DAY;
  if (formatDay(day) !== text) throw new InvalidDayError(`not a real calendar day: ${text}`);
  return day;
}
