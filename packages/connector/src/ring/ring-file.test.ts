import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { allocateFile } from './file-mapping.js';
import { RingBuffer } from './ring-buffer.js';
import { HEADER_BYTES } from './ring-header.js';

// The real binding, observed; one test makes it report a file system that cannot allocate.
vi.mock('./file-mapping.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./file-mapping.js')>();
  return { ...actual, allocateFile: vi.fn(actual.allocateFile) };
});
const allocate = vi.mocked(allocateFile);

const dir = mkdtempSync(join(tmpdir(), 'ring-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => allocate.mockClear());

const SLOT_SIZE = 256;
const SLOT_COUNT = 4096;

/** Creates a ring, checks the file it made, and that it works: every block allocated, the data all zeros. */
function createAndCheck(name: string): void {
  const path = join(dir, name);
  const ring = RingBuffer.open(path, { slotSize: SLOT_SIZE, slotCount: SLOT_COUNT });
  try {
    const size = HEADER_BYTES + SLOT_SIZE * SLOT_COUNT;
    const stat = statSync(path);
    expect(stat.size).toBe(size);
    // Allocated, not sparse: a full disk fails at creation, not with a SIGBUS at a later store.
    expect(stat.blocks * 512).toBeGreaterThanOrEqual(size);
    const bytes = readFileSync(path);
    expect(bytes.subarray(HEADER_BYTES).every((b) => b === 0)).toBe(true);
    expect(ring.tryWrite(new Uint8Array([7, 8, 9]))).toBe(true);
    const seen: number[][] = [];
    ring.readBatch(10, (view, start, end) => {
      seen.push([...view.subarray(start, end)]);
    });
    expect(seen).toEqual([[7, 8, 9]]);
  } finally {
    ring.close();
  }
}

describe('ring file creation', () => {
  it('allocates the data blocks without writing them where the file system can (fallocate)', () => {
    createAndCheck('allocated.ring');
    expect(allocate).toHaveBeenCalledTimes(1);
    expect(allocate.mock.results[0]?.value).toBe(true);
  });

  it('writes zeros where it cannot, with the same file as the result', () => {
    allocate.mockReturnValueOnce(false);
    createAndCheck('written.ring');
    expect(allocate).toHaveBeenCalledTimes(1);
  });
});
