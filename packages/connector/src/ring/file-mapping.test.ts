import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adviseMapping, allocateFile, mapFile, syncMapping, unmapFile } from './file-mapping.js';
import { RingBuffer } from './ring-buffer.js';

const dir = mkdtempSync(join(tmpdir(), 'file-mapping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How many of this process's mappings are of `path` (from /proc/self/maps). */
function mappingsOf(path: string): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(` ${path}`)).length;
}

function mapped(path: string, length: number): ArrayBuffer {
  writeFileSync(path, new Uint8Array(length));
  const fd = openSync(path, 'r+');
  try {
    return mapFile(fd, length);
  } finally {
    closeSync(fd);
  }
}

describe('file mapping (Node-API binding)', () => {
  it('shares stores with the file and with a second mapping of it', () => {
    const path = join(dir, 'shared.bin');
    const a = mapped(path, 8192);
    const fd = openSync(path, 'r+');
    const b = mapFile(fd, 8192);
    closeSync(fd);
    Atomics.store(new Int32Array(a), 1500, 0x1234_5678);
    expect(Atomics.load(new Int32Array(b), 1500)).toBe(0x1234_5678);
    expect(readFileSync(path).readInt32LE(6000)).toBe(0x1234_5678);
    unmapFile(a);
    unmapFile(b);
  });

  it('allocates a range of a file without writing it: the file grows, every block is allocated, all zeros', () => {
    const path = join(dir, 'allocated.bin');
    writeFileSync(path, new Uint8Array([1, 2, 3, 4]));
    const fd = openSync(path, 'r+');
    try {
      // The test's temporary directory is on ext4 or tmpfs here, which both allocate without writing.
      expect(allocateFile(fd, 4096, 1 << 20)).toBe(true);
      const stat = fstatSync(fd);
      expect(stat.size).toBe(4096 + (1 << 20));
      expect(stat.blocks * 512).toBeGreaterThanOrEqual(1 << 20);
      expect(() => allocateFile(fd, 0, 0)).toThrow(RangeError);
      expect(() => allocateFile(fd, -1, 10)).toThrow(RangeError);
    } finally {
      closeSync(fd);
    }
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect(bytes.subarray(4).every((b) => b === 0)).toBe(true);
    const closed = openSync(path, 'r+');
    closeSync(closed);
    expect(() => allocateFile(closed, 0, 4096)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('msyncs and madvises any byte range inside the mapping, page-aligned for the caller', () => {
    const buffer = mapped(join(dir, 'sync.bin'), 3 * 4096);
    new Uint8Array(buffer).fill(7, 5000, 9000);
    syncMapping(buffer, 5000, 4000);
    syncMapping(buffer, 0, buffer.byteLength);
    syncMapping(buffer, 100, 0);
    adviseMapping(buffer, 4097, 10, 'willNeed');
    adviseMapping(buffer, 0, buffer.byteLength, 'sequential');
    expect(() => syncMapping(buffer, 4096, 3 * 4096)).toThrow(RangeError);
    expect(() => adviseMapping(buffer, -1, 10, 'random')).toThrow(RangeError);
    unmapFile(buffer);
  });

  it('unmaps on close, not at garbage collection; kept views read zeros and write nowhere, undetached', () => {
    const path = join(dir, 'close.bin');
    const buffer = mapped(path, 4096);
    const words = new Int32Array(buffer);
    words[3] = 9;
    expect(mappingsOf(path)).toBe(1);
    unmapFile(buffer);
    expect(mappingsOf(path)).toBe(0);
    // Not detached (that would slow every typed-array read in the process): same length, now private zeros.
    expect(buffer.byteLength).toBe(4096);
    expect(words.length).toBe(1024);
    expect(words[3]).toBe(0);
    Atomics.store(words, 3, 5);
    expect(Atomics.load(words, 3)).toBe(5);
    unmapFile(buffer);
    expect(words[3]).toBe(0);
    expect(readFileSync(path).readInt32LE(12)).toBe(9);
  });

  it('RingBuffer.close() unmaps the ring file at once; a view kept from readBatch reads zeros', () => {
    const path = join(dir, 'ring.ring');
    const ring = RingBuffer.open(path, { slotSize: 256, slotCount: 16 });
    const reader = RingBuffer.open(path);
    expect(ring.tryWrite(new Uint8Array([1, 2, 3]))).toBe(true);
    let kept: Uint8Array = new Uint8Array(0);
    expect(reader.readBatch(1, (bytes) => (kept = bytes))).toBe(1);
    expect(kept.length).toBeGreaterThan(0);
    expect(mappingsOf(path)).toBe(2);
    const length = kept.length;
    reader.close();
    expect(mappingsOf(path)).toBe(1);
    expect(kept.length).toBe(length);
    expect(kept.every((byte) => byte === 0)).toBe(true);
    kept.fill(0xff);
    ring.close();
    // The writes through the stale view reached no file: the record is as written.
    const again = RingBuffer.open(path);
    let record: number[] = [];
    expect(again.readBatch(1, (bytes, start, end) => (record = [...bytes.subarray(start, end)]))).toBe(1);
    expect(record).toEqual([1, 2, 3]);
    again.close();
    expect(mappingsOf(path)).toBe(0);
  });
});
