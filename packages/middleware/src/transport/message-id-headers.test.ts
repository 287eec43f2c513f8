import { MsgHdrsImpl } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { createMessageIdHeaders } from './message-id-headers.js';

describe('MessageIdHeaders', () => {
  it("encodes exactly what nats.js's own headers encode, for any ordinal", () => {
    const fast = createMessageIdHeaders('run-7f3a', 'TRADES');
    for (const ordinal of [0, 1, 9, 10, 99, 100, 123_456_789, Number.MAX_SAFE_INTEGER]) {
      const reference = new MsgHdrsImpl();
      reference.set('Nats-Msg-Id', `run-7f3a-${ordinal}`);
      reference.set('Nats-Expected-Stream', 'TRADES');
      fast.ordinal = ordinal;
      expect(new TextDecoder().decode(fast.encode())).toBe(new TextDecoder().decode(reference.encode()));
    }
  });

  it('never overwrites a block it returned, since nats.js keeps it until its next write', () => {
    const fast = createMessageIdHeaders('p', 'S');
    const blocks: Uint8Array[] = [];
    // Enough blocks to fill several slabs.
    for (let ordinal = 1; ordinal <= 5000; ordinal++) {
      fast.ordinal = ordinal;
      blocks.push(fast.encode());
    }
    const decoder = new TextDecoder();
    blocks.forEach((block, i) => {
      expect(decoder.decode(block)).toBe(
        `NATS/1.0\r\nNats-Msg-Id: p-${i + 1}\r\nNats-Expected-Stream: S\r\n\r\n`,
      );
    });
  });
});
