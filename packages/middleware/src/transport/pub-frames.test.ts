import { describe, expect, it } from 'vitest';
import { framePayloadLength, PubFrames, pubPrefix } from './pub-frames.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const payloadOf = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (seed + i * 7) % 256);
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The frame nats.js would send for the same publish. */
function expected(subject: string, payload: Uint8Array): string {
  return `PUB ${subject} ${payload.length}\r\n${text(payload)}\r\n`;
}

describe('PubFrames', () => {
  it('writes the PUB frame nats.js would, at every length-digit boundary', () => {
    const frames = new PubFrames(() => {});
    const prefix = pubPrefix('trades.binance.BTCUSDT');
    for (const length of [0, 1, 9, 10, 99, 100, 999, 1000, 8000]) {
      const payload = payloadOf(length, length);
      const frame = frames.write(prefix, payload, length + 1);
      expect(text(frame)).toBe(expected('trades.binance.BTCUSDT', payload));
      expect(framePayloadLength(frame, prefix.length)).toBe(length);
    }
  });

  it("hands a turn's frames to the sink once, as one view, at the end of the turn", async () => {
    const handed: string[] = [];
    const frames = new PubFrames((bytes) => handed.push(text(bytes)));
    const a = pubPrefix('a');
    const b = pubPrefix('b.c');
    frames.write(a, payloadOf(3, 1), 1);
    frames.write(b, payloadOf(120, 2), 2);
    frames.write(a, payloadOf(0, 3), 3);
    expect(handed).toEqual([]);
    await endOfTurn();
    expect(handed).toEqual([
      expected('a', payloadOf(3, 1)) + expected('b.c', payloadOf(120, 2)) + expected('a', payloadOf(0, 3)),
    ]);
    frames.write(a, payloadOf(5, 4), 4);
    await endOfTurn();
    expect(handed).toHaveLength(2);
    expect(handed[1]).toBe(expected('a', payloadOf(5, 4)));
  });

  it('keeps publish order across slab changes, large frames and explicit hand-overs', async () => {
    const handed: string[] = [];
    const frames = new PubFrames((bytes) => handed.push(text(bytes)));
    const prefix = pubPrefix('x');
    const sent: string[] = [];
    // 1 000 frames of ~210 bytes fill more than three 64 KiB slabs; every 97th is larger than a slab's share.
    for (let i = 0; i < 1_000; i++) {
      const payload = payloadOf(i % 97 === 0 ? 20_000 : 200, i);
      frames.write(prefix, payload, i + 1);
      sent.push(expected('x', payload));
      if (i === 500) frames.handOver();
    }
    await endOfTurn();
    expect(handed.length).toBeGreaterThan(3);
    expect(handed.join('')).toBe(sent.join(''));
  });

  it('returns frames that later writes never overwrite, for re-sends', async () => {
    const handed: Uint8Array[] = [];
    const frames = new PubFrames((bytes) => handed.push(bytes));
    const prefix = pubPrefix('keep');
    const first = frames.write(prefix, payloadOf(100, 9), 1);
    const copy = text(first);
    for (let i = 0; i < 2_000; i++) frames.write(prefix, payloadOf(100, i), i + 2);
    await endOfTurn();
    expect(text(first)).toBe(copy);
    frames.sendNow(first);
    expect(text(handed.at(-1) as Uint8Array)).toBe(copy);
  });

  it('drops the frames not yet handed over when told to, and only those', async () => {
    const handed: string[] = [];
    const frames = new PubFrames((bytes) => handed.push(text(bytes)));
    const prefix = pubPrefix('d');
    frames.write(prefix, payloadOf(4, 1), 1);
    frames.handOver();
    frames.write(prefix, payloadOf(4, 2), 2);
    frames.discardPending();
    await endOfTurn();
    frames.write(prefix, payloadOf(4, 3), 3);
    await endOfTurn();
    expect(handed).toEqual([expected('d', payloadOf(4, 1)), expected('d', payloadOf(4, 3))]);
  });

  it('writes a full slab again only once every frame in it was given back', async () => {
    const frames = new PubFrames(() => {});
    const prefix = pubPrefix('r');
    // ~110-byte frames: ~590 fit a 64 KiB slab.
    const first = frames.write(prefix, payloadOf(100, 1), 1);
    const copy = text(first);
    let ordinal = 1;
    const writeUntilNewSlab = (): Uint8Array => {
      const slab = frames.write(prefix, payloadOf(100, ordinal), ++ordinal).buffer;
      for (;;) {
        const frame = frames.write(prefix, payloadOf(100, ordinal), ++ordinal);
        if (frame.buffer !== slab) return frame;
      }
    };
    const second = writeUntilNewSlab();
    const lastInFirst = ordinal - 1;
    // Not every frame of the first slab given back: a third slab is a new one.
    frames.recycleThrough(lastInFirst - 1);
    const third = writeUntilNewSlab();
    expect(third.buffer).not.toBe(first.buffer);
    expect(third.buffer).not.toBe(second.buffer);
    expect(text(first)).toBe(copy);
    // All of them given back: the next slab is the first one again, and the old frame's bytes are overwritten.
    frames.recycleThrough(lastInFirst);
    const fourth = writeUntilNewSlab();
    expect(fourth.buffer).toBe(first.buffer);
    expect(text(first)).not.toBe(copy);
    await endOfTurn();
  });

  it('forgets the oldest full slab past 1 024 unacknowledged ones, and never writes it again', () => {
    const frames = new PubFrames(() => {});
    const prefix = pubPrefix('s');
    // One frame per slab: 7 000-byte payloads, nine to a 64 KiB slab; 1 030 slabs' worth never acknowledged.
    const first = frames.write(prefix, payloadOf(7_000, 0), 1);
    const copy = text(first);
    let ordinal = 1;
    const firstBuffer = first.buffer;
    let slabs = 1;
    let last = first.buffer;
    while (slabs < 1_030) {
      const frame = frames.write(prefix, payloadOf(7_000, ordinal), ++ordinal);
      if (frame.buffer !== last) {
        slabs++;
        last = frame.buffer;
      }
    }
    // Everything given back now: the forgotten first slab is not among the ones written again.
    frames.recycleThrough(ordinal);
    for (let i = 0; i < 200; i++) {
      const frame = frames.write(prefix, payloadOf(7_000, i), ++ordinal);
      expect(frame.buffer).not.toBe(firstBuffer);
    }
    expect(text(first)).toBe(copy);
  });
});
