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

  it('returns a fresh array per call, since nats.js keeps it until its next write', () => {
    const fast = createMessageIdHeaders('p', 'S');
    fast.ordinal = 1;
    const first = fast.encode();
    fast.ordinal = 2;
    fast.encode();
    expect(new TextDecoder().decode(first)).toContain('Nats-Msg-Id: p-1\r\n');
  });
});
