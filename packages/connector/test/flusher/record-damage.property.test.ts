/**
 * The corruption model, as a property: random damage (bit flips, zeroed ranges, a cut) at random offsets of
 * random record files written by the real writer. Readers return exactly the records of the blocks no damage
 * touched, in order, report exactly the damaged ranges, and never return a record of a damaged block.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRecordFileWriter } from '../../src/flusher/record-file-writer.js';
import { type RecordDamage, readRecordFile, scanRecordFile } from '../../src/flusher/record-reader.js';

const MIDNIGHT = BigInt(Date.UTC(2025, 0, 2)) * 1_000_000n;

let dataDir: string;
let round = 0;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'record-damage-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** Writes one block per entry of `blocks` and returns the file, its bytes and each block's `[start, end)`. */
function writeBlocks(blocks: Uint8Array[][]): { file: string; bytes: Buffer; spans: [number, number][] } {
  const venue = `v${round++}`;
  let now = MIDNIGHT;
  const writer = createRecordFileWriter({ dataDir, venue, fsync: 'none', wallNanos: () => (now += 1n) });
  writer.recover();
  const file = join(dataDir, venue, '2025-01-02.mprec');
  const spans: [number, number][] = [];
  let sequence = 0;
  let start = 16;
  for (const payloads of blocks) {
    for (const payload of payloads) writer.append(payload, 0, payload.length, sequence++);
    writer.writePending();
    const end = statSync(file).size;
    spans.push([start, end]);
    start = end;
  }
  writer.close();
  return { file, bytes: readFileSync(file), spans };
}

const payload = fc.uint8Array({ maxLength: 60 });
const block = fc.array(payload, { minLength: 1, maxLength: 5 });
/** Offsets and sizes as fractions of the file, so they land anywhere in files of any size. */
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const damage = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fraction, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('zero' as const), at: fraction, length: fc.integer({ min: 1, max: 120 }) }),
  // The worst case for a resync: a block's length field rewritten to span the next blocks exactly, so that a
  // reader trusting a damaged length would land on a real block and skip intact ones.
  fc.record({ kind: fc.constant('span' as const), at: fraction, blocks: fc.integer({ min: 2, max: 3 }) }),
);

/** Merges `[start, end)` spans that touch into ranges. */
function merge(spans: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = out.at(-1);
    if (last !== undefined && last[1] === start) last[1] = end;
    else out.push([start, end]);
  }
  return out;
}

describe('record files under random damage', () => {
  it('return every undamaged block, report every damaged range, and never a damaged record', () => {
    fc.assert(
      fc.property(
        fc.array(block, { minLength: 1, maxLength: 12 }),
        fc.array(damage, { maxLength: 4 }),
        fc.option(fraction, { nil: undefined }),
        (blocks, damages, cutAt) => {
          const { file, bytes, spans } = writeBlocks(blocks);
          const original = Buffer.from(bytes);
          // Damage only past the 16-byte file header: a damaged file header makes the whole file unreadable
          // (RecordFileHeaderError), which is tested on its own.
          const body = bytes.length - 16;
          for (const d of damages) {
            const at = 16 + Math.min(body - 1, Math.floor(d.at * body));
            if (d.kind === 'flip') bytes[at] = bytes[at]! ^ d.mask;
            else if (d.kind === 'zero') bytes.fill(0, at, Math.min(bytes.length, at + d.length));
            else {
              const first = Math.floor(d.at * spans.length);
              const last = Math.min(spans.length, first + d.blocks) - 1;
              bytes.writeUInt32LE(spans[last]![1] - spans[first]![0], spans[first]![0] + 4);
            }
          }
          const size = cutAt === undefined ? bytes.length : 16 + Math.floor(cutAt * body);
          writeFileSync(file, bytes.subarray(0, size));

          // The oracle: a block is intact when it is whole in the file and no byte of it changed.
          const intact = spans.map(
            ([start, end]) => end <= size && bytes.subarray(start, end).equals(original.subarray(start, end)),
          );
          const expectedPayloads = blocks.flatMap((payloads, i) => (intact[i] ? payloads : []));
          const damagedSpans = merge(
            spans
              .map(([start, end]): [number, number] => [start, Math.min(end, size)])
              .filter(([start, end], i) => !intact[i] && start < end),
          );

          const reported: RecordDamage[] = [];
          const records = [...readRecordFile(file, { onDamage: (d) => reported.push(d) })];
          expect(records.map((r) => Buffer.from(r.payload).toString('hex'))).toEqual(
            expectedPayloads.map((p) => Buffer.from(p).toString('hex')),
          );
          expect(reported.map((d) => [d.offset, d.offset + d.bytes])).toEqual(damagedSpans);
          // Only the end can be a torn tail; a cut inside a block whose header survived always is one.
          reported.forEach((d, i) => {
            if (d.offset + d.bytes < size) expect(d.kind).toBe('corruption');
            if (i === reported.length - 1 && d.offset + d.bytes === size) {
              const cutBlock = spans.find(([start, end]) => start < size && end > size);
              const headerKept =
                cutBlock !== undefined &&
                size - cutBlock[0] >= 16 &&
                bytes
                  .subarray(cutBlock[0], cutBlock[0] + 16)
                  .equals(original.subarray(cutBlock[0], cutBlock[0] + 16));
              if (headerKept && d.offset === cutBlock[0])
                expect(d).toMatchObject({ kind: 'tornTail', reason: 'truncated' });
            }
          });
          // Recovery's scan agrees, and says appending resumes right after the last intact block.
          const scan = scanRecordFile(file);
          expect(scan.damage).toEqual(reported);
          const lastIntact = intact.lastIndexOf(true);
          expect(scan.validBytes).toBe(lastIntact < 0 ? 16 : spans[lastIntact]![1]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('never takes a block header inside a payload for a block unless its CRC-32 matches', () => {
    // A payload that carries a complete, plausible block (header, one record) whose CRC is wrong, after
    // the real block header in front of it is damaged: the scan meets the fake first and must pass it by.
    const fakeRecord = Buffer.alloc(20 + 5);
    fakeRecord.writeUInt32LE(5, 0);
    fakeRecord.write('FAKE!', 20);
    const fake = Buffer.alloc(16 + fakeRecord.length);
    fake.writeUInt32LE(fake.length, 4);
    fake.writeUInt32LE(1, 8);
    fakeRecord.copy(fake, 16);
    const goodCrc = crc32(fake.subarray(4));
    fake.writeUInt32LE((goodCrc ^ 1) >>> 0, 0);
    const { file, bytes, spans } = writeBlocks([
      [new Uint8Array([1])],
      [new Uint8Array(fake)],
      [new Uint8Array([3])],
    ]);
    bytes[spans[1]![0] + 4] = bytes[spans[1]![0] + 4]! ^ 0x40; // the real second block's length
    writeFileSync(file, bytes);
    const reported: RecordDamage[] = [];
    const records = [...readRecordFile(file, { onDamage: (d) => reported.push(d) })];
    expect(records.map((r) => [...r.payload])).toEqual([[1], [3]]);
    expect(reported).toEqual([
      {
        file,
        offset: spans[1]![0],
        bytes: spans[1]![1] - spans[1]![0],
        kind: 'corruption',
        reason: 'checksum',
      },
    ]);

    // The same fake with its CRC made right is a block by every check there is: the CRC is the one guard, and
    // it is what makes the difference. Payloads are venue messages (JSON text), which cannot hold the NUL bytes
    // every block header has, so a recorded payload never carries one.
    fake.writeUInt32LE(goodCrc, 0);
    const sealed = writeBlocks([[new Uint8Array([1])], [new Uint8Array(fake)], [new Uint8Array([3])]]);
    sealed.bytes[sealed.spans[1]![0] + 4] = sealed.bytes[sealed.spans[1]![0] + 4]! ^ 0x40;
    writeFileSync(sealed.file, sealed.bytes);
    const found = [...readRecordFile(sealed.file)].map((r) => Buffer.from(r.payload).toString());
    expect(found).toContain('FAKE!');
  });
});
