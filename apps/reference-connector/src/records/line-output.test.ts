import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineOutput } from './line-output.js';

/** A slow reader: a tiny buffer, and each chunk takes a turn of the event loop. */
class SlowReader extends Writable {
  readonly chunks: Buffer[] = [];
  maxPending = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.maxPending = Math.max(this.maxPending, this.writableLength);
    setImmediate(done);
  }
}

/** A reader that goes away after `limit` bytes, like `head`. */
class ClosingReader extends Writable {
  received = 0;
  constructor(private readonly limit: number) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.received += chunk.length;
    if (this.received >= this.limit) done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    else done();
  }
}

describe('LineOutput', () => {
  it('writes every line with a newline, byte for byte, waiting for a slow reader', async () => {
    const reader = new SlowReader();
    const out = new LineOutput(reader);
    const lines: Uint8Array[] = [];
    for (let i = 0; i < 5000; i++)
      lines.push(new TextEncoder().encode(`{"i":${i},"pad":"${'x'.repeat(i % 97)}"}`));
    lines.push(new Uint8Array([0, 0xff, 0xfe]), new Uint8Array(0), new Uint8Array(200_000).fill(0x41));
    for (const line of lines) expect(await out.writeLine(line)).toBe(true);
    expect(await out.finish()).toBe(true);
    out.dispose();
    const expected = Buffer.concat(lines.flatMap((line) => [Buffer.from(line), Buffer.from('\n')]));
    expect(Buffer.concat(reader.chunks).equals(expected)).toBe(true);
    // Batched into ~64 KiB writes, and never more than one batch queued past the high-water mark.
    expect(reader.chunks.length).toBeLessThan(50);
    expect(reader.maxPending).toBeLessThanOrEqual(200_001 + 64 * 1024);
  });

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    const reader = new ClosingReader(100_000);
    const out = new LineOutput(reader);
    let written = 0;
    const line = new Uint8Array(100).fill(0x61);
    while (await out.writeLine(line)) {
      written++;
      if (written > 100_000) throw new Error('kept writing after EPIPE');
    }
    expect(out.closed).toBe(true);
    expect(out.failure).toBeUndefined();
    expect(await out.writeLine(line)).toBe(false);
    out.dispose();
  });

  it('keeps other write errors as a failure', async () => {
    const reader = new Writable({
      write: (_chunk, _encoding, done) => done(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
    });
    const out = new LineOutput(reader);
    await out.writeLine(new Uint8Array(70_000));
    await out.finish();
    expect(out.failure?.message).toBe('disk full');
    out.dispose();
  });
});
