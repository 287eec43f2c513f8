/**
 * Main-thread handle of the disk flusher: starts the worker that drains the
 * memory-mapped ring into record files, exposes its status, and stops it.
 */
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { checkNumber } from '@marketpipe/middleware/internal';
import { clock as defaultClock, type MonotonicClock } from '@marketpipe/middleware/latency';
import { flusherWorkerLocation } from '#flusher-worker-location';
import { FlusherStopTimeoutError, FlusherWorkerError } from '../errors.js';
import { checkCpus } from '../placement/cpu-placement.js';
import {
  ANCHOR_SENT,
  BYTES_WRITTEN,
  DONE,
  FlusherStateCode,
  LAST_SEQUENCE,
  NAPPING_LONG,
  RECORDS_WRITTEN,
  RETRIES,
  SHARED_BYTES,
  type SharedViews,
  SLEEPING,
  START_GATE,
  STATE,
  STOP,
  sharedViews,
  WAKE,
  WRITE_FAULT,
} from './flusher-control.js';
import type { FlusherRecovery, FlusherToMain, FlusherWorkerData, MainToFlusher } from './flusher-messages.js';
import { checkFsyncPolicy, DEFAULT_FSYNC_POLICY, type FsyncPolicy } from './fsync-policy.js';
import type { SetAsideRange } from './record-file-writer.js';
import { DEFAULT_RECORD_FILE_EXTENSION } from './record-format.js';
import { assertRecordPathParts } from './venue-name.js';
import { type InjectableWriteFault, writeFaultSwitchValue } from './write-fault.js';

/** Longest {@link DiskFlusherOptions.lingerMs}. */
const MAX_LINGER_MS = 60_000;

/** Options of {@link DiskFlusher.start}. */
export interface DiskFlusherOptions {
  /** The ring file the producer writes; the worker maps it itself. */
  ringPath: string;
  /** Ring geometry, passed to `RingBuffer.open` (needed only when the worker may create the file). */
  ringGeometry?: Partial<{ slotSize: number; slotCount: number }>;
  /** Root data directory; files go to `<dataDir>/<venue>/<YYYY-MM-DD>.<extension>`. */
  dataDir: string;
  /** Venue name, `[a-z0-9_-]{1,64}`. */
  venue: string;
  /** File extension, `[a-z0-9]{1,16}`; default `mprec`. */
  extension?: string;
  /** Durability policy; default `{ intervalMs: 1000 }`. */
  fsync?: FsyncPolicy;
  /** Records taken from the ring per write; default 64. */
  batchSize?: number;
  /**
   * Write-buffer size; default 64 KiB. Under load the worker gathers ring batches until about this much is
   * buffered, then writes it at once; a single batch larger than this grows the buffer.
   */
  bufferBytes?: number;
  /**
   * How long the worker lets records gather in the ring after a write that emptied it, in ms; default 1. A
   * producer slower than the disk then gets one write per `lingerMs` instead of one per few records, and is not
   * woken for ({@link DiskFlusher.notify} stays a load). The ring must hold what arrives meanwhile (the default
   * ring, 65 536 slots, over 60 M records/s); until a write, records are in the ring, as in any wait. 0 spins
   * `spinTurns` polls instead, writing whatever arrives at once. At most 60 000.
   */
  lingerMs?: number;
  /**
   * Empty polls of the ring before the worker naps, after a write when `lingerMs` is 0; default 200 (a few
   * microseconds of spinning).
   */
  spinTurns?: number;
  /**
   * Longest nap of a worker that found the ring empty, in ms, unless {@link DiskFlusher.notify} wakes it; default
   * 1. The runner wakes it only for long bursts, a full ring and an idle worker ({@link DiskFlusher.idle}), so at
   * a steady pace this poll is what bounds how long a record waits in the ring (and, for a record without a receive
   * time, how late its write-time stamp is): about 1 ms. Once the ring stayed empty for 100 ms the worker naps 100 ms at a time (about 10 wakes a
   * second) until a record comes.
   */
  idleWaitMs?: number;
  /** How long the process-exit safety net blocks exit while the worker drains, in ms; default 1000. */
  exitDrainTimeoutMs?: number;
  /**
   * Linux: CPUs the worker thread runs on (its fsync thread too), by number as the system counts them; default
   * where it starts (the spawning thread's CPUs). `PipelineOptions.cpus` sets it for a pipeline's recorder.
   */
  cpus?: readonly number[];
  /**
   * The clock whose wall anchor the worker stamps records by; default the process-wide `clock`. Give it the
   * runner's clock, so records and published receive times share one anchor (re-anchors included).
   */
  clock?: MonotonicClock;
  /**
   * Told of each damaged end the worker cuts off a day file after start-up (one it opens that recovery did not
   * scan); those cut at start-up are in {@link DiskFlusher.recovery}.
   */
  onSetAside?: (range: SetAsideRange) => void;
}

/** Snapshot returned by {@link DiskFlusher.status}. */
export interface FlusherStatus {
  /**
   * `'starting'` (the worker boots and recovers; records wait in the ring), `'running'`, `'retrying'` (writes
   * failing, data held in the ring) or `'stopped'` (also when the worker failed to start).
   */
  state: 'starting' | 'running' | 'retrying' | 'stopped';
  /** Records written to files since start. */
  recordsWritten: number;
  /** File bytes (block and record headers, payloads) written since start. */
  bytesWritten: number;
  /** Highest ring sequence in a file (including what was there before start); -1 for none. */
  lastSequence: number;
  /** The file being appended to, once known. */
  currentFile: string | undefined;
  /** The most recent failure; kept after writes resume so it can still be shown. */
  lastError?: { code: string; message: string };
  /** Failed write attempts since start (each followed by a backoff of 10 ms doubling to 1 s). */
  retries: number;
  /** Bytes of damaged ends cut off day files and kept beside them since start, start-up recovery included. */
  setAsideBytes: number;
  /**
   * The part of `setAsideBytes` whose records may be lost: every damaged (corrupt) end, and torn tails whose
   * records the ring could not write again ({@link FlusherRecovery.rewrittenFromRing} false).
   */
  unrecoveredBytes: number;
}

function stateName(code: number): FlusherStatus['state'] {
  if (code === FlusherStateCode.starting) return 'starting';
  if (code === FlusherStateCode.retrying) return 'retrying';
  return code === FlusherStateCode.stopped ? 'stopped' : 'running';
}

// The test-only hooks at the end of this file and the pipeline's `spawnFlusher` reach the flusher's private state
// through these, set in its static block; no entry point exports them.
let spawn: (options: DiskFlusherOptions, launch: FlusherLaunch) => SpawnedFlusher;
let writeFaultSwitch: (flusher: DiskFlusher) => Int32Array | undefined;

/** How a worker is started beyond its options: internal and test-only parts of the worker data. */
interface FlusherLaunch {
  writeFaults: boolean;
  ringEndSequence: number | undefined;
}

/** A flusher whose worker is still booting; see {@link spawnFlusher}. */
export interface SpawnedFlusher {
  flusher: DiskFlusher;
  /**
   * Resolves with the recovery once the worker has opened the ring and recovered its position on disk; rejects
   * with a {@link FlusherWorkerError} when it cannot (the flusher's status is then `'stopped'` with its error).
   */
  ready: Promise<FlusherRecovery>;
}

/** Test only: the next spawned worker waits before it opens the ring, until the returned function is called. */
let heldStart: { control: Int32Array | undefined; released: boolean } | undefined;

/**
 * Drains a memory-mapped ring into per-venue, per-UTC-day record files on its
 * own worker thread, so disk I/O never runs on the event loop.
 *
 * After a crash (even SIGKILL) and a restart on the same ring and data
 * directory every record is on disk exactly once; write errors are retried
 * with backoff ({@link status} shows `'retrying'`), never dropped. On a normal
 * process exit it drains for up to `exitDrainTimeoutMs`; call {@link stop} for
 * an orderly shutdown. Guarantees and exit handling: docs/design/disk-flusher.md.
 *
 * @example
 * ```ts
 * const ring = RingBuffer.open('/dev/shm/binance.ring');
 * const flusher = await DiskFlusher.start({ ringPath: '/dev/shm/binance.ring', dataDir: 'data', venue: 'binance' });
 * if (ring.tryWrite(rawMessage)) flusher.notify();
 * console.log(flusher.status()); // { state: 'running', recordsWritten: 1, ... }
 * await flusher.stop();
 * ```
 */
export class DiskFlusher {
  static {
    spawn = (options, launch) => DiskFlusher.#spawn(options, launch);
    writeFaultSwitch = (flusher) => (flusher.writeFaults ? flusher.control : undefined);
  }

  #recovery: FlusherRecovery | undefined;
  private readonly control: Int32Array;
  private readonly counters: Float64Array;
  private currentFile: string | undefined;
  private setAsideBytes = 0;
  private unrecoveredBytes = 0;
  private lastError: { code: string; message: string } | undefined;
  private fatal: { code: string; message: string } | undefined;
  private stopping: Promise<void> | undefined;
  private terminated = false;
  /** Settles `ready` of {@link SpawnedFlusher}; undefined once settled. */
  #starting: { resolve: (recovery: FlusherRecovery) => void; fail: (cause: unknown) => void } | undefined;

  private constructor(
    private readonly worker: Worker,
    views: SharedViews,
    private readonly exited: Promise<number>,
    private readonly exitDrainTimeoutMs: number,
    private readonly writeFaults: boolean,
    private readonly onSetAside: ((range: SetAsideRange) => void) | undefined,
  ) {
    this.control = views.control;
    this.counters = views.counters;
    worker.on('message', (message: FlusherToMain) => this.onMessage(message));
    worker.on('error', (err) => {
      this.fatal = { code: 'MP_ERR_FLUSHER_WORKER', message: describe(err) };
      this.lastError = this.fatal;
      this.#starting?.fail(err);
    });
    process.on('exit', this.drainOnExit);
  }

  /**
   * What the worker found on disk at start-up (last sequence, truncated torn tails).
   *
   * @throws {FlusherWorkerError} on a flusher whose worker has not recovered (only one the pipeline spawned
   * without waiting; {@link DiskFlusher.start} resolves after the recovery).
   */
  get recovery(): FlusherRecovery {
    if (this.#recovery === undefined) {
      throw new FlusherWorkerError('the flusher worker has not finished its start-up recovery');
    }
    return this.#recovery;
  }

  /**
   * Starts the worker and resolves once it has opened the ring and recovered
   * its position on disk.
   *
   * @throws {InvalidVenueError} for an unsafe venue name or extension.
   * @throws {InvalidArgumentError} for a `lingerMs` outside 0..60 000, or `cpus` naming no CPU or one this thread
   *   may not use.
   * @throws {CpuPlacementError} for `cpus` off Linux.
   * @throws {FlusherWorkerError} when the worker cannot start (ring missing, foreign day file, ...).
   */
  static async start(options: DiskFlusherOptions): Promise<DiskFlusher> {
    // Here, not in the spawn: a pipeline checks its recorder's CPUs before it pins this thread elsewhere.
    if (options.cpus !== undefined) checkCpus('cpus', options.cpus);
    const { flusher, ready } = DiskFlusher.#spawn(options, {
      writeFaults: false,
      ringEndSequence: undefined,
    });
    await ready;
    return flusher;
  }

  static #spawn(options: DiskFlusherOptions, launch: FlusherLaunch): SpawnedFlusher {
    const extension = options.extension ?? DEFAULT_RECORD_FILE_EXTENSION;
    assertRecordPathParts(options.venue, extension);
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    const views = sharedViews(shared);
    const held = heldStart;
    heldStart = undefined;
    const workerData: FlusherWorkerData = {
      ringPath: options.ringPath,
      ringGeometry: options.ringGeometry,
      dataDir: options.dataDir,
      venue: options.venue,
      extension,
      fsync: checkFsyncPolicy(options.fsync ?? DEFAULT_FSYNC_POLICY),
      batchSize: options.batchSize ?? 64,
      bufferBytes: options.bufferBytes ?? 64 * 1024,
      spinTurns: options.spinTurns ?? 200,
      lingerMs: checkNumber('lingerMs', options.lingerMs ?? 1, 0, MAX_LINGER_MS),
      idleWaitMs: options.idleWaitMs ?? 1,
      cpus: options.cpus === undefined ? undefined : [...options.cpus],
      ringEndSequence: launch.ringEndSequence,
      writeFaults: launch.writeFaults,
      holdStart: held !== undefined && !held.released,
      shared,
    };
    if (held !== undefined) held.control = views.control;
    const { script, options: location } = flusherWorkerLocation();
    const worker = new Worker(script, { ...location, workerData });
    // The first read of the anchor anchors the clock, spinning until the wall clock ticks (longer on a busy
    // machine); done after the spawn, it overlaps the worker's boot instead of delaying it (issue 15).
    const anchor: MainToFlusher = {
      type: 'anchor',
      wallAnchor: (options.clock ?? defaultClock).sharedAnchor,
    };
    worker.postMessage(anchor);
    Atomics.store(views.control, ANCHOR_SENT, 1);
    Atomics.notify(views.control, ANCHOR_SENT);
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const flusher = new DiskFlusher(
      worker,
      views,
      exited,
      options.exitDrainTimeoutMs ?? 1000,
      launch.writeFaults,
      options.onSetAside,
    );
    const ready = new Promise<FlusherRecovery>((resolve, reject) => {
      flusher.#starting = {
        resolve: (recovery) => {
          flusher.#starting = undefined;
          // Referenced while it boots, so that a caller awaiting `ready` keeps the process alive.
          worker.unref();
          resolve(recovery);
        },
        fail: (cause) => {
          flusher.#starting = undefined;
          // Nothing to drain at exit: the worker never ran its loop, and its records stay in the ring.
          process.off('exit', flusher.drainOnExit);
          reject(new FlusherWorkerError(`flusher worker failed to start: ${describe(cause)}`, { cause }));
        },
      };
    });
    // For whoever awaits it; a failed start is also in `status()` and in what `stop()` throws.
    ready.catch(() => undefined);
    exited.then((code) => {
      if (flusher.#starting === undefined) return;
      flusher.fatal ??= {
        code: 'MP_ERR_FLUSHER_WORKER',
        message: `worker exited with code ${code} before it was ready`,
      };
      flusher.lastError = flusher.fatal;
      flusher.#starting.fail(`worker exited with code ${code}`);
    });
    return { flusher, ready };
  }

  /** The state alone, as in {@link DiskFlusher.status}: one atomic load, no object. */
  get state(): FlusherStatus['state'] {
    return this.fatal !== undefined || this.terminated
      ? 'stopped'
      : stateName(Atomics.load(this.control, STATE));
  }

  /**
   * Current counters and state, read from shared memory (no message
   * round-trip). `lastError` and `currentFile` arrive as messages, so they may
   * trail the counters by a moment.
   */
  status(): FlusherStatus {
    const status: FlusherStatus = {
      state: this.state,
      recordsWritten: this.counters[RECORDS_WRITTEN]!,
      bytesWritten: this.counters[BYTES_WRITTEN]!,
      lastSequence: this.counters[LAST_SEQUENCE]!,
      currentFile: this.currentFile,
      retries: Atomics.load(this.control, RETRIES),
      setAsideBytes: this.setAsideBytes,
      unrecoveredBytes: this.unrecoveredBytes,
    };
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }

  /**
   * Wakes a napping worker right away. Call after a successful `tryWrite`
   * when latency to disk matters, and always when {@link DiskFlusher.idle} is
   * true; it costs one atomic load unless the worker is actually asleep, and a
   * futex syscall when it is. Without it a worker with records coming in polls
   * every `idleWaitMs` (1 ms by default), which is all the runner relies on at
   * a steady pace; an idle one finds a record only when its long nap ends (up
   * to 100 ms).
   */
  notify(): void {
    const sleeping = Atomics.load(this.control, SLEEPING);
    if (sleeping === 0) return;
    // Only the producer that takes the flag wakes the worker: until the woken worker runs, later records would
    // otherwise each pay a futex wake (measured: a fifth of the NATS pipeline's main thread, issue 17).
    if (Atomics.compareExchange(this.control, SLEEPING, sleeping, 0) !== sleeping) return;
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
  }

  /**
   * True while the worker is idle: the ring stayed empty for 100 ms, and it naps up to 100 ms at a time instead
   * of polling every `idleWaitMs` (an idle recorder polling every millisecond cost ~30 ms of CPU a second). A
   * producer should {@link DiskFlusher.notify} after its next write, or that record waits for the nap to end. One
   * plain memory read, cheap enough for every message; `Runner` checks it after each record.
   */
  get idle(): boolean {
    return this.control[SLEEPING] === NAPPING_LONG;
  }

  /**
   * Drains every record that is in the ring now, writes it, fsyncs (unless
   * the policy is `'none'`), closes the file and ends the worker. Stop the
   * producer first: records written after this call may stay in the ring
   * (they are flushed by the next start). Idempotent.
   *
   * @throws {FlusherStopTimeoutError} when the drain takes longer than `timeoutMs` (default 30 s), e.g. on a
   * disk that keeps failing; the worker is terminated and unwritten records stay in the ring file.
   * @throws {FlusherWorkerError} when the worker had failed fatally.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.stopping ??= this.drainAndExit(options.timeoutMs ?? 30_000);
    return this.stopping;
  }

  private async drainAndExit(timeoutMs: number): Promise<void> {
    this.requestStop();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      this.worker.ref();
      const outcome = await Promise.race([this.exited, timedOut]);
      if (outcome === 'timeout') {
        await this.worker.terminate();
        this.terminated = true;
        throw new FlusherStopTimeoutError(
          `flusher did not drain within ${timeoutMs} ms (state ${this.status().state}, last error ${this.lastError?.code ?? 'none'}); unwritten records stay in the ring`,
        );
      }
      if (this.fatal !== undefined) {
        throw new FlusherWorkerError(`flusher worker failed: ${this.fatal.message}`, { cause: this.fatal });
      }
    } finally {
      clearTimeout(timer);
      process.off('exit', this.drainOnExit);
    }
  }

  private requestStop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, WAKE, 1);
    Atomics.notify(this.control, WAKE);
  }

  private onMessage(message: FlusherToMain): void {
    if (message.type === 'ready') {
      const recovery = message.recovery;
      this.#recovery = recovery;
      this.setAsideBytes += recovery.truncatedBytes;
      for (const range of recovery.setAside)
        if (range.kind !== 'tornTail' || !recovery.rewrittenFromRing) this.unrecoveredBytes += range.bytes;
      this.currentFile = recovery.file;
      this.#starting?.resolve(recovery);
    } else if (message.type === 'file') {
      this.currentFile = message.path;
    } else if (message.type === 'setAside') {
      this.setAsideBytes += message.range.bytes;
      // A day file opened after start-up is older than what the ring holds: nothing re-supplies its end.
      this.unrecoveredBytes += message.range.bytes;
      this.onSetAside?.(message.range);
    } else if (message.type === 'error') {
      this.lastError = { code: message.code, message: message.message };
      if (message.fatal) {
        this.fatal = this.lastError;
        this.#starting?.fail(message);
      }
    }
  }

  /**
   * Process-exit safety net. Exit handlers must be synchronous, but the worker
   * thread keeps running until they return, so the main thread asks it to
   * drain and blocks (bounded) until it reports done.
   */
  private readonly drainOnExit = (): void => {
    this.requestStop();
    Atomics.wait(this.control, DONE, 0, this.exitDrainTimeoutMs);
  };
}

function describe(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  const message = (cause as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(cause);
}

/**
 * Starts the worker without waiting for its recovery: the producer may write while it boots, as long as it
 * claimed the ring before its first write and passes what {@link RingBuffer.claimProducer} returned as
 * `ringEndSequence` (the worker tells a recreated ring by it). Internal: the pipeline's start-up (issue 15).
 */
export function spawnFlusher(options: DiskFlusherOptions, ringEndSequence: number): SpawnedFlusher {
  return spawn(options, { writeFaults: false, ringEndSequence });
}

/** Test only: starts a flusher whose file writes can be made to fail with {@link injectWriteFault}. */
export async function startFlusherWithWriteFaults(options: DiskFlusherOptions): Promise<DiskFlusher> {
  const { flusher, ready } = spawn(options, { writeFaults: true, ringEndSequence: undefined });
  await ready;
  return flusher;
}

/**
 * Test only: the next flusher started in this thread boots as far as its worker's first line and waits there,
 * before it opens the ring or recovers, until the returned function is called (a slow start, made
 * deterministic). At most one hold is pending; calling the function before the start cancels the hold.
 */
export function holdNextFlusherStart(): () => void {
  const held: { control: Int32Array | undefined; released: boolean } = {
    control: undefined,
    released: false,
  };
  heldStart = held;
  return () => {
    held.released = true;
    if (heldStart === held) heldStart = undefined;
    if (held.control === undefined) return;
    Atomics.store(held.control, START_GATE, 1);
    Atomics.notify(held.control, START_GATE);
  };
}

/**
 * Test only (on a flusher from {@link startFlusherWithWriteFaults}): every file write fails with `fault` until
 * called again with `null`.
 */
export function injectWriteFault(flusher: DiskFlusher, fault: InjectableWriteFault | null): void {
  const control = writeFaultSwitch(flusher);
  if (control === undefined)
    throw new InvalidArgumentError('injectWriteFault needs a flusher from startFlusherWithWriteFaults', {
      argument: 'flusher',
    });
  Atomics.store(control, WRITE_FAULT, writeFaultSwitchValue(fault));
}
