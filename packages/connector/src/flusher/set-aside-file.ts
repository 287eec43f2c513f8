/**
 * Damaged ends of day files that recovery cut off, kept beside them so
 * nothing is deleted: `<day file>.torn-<offset>` (a torn tail) or
 * `<day file>.damaged-<offset>` (corruption), with `.<n>` appended when that
 * name is taken. `<offset>` is where the bytes were in the day file. They hold
 * the raw blocks from that offset on (no file header), and readers read them
 * in their place (see `readRecordFile`'s `setAside` option).
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One set-aside file of a day file. */
export interface SetAsideFile {
  /** Path of the set-aside file. */
  path: string;
  /** Offset in the day file where its bytes were. */
  offset: number;
}

const NAME = /^(.+)\.(?:torn|damaged)-(\d+)(?:\.(\d+))?$/;

/** The set-aside files of `dayFile`, in day-file order (then in the order they were made). */
export function setAsideFilesOf(dayFile: string): SetAsideFile[] {
  const dir = dirname(dayFile);
  const day = basename(dayFile);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const found: { path: string; offset: number; copy: number }[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (match === null || match[1] !== day) continue;
    found.push({ path: join(dir, name), offset: Number(match[2]), copy: Number(match[3] ?? 0) });
  }
  found.sort((a, b) => a.offset - b.offset || a.copy - b.copy);
  return found.map(({ path, offset }) => ({ path, offset }));
}

/**
 * Copies the bytes from `offset` to the end of `dayFile` into a new set-aside
 * file and returns its path. Never overwrites: an earlier set-aside at the
 * same offset keeps its name and this one gets the next free `.<n>`.
 */
export function saveAside(dayFile: string, offset: number, kind: 'tornTail' | 'corruption'): string {
  const base = `${dayFile}.${kind === 'tornTail' ? 'torn' : 'damaged'}-${offset}`;
  let target = base;
  let fd: number | undefined;
  for (let copy = 1; fd === undefined; copy++) {
    try {
      fd = openSync(target, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      target = `${base}.${copy}`;
    }
  }
  const source = openSync(dayFile, 'r');
  try {
    const chunk = new Uint8Array(1 << 20);
    const size = fstatSync(source).size;
    for (let position = offset; position < size; ) {
      const got = readSync(source, chunk, 0, Math.min(chunk.length, size - position), position);
      if (got === 0) break;
      writeSync(fd, chunk, 0, got);
      position += got;
    }
  } finally {
    closeSync(source);
    closeSync(fd);
  }
  return target;
}
