/** Validation of the `--venue` and `--date` options shared by `cat` and `verify`. */

import { InvalidOptionError } from '../cli-errors.js';
import { CLI_VENUES } from '../options/venue-defaults.js';

/** `venue` if it is a supported venue. @throws {InvalidOptionError} otherwise. */
export function checkVenue(venue: string): string {
  if (!(CLI_VENUES as readonly string[]).includes(venue)) {
    throw new InvalidOptionError(
      '--venue',
      `invalid --venue ${JSON.stringify(venue)}: expected one of ${CLI_VENUES.join(', ')}`,
    );
  }
  return venue;
}

/** `date` if it is a real `YYYY-MM-DD` UTC day. @throws {InvalidOptionError} otherwise. */
export function checkDate(date: string): string {
  // An impossible day (month 13) is an invalid Date, whose toISOString() throws: compare only a valid one.
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
  const valid = day !== undefined && !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === date;
  if (!valid) {
    throw new InvalidOptionError(
      '--date',
      `invalid --date ${JSON.stringify(date)}: expected a UTC day as YYYY-MM-DD`,
    );
  }
  return date;
}
