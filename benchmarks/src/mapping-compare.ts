/**
 * One-off comparison before the old binding goes: the ring hand-off (RingBuffer.tryWrite of a 200-byte message,
 * the design table's row) over a mapping made by `@riaskov/mmap-io` and over one made by the connector's own
 * Node-API binding, side by side in one process, interleaved round by round (measureSideBySide).
 * Run: pnpm --filter @marketpipe/benchmarks exec tsx --conditions=@marketpipe/source src/mapping-compare.ts
 */
import { closeSync, fstatSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RingBuffer } from '@marketpipe/connector';
import mmap from '@riaskov/mmap-io';
import { drainRing, prefaultRing } from './fixtures/ring-warmup.js';
import { makeRingDir } from './fixtures/scratch-dirs.js';
import { type BenchCase, measureSideBySide } from './harness/batch-timer.js';
import { FULL_PROFILE } from './harness/bench-profile.js';

const SLOT_BYTES = 256;
const SLOTS = 1 << 18;

type RingConstructor = new (
  path: string,
  mapping: ArrayBuffer,
  geometry: RingBuffer['geometry'],
) => RingBuffer;

/** The same file layout RingBuffer.open makes, then re-mapped through the old addon into the same class. */
function ringOverOldBinding(path: string): RingBuffer {
  RingBuffer.open(path, { slotSize: SLOT_BYTES, slotCount: SLOTS }).close();
  const fd = openSync(path, 'r+');
  const size = fstatSync(fd).size;
  const mapping = mmap.map(size, (mmap.PROT_READ | mmap.PROT_WRITE) as 3, mmap.MAP_SHARED, fd);
  closeSync(fd);
  if (mapping.byteOffset !== 0 || mapping.buffer.byteLength !== size)
    throw new Error('unexpected mmap-io buffer');
  return new (RingBuffer as unknown as RingConstructor)(path, mapping.buffer as ArrayBuffer, {
    slotSize: SLOT_BYTES,
    slotCount: SLOTS,
  });
}

const dir = makeRingDir('mapping-compare');
try {
  const message = new Uint8Array(200).fill(0x61);
  const rings = {
    '@riaskov/mmap-io (nan)': ringOverOldBinding(join(dir, 'old.ring')),
    'own Node-API binding': RingBuffer.open(join(dir, 'new.ring'), {
      slotSize: SLOT_BYTES,
      slotCount: SLOTS,
    }),
  };
  const cases: BenchCase[] = Object.values(rings).map((ring) => {
    prefaultRing(ring, message);
    return {
      body: (n) => {
        let accepted = 0;
        for (let i = 0; i < n; i++) if (ring.tryWrite(message)) accepted++;
        return accepted;
      },
      maxIterations: SLOTS / 2,
      reset: () => drainRing(ring),
    };
  });
  const measured = measureSideBySide(cases, { ...FULL_PROFILE, rounds: 15 });
  console.log(`Node ${process.version}: ring hand-off, 200-byte message, median of 15 interleaved rounds`);
  Object.keys(rings).forEach((name, i) => {
    console.log(`  ${name.padEnd(24)} ${measured[i]!.nsPerOp.toFixed(1)} ns/op`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
