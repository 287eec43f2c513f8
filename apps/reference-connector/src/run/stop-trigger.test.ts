import { describe, expect, it, vi } from 'vitest';
import { FakeSignals } from '../../test/support/cli-harness.js';
import { StopTrigger } from './stop-trigger.js';

describe('StopTrigger', () => {
  it('requests a stop on the first signal and forces on the second', async () => {
    const signals = new FakeSignals();
    const forced: string[] = [];
    const trigger = new StopTrigger(signals, (signal) => forced.push(signal));
    signals.fire('SIGTERM');
    expect(await trigger.requested).toBe('SIGTERM');
    expect(forced).toEqual([]);
    signals.fire('SIGINT');
    expect(forced).toEqual(['SIGINT']);
    trigger.dispose();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('aborts its signal at the first request, with the reason, and only once', () => {
    const signals = new FakeSignals();
    const trigger = new StopTrigger(signals, () => undefined);
    expect(trigger.signal.aborted).toBe(false);
    signals.fire('SIGINT');
    expect(trigger.signal.aborted).toBe(true);
    expect((trigger.signal.reason as Error).message).toBe('stop requested (SIGINT)');
    trigger.request('duration');
    expect((trigger.signal.reason as Error).message).toBe('stop requested (SIGINT)');
    trigger.dispose();
  });

  it('stops after the duration, and a signal while stopping forces', async () => {
    const signals = new FakeSignals();
    const forced: string[] = [];
    const trigger = new StopTrigger(signals, (signal) => forced.push(signal));
    trigger.startTimer(5);
    expect(await trigger.requested).toBe('duration');
    signals.fire('SIGINT');
    expect(forced).toEqual(['SIGINT']);
    trigger.dispose();
  });

  it('treats SIGHUP like SIGTERM: a graceful stop first, a forced exit on the next signal', async () => {
    const signals = new FakeSignals();
    const forced: string[] = [];
    const trigger = new StopTrigger(signals, (signal) => forced.push(signal));
    signals.fire('SIGHUP');
    expect(await trigger.requested).toBe('SIGHUP');
    signals.fire('SIGHUP');
    expect(forced).toEqual(['SIGHUP']);
    trigger.dispose();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });

  it('holds a duration beyond the 2^31 ms a single timer can hold (600h), and stops at its end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const trigger = new StopTrigger(new FakeSignals(), () => undefined);
      const hour = 3_600_000;
      trigger.startTimer(600 * hour);
      await vi.advanceTimersByTimeAsync(599 * hour);
      expect(trigger.stopRequested).toBeUndefined();
      await vi.advanceTimersByTimeAsync(hour);
      expect(trigger.stopRequested).toBe('duration');
      trigger.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('abandons a pending promise on stop and releases its late result', async () => {
    const signals = new FakeSignals();
    const trigger = new StopTrigger(signals, () => undefined);
    let resolveLate!: (value: string) => void;
    const released: string[] = [];
    const pending = trigger.unlessStopped(
      new Promise<string>((resolve) => {
        resolveLate = resolve;
      }),
      (value) => released.push(value),
    );
    signals.fire('SIGINT');
    expect(await pending).toBeUndefined();
    resolveLate('connection');
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toEqual(['connection']);
    expect(await trigger.unlessStopped(Promise.resolve('x'), () => undefined)).toBeUndefined();
    trigger.dispose();
  });
});
