/**
 * fsync on a thread of its own, so the flusher's drain loop never waits for
 * the disk under the interval fsync policy.
 *
 * An fsync waits for every dirty page of the file to reach the device: at
 * 250 k records/s that is ~60 MB per second of data, a stall of a few hundred
 * milliseconds on the benchmark machine's disk, during which a flusher that
 * synced in its own loop read nothing and a 4 MiB ring overflowed. The syncer
 * is a tiny worker blocked in `Atomics.wait` until the flusher asks for an
 * fsync of a file descriptor (descriptors are process-wide, so the worker can
 * use the flusher's); the flusher keeps draining meanwhile, and waits for a
 * running fsync only before it closes that descriptor.
 */
import { getSystemErrorName } from 'node:util';
import { Worker } from 'node:worker_threads';
import { FlusherWorkerError } from '../errors.js';

/** Control words shared with the syncer thread. */
const REQUEST = 0;
const DONE = 1;
const FD = 2;
const ERRNO = 3;
const READY = 4;
const CONTROL_WORDS = 5;
/** How long the constructor waits for the thread to come up before giving up on it. */
const START_TIMEOUT_MS = 10_000;
/** A request number that tells the syncer to exit. */
const STOP = -1;

/**
 * The syncer thread: waits for a new request number, fsyncs the descriptor,
 * publishes the errno (0 when it worked) and the request number it finished.
 * Plain script for `eval`, loading built-ins through `process.getBuiltinModule`
 * so it runs whether the eval is treated as CommonJS or as a module.
 */
const SYNCER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { fsyncSync } = process.getBuiltinModule('node:fs');
const control = new Int32Array(workerData);
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(control, ${REQUEST}, seen);
  const request = Atomics.load(control, ${REQUEST});
  if (request === ${STOP}) break;
  if (request === seen) continue;
  seen = request;
  let errno = 0;
  try {
    fsyncSync(Atomics.load(control, ${FD}));
  } catch (err) {
    errno = typeof err?.errno === 'number' ? err.errno : -5;
  }
  Atomics.store(control, ${ERRNO}, errno);
  Atomics.store(control, ${DONE}, request);
  Atomics.notify(control, ${DONE});
}
`;

/**
 * Where {@link RecordFileWriter} hands interval fsyncs: what it needs of a {@link ThreadSyncer}, as an interface so
 * tests can stand in for the thread. Internal: users pass a `ThreadSyncer`.
 */
export interface BackgroundSyncer {
  /** True while an fsync started by {@link BackgroundSyncer.start} is running. */
  readonly busy: boolean;
  /** Starts an fsync of `fd` on the syncer thread; false (and nothing started) while one is running. */
  start(fd: number): boolean;
  /** Blocks until the running fsync, if any, has finished. */
  wait(): void;
  /** The error of the last finished fsync, reported once; undefined when it worked. */
  takeError(): NodeJS.ErrnoException | undefined;
  /** Stops the thread (after the running fsync). */
  close(): void;
}

/**
 * A thread that fsyncs a file descriptor on request, for a {@link RecordFileWriter}'s `syncer` option: the
 * writer's interval fsyncs then run beside its writes instead of blocking them. The thread is unref'd: it never
 * keeps a process alive.
 *
 * The thread comes up in the background: the constructor returns at once, and
 * only the first {@link ThreadSyncer.start} waits (up to 10 s) until it runs.
 * The flusher's first interval fsync is due long after it started, so its
 * start-up, and the first message, do not wait for a thread boot (issue 15).
 *
 * @example
 * ```ts
 * const syncer = new ThreadSyncer();
 * syncer.start(fd);      // returns at once
 * // ... keep writing to fd ...
 * syncer.wait();         // before closing fd
 * const error = syncer.takeError();
 * syncer.close();
 * ```
 */
export class ThreadSyncer {
  // Not declared `implements BackgroundSyncer` (an internal interface); RecordFileWriter's options check it fits.
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly worker: Worker;
  private requested = 0;
  private reported = 0;
  private closed = false;
  private ready = false;
  private failed = false;
  private readonly onStartFailure: ((error: Error) => void) | undefined;

  /**
   * Starts the thread without waiting for it.
   * @param options.onStartFailure - told once when the first {@link ThreadSyncer.start} finds that the thread
   * did not come up within 10 s; every start is refused from then on, so the caller fsyncs in line.
   */
  constructor(options: { onStartFailure?: (error: Error) => void } = {}) {
    this.onStartFailure = options.onStartFailure;
    this.worker = new Worker(SYNCER_SOURCE, { eval: true, workerData: this.control.buffer });
    this.worker.unref();
  }

  /** True while an fsync started by {@link ThreadSyncer.start} is running. */
  get busy(): boolean {
    return Atomics.load(this.control, DONE) !== this.requested;
  }

  /**
   * Starts an fsync of `fd` on the thread and returns at once; false (and nothing started) while one is running,
   * after {@link ThreadSyncer.close}, or when the thread did not come up. Keep `fd` open until
   * {@link ThreadSyncer.wait} returned.
   */
  start(fd: number): boolean {
    if (this.closed || this.busy || !this.awaitReady()) return false;
    this.requested++;
    Atomics.store(this.control, FD, fd);
    Atomics.store(this.control, REQUEST, this.requested);
    Atomics.notify(this.control, REQUEST);
    return true;
  }

  // A request is made only once the thread has run, so `wait` never waits on a thread that is not there.
  /** Blocks until the running fsync, if any, has finished. */
  wait(): void {
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done === this.requested) return;
      Atomics.wait(this.control, DONE, done);
    }
  }

  /** Blocks until the thread runs, the first time only; false (for good) when it did not start in time. */
  private awaitReady(): boolean {
    if (this.ready) return true;
    if (this.failed) return false;
    Atomics.wait(this.control, READY, 0, START_TIMEOUT_MS);
    if (Atomics.load(this.control, READY) === 1) {
      this.ready = true;
      return true;
    }
    this.failed = true;
    // The start failure is what the caller needs; a failing terminate of a stuck thread adds nothing.
    this.worker.terminate().catch(() => undefined);
    this.onStartFailure?.(new FlusherWorkerError('the fsync thread did not start within 10 s'));
    return false;
  }

  /**
   * The error of the last finished fsync (with `code`, `errno` and `syscall: 'fsync'`), reported once; undefined
   * when it worked.
   */
  takeError(): NodeJS.ErrnoException | undefined {
    const done = Atomics.load(this.control, DONE);
    if (done === this.reported) return undefined;
    this.reported = done;
    const errno = Atomics.load(this.control, ERRNO);
    if (errno === 0) return undefined;
    const code = getSystemErrorName(errno);
    return Object.assign(new Error(`${code}: fsync failed`), { errno, code, syscall: 'fsync' });
  }

  /** Stops the thread after the running fsync; idempotent. Later starts are refused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wait();
    Atomics.store(this.control, REQUEST, STOP);
    Atomics.notify(this.control, REQUEST);
  }
}
