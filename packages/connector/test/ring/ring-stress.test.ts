/**
 * Two threads, one ring file: the producer on the main thread writes millions
 * of variable-length records (some spanning dozens of slots) while a real
 * worker thread, with its own mapping of the file, consumes them and checks
 * every byte and sequence number. Half of the records are staged and
 * committed in batches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { fillRecord, MAX_TEST_RECORD, recordLength } from './record-content.js';
import type { StressConsumerReport } from './ring-stress-consumer.js';

const COUNT = 3_000_000;
/** The producer gives up when the consumer makes no progress for this long (a dead worker must not hang the run). */
const STALL_LIMIT_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'ring-stress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('delivers 3 million variable-length records intact and in order to a consumer in a worker thread', async () => {
  const path = join(dir, 'stress.ring');
  const ring = RingBuffer.open(path, { slotSize: 256, slotCount: 1024 });
  const control = new SharedArrayBuffer(4);
  /** [0]: 1 = the producer gave up, 2 = the consumer stopped (it found an error). */
  const abort = new Int32Array(control);
  const worker = new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), {
    execArgv: ['--conditions=@marketpipe/source'],
    workerData: {
      entry: new URL('./ring-stress-consumer.ts', import.meta.url).href,
      path,
      count: COUNT,
      control,
    },
  });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const report = new Promise<StressConsumerReport>((resolve, reject) => {
    worker.on('message', (message: 'ready' | StressConsumerReport) => {
      if (message === 'ready') onReady();
      else resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`consumer worker exited with code ${code} before reporting`)),
    );
  });
  // The producer loop below is synchronous: start it only once the consumer runs, and fail fast if it cannot start.
  await Promise.race([ready, report]);
  // If the producer fails first, the test reports that error; the consumer's outcome no longer matters.
  report.catch(() => undefined);

  // One exact-length view per length, built once, so every write takes the allocation-free whole-array path.
  const scratch = new Uint8Array(MAX_TEST_RECORD);
  const views = Array.from({ length: MAX_TEST_RECORD + 1 }, (_, length) => scratch.subarray(0, length));
  const sleepCell = new Int32Array(new SharedArrayBuffer(4));
  let checksum = 0;
  let bytes = 0;
  let fullPolls = 0;
  let spanning = 0;
  const started = Date.now();
  try {
    produce: for (let sequence = 0; sequence < COUNT; sequence++) {
      const length = recordLength(sequence);
      const view = views[length]!;
      fillRecord(view, sequence, length);
      if (length + 16 > 256) spanning++;
      let stalledSince = 0;
      let spins = 0;
      // Blocks of 4 096 records alternate between tryWrite and stage, committed with a chance of 1 in 16 after each
      // record: the worker reads batches whose later frames' commit words are plain stores (on x64 this finds
      // bookkeeping errors; store order there is the hardware's).
      const batched = ((sequence >>> 12) & 1) === 1;
      while (!(batched ? ring.stage(view) : ring.tryWrite(view))) {
        // A ring full of staged records frees nothing until they are committed.
        ring.commit();
        // The consumer's report says why; keep waiting would only burn the stall limit.
        if (Atomics.load(abort, 0) === 2) break produce;
        fullPolls++;
        if (++spins > 64) Atomics.wait(sleepCell, 0, 0, 0.05);
        if (stalledSince === 0) stalledSince = Date.now();
        else if (spins % 1024 === 0 && Date.now() - stalledSince > STALL_LIMIT_MS) {
          throw new Error(
            `consumer stalled at ${ring.nextReadSequence} of ${COUNT} for ${STALL_LIMIT_MS} ms`,
          );
        }
      }
      if (batched && Math.imul(sequence, 0x9e3779b1) >>> 28 === 0) ring.commit();
      bytes += length;
      checksum = (Math.imul(checksum ^ sequence, 16777619) + length) | 0;
    }
  } catch (err) {
    Atomics.store(abort, 0, 1);
    throw err;
  } finally {
    ring.close();
  }
  const produced = Date.now() - started;
  const seen = await report.finally(() => worker.terminate());
  console.log(
    `ring stress: ${COUNT} records, ${(bytes / 1e6).toFixed(0)} MB, ${spanning} spanning slots, ` +
      `produced in ${produced} ms, ${fullPolls} full polls, ${seen.batches} batches, ${seen.emptyPolls} empty polls`,
  );
  expect(seen.errors).toEqual([]);
  expect(seen.received).toBe(COUNT);
  expect(seen.bytes).toBe(bytes);
  expect(seen.checksum).toBe(checksum);
  expect(spanning).toBeGreaterThan(COUNT / 100);
}, 60_000);
