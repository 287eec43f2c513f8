/**
 * Real, tiny filesystems for disk-trouble tests: a tmpfs of a few MiB mounted
 * over a folder, and a file that fills it to the last byte. Mounting needs
 * root (CAP_SYS_ADMIN), which the test command has under CI; without it the
 * mount fails loudly rather than the test skipping.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';

/** A mounted tmpfs; `unmount()` is idempotent. */
export interface TinyFilesystem {
  readonly path: string;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `sizeBytes` over the (existing, empty) folder `path`.
 *
 * @throws when the mount is not permitted, naming the flusher-level test that covers the same ground.
 * @example
 * ```ts
 * const fs = mountTmpfs('/tmp/x/data/binance', 1024 * 1024);
 * try { ... } finally { fs.unmount(); }
 * ```
 */
export function mountTmpfs(path: string, sizeBytes: number): TinyFilesystem {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `cannot mount a tmpfs at ${path} (needs root / CAP_SYS_ADMIN): ${(error as Error).message}; ` +
        'the flusher-level equivalent is packages/connector/test/flusher/disk-flusher.test.ts',
      { cause: error },
    );
  }
  let mounted = true;
  return {
    path,
    unmount: () => {
      if (!mounted) return;
      // Lazy: a worker that still holds a file open must not keep the mount (and the test) alive.
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      mounted = false;
    },
  };
}

/** Writes zeros to `file` until the filesystem refuses with ENOSPC; returns the bytes written. */
export function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return written;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
