import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { createMonotonicClock } from '@marketpipe/middleware/internal';
import { ManualClock } from '@marketpipe/middleware/latency';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidDayError, InvalidVenueError, RecordFileHeaderError } from '../../src/errors.js';
import { nodeFileSink } from '../../src/flusher/file-sink.js';
import { createRecordFileWriter, RecordFileWriter } from '../../src/flusher/record-file-writer.js';
import { setWallNanos } from '../../src/flusher/record-format.js';
import {
  type FlushedRecord,
  listRecordDays,
  type RecordDamage,
  readRecordFile,
  readVenueRecords,
} from '../../src/flusher/record-reader.js';
import { ClockWallClock } from '../../src/flusher/wall-clock.js';
import { FaultInjectingFileSink, writeFaultSwitchValue } from '../../src/flusher/write-fault.js';

const MIDNIGHT = BigInt(Date.UTC(2025, 0, 2)) * 1_000_000n; // 2025-01-02T00:00:00Z in ns
const enc = new TextEncoder();

/** Payloads that break any line- or text-based format. */
function awkwardPayloads(): Uint8Array[] {
  const large = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
  return [
    enc.encode('{"p":"1.5"}\n{"p":"2"}\r\n'),
    new Uint8Array([0, 0, 0]),
    new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]),
    new Uint8Array(0),
    large,
    enc.encode('plain'),
  ];
}

function collect(path: string, onDamage?: (damage: RecordDamage) => void): FlushedRecord[] {
  return [...readRecordFile(path, onDamage === undefined ? {} : { onDamage })];
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'flusher-writer-'));
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('record format helpers', () => {
  it('setWallNanos writes seconds * 1e9 + nanos exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.integer({ min: 0, max: 999_999_999 }),
        (s, ns) => {
          const view = new DataView(new ArrayBuffer(8));
          setWallNanos(view, 0, s, ns);
          expect(view.getBigUint64(0, true)).toBe(BigInt(s) * 1_000_000_000n + BigInt(ns));
        },
      ),
    );
  });
});

describe('ClockWallClock', () => {
  it('starts at the anchor, never goes backwards and keeps nanos in range', () => {
    // A wall source 50 ms before midnight, then in real time: the samples cross midnight.
    const offsetMs = Number(MIDNIGHT / 1_000_000n) - 50 - Date.now();
    const anchored = createMonotonicClock({ wallMillis: () => Date.now() + offsetMs });
    const start = anchored.wallNanos();
    expect(start >= MIDNIGHT - 50_000_000n && start < MIDNIGHT).toBe(true);
    const clock = new ClockWallClock(anchored);
    let previous = start;
    for (let i = 0; i < 5000 || previous < MIDNIGHT; i++) {
      clock.sample();
      expect(clock.nanos >= 0 && clock.nanos < 1e9).toBe(true);
      const now = BigInt(clock.seconds) * 1_000_000_000n + BigInt(clock.nanos);
      expect(now >= previous).toBe(true);
      previous = now;
    }
    expect(previous >= MIDNIGHT).toBe(true);
    const real = new ClockWallClock();
    real.sample();
    expect(Math.abs(real.seconds * 1000 + real.nanos / 1e6 - Date.now())).toBeLessThan(1000);
  });

  it('follows a forward re-anchor at once and holds through a backward one', () => {
    const clock = new ManualClock({ wallNanos: MIDNIGHT });
    const stamps = new ClockWallClock(clock);
    const stamp = (): bigint => {
      stamps.sample();
      return BigInt(stamps.seconds) * 1_000_000_000n + BigInt(stamps.nanos);
    };
    clock.advance(1_500);
    expect(stamp()).toBe(MIDNIGHT + 1_500n);
    clock.setWallNanos(MIDNIGHT + 60_000_000_000n);
    expect(stamp()).toBe(MIDNIGHT + 60_000_000_000n);
    clock.setWallNanos(MIDNIGHT + 10_000_000_000n);
    clock.advance(1_000);
    expect(stamp()).toBe(MIDNIGHT + 60_000_000_000n);
    clock.advance(50_000_000_000);
    expect(stamp()).toBe(MIDNIGHT + 60_000_001_000n);
  });
});

describe('RecordFileWriter + reader', () => {
  it('round-trips any bytes with their sequences and stamps', () => {
    let now = MIDNIGHT + 5_000_000_000n;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'test-venue_1',
      wallNanos: () => (now += 1_000n),
    });
    expect(writer.recover()).toEqual({
      lastSequence: -1,
      file: undefined,
      truncatedBytes: 0,
      setAside: [],
      damage: [],
    });
    const payloads = awkwardPayloads();
    payloads.forEach((p, i) => {
      // Offsets inside a larger buffer, as the ring hands them over.
      const framed = new Uint8Array(p.length + 10);
      framed.set(p, 3);
      expect(writer.append(framed, 3, 3 + p.length, 100 + i)).toBe(true);
    });
    writer.writePending();
    writer.close();
    const file = join(dataDir, 'test-venue_1', '2025-01-02.mprec');
    const records = collect(file);
    expect(records.map((r) => r.sequence)).toEqual(payloads.map((_, i) => 100 + i));
    records.forEach((r, i) => {
      expect(Buffer.from(r.payload).equals(Buffer.from(payloads[i]!))).toBe(true);
      expect(r.wallNanos).toBe(MIDNIGHT + 5_000_000_000n + BigInt(i + 1) * 1_000n);
    });
    expect(writer.recordsWritten).toBe(payloads.length);
    expect(writer.bytesWritten).toBe(statSync(file).size - 16);
    expect(writer.lastSequence).toBe(105);
  });

  it('copies payloads exactly from views at any offset, switching between source buffers and views', () => {
    // Views into shared backing buffers at odd offsets, as the ring's mapping hands them over: the copy must take
    // exactly [start, end) of each view, whatever its alignment, and follow a change of backing buffer. One view
    // object per (buffer, offset) is reused with new contents, as the ring's is, so the writer's cached source must
    // follow a change of view on the same buffer as well as a change of buffer.
    // size 'max': fast-check's default size keeps arrays to ~10 bytes, below the word copy.
    const payload = fc.uint8Array({ minLength: 0, maxLength: 300, size: 'max' });
    const entry = fc.record({
      payload,
      at: fc.nat(64),
      backing: fc.nat(2),
      viewOffset: fc.nat(7),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 40 }), (entries) => {
        const dir = mkdtempSync(join(dataDir, 'copy-'));
        const backings = [new ArrayBuffer(1024), new ArrayBuffer(1024), new ArrayBuffer(1024)];
        const views = new Map<string, Uint8Array>();
        const writer = createRecordFileWriter({ dataDir: dir, venue: 'copy', wallNanos: () => MIDNIGHT });
        writer.recover();
        entries.forEach((e, i) => {
          const key = `${e.backing}:${e.viewOffset}`;
          const view =
            views.get(key) ?? new Uint8Array(backings[e.backing]!, e.viewOffset, 1024 - e.viewOffset);
          views.set(key, view);
          view.fill(0xee);
          view.set(e.payload, e.at);
          expect(writer.append(view, e.at, e.at + e.payload.length, i)).toBe(true);
        });
        writer.close();
        const records = collect(join(dir, 'copy', '2025-01-02.mprec'));
        expect(records.map((r) => Buffer.from(r.payload).toString('hex'))).toEqual(
          entries.map((e) => Buffer.from(e.payload).toString('hex')),
        );
      }),
      { numRuns: 60 },
    );
  });
  it('rotates at UTC midnight into one file per day, every record once', () => {
    let now = MIDNIGHT - 3_000n;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      wallNanos: () => (now += 1_000n),
      fsync: 'batch',
    });
    writer.recover();
    for (let seq = 0; seq < 6; seq++) writer.append(enc.encode(`m${seq}`), 0, 2, seq);
    writer.writePending();
    writer.close();
    expect(listRecordDays(dataDir, 'v')).toEqual(['2025-01-01', '2025-01-02']);
    const day1 = collect(join(dataDir, 'v', '2025-01-01.mprec'));
    const day2 = collect(join(dataDir, 'v', '2025-01-02.mprec'));
    expect(day1.map((r) => r.sequence)).toEqual([0, 1]);
    expect(day2.map((r) => r.sequence)).toEqual([2, 3, 4, 5]);
    expect(day1.every((r) => r.wallNanos < MIDNIGHT)).toBe(true);
    expect(day2.every((r) => r.wallNanos >= MIDNIGHT)).toBe(true);
    const all = [...readVenueRecords(dataDir, 'v', { from: '2025-01-01', to: '2025-01-02' })];
    expect(all.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...readVenueRecords(dataDir, 'v', { from: '2025-01-02' })]).toHaveLength(4);
    expect([...readVenueRecords(dataDir, 'v', { to: '2025-01-01' })]).toHaveLength(2);
  });

  it('reads up to a torn tail, then recovery sets the damaged end aside, where readers still see it', () => {
    let now = MIDNIGHT;
    const options = { dataDir, venue: 'v', wallNanos: () => (now += 1_000n) };
    const writer = createRecordFileWriter(options);
    writer.recover();
    // One write, so one block, per record: 16-byte block header + 20-byte record header + 9 bytes.
    const blockBytes = 16 + 20 + 9;
    for (let seq = 0; seq < 5; seq++) {
      writer.append(enc.encode(`payload-${seq}`), 0, 9, seq);
      writer.writePending();
    }
    writer.close();
    const file = join(dataDir, 'v', '2025-01-02.mprec');
    const fullSize = statSync(file).size;
    expect(fullSize).toBe(16 + 5 * blockBytes);
    truncateSync(file, fullSize - 4); // cut into the last block

    const damage: RecordDamage[] = [];
    expect(collect(file, (d) => damage.push(d)).map((r) => r.sequence)).toEqual([0, 1, 2, 3]);
    expect(damage).toEqual([
      { file, offset: fullSize - blockBytes, bytes: blockBytes - 4, kind: 'tornTail', reason: 'truncated' },
    ]);

    // Flip a payload byte of the (now) last whole block: no intact block follows, and it is not a cut.
    const bytes = readFileSync(file);
    const flip = fullSize - blockBytes - 2;
    bytes[flip] = bytes[flip]! ^ 0xff;
    writeFileSync(file, bytes);
    damage.length = 0;
    expect(collect(file, (d) => damage.push(d))).toHaveLength(3);
    const cutAt = fullSize - 2 * blockBytes;
    const cutBytes = fullSize - 4 - cutAt;
    expect(damage).toEqual([
      { file, offset: cutAt, bytes: cutBytes, kind: 'corruption', reason: 'checksum' },
    ]);

    // Restart: the ring still holds 3..5 (never released) and hands them over again.
    const restarted = createRecordFileWriter(options);
    const recovery = restarted.recover();
    const savedAs = `${file}.damaged-${cutAt}`;
    expect(recovery).toEqual({
      lastSequence: 2,
      file,
      truncatedBytes: cutBytes,
      setAside: [{ file, offset: cutAt, bytes: cutBytes, kind: 'corruption', savedAs }],
      damage: [],
    });
    expect(readFileSync(savedAs)).toEqual(bytes.subarray(cutAt));
    for (let seq = 0; seq < 7; seq++) restarted.append(enc.encode(`payload-${seq}`), 0, 9, seq);
    restarted.close();
    damage.length = 0;
    const after = collect(file, (d) => damage.push(d));
    expect(after.map((r) => new TextDecoder().decode(r.payload))).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((s) => `payload-${s}`),
    );
    // The set-aside bytes are still read (in their place) and still reported.
    expect(damage).toEqual([
      { file: savedAs, offset: 0, bytes: cutBytes, kind: 'corruption', reason: 'checksum' },
    ]);
  });

  it('reads the records a set-aside file holds in their place, and never overwrites one', () => {
    let now = MIDNIGHT;
    const options = { dataDir, venue: 'v', fsync: 'none' as const, wallNanos: () => (now += 1_000n) };
    const writer = createRecordFileWriter(options);
    writer.recover();
    for (let seq = 0; seq < 6; seq++) {
      writer.append(enc.encode(`payload-${seq}`), 0, 9, seq);
      writer.writePending();
    }
    writer.close();
    const file = join(dataDir, 'v', '2025-01-02.mprec');
    const bytes = readFileSync(file);
    const blockBytes = 16 + 20 + 9;
    // What an older recovery did: it cut at the first damaged block (2) and kept the intact blocks 3..5 aside.
    const cutAt = 16 + 2 * blockBytes;
    bytes[cutAt + 20] = bytes[cutAt + 20]! ^ 1;
    writeFileSync(`${file}.torn-${cutAt}`, bytes.subarray(cutAt));
    truncateSync(file, cutAt);
    // A later run appended 6 and 7 where the cut was.
    const later = createRecordFileWriter(options);
    expect(later.recover().lastSequence).toBe(1);
    for (const seq of [6, 7]) later.append(enc.encode(`payload-${seq}`), 0, 9, seq);
    later.close();
    const damage: RecordDamage[] = [];
    expect(collect(file, (d) => damage.push(d)).map((r) => r.sequence)).toEqual([0, 1, 3, 4, 5, 6, 7]);
    expect(damage).toEqual([
      { file: `${file}.torn-${cutAt}`, offset: 0, bytes: blockBytes, kind: 'corruption', reason: 'checksum' },
    ]);
    expect(collect(file, undefined).length).toBe(7);
    expect([...readRecordFile(file, { setAside: false })].map((r) => r.sequence)).toEqual([0, 1, 6, 7]);

    // A second damaged end at the same offset gets a name of its own.
    const torn = readFileSync(file);
    writeFileSync(file, Buffer.concat([torn, Buffer.from([1, 2, 3])]));
    writeFileSync(`${file}.torn-${torn.length}`, 'earlier');
    const again = createRecordFileWriter(options);
    expect(again.recover().setAside).toEqual([
      { file, offset: torn.length, bytes: 3, kind: 'tornTail', savedAs: `${file}.torn-${torn.length}.1` },
    ]);
    expect(readFileSync(`${file}.torn-${torn.length}`, 'utf8')).toBe('earlier');
  });

  it('treats a block whose checksum holds but whose records do not fill it as corruption', () => {
    const writer = createRecordFileWriter({ dataDir, venue: 'v', fsync: 'none', wallNanos: () => MIDNIGHT });
    writer.recover();
    writer.append(enc.encode('first'), 0, 5, 0);
    writer.writePending();
    writer.append(enc.encode('second'), 0, 6, 1);
    writer.close();
    const file = join(dataDir, 'v', '2025-01-02.mprec');
    const bytes = readFileSync(file);
    const second = 16 + 16 + 20 + 5;
    // Claim two records in the second block and re-seal it: a writer bug, not a tear, but still unreadable.
    bytes.writeUInt32LE(2, second + 8);
    bytes.writeUInt32LE(zlibCrc32(bytes.subarray(second + 4)), second);
    writeFileSync(file, bytes);
    const damage: RecordDamage[] = [];
    expect(collect(file, (d) => damage.push(d)).map((r) => r.sequence)).toEqual([0]);
    expect(damage).toEqual([
      { file, offset: second, bytes: bytes.length - second, kind: 'corruption', reason: 'checksum' },
    ]);
  });

  it('recovers from the newest day that has a record when the newest file is header-only or torn', () => {
    let now = MIDNIGHT - 2_000n;
    const options = { dataDir, venue: 'v', wallNanos: () => (now += 1_000n) };
    const writer = createRecordFileWriter(options);
    writer.recover();
    writer.append(enc.encode('a'), 0, 1, 0);
    writer.close();
    mkdirSync(join(dataDir, 'v'), { recursive: true });
    writeFileSync(join(dataDir, 'v', '2025-01-02.mprec'), Buffer.from('MPREC')); // crash while creating the file
    const restarted = createRecordFileWriter(options);
    expect(restarted.recover().lastSequence).toBe(0);
    restarted.append(enc.encode('a'), 0, 1, 0);
    restarted.append(enc.encode('b'), 0, 1, 1);
    restarted.close();
    expect([...readVenueRecords(dataDir, 'v')].map((r) => r.sequence)).toEqual([0, 1]);
  });

  it('stamps a record with the receive time it is given, files it by that day, never earlier than the stamp before', () => {
    // The clock reads after midnight; the first records were received before it.
    let now = MIDNIGHT + 5_000_000n;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      clockSampling: 'batch',
      wallNanos: () => (now += 1_000n),
    });
    writer.recover();
    writer.sampleClock();
    const midnightMs = Number(MIDNIGHT / 1_000_000n);
    const appended: [number, number][] = [
      [midnightMs - 1, 999_999], // 23:59:59.999999999, the day before
      [midnightMs, 0],
      [midnightMs, 250_000],
      [midnightMs, 100_000], // received "earlier" (a backward clock step): held at the stamp before
      [0, 0], // none: the clock's sample
      [midnightMs + 0.5, 0], // not whole milliseconds: none
      [midnightMs + 1, 1_000_000], // nanoseconds out of range: none
      [Number.NaN, 0],
      [midnightMs + 9, 7], // after the clock's stamps: taken
    ];
    for (const [seq, [ms, sub]] of appended.entries()) {
      writer.append(enc.encode(`r${seq}`), 0, 2, seq, { ms: ms!, subMsNanos: sub! });
    }
    writer.close();
    const sample = now - MIDNIGHT; // the clock's one sample after the one at construction
    expect(listRecordDays(dataDir, 'v')).toEqual(['2025-01-01', '2025-01-02']);
    const stamps = [...readVenueRecords(dataDir, 'v', { from: '2025-01-01' })].map(
      (r) => r.wallNanos - MIDNIGHT,
    );
    expect(stamps).toEqual([-1n, 0n, 250_000n, 250_000n, sample, sample, sample, sample, 9_000_007n]);
    expect(collect(join(dataDir, 'v', '2025-01-01.mprec')).map((r) => r.sequence)).toEqual([0]);

    // The next writer goes on from the newest stamp on disk: a receive time before it (the clock set back between
    // runs) is held there, so the newest day file keeps the highest sequence.
    const next = createRecordFileWriter({
      dataDir,
      venue: 'v',
      wallNanos: () => MIDNIGHT - 86_400_000_000_000n,
    });
    expect(next.recover().lastSequence).toBe(8);
    next.append(enc.encode('late'), 0, 4, 9, { ms: midnightMs - 5_000, subMsNanos: 0 });
    next.append(enc.encode('none'), 0, 4, 10);
    next.close();
    const after = [...readVenueRecords(dataDir, 'v', { from: '2025-01-01' })];
    expect(after.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(after.slice(-3).map((r) => r.wallNanos - MIDNIGHT)).toEqual([9_000_007n, 9_000_007n, 9_000_007n]);
    expect(collect(join(dataDir, 'v', '2025-01-01.mprec')).map((r) => r.sequence)).toEqual([0]);
  });

  it("with clockSampling 'batch', stamps every record with the time of the last sampleClock", () => {
    let now = MIDNIGHT;
    let reads = 0;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      clockSampling: 'batch',
      wallNanos: () => {
        reads++;
        now += 1_000n;
        return now;
      },
    });
    writer.recover();
    writer.sampleClock();
    for (let seq = 0; seq < 3; seq++) writer.append(enc.encode(`a${seq}`), 0, 2, seq);
    writer.sampleClock();
    for (let seq = 3; seq < 5; seq++) writer.append(enc.encode(`b${seq}`), 0, 2, seq);
    writer.close();
    expect(reads).toBe(3); // one at construction, one per sampleClock
    const stamps = [...readVenueRecords(dataDir, 'v')].map((r) => r.wallNanos - MIDNIGHT);
    expect(stamps).toEqual([2_000n, 2_000n, 2_000n, 3_000n, 3_000n]);
  });

  it('hands interval fsyncs to a background syncer, waits for it before closing and raises its errors', () => {
    const events: string[] = [];
    let running = false;
    let failure: NodeJS.ErrnoException | undefined;
    const syncer = {
      get busy() {
        return running;
      },
      start(fd: number) {
        events.push(`start ${fd >= 0}`);
        running = true;
        return true;
      },
      wait() {
        events.push('wait');
        running = false;
      },
      takeError() {
        const error = failure;
        failure = undefined;
        return error;
      },
      close() {},
    };
    const inline: string[] = [];
    const sink = { ...nodeFileSink, sync: (fd: number) => inline.push(`sync ${fd >= 0}`) };
    let ms = 0;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      sink,
      syncer,
      fsync: { intervalMs: 100 },
      monotonicMs: () => ms,
    });
    writer.recover();
    writer.append(enc.encode('x'), 0, 1, 0);
    writer.writePending();
    writer.syncIfDue(); // not due yet
    ms = 150;
    writer.syncIfDue(); // due: started in the background, returns at once
    expect(events).toEqual(['start true']);
    writer.append(enc.encode('y'), 0, 1, 1);
    writer.writePending();
    ms = 400;
    writer.syncIfDue(); // still running: not started again
    expect(events).toEqual(['start true']);
    running = false;
    failure = Object.assign(new Error('EIO: fsync failed'), { code: 'EIO' });
    expect(() => writer.syncIfDue()).toThrow(expect.objectContaining({ code: 'EIO' }));
    // The failed sync leaves the data due: the next call starts another at once.
    writer.syncIfDue();
    expect(events).toEqual(['start true', 'start true']);
    expect(inline).toEqual([]);
    writer.append(enc.encode('z'), 0, 1, 2);
    writer.writePending();
    // Close waits for the running background fsync, then syncs in line what was written after it started.
    writer.close();
    expect(events).toEqual(['start true', 'start true', 'wait']);
    expect(inline).toEqual(['sync true']);
    expect([...readVenueRecords(dataDir, 'v')].map((r) => r.sequence)).toEqual([0, 1, 2]);
  });

  it('fsyncs before the interval once maxUnsyncedBytes were written since the last fsync', () => {
    const inline: number[] = [];
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      sink: { ...nodeFileSink, sync: () => inline.push(writer.bytesWritten) },
      fsync: { intervalMs: 60_000, maxUnsyncedBytes: 1000 },
      monotonicMs: () => 0,
    });
    writer.recover();
    const record = new Uint8Array(300).fill(0x61);
    for (let sequence = 0; sequence < 7; sequence++) {
      writer.append(record, 0, record.length, sequence);
      writer.writePending();
      writer.syncIfDue();
    }
    // Each write is a block of one 300-byte record plus framing: the fourth passes 1000 bytes, then the seventh.
    expect(inline).toHaveLength(2);
    expect(inline[0]).toBeGreaterThanOrEqual(1000);
    expect(inline[1]! - inline[0]!).toBeGreaterThanOrEqual(1000);
    expect(inline[0]).toBeLessThan(1000 + 400);
    writer.close();
    expect([...readVenueRecords(dataDir, 'v')]).toHaveLength(7);
  });

  it('says how long until the interval fsync is due, a whole interval while a late one still runs', () => {
    let running = false;
    const syncer = {
      get busy() {
        return running;
      },
      start() {
        running = true;
        return true;
      },
      wait() {
        running = false;
      },
      takeError: () => undefined,
      close() {},
    };
    let ms = 0;
    const writer = createRecordFileWriter({
      dataDir,
      venue: 'v',
      syncer,
      fsync: { intervalMs: 100 },
      monotonicMs: () => ms,
    });
    writer.recover();
    expect(writer.msUntilSyncDue()).toBe(Number.POSITIVE_INFINITY); // nothing written
    writer.append(enc.encode('x'), 0, 1, 0);
    writer.writePending();
    ms = 30;
    expect(writer.msUntilSyncDue()).toBe(70);
    ms = 150;
    writer.syncIfDue(); // started at 150: nothing unsynced until the next write
    expect(writer.msUntilSyncDue()).toBe(Number.POSITIVE_INFINITY);
    writer.append(enc.encode('y'), 0, 1, 1);
    writer.writePending();
    expect(writer.msUntilSyncDue()).toBe(100);
    ms = 400;
    writer.syncIfDue(); // the first one still runs: the second cannot start yet
    expect(writer.msUntilSyncDue()).toBe(100);
    running = false;
    writer.close();
    const none = new RecordFileWriter({ dataDir, venue: 'w', fsync: 'none' });
    none.recover();
    none.append(enc.encode('z'), 0, 1, 0);
    none.writePending();
    expect(none.msUntilSyncDue()).toBe(Number.POSITIVE_INFINITY);
    none.close();
  });

  it('keeps pending records through write failures and writes them once when the disk recovers', () => {
    const control = new Int32Array(new SharedArrayBuffer(4));
    const sink = new FaultInjectingFileSink(nodeFileSink, control, 0);
    let now = MIDNIGHT;
    const writer = createRecordFileWriter({ dataDir, venue: 'v', sink, wallNanos: () => (now += 1_000n) });
    writer.recover();
    writer.append(enc.encode('first'), 0, 5, 0);
    writer.writePending();
    control[0] = writeFaultSwitchValue('ENOSPC');
    writer.append(enc.encode('second'), 0, 6, 1);
    expect(() => writer.writePending()).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    control[0] = writeFaultSwitchValue('EIO');
    expect(() => writer.writePending()).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(writer.pendingBytes).toBeGreaterThan(0);
    expect(writer.recordsWritten).toBe(1);
    control[0] = writeFaultSwitchValue(null);
    writer.writePending();
    writer.close();
    expect([...readVenueRecords(dataDir, 'v')].map((r) => r.sequence)).toEqual([0, 1]);
    expect(writer.recordsWritten).toBe(2);
  });

  it('closes the file when a reader stops early', () => {
    const writer = createRecordFileWriter({ dataDir, venue: 'v', fsync: 'none', wallNanos: () => MIDNIGHT });
    writer.recover();
    for (let seq = 0; seq < 3; seq++) writer.append(enc.encode(`r${seq}`), 0, 2, seq);
    writer.close();
    const file = join(dataDir, 'v', '2025-01-02.mprec');
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      for (const record of readRecordFile(file)) {
        if (record.sequence === 1) break;
      }
      for (const _ of readVenueRecords(dataDir, 'v')) break;
    }
    expect(openFds()).toBe(before);
  });

  it('rejects a write buffer too small for a block and a record header', () => {
    for (const bufferBytes of [0, -1, 35, 1.5, Number.NaN]) {
      expect(() => new RecordFileWriter({ dataDir, venue: 'v', bufferBytes })).toThrow(InvalidArgumentError);
    }
    expect(() => new RecordFileWriter({ dataDir, venue: 'v', bufferBytes: 36 })).not.toThrow();
  });

  it('rejects unsafe venues, foreign files and bad day ranges with typed errors', () => {
    for (const venue of ['..', '../x', 'a/b', 'A', '', 'x'.repeat(65), 'a.b']) {
      expect(() => new RecordFileWriter({ dataDir, venue })).toThrow(
        expect.objectContaining({ code: 'MP_ERR_INVALID_VENUE' }),
      );
      expect(() => listRecordDays(dataDir, venue)).toThrow(
        expect.objectContaining({ code: 'MP_ERR_INVALID_VENUE' }),
      );
    }
    expect(new InvalidVenueError('x') instanceof InvalidVenueError).toBe(true);
    // One bad-argument family: the narrower errors are InvalidArgumentErrors with their own codes.
    expect(new InvalidVenueError('x')).toBeInstanceOf(InvalidArgumentError);
    expect(new InvalidDayError('x')).toBeInstanceOf(InvalidArgumentError);
    mkdirSync(join(dataDir, 'v'));
    const foreign = join(dataDir, 'v', '2025-01-02.mprec');
    writeFileSync(foreign, 'not a record file at all');
    let caught: unknown;
    try {
      collect(foreign);
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof RecordFileHeaderError).toBe(true);
    expect(() => new RecordFileWriter({ dataDir, venue: 'v' }).recover()).toThrow(RecordFileHeaderError);
    expect(() => [...readVenueRecords(dataDir, 'v', { from: '2025-02-30' })]).toThrow(InvalidDayError);
    expect(() => [...readVenueRecords(dataDir, 'v', { from: '2025-01-03', to: '2025-01-02' })]).toThrow(
      InvalidDayError,
    );
  });
});
