/**
 * The few file operations the record writer needs, behind a small interface
 * so tests can put a failing disk under the writer without filling a real one.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';

/**
 * Synchronous file operations used by the record writer. Writes are
 * positional (never `O_APPEND`) so a failed or partial write can be retried at
 * the same offset without leaving a gap or a duplicate.
 */
export interface FileSink {
  /** Creates `path` (and parents) if needed and opens it read/write; returns a descriptor. */
  open(path: string): number;
  /** Current size of the open file in bytes. */
  size(fd: number): number;
  /** Writes `bytes[offset, offset + length)` at file `position`; returns the bytes written (may be short). */
  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number;
  /** Cuts the file to `length` bytes. */
  truncate(fd: number, length: number): void;
  /** Flushes the file's data to stable storage (`fsync`). */
  sync(fd: number): void;
  /** Makes a newly created directory entry durable by syncing its directory. */
  syncDirectory(path: string): void;
  /** Closes the descriptor. */
  close(fd: number): void;
}

/** {@link FileSink} backed by `node:fs`: what the flusher worker uses on a real disk. */
export const nodeFileSink: FileSink = {
  open(path) {
    fs.mkdirSync(dirname(path), { recursive: true });
    return fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  },
  size: (fd) => fs.fstatSync(fd).size,
  write: (fd, bytes, offset, length, position) => fs.writeSync(fd, bytes, offset, length, position),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
  sync: (fd) => fs.fsyncSync(fd),
  syncDirectory(path) {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  close: (fd) => fs.closeSync(fd),
};
