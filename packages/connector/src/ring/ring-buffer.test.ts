import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormatOneRing } from '../../test/ring/format-one-ring.js';
import { createRingAt } from '../../test/ring/ring-at.js';
import type { EpochMsParts } from '../codec/trade-encoder.js';
import { RecordTooLargeError, RingClosedError, RingFormatError, RingGeometryError } from '../errors.js';
import * as frame from './record-frame.js';
import { Frame, RingBuffer, Words } from './ring-buffer.js';
import * as header from './ring-header.js';
import { HEADER_BYTES, publishWriteSequence } from './ring-header.js';

const dir = mkdtempSync(join(tmpdir(), 'ring-unit-'));
let files = 0;
const freshPath = () => join(dir, `r${files++}.ring`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Payload of record `seq`: `length` bytes that depend on both, so a misplaced or mixed-up record shows. */
function payload(seq: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seq * 31 + i * 7 + 1) & 0xff;
  return bytes;
}

interface Seen {
  sequence: number;
  bytes: Uint8Array;
}

function readAll(ring: RingBuffer, max = Number.POSITIVE_INFINITY): Seen[] {
  const seen: Seen[] = [];
  ring.readBatch(max, (bytes, start, end, sequence) => {
    seen.push({ sequence, bytes: bytes.slice(start, end) });
  });
  return seen;
}

/**
 * Writes the file's dirty pages back to disk, as the kernel does some 30 s after they were written; the next write
 * to each through a mapping is a page fault.
 */
function writeBack(path: string): void {
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

/** Commit word of slot `index`, read from the file itself. */
function commitWordOnDisk(path: string, slotSize: number, index: number): number {
  return readFileSync(path).readInt32LE(HEADER_BYTES + index * slotSize);
}

describe('the inlined layout enums', () => {
  /** A numeric enum's own members (TypeScript also maps each value back to its name). */
  const members = (e: object) =>
    Object.fromEntries(Object.entries(e).filter(([name]) => Number.isNaN(Number(name))));

  it('match ring-header.ts and record-frame.ts, member for member', () => {
    expect(members(Words)).toEqual({
      headerWords: header.HEADER_BYTES / 4,
      tailWord: header.TAIL_WORD,
      reclaimWord: header.RECLAIM_WORD,
      writeSequenceALowWord: header.WRITE_SEQUENCE_A_LOW_WORD,
      writeSequenceBLowWord: header.WRITE_SEQUENCE_B_LOW_WORD,
    });
    expect(members(Frame)).toEqual({
      recordHeaderBytes: frame.RECORD_HEADER_BYTES,
      commitWord: frame.COMMIT_WORD,
      receivedSubMsWord: frame.RECEIVED_SUB_MS_WORD,
      receivedMsWord: frame.RECEIVED_MS_WORD,
      sequenceLowWord: frame.SEQUENCE_LOW_WORD,
      sequenceHighWord: frame.SEQUENCE_HIGH_WORD,
      twoPow32: frame.TWO_POW_32,
      loopCopyMaxBytes: 32,
    });
  });
});

describe('RingBuffer.open', () => {
  it('creates a zeroed ring with the default geometry and reports its limits', () => {
    const path = freshPath();
    const ring = RingBuffer.open(path);
    expect(ring.geometry).toEqual({ slotSize: 256, slotCount: 65_536 });
    expect(ring.maxRecordSize).toBe(32_768 * 256 - 24);
    expect(readFileSync(path).length).toBe(HEADER_BYTES + 256 * 65_536);
    expect(ring.nextWriteSequence).toBe(0);
    expect(ring.nextReadSequence).toBe(0);
    expect(ring.fill()).toBe(0);
    ring.close();
  });

  it('refuses to reopen a ring with another geometry, but accepts the stored one or none', () => {
    const path = freshPath();
    RingBuffer.open(path, { slotSize: 128, slotCount: 16 }).close();
    const mismatch = (() => {
      try {
        RingBuffer.open(path, { slotSize: 256 });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(mismatch instanceof RingGeometryError).toBe(true);
    expect(mismatch).toMatchObject({ code: 'MP_ERR_RING_GEOMETRY', name: 'RingGeometryError' });
    expect(() => RingBuffer.open(path, { slotCount: 32 })).toThrow(/slotCount 32/);
    const again = RingBuffer.open(path);
    expect(again.geometry).toEqual({ slotSize: 128, slotCount: 16 });
    again.close();
    RingBuffer.open(path, { slotSize: 128, slotCount: 16 }).close();
  });

  it('rejects geometries that are not powers of two or too large', () => {
    for (const geometry of [{ slotSize: 100 }, { slotSize: 32 }, { slotCount: 3 }, { slotCount: 1 }]) {
      expect(() => RingBuffer.open(freshPath(), geometry)).toThrow(RingGeometryError);
    }
    expect(() => RingBuffer.open(freshPath(), { slotSize: 1 << 20, slotCount: 2048 })).toThrow(/1073741824/);
  });

  it('refuses files that are not rings of this format, leaving them untouched', () => {
    const garbage = freshPath();
    writeFileSync(garbage, Buffer.alloc(HEADER_BYTES + 64 * 4, 0x5a));
    expect(() => RingBuffer.open(garbage)).toThrow(RingFormatError);
    expect(readFileSync(garbage).every((b) => b === 0x5a)).toBe(true);

    const empty = freshPath();
    writeFileSync(empty, '');
    expect(() => RingBuffer.open(empty)).toThrow(/too small/);

    const newer = freshPath();
    RingBuffer.open(newer, { slotSize: 64, slotCount: 4 }).close();
    const bytes = readFileSync(newer);
    bytes.writeUInt32LE(3, 8);
    writeFileSync(newer, bytes);
    expect(() => RingBuffer.open(newer)).toThrow(/unsupported format version 3/);

    const truncated = freshPath();
    RingBuffer.open(truncated, { slotSize: 64, slotCount: 4 }).close();
    truncateSync(truncated, HEADER_BYTES + 64);
    const err = (() => {
      try {
        RingBuffer.open(truncated);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(err instanceof RingFormatError).toBe(true);
    expect(String(err)).toMatch(/needs 4352/);
  });
});

describe('RingBuffer producer and consumer', () => {
  it('returns false when full without writing anything, and accepts again after a release', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 4 });
    for (let seq = 0; seq < 4; seq++) expect(ring.tryWrite(payload(seq, 40))).toBe(true);
    expect(ring.fill()).toBe(1);
    expect(ring.tryWrite(payload(4, 0))).toBe(false);
    expect(ring.nextWriteSequence).toBe(4);
    expect(readAll(ring).map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
    ring.release(1);
    expect(ring.fill()).toBe(0.75);
    expect(ring.tryWrite(payload(4, 0))).toBe(true);
    ring.release(3);
    expect(readAll(ring)).toEqual([{ sequence: 4, bytes: new Uint8Array(0) }]);
    ring.close();
  });

  it('spans contiguous slots, pads the end of the ring and wraps to slot 0', () => {
    const path = freshPath();
    const ring = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
    // Six one-slot records move the write position to slot 6 of 8.
    for (let seq = 0; seq < 6; seq++) expect(ring.tryWrite(payload(seq, 40))).toBe(true);
    ring.release(readAll(ring).length);
    // 24 + 150 bytes need 3 slots: only 2 remain before the end, so slots 6-7 become padding.
    expect(ring.tryWrite(payload(6, 150))).toBe(true);
    expect(commitWordOnDisk(path, 64, 6)).toBe(-128);
    expect(commitWordOnDisk(path, 64, 0)).toBe(24 + 150);
    expect(ring.fill()).toBe(5 / 8);
    const seen = readAll(ring);
    expect(seen).toEqual([{ sequence: 6, bytes: payload(6, 150) }]);
    ring.release(1);
    // Releasing zeroes the first word of every slot it frees, padding and spanned slots included.
    for (let index = 0; index < 8; index++) expect(commitWordOnDisk(path, 64, index)).toBe(0);
    expect(ring.fill()).toBe(0);
    ring.close();
  });

  it('rejects payloads above maxRecordSize with a counted RecordTooLargeError and accepts exactly the limit', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 8 });
    expect(ring.maxRecordSize).toBe(4 * 64 - 24);
    const tooLarge = new Uint8Array(ring.maxRecordSize + 1);
    for (let attempt = 1; attempt <= 2; attempt++) {
      let caught: unknown;
      try {
        ring.tryWrite(tooLarge);
      } catch (err) {
        caught = err;
      }
      expect(caught instanceof RecordTooLargeError).toBe(true);
      expect(caught).toMatchObject({ code: 'MP_ERR_RECORD_TOO_LARGE', size: 233, limit: 232 });
      expect(ring.rejectedRecords).toBe(attempt);
    }
    expect(ring.nextWriteSequence).toBe(0);
    expect(ring.tryWrite(payload(0, 232))).toBe(true);
    expect(readAll(ring)).toEqual([{ sequence: 0, bytes: payload(0, 232) }]);
    ring.close();
  });

  it('keeps an oversized record acceptable from any write position once the ring drains', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 8 });
    for (let seq = 0; seq < 40; seq++) {
      // Record sizes of 1..4 slots starting at every possible position.
      expect(ring.tryWrite(payload(seq, (seq % 4) * 64 + 40))).toBe(true);
      expect(readAll(ring)).toEqual([{ sequence: seq, bytes: payload(seq, (seq % 4) * 64 + 40) }]);
      ring.release(1);
    }
    ring.close();
  });

  it('reads in batches without releasing, and releases only committed records', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 16 });
    for (let seq = 0; seq < 10; seq++) ring.tryWrite(payload(seq, seq * 5));
    expect(readAll(ring, 4).map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
    expect(readAll(ring, 4).map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
    expect(ring.readBatch(0, () => undefined)).toBe(0);
    ring.release(4);
    expect(ring.nextReadSequence).toBe(4);
    const rest = readAll(ring);
    expect(rest.map((r) => r.sequence)).toEqual([4, 5, 6, 7, 8, 9]);
    for (const r of rest) expect(r.bytes).toEqual(payload(r.sequence, r.sequence * 5));
    expect(() => ring.release(7)).toThrow(InvalidArgumentError);
    expect(() => ring.release(-1)).toThrow(InvalidArgumentError);
    expect(() => ring.release(1.5)).toThrow(InvalidArgumentError);
    expect(ring.nextReadSequence).toBe(4);
    ring.release(6);
    expect(ring.readBatch(10, () => undefined)).toBe(0);
    ring.close();
  });

  it('gathers several batches before one release by skipping the records already read', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 64 });
    // Record lengths that span one to three slots, so skipping has to walk real frames.
    const length = (seq: number) => (seq * 37) % 150;
    for (let seq = 0; seq < 20; seq++) expect(ring.tryWrite(payload(seq, length(seq)))).toBe(true);
    const gathered: Seen[] = [];
    const visit = (bytes: Uint8Array, start: number, end: number, sequence: number) => {
      gathered.push({ sequence, bytes: bytes.slice(start, end) });
    };
    // Continuing right after the previous call, as the flusher does.
    expect(ring.readBatch(4, visit, 0)).toBe(4);
    expect(ring.readBatch(4, visit, 4)).toBe(4);
    expect(ring.readBatch(4, visit, 8)).toBe(4);
    // A skip the last call did not end at walks the frames instead.
    expect(ring.readBatch(2, visit, 5)).toBe(2);
    expect(gathered.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 5, 6]);
    for (const r of gathered) expect(r.bytes).toEqual(payload(r.sequence, length(r.sequence)));
    expect(() => ring.readBatch(1, visit, 21)).toThrow(InvalidArgumentError);
    // After a release the skip counts from the new head.
    ring.release(12);
    gathered.length = 0;
    expect(ring.readBatch(100, visit, 3)).toBe(5);
    expect(gathered.map((r) => r.sequence)).toEqual([15, 16, 17, 18, 19]);
    expect(ring.readBatch(100, visit, 8)).toBe(0);
    ring.close();
  });

  it('writes a sub-range of the source array, short or long', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 256, slotCount: 4 });
    const source = payload(99, 200);
    expect(ring.tryWrite(source, 3, 20)).toBe(true);
    expect(ring.tryWrite(source, 10, 190)).toBe(true);
    expect(readAll(ring).map((r) => r.bytes)).toEqual([source.slice(3, 20), source.slice(10, 190)]);
    expect(() => ring.tryWrite(source, 150, 201)).toThrow(InvalidArgumentError);
    expect(() => ring.tryWrite(source, -1, 10)).toThrow(InvalidArgumentError);
    expect(() => ring.tryWrite(source, 10, 5)).toThrow(InvalidArgumentError);
    ring.close();
  });

  it('lets a producer instance and a consumer instance of the same file work together', () => {
    const path = freshPath();
    const producer = RingBuffer.open(path, { slotSize: 64, slotCount: 4 });
    const consumer = RingBuffer.open(path);
    let written = 0;
    let read = 0;
    while (read < 100) {
      while (written < 100 && producer.tryWrite(payload(written, written % 90))) written++;
      expect(consumer.nextWriteSequence).toBe(written);
      const n = consumer.readBatch(3, (bytes, start, end, sequence) => {
        expect(sequence).toBe(read);
        expect(bytes.subarray(start, end)).toEqual(payload(read, read % 90));
        read++;
      });
      consumer.release(n);
      expect(producer.nextReadSequence).toBe(read);
    }
    producer.close();
    consumer.close();
  });

  it('keeps unreleased records and both positions across close and reopen', () => {
    const path = freshPath();
    const first = RingBuffer.open(path, { slotSize: 64, slotCount: 16 });
    for (let seq = 0; seq < 7; seq++) first.tryWrite(payload(seq, 60));
    first.release(3);
    first.close();
    const second = RingBuffer.open(path);
    expect(second.nextReadSequence).toBe(3);
    expect(second.nextWriteSequence).toBe(7);
    expect(readAll(second)).toEqual(
      [3, 4, 5, 6].map((sequence) => ({ sequence, bytes: payload(sequence, 60) })),
    );
    expect(second.tryWrite(payload(7, 1))).toBe(true);
    expect(second.nextWriteSequence).toBe(8);
    second.close();
  });

  it('never returns a record whose commit word was not written, and overwrites it on the next write', () => {
    const path = freshPath();
    const ring = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
    ring.tryWrite(payload(0, 10));
    ring.close();
    // A producer killed mid-write: sequence and payload of a 3-slot record written at slot 1, commit word not.
    const bytes = readFileSync(path);
    const at = HEADER_BYTES + 64;
    bytes.writeUInt32LE(1, at + 8);
    bytes.fill(0xee, at + 16, at + 16 + 150);
    writeFileSync(path, bytes);

    const reopened = RingBuffer.open(path);
    expect(readAll(reopened).map((r) => r.sequence)).toEqual([0]);
    reopened.release(1);
    expect(reopened.tryWrite(payload(1, 5))).toBe(true);
    // Slot 2's first word held payload bytes of the torn record; recovery zeroed it, so it does not read as committed.
    expect(reopened.tryWrite(payload(2, 5))).toBe(true);
    expect(readAll(reopened)).toEqual([1, 2].map((sequence) => ({ sequence, bytes: payload(sequence, 5) })));
    reopened.close();
  });

  it('throws RingClosedError after close, and close is idempotent', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 64, slotCount: 4 });
    ring.tryWrite(payload(0, 1));
    ring.close();
    ring.close();
    expect(() => ring.tryWrite(payload(1, 1))).toThrow(RingClosedError);
    expect(() => ring.readBatch(1, () => undefined)).toThrow(RingClosedError);
    expect(() => ring.release(1)).toThrow(RingClosedError);
    expect(ring.fill()).toBe(0);
    expect(ring.nextWriteSequence).toBe(1);
  });

  it('matches a FIFO model under random writes, prefaults, reads, releases and reopens', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), length: fc.integer({ min: 0, max: 260 }) }),
      fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
      // With 64-byte slots the ring is one page, whose first word is slot 0's commit word: a prefault that wrote it
      // while slot 0 held an unread record would lose that record here.
      fc.record({ kind: fc.constant('prefault' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const path = freshPath();
        let ring = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
        const model: { sequence: number; length: number }[] = [];
        let nextSequence = 0;
        for (const step of ops) {
          if (step.kind === 'write') {
            if (step.length > ring.maxRecordSize) {
              expect(() => ring.tryWrite(payload(nextSequence, step.length))).toThrow(RecordTooLargeError);
            } else if (ring.tryWrite(payload(nextSequence, step.length))) {
              model.push({ sequence: nextSequence++, length: step.length });
            } else {
              expect(model.length).toBeGreaterThan(0);
            }
          } else if (step.kind === 'prefault') {
            ring.prefaultAhead();
          } else if (step.kind === 'read') {
            const seen = readAll(ring, step.max);
            const expected = model.slice(0, step.max);
            expect(seen).toEqual(
              expected.map((m) => ({ sequence: m.sequence, bytes: payload(m.sequence, m.length) })),
            );
            ring.release(seen.length);
            model.splice(0, seen.length);
          } else {
            ring.close();
            ring = RingBuffer.open(path);
          }
          expect(ring.nextWriteSequence).toBe(nextSequence);
        }
        expect(readAll(ring).map((r) => r.sequence)).toEqual(model.map((m) => m.sequence));
        ring.close();
        rmSync(path);
      }),
      { numRuns: 150 },
    );
  });
});

describe('receive times and format version 1', () => {
  it('hands each record the receive time it was written with, and 0 for a record written without one', () => {
    const path = freshPath();
    const producer = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
    const consumer = RingBuffer.open(path);
    expect(producer.formatVersion).toBe(2);
    const times = [
      { ms: 1_767_225_599_999, subMsNanos: 999_999 },
      { ms: 1_767_225_600_000, subMsNanos: 0 },
    ];
    // Wrapping twice, so that frames at every slot, after padding too, carry their own time.
    const seen: [number, number, number][] = [];
    const visit = (
      _b: Uint8Array,
      _s: number,
      _e: number,
      sequence: number,
      received: Readonly<EpochMsParts>,
    ) => {
      seen.push([sequence, received.ms, received.subMsNanos]);
    };
    for (let sequence = 0; sequence < 12; sequence++) {
      const time = { ms: times[sequence % 2]!.ms + sequence, subMsNanos: times[sequence % 2]!.subMsNanos };
      const written =
        sequence === 5
          ? producer.tryWrite(payload(sequence, 90))
          : producer.tryWrite(payload(sequence, 70), 0, 70, time);
      expect(written).toBe(true);
      consumer.release(consumer.readBatch(8, visit));
    }
    expect(seen).toEqual(
      Array.from({ length: 12 }, (_, sequence) =>
        sequence === 5
          ? [5, 0, 0]
          : [sequence, times[sequence % 2]!.ms + sequence, times[sequence % 2]!.subMsNanos],
      ),
    );
    // On disk: the nanoseconds in word 1, the milliseconds as a double at byte 16 of the frame.
    const fresh = freshPath();
    const ring = RingBuffer.open(fresh, { slotSize: 64, slotCount: 4 });
    ring.tryWrite(payload(0, 8), 0, 8, { ms: 1_767_225_600_123, subMsNanos: 456_789 });
    ring.close();
    const file = readFileSync(fresh);
    expect(file.readInt32LE(HEADER_BYTES)).toBe(24 + 8);
    expect(file.readInt32LE(HEADER_BYTES + 4)).toBe(456_789);
    expect(file.readDoubleLE(HEADER_BYTES + 16)).toBe(1_767_225_600_123);
    expect(file.subarray(HEADER_BYTES + 24, HEADER_BYTES + 32)).toEqual(Buffer.from(payload(0, 8)));
    producer.close();
    consumer.close();
  });

  it('reads a ring of format version 1 (16-byte headers, no receive time) but never writes it', () => {
    const path = freshPath();
    const records = [payload(7, 40), payload(8, 48), payload(9, 100)];
    createFormatOneRing(path, { slotSize: 64, slotCount: 8 }, records, 7);
    const ring = RingBuffer.open(path);
    expect(ring.formatVersion).toBe(1);
    expect(ring.geometry).toEqual({ slotSize: 64, slotCount: 8 });
    const seen: unknown[] = [];
    const n = ring.readBatch(10, (bytes, start, end, sequence, received) => {
      seen.push({ sequence, bytes: bytes.slice(start, end), ms: received.ms, sub: received.subMsNanos });
    });
    expect(n).toBe(3);
    expect(seen).toEqual(records.map((bytes, i) => ({ sequence: 7 + i, bytes, ms: 0, sub: 0 })));
    // A producer may claim it (a migration counts what it holds), not write it.
    expect(ring.claimProducer()).toBe(10);
    const before = readFileSync(path);
    expect(() => ring.tryWrite(payload(10, 8))).toThrow(RingFormatError);
    expect(() => ring.stage(payload(10, 8))).toThrow(/format version 1 is read only/);
    expect(ring.prefaultAhead()).toBe(0);
    expect(readFileSync(path).equals(before)).toBe(true);
    const other = RingBuffer.open(path);
    expect(() => other.startSequenceAt(5)).toThrow(RingFormatError);
    other.close();
    ring.release(3);
    expect(ring.nextReadSequence).toBe(10);
    ring.close();
  });
});

describe('RingBuffer.stage and commit', () => {
  it('keeps staged records from a consumer of the same file until the commit, which publishes them all', () => {
    const path = freshPath();
    const producer = RingBuffer.open(path, { slotSize: 64, slotCount: 16 });
    const consumer = RingBuffer.open(path);
    // Two records (slots 0-6 and 7-10), read and released: the batch starts at slot 11.
    producer.tryWrite(payload(0, 400));
    producer.tryWrite(payload(1, 200));
    expect(readAll(consumer).map((r) => r.sequence)).toEqual([0, 1]);
    consumer.release(2);
    // A staged batch that wraps: 2 at slot 11, 3 at slots 12-13, then 4 (3 slots) finds 2 left: padding at 14-15,
    // and 4 at slots 0-2.
    for (const [sequence, length] of [
      [2, 20],
      [3, 100],
      [4, 150],
    ] as const) {
      expect(producer.stage(payload(sequence, length))).toBe(true);
    }
    expect(producer.stagedRecords).toBe(3);
    expect(producer.nextWriteSequence).toBe(5);
    // In the file: the batch's first commit word is still zero, the later frames' (padding included) are written.
    expect(commitWordOnDisk(path, 64, 11)).toBe(0);
    expect(commitWordOnDisk(path, 64, 12)).toBe(124);
    expect(commitWordOnDisk(path, 64, 14)).toBe(-128);
    expect(commitWordOnDisk(path, 64, 0)).toBe(174);
    // The consumer sees nothing of the batch: not its records, nor the write sequence it will take.
    expect(consumer.nextWriteSequence).toBe(2);
    expect(readAll(consumer)).toEqual([]);
    expect(producer.commit()).toBe(3);
    expect(commitWordOnDisk(path, 64, 11)).toBe(44);
    expect(producer.stagedRecords).toBe(0);
    expect(producer.commit()).toBe(0);
    expect(consumer.nextWriteSequence).toBe(5);
    expect(readAll(consumer)).toEqual(
      [
        [2, 20],
        [3, 100],
        [4, 150],
      ].map(([sequence, length]) => ({ sequence: sequence!, bytes: payload(sequence!, length!) })),
    );
    // tryWrite commits what was staged before it, with its own record, and also when it finds no room (11 of
    // the 16 slots are taken then, and 480 bytes need 8).
    producer.stage(payload(5, 5));
    producer.tryWrite(payload(6, 5));
    expect(readAll(consumer).map((r) => r.sequence)).toEqual([2, 3, 4, 5, 6]);
    producer.stage(payload(7, 5));
    expect(producer.tryWrite(payload(8, 480))).toBe(false);
    expect(readAll(consumer).map((r) => r.sequence)).toEqual([2, 3, 4, 5, 6, 7]);
    producer.close();
    consumer.close();
  });

  it('commits staged records on close', () => {
    const path = freshPath();
    const ring = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
    ring.stage(payload(0, 20));
    ring.stage(payload(1, 20));
    ring.close();
    const reopened = RingBuffer.open(path);
    expect(readAll(reopened)).toEqual([0, 1].map((sequence) => ({ sequence, bytes: payload(sequence, 20) })));
    reopened.close();
  });

  it('loses only the records staged since the last commit when the producer dies, and numbers on from there', () => {
    const path = freshPath();
    const producer = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
    producer.stage(payload(0, 20));
    producer.commit();
    producer.stage(payload(1, 20));
    producer.stage(payload(2, 20));
    // Killed here: the instance is abandoned, not closed (close would commit). Its stores are in the file.
    const next = RingBuffer.open(path);
    expect(next.claimProducer()).toBe(1);
    expect(readAll(next).map((r) => r.sequence)).toEqual([0]);
    // The staged frames' slots were erased, so the new records do not run into their commit words.
    expect(next.tryWrite(payload(1, 100))).toBe(true);
    expect(next.tryWrite(payload(2, 5))).toBe(true);
    expect(readAll(next)).toEqual(
      [
        [0, 20],
        [1, 100],
        [2, 5],
      ].map(([sequence, length]) => ({ sequence: sequence!, bytes: payload(sequence!, length!) })),
    );
    next.close();
  });

  it('matches a FIFO model with a producer and a consumer instance under random stages, commits, reads and deaths', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('stage' as const), length: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('write' as const), length: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('commit' as const) }),
      fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('prefault' as const) }),
      fc.record({ kind: fc.constant('die' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const path = freshPath();
        let producer = RingBuffer.open(path, { slotSize: 64, slotCount: 8 });
        const consumer = RingBuffer.open(path);
        const committed: { sequence: number; length: number }[] = [];
        const staged: { sequence: number; length: number }[] = [];
        let nextSequence = 0;
        for (const step of ops) {
          if (step.kind === 'stage' || step.kind === 'write') {
            const record = payload(nextSequence, step.length);
            if (step.kind === 'stage' ? producer.stage(record) : producer.tryWrite(record)) {
              staged.push({ sequence: nextSequence++, length: step.length });
              if (step.kind === 'write') committed.push(...staged.splice(0));
            } else {
              expect(committed.length + staged.length).toBeGreaterThan(0);
              // A tryWrite that finds no room still commits what was staged.
              if (step.kind === 'write') committed.push(...staged.splice(0));
            }
          } else if (step.kind === 'commit') {
            expect(producer.commit()).toBe(staged.length);
            committed.push(...staged.splice(0));
          } else if (step.kind === 'prefault') {
            producer.prefaultAhead();
          } else if (step.kind === 'read') {
            const seen = readAll(consumer, step.max);
            expect(seen).toEqual(
              committed
                .slice(0, step.max)
                .map((m) => ({ sequence: m.sequence, bytes: payload(m.sequence, m.length) })),
            );
            consumer.release(seen.length);
            committed.splice(0, seen.length);
          } else {
            // The producer dies: its staged records are gone, and the next producer numbers on after the committed.
            producer = RingBuffer.open(path);
            staged.length = 0;
            nextSequence = producer.claimProducer();
            expect(nextSequence).toBe((committed.at(-1)?.sequence ?? consumer.nextReadSequence - 1) + 1);
          }
          expect(producer.stagedRecords).toBe(staged.length);
          expect(consumer.nextWriteSequence).toBe(nextSequence - staged.length);
        }
        // Closing commits what is staged.
        producer.close();
        committed.push(...staged.splice(0));
        expect(readAll(consumer).map((r) => r.sequence)).toEqual(committed.map((m) => m.sequence));
        consumer.close();
        rmSync(path);
      }),
      { numRuns: 200 },
    );
  });
});

describe('RingBuffer positions past 2^31 and 2^32', () => {
  // The header keeps the slot counter in one 32-bit word (it wraps) and sequences in two; the instances count
  // in doubles. A recorder at 100 000 records a second passes 2^32 slots in about half a day.
  it.each([
    ['2^31', 2 ** 31 - 24],
    ['2^32', 2 ** 32 - 24],
  ])('matches a FIFO model while the slot counter and the sequences cross %s, across reopens', (_, start) => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), length: fc.integer({ min: 0, max: 200 }) }),
      // Staged batches cross the boundary too: their commit publishes the write sequence's high word.
      fc.record({ kind: fc.constant('stage' as const), length: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ kind: fc.constant('commit' as const) }),
      fc.record({ kind: fc.constant('read' as const), max: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
      // The prefault's own position wraps with the slot counter.
      fc.record({ kind: fc.constant('prefault' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 120 }), (ops) => {
        const path = freshPath();
        createRingAt(path, { slotSize: 64, slotCount: 8 }, start);
        let ring = RingBuffer.open(path);
        // Another instance of the file reads the published write sequence from the header, both words.
        const observer = RingBuffer.open(path);
        expect(ring.claimProducer()).toBe(start);
        const model: { sequence: number; length: number }[] = [];
        let staged = 0;
        let nextSequence = start;
        for (const step of ops) {
          if (step.kind === 'write' || step.kind === 'stage') {
            const record = payload(nextSequence, step.length);
            if (step.kind === 'write' ? ring.tryWrite(record) : ring.stage(record)) {
              model.push({ sequence: nextSequence++, length: step.length });
              staged = step.kind === 'write' ? 0 : staged + 1;
            } else {
              expect(model.length).toBeGreaterThan(0);
              if (step.kind === 'write') staged = 0;
            }
          } else if (step.kind === 'commit') {
            expect(ring.commit()).toBe(staged);
            staged = 0;
          } else if (step.kind === 'prefault') {
            ring.prefaultAhead();
          } else if (step.kind === 'read') {
            const committed = model.length - staged;
            const seen = readAll(ring, step.max);
            expect(seen).toEqual(
              model
                .slice(0, Math.min(step.max, committed))
                .map((m) => ({ sequence: m.sequence, bytes: payload(m.sequence, m.length) })),
            );
            ring.release(seen.length);
            model.splice(0, seen.length);
          } else {
            // Closing commits what is staged.
            ring.close();
            staged = 0;
            ring = RingBuffer.open(path);
            expect(ring.claimProducer()).toBe(nextSequence);
          }
          expect(ring.nextWriteSequence).toBe(nextSequence);
          expect(observer.nextWriteSequence).toBe(nextSequence - staged);
          expect(ring.nextReadSequence).toBe(model[0]?.sequence ?? nextSequence);
        }
        ring.close();
        expect(readAll(observer).map((r) => r.sequence)).toEqual(model.map((m) => m.sequence));
        observer.close();
        rmSync(path);
      }),
      { numRuns: 100 },
    );
  });
});

describe('RingBuffer.claimProducer', () => {
  it('takes the producer role and returns the sequence the next record gets', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ring-claim-')), 'claim.ring');
    const first = RingBuffer.open(path, { slotSize: 64, slotCount: 16 });
    expect(first.claimProducer()).toBe(0);
    for (let i = 0; i < 5; i++) first.tryWrite(new Uint8Array([i]));
    first.close();
    const second = RingBuffer.open(path);
    expect(second.claimProducer()).toBe(5);
    expect(second.tryWrite(new Uint8Array([5]))).toBe(true);
    expect(second.nextWriteSequence).toBe(6);
    second.close();
    expect(() => second.claimProducer()).toThrow(/closed/);
  });

  it("claims a clean ring without dirtying its pages (Linux: the mapping's dirty kB in /proc/self/smaps)", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ring-claim-')), 'clean.ring');
    const slotSize = 256;
    const slotCount = 16_384;
    const first = RingBuffer.open(path, { slotSize, slotCount });
    for (let i = 0; i < 100; i++) first.tryWrite(payload(i, 40));
    first.release(readAll(first).length);
    first.close();
    // Written back, so that what is dirty below was written by the second open.
    writeBack(path);
    /** Dirty kB of this process's mapping of `path`: pages written through it since it was mapped. */
    const dirtyKiB = (): number => {
      const smaps = readFileSync('/proc/self/smaps', 'utf8');
      const at = smaps.indexOf(path);
      expect(at, 'the ring is mapped').toBeGreaterThan(-1);
      const entry = smaps.slice(at, smaps.indexOf('VmFlags', at));
      return [...entry.matchAll(/(?:Shared|Private)_Dirty:\s+(\d+) kB/g)].reduce(
        (sum, m) => sum + Number(m[1]),
        0,
      );
    };
    const second = RingBuffer.open(path);
    expect(second.claimProducer()).toBe(100);
    // The header (the published tail and sequence) and the slot the next record takes; not the ring's other
    // 4 MiB, whose slot starts are all zero already (recovery used to write them anyway: 4 096 KiB dirty here).
    expect(dirtyKiB()).toBeLessThanOrEqual(16);
    expect(second.tryWrite(payload(100, 40))).toBe(true);
    expect(readAll(second)).toEqual([{ sequence: 100, bytes: payload(100, 40) }]);
    second.close();
  });

  it('finds records a killed producer committed but never published, where nextWriteSequence cannot', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ring-claim-')), 'lag.ring');
    const producer = RingBuffer.open(path, { slotSize: 64, slotCount: 16 });
    for (let i = 0; i < 3; i++) producer.tryWrite(new Uint8Array([i]));
    producer.close();
    // A SIGKILL between the commit of record 2 and the publication of the write sequence leaves this header.
    const file = readFileSync(path);
    publishWriteSequence(new Int32Array(file.buffer, file.byteOffset, file.length >>> 2), 2);
    writeFileSync(path, file);
    const restarted = RingBuffer.open(path);
    expect(restarted.nextWriteSequence).toBe(2);
    expect(restarted.claimProducer()).toBe(3);
    restarted.close();
  });

  it('stops at the reclaim position of a consumer killed between publishing its head and zeroing what it released', () => {
    // A full ring of one-slot records, three of them released by a consumer that died after publishing its new head
    // but before zeroing those slots and publishing reclaim: they still hold committed-looking frames of the last
    // lap, right after the newest record. The producer's walk must not take them for records (it used to, and
    // threw RingCorruptError at every restart: a SIGKILL at that point made the ring unusable).
    const path = join(mkdtempSync(join(tmpdir(), 'ring-claim-')), 'half-release.ring');
    const slotSize = 64;
    const ring = RingBuffer.open(path, { slotSize, slotCount: 16 });
    let written = 0;
    while (ring.tryWrite(payload(written, 20))) written++;
    expect(written).toBe(16);
    const beforeRelease = readFileSync(path);
    expect(readAll(ring, 3).map((r) => r.sequence)).toEqual([0, 1, 2]);
    ring.release(3);
    ring.close();
    const file = readFileSync(path);
    for (let slot = 0; slot < 3; slot++) {
      const at = HEADER_BYTES + slot * slotSize;
      beforeRelease.copy(file, at, at, at + 4);
    }
    const reclaimAt = Words.reclaimWord * 4;
    beforeRelease.copy(file, reclaimAt, reclaimAt, reclaimAt + 4);
    writeFileSync(path, file);
    expect(commitWordOnDisk(path, slotSize, 0)).toBeGreaterThan(0);

    const restarted = RingBuffer.open(path);
    expect(restarted.claimProducer()).toBe(16);
    // The consumer side then finishes the reclaim and reads on from its head; the producer writes after it.
    expect(readAll(restarted).map((r) => r.sequence)).toEqual(Array.from({ length: 13 }, (_, i) => i + 3));
    restarted.release(13);
    expect(restarted.tryWrite(payload(16, 20))).toBe(true);
    const next = readAll(restarted);
    expect(next.map((r) => r.sequence)).toEqual([16]);
    expect(next[0]?.bytes).toEqual(payload(16, 20));
    restarted.close();
  });
});

describe('RingBuffer.prefaultAhead', () => {
  /** Page faults this thread has taken so far (Linux: minflt in /proc/thread-self/stat). */
  const minorFaults = (): number =>
    Number(readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ')[7]);

  it('dirties the pages of the free slots 64 KiB ahead, so writes there take no page fault (Linux, ring on disk)', () => {
    /** One ring file, a lap written, written back: page faults of 128 writes without a prefault, then with one. */
    const faultsWithoutAndWith = (): { without: number; prefaulted: number } => {
      const path = join(mkdtempSync(join(tmpdir(), 'ring-prefault-')), 'ahead.ring');
      const slotSize = 256;
      const slotCount = 1024;
      const ring = RingBuffer.open(path, { slotSize, slotCount });
      expect(ring.prefaultAhead(), 'before the first write: no tail to prefault from').toBe(0);
      // A lap and a bit, each record one slot, released as it goes: every page of the ring has been written.
      const record = payload(7, 200);
      for (let i = 0; i < slotCount + 1; i++) {
        expect(ring.tryWrite(record)).toBe(true);
        ring.release(readAll(ring).length);
      }
      /** Page faults taken by writing the next 128 records (8 pages of slots). */
      const faultsWriting128 = (): number => {
        const before = minorFaults();
        for (let i = 0; i < 128; i++) ring.tryWrite(record);
        const faults = minorFaults() - before;
        ring.release(readAll(ring).length);
        return faults;
      };
      writeBack(path);
      const without = faultsWriting128();
      writeBack(path);
      // The tail is at slot 1 + 128 = 129; 64 KiB of 256-byte slots is 256 slots: 130..384 holds 16 page starts.
      expect(ring.prefaultAhead()).toBe(16);
      expect(ring.prefaultAhead(), 'nothing new to touch').toBe(0);
      const prefaulted = faultsWriting128();
      // The producer moved 128 slots on: the next call touches the 8 pages that came into reach.
      expect(ring.prefaultAhead()).toBe(8);
      ring.close();
      expect(ring.prefaultAhead(), 'after close').toBe(0);
      rmSync(path);
      return { without, prefaulted };
    };
    // The counter is the thread's: a scavenge or a fresh page of the runtime's landing in the same writes adds faults
    // that are not the ring's (17 once, in CI). The ring's own are the same every time, so the fewest of up to three
    // tries is what the prefault leaves.
    const tries = [faultsWithoutAndWith()];
    while (tries.length < 3 && tries.at(-1)!.prefaulted > 2) tries.push(faultsWithoutAndWith());
    for (const { without } of tries)
      expect(without, 'a write-protected page faults at its first write').toBeGreaterThanOrEqual(6);
    // At most two, both pages the fsync cleaned and the prefault leaves alone: the header (the published tail) and
    // the page the tail is in, part of which holds the records before it.
    expect(Math.min(...tries.map((t) => t.prefaulted)), JSON.stringify(tries)).toBeLessThanOrEqual(2);
  });

  it('touches only free slots: none that hold unread records, and none past a lagging consumer', () => {
    // 16 KiB: 64 slots of 256 bytes, four pages; a page starts every 16 slots.
    const ring = RingBuffer.open(freshPath(), { slotSize: 256, slotCount: 64 });
    for (let i = 0; i < 40; i++) expect(ring.tryWrite(payload(i, 100 + i))).toBe(true);
    // Free: slots 40..63 (the next lap's 0..39 still hold records). Reach: half the ring, 32 slots, so 41..63,
    // whose only page start is slot 48.
    expect(ring.prefaultAhead()).toBe(1);
    for (let i = 40; i < 64; i++) expect(ring.tryWrite(payload(i, 100))).toBe(true);
    expect(ring.tryWrite(payload(64, 100)), 'full').toBe(false);
    expect(ring.prefaultAhead(), 'nothing free').toBe(0);
    const seen = readAll(ring);
    expect(seen.map((r) => r.sequence)).toEqual([...Array(64).keys()]);
    for (const r of seen)
      expect(r.bytes).toEqual(payload(r.sequence, r.sequence < 40 ? 100 + r.sequence : 100));
    ring.close();
  });

  it('touches the first page of each slot when a slot is a page or more', () => {
    const ring = RingBuffer.open(freshPath(), { slotSize: 8192, slotCount: 64 });
    expect(ring.tryWrite(payload(0, 5000))).toBe(true);
    // 64 KiB is 8 slots of 8 KiB: slots 2..8, after the tail (slot 1).
    expect(ring.prefaultAhead()).toBe(7);
    expect(ring.tryWrite(payload(1, 9000))).toBe(true);
    expect(ring.prefaultAhead(), 'the tail moved two slots: two more in reach').toBe(2);
    expect(readAll(ring)).toEqual([
      { sequence: 0, bytes: payload(0, 5000) },
      { sequence: 1, bytes: payload(1, 9000) },
    ]);
    ring.close();
  });
});

describe('RingBuffer.startSequenceAt', () => {
  it('numbers a fresh ring from the given sequence, across a reopen, for producer and consumer alike', () => {
    const path = freshPath();
    const fresh = RingBuffer.open(path, { slotSize: 256, slotCount: 16 });
    fresh.startSequenceAt(2 ** 33 + 5);
    fresh.close();
    const ring = RingBuffer.open(path);
    expect(ring.claimProducer()).toBe(2 ** 33 + 5);
    expect(ring.tryWrite(payload(1, 40))).toBe(true);
    expect(readAll(ring).map((seen) => seen.sequence)).toEqual([2 ** 33 + 5]);
    ring.close();
  });

  it('refuses a ring that has been written or read, and a sequence that is not a safe non-negative integer', () => {
    const written = RingBuffer.open(freshPath(), { slotSize: 256, slotCount: 16 });
    expect(() => written.startSequenceAt(-1)).toThrow(InvalidArgumentError);
    expect(() => written.startSequenceAt(1.5)).toThrow(InvalidArgumentError);
    written.tryWrite(payload(0, 10));
    expect(() => written.startSequenceAt(7)).toThrow(InvalidArgumentError);
    written.close();
    const path = freshPath();
    const writer = RingBuffer.open(path, { slotSize: 256, slotCount: 16 });
    writer.tryWrite(payload(0, 10));
    writer.close();
    const reopened = RingBuffer.open(path);
    expect(() => reopened.startSequenceAt(7)).toThrow(InvalidArgumentError);
    reopened.close();
    expect(() => reopened.startSequenceAt(7)).toThrow(RingClosedError);
  });
});
