import { describe, expect, it } from 'vitest';
import { MessageHandlerError, ReplayFileError, SourceConnectionError, SourceStateError } from '../errors.js';
import type { SourceEnd, SourceEvent } from './message-source.js';
import { SourceLifecycle } from './source-lifecycle.js';

function watched(): { life: SourceLifecycle; events: SourceEvent[]; ends: SourceEnd[] } {
  const life = new SourceLifecycle('TestSource');
  const events: SourceEvent[] = [];
  const ends: SourceEnd[] = [];
  life.onEvent((event) => events.push(event));
  void life.done.then((end) => ends.push(end));
  return { life, events, ends };
}

function throwsOf(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('SourceLifecycle', () => {
  it('runs idle -> active states -> done, and starts only once', async () => {
    const { life } = watched();
    expect(life.state).toBe('idle');
    life.start('connecting');
    expect(life.state).toBe('connecting');
    life.enter('running');
    life.enter('backoff');
    expect(life.state).toBe('backoff');
    const again = throwsOf(() => life.start('running'));
    expect(again).toBeInstanceOf(SourceStateError);
    expect((again as Error).message).toBe('TestSource cannot start in state backoff');
    life.settle({ reason: 'end' });
    expect(life.state).toBe('done');
    expect(await life.done).toEqual({ reason: 'end' });
    // A late socket or timer callback cannot revive a settled source.
    life.enter('running');
    expect(life.state).toBe('done');
    expect(throwsOf(() => life.start('running'))).toBeInstanceOf(SourceStateError);
  });

  it('stop() on an idle source settles it at once without halting, and forbids a later start', async () => {
    const { life } = watched();
    let halts = 0;
    await life.stop(() => halts++);
    expect(halts).toBe(0);
    expect(life.state).toBe('stopped');
    expect(await life.done).toEqual({ reason: 'stopped' });
    expect(throwsOf(() => life.start('running'))).toBeInstanceOf(SourceStateError);
  });

  it('stop() while starting moves to stopping, halts once, and resolves only when the source settles', async () => {
    const { life, ends } = watched();
    life.start('connecting');
    let halts = 0;
    let stopResolved = false;
    const first = life.stop(() => halts++);
    void first.then(() => {
      stopResolved = true;
    });
    const second = life.stop(() => halts++);
    expect(second).toBe(first);
    expect(halts).toBe(1);
    expect(life.state).toBe('stopping');
    expect(life.stopRequested).toBe(true);
    // The connection opening late must not take the state back to running.
    life.enter('running');
    expect(life.state).toBe('stopping');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopResolved).toBe(false);
    expect(ends).toEqual([]);
    life.settle({ reason: 'stopped' });
    await first;
    expect(stopResolved).toBe(true);
    expect(life.state).toBe('stopped');
    expect(ends).toEqual([{ reason: 'stopped' }]);
    // A third stop after the end is still the same settled promise, and halts nothing.
    await life.stop(() => halts++);
    expect(halts).toBe(1);
  });

  it("fail() wraps a thrown non-Error in a typed error: the source's, else SourceConnectionError", async () => {
    const first = watched();
    first.life.start('running');
    first.life.fail('socket gone');
    const end = await first.life.done;
    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(SourceConnectionError);
    expect(end.error?.message).toBe('socket gone');
    const second = watched();
    second.life.start('running');
    second.life.fail(42, (message) => new ReplayFileError(message));
    const replayEnd = await second.life.done;
    expect(replayEnd.error).toBeInstanceOf(ReplayFileError);
  });

  it('fail() counts and reports the error, and ends the run with it', async () => {
    const { life, events } = watched();
    life.start('running');
    const cause = new Error('disk gone');
    life.fail(cause);
    expect(life.state).toBe('failed');
    expect(await life.done).toEqual({ reason: 'error', error: cause });
    expect(events).toEqual([{ type: 'error', error: cause }]);
    expect(life.status({})).toMatchObject({ state: 'failed', errors: 1, handlerErrors: 0 });
    // Only the first end counts: later ends neither change the state nor count again.
    life.fail(new Error('later'));
    life.settle({ reason: 'end' });
    expect(life.state).toBe('failed');
    expect(life.status({}).errors).toBe(1);
    expect(events.length).toBe(1);
  });

  it('fail() wraps a thrown non-Error, and a failure during stop() leaves the state stopped', async () => {
    const { life } = watched();
    life.start('running');
    const stopping = life.stop(() => {});
    life.fail('socket exploded', (message) => new SourceStateError(message));
    await stopping;
    const end = await life.done;
    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(SourceStateError);
    expect(end.error?.message).toBe('socket exploded');
    expect(life.state).toBe('stopped');
  });

  it('reportError() counts and emits without ending the run', () => {
    const { life, events, ends } = watched();
    life.start('running');
    const error = new Error('handshake refused');
    life.reportError(error);
    expect(events).toEqual([{ type: 'error', error }]);
    expect(life.state).toBe('running');
    expect(life.settled).toBe(false);
    expect(ends).toEqual([]);
    expect(life.status({}).errors).toBe(1);
  });

  it('deliver() counts messages and bytes, and survives a throwing handler', () => {
    const { life, events } = watched();
    // Before a handler is set, messages are counted and dropped.
    life.deliver(new Uint8Array(3));
    const seen: number[] = [];
    const boom = new Error('bad message');
    life.setHandler((bytes) => {
      seen.push(bytes.length);
      if (bytes.length === 5) throw boom;
    });
    life.deliver(new Uint8Array(5));
    life.deliver(new Uint8Array(7));
    expect(seen).toEqual([5, 7]);
    expect(life.messages).toBe(3);
    expect(life.status({ extra: 'x' })).toEqual({
      state: 'idle',
      messages: 3,
      bytes: 15,
      errors: 1,
      handlerErrors: 1,
      extra: 'x',
    });
    expect(events.length).toBe(1);
    const event = events[0];
    expect(event?.type === 'error' && event.error instanceof MessageHandlerError).toBe(true);
    expect(event?.type === 'error' && event.error.cause).toBe(boom);
  });

  it('keeps its counters and state readable but not writable from outside', () => {
    const { life } = watched();
    life.deliver(new Uint8Array(4));
    const snapshot = life.status({});
    snapshot.messages = 99;
    expect(life.messages).toBe(1);
    const writable = life as unknown as { messages: number; state: string };
    expect(() => {
      writable.messages = 99;
    }).toThrow(TypeError);
    expect(() => {
      writable.state = 'done';
    }).toThrow(TypeError);
    expect(life.status({})).toMatchObject({ state: 'idle', messages: 1, bytes: 4 });
  });
});
