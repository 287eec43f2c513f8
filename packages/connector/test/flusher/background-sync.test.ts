import { closeSync, fstatSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BackgroundSyncer, ThreadSyncer } from '../../src/flusher/background-sync.js';
import { createRecordFileWriter } from '../../src/flusher/record-file-writer.js';

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

  it('is where a RecordFileWriter with the interval policy sends its fsyncs, for the file it writes', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-syncer-'));
    dirs.push(dataDir);
    const thread = new ThreadSyncer();
    const started: number[] = [];
    // The real thread, with the descriptors it is handed written down.
    const syncer: BackgroundSyncer = {
      get busy() {
        return thread.busy;
      },
      start: (fd) => {
        started.push(fd);
        return thread.start(fd);
      },
      wait: () => thread.wait(),
      takeError: () => thread.takeError(),
      close: () => thread.close(),
    };
    let ms = 0;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      syncer,
      fsync: { intervalMs: 1000 },
      monotonicMs: () => ms,
    });
    try {
      writer.recover();
      const record = new TextEncoder().encode('{"e":"trade"}');
      writer.append(record, 0, record.length, 0);
      writer.writePending();
      writer.syncIfDue();
      expect(started).toEqual([]); // not due yet
      ms = 1500;
      writer.syncIfDue();
      expect(started).toHaveLength(1);
      // The descriptor it fsyncs is the day file the writer appends to.
      expect(fstatSync(started[0]!).ino).toBe(statSync(writer.currentFile!).ino);
      thread.wait();
      expect(thread.takeError()).toBeUndefined();
      writer.close();
    } finally {
      syncer.close();
    }
  });

  it('reports the errno of a failed fsync as a typed error, once', () => {
    const syncer = new ThreadSyncer();
    try {
      // A descriptor number far above any this process opens: fsync fails with EBADF, every time.
      const fd = 2 ** 30;
      expect(syncer.start(fd)).toBe(true);
      syncer.wait();
      expect(syncer.takeError()).toMatchObject({ code: 'EBADF', syscall: 'fsync' });
      expect(syncer.takeError()).toBeUndefined();
    } finally {
      syncer.close();
    }
  });
});
