/**
 * Test-only write-fault injection: a {@link FileSink} wrapper that fails every
 * write with a chosen errno while a shared switch is on, so tests can exercise
 * the flusher's retry path without a full or broken disk.
 */
import type { FileSink } from './file-sink.js';

/** Error codes a test can inject, in the order of their numeric switch values (1, 2). */
export const INJECTABLE_WRITE_FAULTS = ['ENOSPC', 'EIO'] as const;

/** An error code a test can inject into the flusher's writes. */
export type InjectableWriteFault = (typeof INJECTABLE_WRITE_FAULTS)[number];

const ERRNO: Record<InjectableWriteFault, { errno: number; text: string }> = {
  ENOSPC: { errno: -28, text: 'no space left on device' },
  EIO: { errno: -5, text: 'i/o error' },
};

/** Numeric switch value for `fault` (0 = no fault). */
export function writeFaultSwitchValue(fault: InjectableWriteFault | null): number {
  return fault === null ? 0 : INJECTABLE_WRITE_FAULTS.indexOf(fault) + 1;
}

/**
 * Wraps a sink so `write` throws a Node-style errno error (`code`, `errno`,
 * `syscall`) while `control[slot]` is non-zero; the value picks the code from
 * {@link INJECTABLE_WRITE_FAULTS}. The switch lives in shared memory so the
 * main thread can flip it while the worker is busy.
 */
export class FaultInjectingFileSink implements FileSink {
  constructor(
    private readonly inner: FileSink,
    private readonly control: Int32Array,
    private readonly slot: number,
  ) {}

  open(path: string): number {
    return this.inner.open(path);
  }

  size(fd: number): number {
    return this.inner.size(fd);
  }

  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    const fault = INJECTABLE_WRITE_FAULTS[Atomics.load(this.control, this.slot) - 1];
    if (fault !== undefined) {
      const { errno, text } = ERRNO[fault];
      throw Object.assign(new Error(`${fault}: ${text}, write`), { code: fault, errno, syscall: 'write' });
    }
    return this.inner.write(fd, bytes, offset, length, position);
  }

  truncate(fd: number, length: number): void {
    this.inner.truncate(fd, length);
  }

  sync(fd: number): void {
    this.inner.sync(fd);
  }

  syncDirectory(path: string): void {
    this.inner.syncDirectory(path);
  }

  close(fd: number): void {
    this.inner.close(fd);
  }
}
