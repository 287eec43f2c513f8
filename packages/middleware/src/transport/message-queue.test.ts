import { describe, expect, it } from 'vitest';
import { MessageQueue } from './message-queue.js';

describe('MessageQueue', () => {
  it('is FIFO across compactions and tracks bytes', () => {
    const queue = new MessageQueue<number>();
    let expected = 0;
    let pushed = 0;
    // Interleave pushes and pops so the head passes the compaction threshold many times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++, pushed++) queue.push(pushed, new Uint8Array(pushed % 7), pushed);
      for (let i = 0; i < 60; i++, expected++) {
        expect(queue.firstOrdinal()).toBe(expected);
        expect(queue.firstTarget()).toBe(expected);
        expect(queue.firstPayload().byteLength).toBe(expected % 7);
        queue.dropFirst();
      }
    }
    expect(queue.length).toBe(pushed - expected);
    let bytes = 0;
    for (let n = expected; n < pushed; n++) bytes += n % 7;
    expect(queue.bytes).toBe(bytes);
    while (queue.length > 0) queue.dropFirst();
    expect(queue.firstOrdinal()).toBe(Number.POSITIVE_INFINITY);
    expect(queue.bytes).toBe(0);
    queue.dropFirst();
    expect(queue.length).toBe(0);
  });
});
