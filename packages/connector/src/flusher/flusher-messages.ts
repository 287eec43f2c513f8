/**
 * What the main thread hands the flusher worker at start, and the messages the
 * worker posts back. Counters travel through shared memory instead
 * (`flusher-control.ts`); messages carry only rare events.
 */
import type { FsyncPolicy } from './fsync-policy.js';
import type { SetAsideRange, WriterRecovery } from './record-file-writer.js';

/** `workerData` of the flusher worker: the resolved `DiskFlusherOptions` plus the shared block. */
export interface FlusherWorkerData {
  /** Ring file to map. */
  ringPath: string;
  /** Geometry for `RingBuffer.open`, as given by the caller. */
  ringGeometry: Partial<{ slotSize: number; slotCount: number }> | undefined;
  /** Root data directory. */
  dataDir: string;
  /** Validated venue name. */
  venue: string;
  /** Validated file extension. */
  extension: string;
  /** Durability policy. */
  fsync: FsyncPolicy;
  /** Records per `readBatch`. */
  batchSize: number;
  /** Initial write-buffer size. */
  bufferBytes: number;
  /** Empty polls before napping. */
  spinTurns: number;
  /** Wait after a write that emptied the ring, in ms; 0 spins instead. */
  lingerMs: number;
  /** Longest nap in ms. */
  idleWaitMs: number;
  /** CPUs the worker pins itself to before anything else (its fsync thread inherits them); checked by the caller. */
  cpus: number[] | undefined;
  /**
   * The sequence the ring's next record got when the producer claimed it, before its first write
   * (`RingBuffer.claimProducer`): what the worker compares the disk with to tell a recreated ring, while the
   * producer may already be writing. Undefined when nothing is written before `ready`: the worker reads the ring.
   */
  ringEndSequence: number | undefined;
  /** Wrap the file sink in the test-only fault injector. */
  writeFaults: boolean;
  /** Test only: wait for `START_GATE` before opening the ring (a slow boot, see `holdNextFlusherStart`). */
  holdStart: boolean;
  /** Control flags and counters shared with the main thread (`flusher-control.ts`). */
  shared: SharedArrayBuffer;
}

/** What the flusher found on disk at start-up. */
export interface FlusherRecovery extends WriterRecovery {
  /**
   * True when the newest record on disk has a sequence at or above the ring's
   * write position: the ring file was recreated, so nothing is skipped as a
   * duplicate and the day file's sequences restart.
   */
  ringReset: boolean;
  /**
   * True when the ring still holds every record after the newest one on disk (its read position was never
   * released past it), so the records of a torn tail cut off at start-up are written again from the ring.
   */
  rewrittenFromRing: boolean;
}

/**
 * The one message from the main thread: its wall anchor (`MonotonicClock.sharedAnchor`), which the worker stamps
 * records by. Sent right after the spawn rather than in the worker data, so the main thread anchors (a spin of a
 * millisecond or more) while the worker boots; `ANCHOR_SENT` in the control block says it was posted.
 */
export interface MainToFlusher {
  type: 'anchor';
  wallAnchor: SharedArrayBuffer;
}

/** Messages from the worker to the main thread. */
export type FlusherToMain =
  | { type: 'ready'; recovery: FlusherRecovery }
  | { type: 'file'; path: string }
  | { type: 'setAside'; range: SetAsideRange }
  | { type: 'error'; fatal: boolean; code: string; message: string };
