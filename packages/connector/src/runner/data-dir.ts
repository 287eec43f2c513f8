/**
 * Making the data dir's folders, with an error that says what is wrong. Node's
 * recursive `mkdir` reports a read-only parent as ENOENT ("no such file or
 * directory"), which sends the user looking for a missing folder instead of
 * a read-only mount or a permission.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataDirNotWritableError } from '../errors.js';

/**
 * Creates `folder` (and its parents) and checks that it is writable.
 *
 * @throws {@link DataDirNotWritableError} when it, or the nearest existing parent, refuses writes; any other
 *   failure (a file in the way, no space for the folder) is thrown as it came.
 */
export function makeWritableFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
    accessSync(folder, constants.W_OK);
  } catch (error) {
    let existing = folder;
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    try {
      accessSync(existing, constants.W_OK);
    } catch (refused) {
      const reason = (refused as NodeJS.ErrnoException).code ?? 'EACCES';
      // The cause is the write check, not the mkdir error: that one may be the misleading ENOENT.
      throw new DataDirNotWritableError(folder, existing, reason, { cause: refused });
    }
    throw error;
  }
}
