/**
 * Writes byte lines to a stream the way a Unix tool should: batched into
 * large chunks (one write per ~64 KiB, not per line), waiting for `drain`
 * when the reader is slower than the disk, and stopping quietly when the
 * reader goes away (EPIPE from `| head`).
 */
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * A line writer over one stream.
 *
 * @example
 * ```ts
 * const out = new LineOutput(process.stdout);
 * for (const payload of payloads) if (!(await out.writeLine(payload))) break; // reader gone
 * await out.finish();
 * ```
 */
export class LineOutput {
  /** True once the reader has gone away (EPIPE or the stream was destroyed). */
  closed = false;
  /** The first error other than EPIPE, if any. */
  failure: Error | undefined;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
    stream.on('drain', this.onDrain);
  }

  /** Queues `bytes` followed by `\n`; resolves false when nothing more can be written. */
  async writeLine(bytes: Uint8Array): Promise<boolean> {
    if (this.closed) return false;
    if (this.used + bytes.length + 1 > this.chunk.length) {
      if (!(await this.flush())) return false;
      if (bytes.length + 1 > this.chunk.length) {
        // Larger than a chunk: written on its own rather than growing the batch buffer.
        const line = Buffer.allocUnsafe(bytes.length + 1);
        line.set(bytes);
        line[bytes.length] = NEWLINE;
        return this.send(line);
      }
    }
    this.chunk.set(bytes, this.used);
    this.chunk[this.used + bytes.length] = NEWLINE;
    this.used += bytes.length + 1;
    return true;
  }

  /** Writes what is batched and waits until the stream has accepted it. */
  async finish(): Promise<boolean> {
    if (!(await this.flush())) return false;
    if (this.closed) return false;
    await new Promise<void>((resolve) => {
      this.stream.write('', () => resolve());
    });
    return !this.closed;
  }

  /** Removes the listeners added to the stream. */
  dispose(): void {
    this.stream.off('error', this.onError);
    this.stream.off('close', this.onClose);
    this.stream.off('drain', this.onDrain);
  }

  private async flush(): Promise<boolean> {
    if (this.used === 0) return !this.closed;
    // The stream keeps the buffer it was given, so the batch moves to a fresh one.
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    return this.send(full);
  }

  private async send(bytes: Buffer): Promise<boolean> {
    if (this.closed) return false;
    if (!this.stream.write(bytes)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    return !this.closed;
  }

  private readonly onError = (err: Error): void => {
    if ((err as { code?: unknown }).code !== 'EPIPE') this.failure ??= err;
    this.onClose();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.onDrain();
  };

  private readonly onDrain = (): void => {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };
}
