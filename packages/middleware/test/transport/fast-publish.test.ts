import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../../src/errors.js';
import { fastPublishOf, isFastPublishTransport } from '../../src/transport/fast-publish.js';
import { InMemoryTransport } from '../../src/transport/in-memory-transport.js';
import type { Transport } from '../../src/transport/transport.js';
import { transportContract } from './transport-contract.js';

/** A transport with only the `Transport` contract (no `prepare`, no stamps), as a user might write one. */
function plainTransport(inner: InMemoryTransport): Transport {
  return {
    get status() {
      return inner.status;
    },
    publish: (subject, payload) => inner.publish(subject, payload),
    subscribe: (pattern, handler) => inner.subscribe(pattern, handler),
    flush: () => inner.flush(),
    close: () => inner.close(),
    onStatus: (listener) => inner.onStatus(listener),
    onError: (listener) => inner.onError(listener),
    counters: () => inner.counters(),
  };
}

// The runner's fast path over a transport that only implements `Transport` keeps the whole contract.
transportContract('fastPublishOf(plain Transport)', async () =>
  fastPublishOf(plainTransport(new InMemoryTransport())),
);

describe('fastPublishOf', () => {
  it('returns a transport that already has the fast path as it is', () => {
    const transport = new InMemoryTransport();
    expect(isFastPublishTransport(transport)).toBe(true);
    expect(fastPublishOf(transport)).toBe(transport);
  });

  it('adapts a plain transport: prepare validates once, publish to the target reaches subscribers', () => {
    const inner = new InMemoryTransport();
    const plain = plainTransport(inner);
    expect(isFastPublishTransport(plain)).toBe(false);
    const fast = fastPublishOf(plain);
    expect(() => fast.prepare('a.*')).toThrow(InvalidSubjectError);
    const seen: string[] = [];
    inner.subscribe('a.>', (_payload, subject) => seen.push(subject));
    fast.publish(fast.prepare('a.b'), new Uint8Array([1]), { mono: 5 });
    expect(seen).toEqual(['a.b']);
    expect(fast.counters().published).toBe(1);
  });
});
