/**
 * Entry point of the flusher's worker thread (tsup entry `flusher-worker`).
 * It maps the ring file itself, drains it into record files and reports
 * through shared memory; see `disk-flusher.ts` for the main-thread side.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { MonotonicClock } from '@marketpipe/middleware/latency';
import type { EpochMsParts } from '../codec/trade-encoder.js';
import { pinCallingThread } from '../placement/cpu-placement.js';
import { RingBuffer } from '../ring/ring-buffer.js';
import { ThreadSyncer } from './background-sync.js';
import { nodeFileSink } from './file-sink.js';
import {
  ANCHOR_SENT,
  BYTES_WRITTEN,
  DONE,
  FlusherStateCode,
  LAST_SEQUENCE,
  LONG_NAP_AFTER_MS,
  LONG_NAP_MS,
  NAPPING,
  NAPPING_LONG,
  RECORDS_WRITTEN,
  RETRIES,
  SLEEPING,
  START_GATE,
  STATE,
  STOP,
  sharedViews,
  WAKE,
  WRITE_FAULT,
} from './flusher-control.js';
import type { FlusherToMain, FlusherWorkerData, MainToFlusher } from './flusher-messages.js';
import { createRecordFileWriter } from './record-file-writer.js';
import { ClockWallClock } from './wall-clock.js';
import { FaultInjectingFileSink } from './write-fault.js';

const FIRST_BACKOFF_MS = 10;
/** How long to wait for the main thread's wall anchor; it is posted right after the spawn. */
const ANCHOR_WAIT_MS = 10_000;
/** Longest test-only hold (`holdStart`): a test that never opens the gate still ends. */
const HOLD_WAIT_MS = 60_000;
const MAX_BACKOFF_MS = 1000;

const data = workerData as FlusherWorkerData;
const port = parentPort!;
const { control, counters } = sharedViews(data.shared);
/** Never notified: a plain sleep for the retry backoff that a wake-up cannot cut short. */
const sleepWord = new Int32Array(new SharedArrayBuffer(4));

function post(message: FlusherToMain): void {
  port.postMessage(message);
}

function errorInfo(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'MP_ERR_UNKNOWN',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/**
 * Every sequence on disk came from this ring, so it is below the sequence the
 * ring's next record got when the producer claimed it (`ringEnd`: released or
 * still committed). A newest sequence at or beyond it means the ring file was
 * recreated and restarted its numbering: skipping "already written" sequences
 * would then drop new data. The producer's snapshot is taken before its first
 * write, so intake may run while this thread boots. (Not detected: a recreated
 * ring that already held more records than the old one had when the producer
 * claimed it; its first records would be taken for duplicates.)
 */
function isRingReset(ring: RingBuffer, lastSequenceOnDisk: number, ringEnd: number | undefined): boolean {
  if (lastSequenceOnDisk < 0) return false;
  // Without a snapshot nothing was written before `ready`: the ring as it is now is the ring as it was.
  const end = ringEnd ?? ring.nextReadSequence + ring.readBatch(ring.geometry.slotCount, () => {});
  return lastSequenceOnDisk >= end;
}

/**
 * A syncer thread for the interval policy, booting in the background while this thread opens the ring and
 * recovers (its first fsync is due an interval later). Should it never come up, fsyncs run in line, as before.
 */
function startSyncer(): ThreadSyncer | undefined {
  if (typeof data.fsync !== 'object') return undefined;
  return new ThreadSyncer({
    onStartFailure: (err) => post({ type: 'error', fatal: false, ...errorInfo(err) }),
  });
}

/** The main thread's wall anchor, posted right after this thread was spawned (see `MainToFlusher`). */
function receiveAnchor(): SharedArrayBuffer {
  Atomics.wait(control, ANCHOR_SENT, 0, ANCHOR_WAIT_MS);
  const message = receiveMessageOnPort(port)?.message as MainToFlusher | undefined;
  if (message?.type !== 'anchor') throw new Error('the main thread did not send its wall-clock anchor');
  return message.wallAnchor;
}

function run(): void {
  // First, so that nothing of this thread's work, and no thread it starts, runs on the CPUs it was spawned on.
  if (data.cpus !== undefined) pinCallingThread(data.cpus);
  if (data.holdStart) Atomics.wait(control, START_GATE, 0, HOLD_WAIT_MS);
  const syncer = startSyncer();
  try {
    drain(syncer);
  } finally {
    syncer?.close();
  }
}

function drain(syncer: ThreadSyncer | undefined): void {
  const ring = RingBuffer.open(data.ringPath, data.ringGeometry);
  const writer = createRecordFileWriter({
    dataDir: data.dataDir,
    venue: data.venue,
    extension: data.extension,
    bufferBytes: data.bufferBytes,
    fsync: data.fsync,
    // The main thread's anchor, not one of our own: stamps and published receive times must agree.
    clock: new ClockWallClock(MonotonicClock.attach(receiveAnchor())),
    clockSampling: 'batch',
    syncer,
    sink: data.writeFaults ? new FaultInjectingFileSink(nodeFileSink, control, WRITE_FAULT) : nodeFileSink,
    onSetAside: (range) => post({ type: 'setAside', range }),
  });
  const recovery = writer.recover();
  const ringReset = isRingReset(ring, recovery.lastSequence, data.ringEndSequence);
  if (ringReset) writer.acceptAllSequences();
  counters[LAST_SEQUENCE] = recovery.lastSequence;
  // Released only after a write, so a read position at or before the next sequence means the ring re-supplies it.
  const rewrittenFromRing = !ringReset && ring.nextReadSequence <= recovery.lastSequence + 1;
  // Running before `ready` is posted: a status read right after `ready` must not say starting.
  Atomics.store(control, STATE, FlusherStateCode.running);
  post({ type: 'ready', recovery: { ...recovery, ringReset, rewrittenFromRing } });

  // Each record is stamped with the receive time it carries (the runner's, also in its published trades); a record
  // without one (a ring of format 1, a producer that gave none) with the clock sampled for its batch.
  const visit = (
    bytes: Uint8Array,
    start: number,
    end: number,
    sequence: number,
    received: Readonly<EpochMsParts>,
  ): void => {
    writer.append(bytes, start, end, sequence, received);
  };
  let visited = 0;
  let backoffMs = FIRST_BACKOFF_MS;
  let failing: string | undefined;
  let idleTurns = 0;
  // Naps in a row that ended with the ring still empty; past LONG_NAP_AFTER_MS worth of them, naps are long.
  let emptyNaps = 0;
  const longNapAfter = Math.ceil(LONG_NAP_AFTER_MS / Math.max(data.idleWaitMs, 0.001));
  let stopAt = -1;
  let reportedFile: string | undefined;

  // Runs one I/O step; on failure records the error, sleeps the backoff and returns false.
  const attempt = (step: () => void): boolean => {
    try {
      step();
    } catch (err) {
      const info = errorInfo(err);
      if (info.code !== failing) post({ type: 'error', fatal: false, ...info });
      failing = info.code;
      Atomics.store(control, STATE, FlusherStateCode.retrying);
      Atomics.add(control, RETRIES, 1);
      Atomics.wait(sleepWord, 0, 0, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      return false;
    }
    if (failing !== undefined) {
      failing = undefined;
      backoffMs = FIRST_BACKOFF_MS;
      Atomics.store(control, STATE, FlusherStateCode.running);
    }
    return true;
  };
  const writeVisited = (): void => writer.writePending();
  const syncIfDue = (): void => writer.syncIfDue();
  const close = (): void => writer.close();

  // Reads batches into the write buffer while it has room for another one like the last, so under load the
  // file gets writes of about `bufferBytes` (on the benchmark machine a 64 KiB write costs the kernel a third
  // per byte of a 14 KiB one). Returns records read; `drained` says whether it stopped at an empty ring.
  let drained = false;
  const gather = (): number => {
    let read = 0;
    for (;;) {
      const pendingBefore = writer.pendingBytes;
      writer.sampleClock();
      const batch = ring.readBatch(data.batchSize, visit, visited + read);
      read += batch;
      drained = batch < data.batchSize;
      if (drained || 2 * writer.pendingBytes - pendingBefore > data.bufferBytes) return read;
    }
  };
  // After a write that emptied the ring, lets records gather for `lingerMs` before reading again: a producer
  // slower than the disk otherwise gets one write (and one wake) per few records, which cost the NATS pipeline
  // more CPU than its writes (docs/design/disk-flusher.md, "Lingering"). Producers are not woken for: only a
  // stop cuts it short, and it ends when the interval fsync is due, so the fsync cadence holds.
  const linger = (): void => {
    const seen = Atomics.load(control, WAKE);
    const waitMs = Math.min(data.lingerMs, writer.msUntilSyncDue());
    if (waitMs > 0 && Atomics.load(control, STOP) === 0) Atomics.wait(control, WAKE, seen, waitMs);
  };
  // A failed write is retried as is: reading more meanwhile would only grow the buffer.
  let retryingWrite = false;

  for (;;) {
    if (stopAt < 0 && Atomics.load(control, STOP) === 1) stopAt = ring.nextWriteSequence;
    if (!retryingWrite) visited += gather();
    if (visited > 0) {
      retryingWrite = true;
      if (!attempt(writeVisited)) continue;
      retryingWrite = false;
      // Only now are the records in a file: freeing their slots earlier could lose them in a crash.
      ring.release(visited);
      visited = 0;
      idleTurns = 0;
      emptyNaps = 0;
      counters[RECORDS_WRITTEN] = writer.recordsWritten;
      counters[BYTES_WRITTEN] = writer.bytesWritten;
      counters[LAST_SEQUENCE] = writer.lastSequence;
      if (writer.currentFile !== reportedFile) {
        reportedFile = writer.currentFile;
        post({ type: 'file', path: reportedFile! });
      }
      // Stop drains what was in the ring when it was asked; a producer that keeps going must not keep
      // the flusher alive forever (its later records stay in the ring file for the next run).
      if (stopAt >= 0 && ring.nextReadSequence >= stopAt) break;
      // Under load the ring never empties: the interval fsync must not wait for an idle turn. With the
      // syncer thread this only starts an fsync; in line (no syncer) it is what the policy asks anyway.
      attempt(syncIfDue);
      if (drained && data.lingerMs > 0) {
        // A linger that finds nothing means the producer went quiet: nap at once, spinning would find nothing.
        linger();
        idleTurns = data.spinTurns;
      }
      continue;
    }
    if (!attempt(syncIfDue)) continue;
    if (stopAt >= 0) break;
    if (++idleTurns < data.spinTurns) continue;
    // An idle recorder polling every millisecond costs ~30 ms of CPU a second on these VMs (a timed futex wait is
    // ~30 µs of CPU however little runs after it): after a quiet spell it naps long, and the producer wakes it.
    const long = emptyNaps >= longNapAfter && data.idleWaitMs < LONG_NAP_MS;
    Atomics.store(control, SLEEPING, long ? NAPPING_LONG : NAPPING);
    const seen = Atomics.load(control, WAKE);
    // Re-check after announcing the nap so a record committed in between is not left waiting.
    if (ring.nextWriteSequence === ring.nextReadSequence && Atomics.load(control, STOP) === 0) {
      const napMs = long ? Math.min(LONG_NAP_MS, writer.msUntilSyncDue()) : data.idleWaitMs;
      if (Atomics.wait(control, WAKE, seen, napMs) === 'timed-out') emptyNaps++;
    }
    Atomics.store(control, SLEEPING, 0);
    // Woken by a producer, the ring holds a record; woken by the timeout, it is most likely still empty.
    idleTurns = data.lingerMs > 0 ? data.spinTurns : 0;
  }
  let closed = false;
  while (!closed) closed = attempt(close);
  ring.close();
}

try {
  run();
  Atomics.store(control, STATE, FlusherStateCode.stopped);
} catch (err) {
  Atomics.store(control, STATE, FlusherStateCode.stopped);
  post({ type: 'error', fatal: true, ...errorInfo(err) });
} finally {
  Atomics.store(control, DONE, 1);
  Atomics.notify(control, DONE);
}
