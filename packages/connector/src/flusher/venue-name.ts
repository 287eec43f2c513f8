/**
 * Validation of the path components the flusher builds file names from, so a
 * venue name can never point outside the data directory.
 */
import { InvalidVenueError } from '../errors.js';

const VENUE_PATTERN = /^[a-z0-9_-]{1,64}$/;
const EXTENSION_PATTERN = /^[a-z0-9]{1,16}$/;

/**
 * Throws unless `venue` matches `[a-z0-9_-]{1,64}` (no dots or slashes, so no
 * `..` and no absolute path) and `extension` matches `[a-z0-9]{1,16}`.
 *
 * @throws {InvalidVenueError}
 */
export function assertRecordPathParts(venue: string, extension: string): void {
  if (!VENUE_PATTERN.test(venue)) {
    throw new InvalidVenueError(`invalid venue name ${JSON.stringify(venue)}: expected [a-z0-9_-]{1,64}`);
  }
  if (!EXTENSION_PATTERN.test(extension)) {
    throw new InvalidVenueError(
      `invalid file extension ${JSON.stringify(extension)}: expected [a-z0-9]{1,16}`,
    );
  }
}
