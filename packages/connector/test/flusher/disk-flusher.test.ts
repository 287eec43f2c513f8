import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMonotonicClock } from '@marketpipe/middleware/internal';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlusherStopTimeoutError, FlusherWorkerError, InvalidVenueError } from '../../src/errors.js';
import {
  DiskFlusher,
  holdNextFlusherStart,
  injectWriteFault,
  spawnFlusher,
  startFlusherWithWriteFaults,
} from '../../src/flusher/disk-flusher.js';
import { createRecordFileWriter } from '../../src/flusher/record-file-writer.js';
import {
  listRecordDays,
  type RecordDamage,
  readRecordFile,
  readVenueRecords,
} from '../../src/flusher/record-reader.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { payloadFor } from './flusher-test-support.js';

const GEOMETRY = { slotSize: 256, slotCount: 256 };
const DAY_MS = 86_400_000;

let dir: string;
let ringPath: string;
let dataDir: string;
const open: { flushers: DiskFlusher[]; rings: RingBuffer[] } = { flushers: [], rings: [] };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'disk-flusher-'));
  ringPath = join(dir, 'venue.ring');
  dataDir = join(dir, 'data');
});
afterEach(async () => {
  await Promise.allSettled(open.flushers.splice(0).map((f) => f.stop()));
  for (const ring of open.rings.splice(0)) ring.close();
  rmSync(dir, { recursive: true, force: true });
});

function openRing(): RingBuffer {
  const ring = RingBuffer.open(ringPath, GEOMETRY);
  open.rings.push(ring);
  return ring;
}

async function startFlusher(
  options: Partial<Parameters<typeof DiskFlusher.start>[0]> & { writeFaults?: boolean } = {},
): Promise<DiskFlusher> {
  const { writeFaults, ...rest } = options;
  const flusher = await (writeFaults === true ? startFlusherWithWriteFaults : DiskFlusher.start)({
    ringPath,
    ringGeometry: GEOMETRY,
    dataDir,
    venue: 'test',
    ...rest,
  });
  open.flushers.push(flusher);
  return flusher;
}

/** Writes the numbered payloads `from .. to-1` (ring sequence = number), waiting while the ring is full. */
async function produce(ring: RingBuffer, from: number, to: number, flusher?: DiskFlusher): Promise<void> {
  expect(ring.nextWriteSequence).toBe(from);
  for (let sequence = from; sequence < to; sequence++) {
    const payload = payloadFor(sequence);
    while (!ring.tryWrite(payload)) {
      flusher?.notify();
      await sleep(1);
    }
    flusher?.notify();
  }
}

/**
 * What a crashed flusher leaves on disk: records `0 .. count - 1` appended, the block up to `writtenThrough`
 * written on its own (so a later cut tears only the last block), closed without any release.
 */
function writeAsCrashedFlusher(count: number, writtenThrough?: number): void {
  const crashed = createRecordFileWriter({
    dataDir,
    venue: 'test',
    wallNanos: () => BigInt(Date.now()) * 1_000_000n,
  });
  crashed.recover();
  for (let s = 0; s < count; s++) {
    const p = payloadFor(s);
    crashed.append(p, 0, p.length, s);
    if (s === writtenThrough) crashed.writePending();
  }
  crashed.close();
}

function expectStream(records: { sequence: number; payload: Uint8Array }[], from: number, to: number): void {
  expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
  for (const record of records) {
    expect(Buffer.from(record.payload).equals(Buffer.from(payloadFor(record.sequence)))).toBe(true);
  }
}

describe('DiskFlusher', () => {
  it('round-trips every record, bytes and sequence, through ring, worker and file', async () => {
    const ring = openRing();
    const flusher = await startFlusher();
    expect(flusher.recovery).toEqual({
      lastSequence: -1,
      file: undefined,
      truncatedBytes: 0,
      setAside: [],
      damage: [],
      ringReset: false,
      rewrittenFromRing: true,
    });
    await produce(ring, 0, 3000, flusher);
    await waitFor('all records written', () => flusher.status().recordsWritten === 3000);
    const status = flusher.status();
    expect(status).toMatchObject({ state: 'running', recordsWritten: 3000, lastSequence: 2999, retries: 0 });
    expect(status.lastError).toBeUndefined();
    await flusher.stop();
    expect(flusher.status().state).toBe('stopped');
    const days = listRecordDays(dataDir, 'test');
    expect(days).toHaveLength(1);
    const file = join(dataDir, 'test', `${days[0]}.mprec`);
    expect(status.currentFile).toBe(file);
    expect(status.bytesWritten).toBe(statSync(file).size - 16);
    const records = [...readRecordFile(file)];
    expectStream(records, 0, 3000);
    const before = Date.now();
    for (const r of records) expect(Number(r.wallNanos / 1_000_000n)).toBeLessThanOrEqual(before + 1);
    expect(ring.nextReadSequence).toBe(3000);
  });

  it('drains everything written just before stop()', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ idleWaitMs: 50 });
    // Never notified, so most of these are still in the ring when stop() is called.
    let sequence = 0;
    while (ring.tryWrite(payloadFor(sequence))) sequence++;
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, sequence);
    expect(ring.nextReadSequence).toBe(sequence);
  });

  it('lingers after a write that emptied the ring: notify() does not cut it short, stop() does', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ lingerMs: 60_000, fsync: 'none' });
    await produce(ring, 0, 1, flusher);
    await waitFor('the first record', () => flusher.status().recordsWritten === 1);
    // Producers are not woken for during a linger: these wait in the ring, notified or not.
    await produce(ring, 1, 10, flusher);
    await sleep(50);
    expect(flusher.status().recordsWritten).toBe(1);
    // Without the stop's wake this would take the whole minute (beyond the test's timeout).
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 10);
    expect(ring.nextReadSequence).toBe(10);
  });

  it('ends a linger when the interval fsync is due, and writes what gathered meanwhile', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ lingerMs: 60_000, fsync: { intervalMs: 50 } });
    await produce(ring, 0, 1, flusher);
    await waitFor('the first record', () => flusher.status().recordsWritten === 1);
    await produce(ring, 1, 10, flusher);
    // Long before the minute's linger would end.
    await waitFor('the records gathered in the linger', () => flusher.status().recordsWritten === 10, {
      timeoutMs: 10_000,
    });
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 10);
  });

  it('naps after a linger that found nothing, where notify() wakes it', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ lingerMs: 1, idleWaitMs: 60_000 });
    await produce(ring, 0, 1, flusher);
    await waitFor('the first record', () => flusher.status().recordsWritten === 1);
    await sleep(50);
    // Napping for up to a minute by now, unless the notify reaches it.
    await produce(ring, 1, 2, flusher);
    await waitFor('the second record', () => flusher.status().recordsWritten === 2, { timeoutMs: 10_000 });
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 2);
  });

  it('naps long once the ring stayed empty, says so through idle, and a notify() still wakes it at once', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ fsync: 'none' });
    const delays: number[] = [];
    for (let sequence = 0; sequence < 9; sequence++) {
      await waitFor('the worker to nap long', () => flusher.idle, { timeoutMs: 10_000 });
      const start = performance.now();
      await produce(ring, sequence, sequence + 1, flusher);
      await waitFor('the record', () => flusher.status().recordsWritten === sequence + 1, { everyMs: 1 });
      delays.push(performance.now() - start);
      expect(flusher.idle).toBe(false);
    }
    // A long nap lasts 100 ms: found only when its nap ends, a record would wait ~50 ms at the median.
    delays.sort((a, b) => a - b);
    expect(delays[4]).toBeLessThan(20);
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 9);
  });

  it('finds a record an idle worker was not woken for when its long nap ends', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ fsync: 'none' });
    await waitFor('the worker to nap long', () => flusher.idle, { timeoutMs: 10_000 });
    await produce(ring, 0, 1);
    await waitFor('the record', () => flusher.status().recordsWritten === 1, { timeoutMs: 10_000 });
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 1);
  });

  it('without a linger (lingerMs 0) writes what arrives while it spins, and still drains on stop()', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ lingerMs: 0, spinTurns: 10 });
    await produce(ring, 0, 500, flusher);
    await waitFor('all records', () => flusher.status().recordsWritten === 500);
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 500);
  });

  it('rejects a lingerMs outside 0..60000 before starting a worker', async () => {
    openRing();
    for (const lingerMs of [-1, Number.NaN, 60_001]) {
      await expect(startFlusher({ lingerMs })).rejects.toMatchObject({
        code: 'MP_ERR_INVALID_ARGUMENT',
        argument: 'lingerMs',
      });
    }
  });

  it('rotates files at UTC midnight while running', async () => {
    const midnight = Math.ceil(Date.now() / DAY_MS) * DAY_MS + 5 * DAY_MS;
    const ring = openRing();
    // The clock's wall source starts 1.5 s before midnight and then runs in real time; the worker stamps by its
    // anchor.
    const offsetMs = midnight - 1500 - Date.now();
    const clock = createMonotonicClock({ wallMillis: () => Date.now() + offsetMs });
    const flusher = await startFlusher({ clock });
    await produce(ring, 0, 20, flusher);
    await waitFor('first records', () => flusher.status().recordsWritten === 20);
    let sequence = 20;
    await waitFor('rotation to the next day', () => {
      if (ring.tryWrite(payloadFor(sequence))) sequence++;
      flusher.notify();
      return (
        flusher.status().currentFile?.endsWith(`${new Date(midnight).toISOString().slice(0, 10)}.mprec`) ===
        true
      );
    });
    await produce(ring, sequence, sequence + 20, flusher);
    await flusher.stop();
    const days = listRecordDays(dataDir, 'test');
    expect(days).toEqual([
      new Date(midnight - 1).toISOString().slice(0, 10),
      new Date(midnight).toISOString().slice(0, 10),
    ]);
    const midnightNs = BigInt(midnight) * 1_000_000n;
    const first = [...readRecordFile(join(dataDir, 'test', `${days[0]}.mprec`))];
    const second = [...readRecordFile(join(dataDir, 'test', `${days[1]}.mprec`))];
    expect(first.length).toBeGreaterThanOrEqual(20);
    expect(second.length).toBeGreaterThanOrEqual(20);
    expect(first.every((r) => r.wallNanos < midnightNs)).toBe(true);
    expect(second.every((r) => r.wallNanos >= midnightNs)).toBe(true);
    expectStream([...first, ...second], 0, sequence + 20);
  });

  it('after a crash, drops a torn tail, skips what is already on disk and writes the rest once', async () => {
    const ring = openRing();
    await produce(ring, 0, 10);
    // What a crashed flusher leaves behind: records 0..5 written (one block) but never released, then half
    // of the block holding 6.
    writeAsCrashedFlusher(7, 5);
    const file = join(dataDir, 'test', `${listRecordDays(dataDir, 'test')[0]}.mprec`);
    const whole = readFileSync(file);
    // Block header (16) + record header (20) + payload.
    const lastRecordBytes = 16 + 20 + payloadFor(6).length;
    rmSync(file);
    appendFileSync(file, whole.subarray(0, whole.length - Math.ceil(lastRecordBytes / 2)));
    expect([...readRecordFile(file)].map((r) => r.sequence)).toEqual([0, 1, 2, 3, 4, 5]);

    const flusher = await startFlusher();
    expect(flusher.recovery).toMatchObject({
      lastSequence: 5,
      file,
      ringReset: false,
      rewrittenFromRing: true,
    });
    const tornBytes = Math.floor(lastRecordBytes / 2);
    const cutAt = whole.length - lastRecordBytes;
    const savedAs = `${file}.torn-${cutAt}`;
    expect(flusher.recovery.truncatedBytes).toBe(tornBytes);
    expect(flusher.recovery.setAside).toEqual([
      { file, offset: cutAt, bytes: tornBytes, kind: 'tornTail', savedAs },
    ]);
    await produce(ring, 10, 15, flusher);
    await flusher.stop();
    // Record 6 came again from the ring: the torn half block cost nothing.
    expect(flusher.status()).toMatchObject({
      recordsWritten: 9,
      lastSequence: 14,
      setAsideBytes: tornBytes,
      unrecoveredBytes: 0,
    });
    const damage: RecordDamage[] = [];
    expectStream([...readRecordFile(file, { onDamage: (d) => damage.push(d) })], 0, 15);
    // The set-aside half block is read in its place and reported, never duplicated.
    expect(damage).toEqual([
      { file: savedAs, offset: 0, bytes: tornBytes, kind: 'tornTail', reason: 'truncated' },
    ]);
  });

  it('takes writes while its worker boots: skips what is already on disk and writes the rest once, in order', async () => {
    const ring = openRing();
    await produce(ring, 0, 10);
    // A crashed flusher wrote 0..5 and never released them.
    writeAsCrashedFlusher(6);

    const release = holdNextFlusherStart();
    const { flusher, ready } = spawnFlusher(
      { ringPath, ringGeometry: GEOMETRY, dataDir, venue: 'test' },
      ring.claimProducer(),
    );
    open.flushers.push(flusher);
    try {
      await produce(ring, 10, 20, flusher);
      expect(flusher.status()).toMatchObject({ state: 'starting', recordsWritten: 0 });
      expect(() => flusher.recovery).toThrow(FlusherWorkerError);
    } finally {
      release();
    }
    expect(await ready).toMatchObject({ lastSequence: 5, ringReset: false, rewrittenFromRing: true });
    await flusher.stop();
    expect(flusher.status()).toMatchObject({ state: 'stopped', recordsWritten: 14, lastSequence: 19 });
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 20);
  });

  it('counts a torn tail as unrecovered when the ring had already released its records', async () => {
    const ring = openRing();
    await produce(ring, 0, 4);
    // A flusher that released 0..3 and crashed while writing the block holding them: nothing re-supplies them.
    ring.release(ring.readBatch(4, () => {}));
    writeAsCrashedFlusher(4, 1);
    const file = join(dataDir, 'test', `${listRecordDays(dataDir, 'test')[0]}.mprec`);
    const whole = readFileSync(file);
    rmSync(file);
    appendFileSync(file, whole.subarray(0, whole.length - 10));

    const flusher = await startFlusher();
    expect(flusher.recovery).toMatchObject({ lastSequence: 1, ringReset: false, rewrittenFromRing: false });
    const tornBytes = flusher.recovery.truncatedBytes;
    expect(tornBytes).toBeGreaterThan(0);
    await flusher.stop();
    expect(flusher.status()).toMatchObject({ setAsideBytes: tornBytes, unrecoveredBytes: tornBytes });
  });

  it('holds records in the ring through ENOSPC and EIO, reports them, and resumes when the disk recovers', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ writeFaults: true });
    await produce(ring, 0, 50, flusher);
    await waitFor('first records', () => flusher.status().recordsWritten === 50);

    injectWriteFault(flusher, 'ENOSPC');
    await produce(ring, 50, 100, flusher);
    await waitFor('ENOSPC reported', () => {
      const s = flusher.status();
      return s.state === 'retrying' && s.lastError?.code === 'ENOSPC';
    });
    expect(flusher.status()).toMatchObject({ recordsWritten: 50, lastSequence: 49 });
    expect(ring.nextReadSequence).toBe(50); // nothing released while failing

    injectWriteFault(flusher, 'EIO');
    await waitFor('EIO reported', () => flusher.status().lastError?.code === 'EIO');
    expect(flusher.status().state).toBe('retrying');
    expect(flusher.status().lastError?.message).toContain('EIO');

    injectWriteFault(flusher, null);
    await waitFor('writes resumed', () => flusher.status().recordsWritten === 100);
    const status = flusher.status();
    expect(status.state).toBe('running');
    expect(status.retries).toBeGreaterThanOrEqual(2);
    await flusher.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 100);
  });

  it('stop() gives up after its timeout on a failing disk, and the records stay in the ring for the next run', async () => {
    const ring = openRing();
    const flusher = await startFlusher({ writeFaults: true });
    injectWriteFault(flusher, 'ENOSPC');
    await produce(ring, 0, 30, flusher);
    await waitFor('retrying', () => flusher.status().state === 'retrying');
    await expect(flusher.stop({ timeoutMs: 200 })).rejects.toSatisfy(
      (e: unknown) => e instanceof FlusherStopTimeoutError,
    );
    expect(flusher.status().state).toBe('stopped');
    expect(ring.nextReadSequence).toBe(0);

    const next = await startFlusher();
    await next.stop();
    expectStream([...readVenueRecords(dataDir, 'test')], 0, 30);
  });

  it('writes everything when the ring file was recreated and its sequences restarted', async () => {
    const first = openRing();
    const flusher = await startFlusher();
    await produce(first, 0, 10, flusher);
    await flusher.stop();
    first.close();
    rmSync(ringPath);
    const second = openRing();
    await produce(second, 0, 5);
    const next = await startFlusher();
    expect(next.recovery).toMatchObject({ lastSequence: 9, ringReset: true, rewrittenFromRing: false });
    await next.stop();
    const sequences = [...readVenueRecords(dataDir, 'test')].map((r) => r.sequence);
    expect(sequences).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
  });

  it('rejects unsafe venue names before starting a worker', async () => {
    await expect(DiskFlusher.start({ ringPath, dataDir, venue: '../etc' })).rejects.toSatisfy(
      (e: unknown) => e instanceof InvalidVenueError,
    );
  });

  it('reports a worker that fails its recovery after a start that did not wait, as one that fails later', async () => {
    const ring = openRing();
    const day = new Date().toISOString().slice(0, 10);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dataDir, 'test'), { recursive: true });
    writeFileSync(join(dataDir, 'test', `${day}.mprec`), 'hello, not a record file');
    const { flusher, ready } = spawnFlusher({ ringPath, ringGeometry: GEOMETRY, dataDir, venue: 'test' }, 0);
    await produce(ring, 0, 5, flusher);
    await expect(ready).rejects.toMatchObject({
      code: 'MP_ERR_FLUSHER_WORKER',
      cause: expect.objectContaining({ code: 'MP_ERR_RECORD_FILE_HEADER' }),
    });
    expect(flusher.status()).toMatchObject({
      state: 'stopped',
      recordsWritten: 0,
      lastError: { code: 'MP_ERR_RECORD_FILE_HEADER' },
    });
    await expect(flusher.stop()).rejects.toSatisfy((e: unknown) => e instanceof FlusherWorkerError);
    // Nothing was read, let alone released: the records wait in the ring for the next run.
    expect(ring.nextReadSequence).toBe(0);
    expect(ring.nextWriteSequence).toBe(5);
  });

  it('fails start with a typed error when a day file is foreign', async () => {
    openRing();
    const day = new Date().toISOString().slice(0, 10);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dataDir, 'test'), { recursive: true });
    writeFileSync(join(dataDir, 'test', `${day}.mprec`), 'hello, not a record file');
    await expect(startFlusher()).rejects.toMatchObject({
      code: 'MP_ERR_FLUSHER_WORKER',
      cause: expect.objectContaining({ code: 'MP_ERR_RECORD_FILE_HEADER' }),
    });
  });
});
