/**
 * Making the data dir's folders, with an error that says what is wrong. Node's
 * recursive `mkdir` reports a read-only parent as ENOENT ("no such file or
 * directory"), which sends the user looking for a missing folder instead of
 * a read-only mount or a permission.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hasErrorCode, MarketpipeError } from '@marketpipe/middleware';

/** The data dir (or a folder it needs) cannot be created or written: read-only filesystem or no permission. */
export class DataDirNotWritableError extends MarketpipeError {
  override readonly name = 'DataDirNotWritableError' as const;
  readonly code = 'ERR_DATA_DIR_NOT_WRITABLE' as const;
  /** The folder that could not be made or written. */
  readonly path: string;
  /** The existing folder that refused writing (the folder itself, or its nearest existing parent). */
  readonly refusedBy: string;
  /** The system error code of the write check, e.g. `EROFS` or `EACCES`. */
  readonly reason: string;

  constructor(path: string, refusedBy: string, reason: string, options?: ErrorOptions) {
    const where = refusedBy === path ? '' : ` (${refusedBy} refuses writes)`;
    const why = reason === 'EROFS' ? 'read-only filesystem' : 'permission denied';
    super(`data dir ${path} is not writable${where}: ${why} (${reason})`, options);
    this.path = path;
    this.refusedBy = refusedBy;
    this.reason = reason;
  }

  /** True when `err` is a {@link DataDirNotWritableError}, from any copy of this package. */
  static is(err: unknown): err is DataDirNotWritableError {
    return hasErrorCode(err, 'ERR_DATA_DIR_NOT_WRITABLE');
  }
}

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
