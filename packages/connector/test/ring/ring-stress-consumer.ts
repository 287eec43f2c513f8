/**
 * Worker side of ring-stress.test.ts: maps the same ring file in its own
 * thread, consumes every record, checks each sequence number and byte, and
 * reports what it saw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { firstBadByte } from './record-content.js';

interface StressConsumerInput {
  path: string;
  count: number;
  /** Int32 cell shared with the producer: 1 = the producer gave up, 2 = this consumer stopped on an error. */
  control: SharedArrayBuffer;
}

/** What the consumer reports back: all zeros in `errors` means every record arrived intact and in order. */
export interface StressConsumerReport {
  received: number;
  bytes: number;
  checksum: number;
  batches: number;
  emptyPolls: number;
  errors: string[];
}

const { path, count, control } = workerData as StressConsumerInput;
const abort = new Int32Array(control);
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
const report: StressConsumerReport = {
  received: 0,
  bytes: 0,
  checksum: 0,
  batches: 0,
  emptyPolls: 0,
  errors: [],
};

function visit(bytes: Uint8Array, start: number, end: number, sequence: number): void {
  if (report.errors.length > 0) return;
  if (sequence !== report.received) {
    report.errors.push(`expected sequence ${report.received}, got ${sequence}`);
    return;
  }
  const bad = firstBadByte(bytes, start, end, sequence);
  if (bad !== -1) report.errors.push(`record ${sequence} (${end - start} bytes) differs at byte ${bad}`);
  report.received++;
  report.bytes += end - start;
  report.checksum = (Math.imul(report.checksum ^ sequence, 16777619) + (end - start)) | 0;
}

const ring = RingBuffer.open(path);
parentPort?.postMessage('ready');
try {
  let idle = 0;
  while (report.received < count && report.errors.length === 0 && Atomics.load(abort, 0) === 0) {
    const n = ring.readBatch(256, visit);
    if (n === 0) {
      report.emptyPolls++;
      // Spin briefly, then sleep a little: the machine is shared, burning a core while empty is rude.
      if (++idle > 64) Atomics.wait(sleepCell, 0, 0, 0.05);
      continue;
    }
    idle = 0;
    report.batches++;
    ring.release(n);
  }
  if (report.received === count && ring.readBatch(1, () => undefined) !== 0) {
    report.errors.push('records beyond the expected count');
  }
} catch (err) {
  report.errors.push(`consumer threw: ${String(err)}`);
} finally {
  ring.close();
  if (report.errors.length > 0) Atomics.store(abort, 0, 2);
}
parentPort?.postMessage(report);
