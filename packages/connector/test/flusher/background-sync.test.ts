import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadSyncer } from '../../src/flusher/background-sync.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('ThreadSyncer', () => {
  it('fsyncs a descriptor on its own thread, one at a time, and reports success once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marketpipe-syncer-'));
    dirs.push(dir);
    const fd = openSync(join(dir, 'data.bin'), 'w');
    const syncer = new ThreadSyncer();
    try {
      writeSync(fd, new Uint8Array(1 << 20).fill(7));
      expect(syncer.start(fd)).toBe(true);
      // Until it finishes, another start is refused rather than queued.
      if (syncer.busy) expect(syncer.start(fd)).toBe(false);
      syncer.wait();
      expect(syncer.busy).toBe(false);
      expect(syncer.takeError()).toBeUndefined();
      expect(syncer.start(fd)).toBe(true);
      syncer.wait();
      expect(syncer.takeError()).toBeUndefined();
    } finally {
      syncer.close();
      closeSync(fd);
    }
    expect(syncer.start(fd)).toBe(false);
  });

  it('reports the errno of a failed fsync as a typed error, once', () => {
    const syncer = new ThreadSyncer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'marketpipe-syncer-'));
      dirs.push(dir);
      const fd = openSync(join(dir, 'gone.bin'), 'w');
      closeSync(fd); // fsync of a closed descriptor fails with EBADF
      expect(syncer.start(fd)).toBe(true);
      syncer.wait();
      expect(syncer.takeError()).toMatchObject({ code: 'EBADF', syscall: 'fsync' });
      expect(syncer.takeError()).toBeUndefined();
    } finally {
      syncer.close();
    }
  });
});
