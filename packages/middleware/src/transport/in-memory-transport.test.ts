import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from './in-memory-transport.js';

const payload = new Uint8Array([1]);

describe('InMemoryTransport', () => {
  it('refreshes a prepared target when subscriptions change', () => {
    const transport = new InMemoryTransport();
    const target = transport.prepare('a.b');
    const got: string[] = [];
    transport.publish(target, payload);
    const exact = transport.subscribe('a.b', () => got.push('exact'));
    transport.publish(target, payload);
    const wild = transport.subscribe('a.*', () => got.push('wild'));
    transport.publish(target, payload);
    exact.close();
    transport.publish(target, payload);
    wild.close();
    transport.publish(target, payload);
    expect(got).toEqual(['exact', 'exact', 'wild', 'wild']);
    expect(transport.counters().published).toBe(5);
  });

  it('fans out in subscription order, mixing exact and wildcard subscriptions', () => {
    const transport = new InMemoryTransport();
    const got: string[] = [];
    transport.subscribe('>', () => got.push('all'));
    transport.subscribe('x.y', () => got.push('exact'));
    transport.subscribe('x.*', () => got.push('star'));
    transport.publish('x.y', payload);
    expect(got).toEqual(['all', 'exact', 'star']);
  });

  it("stamps deliveries with the publisher's stamp instead of reading the clock, never going backwards", () => {
    let clockReads = 0;
    const transport = new InMemoryTransport({
      now: () => {
        clockReads++;
        return 5_000;
      },
    });
    const stamps: number[] = [];
    transport.subscribe('t', (_p, _s, delivery) => stamps.push(delivery.timestampNanos));
    const stamp = { mono: 7_000 };
    transport.publish('t', payload, stamp);
    stamp.mono = 6_000; // a stamp older than the last delivery is raised to it
    transport.publish('t', payload, stamp);
    stamp.mono = 9_000;
    transport.publish('t', payload, stamp);
    expect(clockReads).toBe(0);
    transport.publish('t', payload); // no stamp: the clock (5 000) is behind too
    expect(clockReads).toBe(1);
    expect(stamps).toEqual([7_000, 7_000, 9_000, 9_000]);
  });

  it('stamps deliveries with the injected clock and delivers the payload by reference', () => {
    let now = 1_000;
    const transport = new InMemoryTransport({ now: () => now++ });
    const seen: [Uint8Array, number, number][] = [];
    transport.subscribe('t', (p, _s, d) => seen.push([p, d.sequence, d.timestampNanos]));
    transport.subscribe('t', (p, _s, d) => seen.push([p, d.sequence, d.timestampNanos]));
    transport.publish('t', payload);
    transport.publish('t', payload);
    expect(seen.map(([p]) => p === payload)).toEqual([true, true, true, true]);
    expect(seen.map(([, seq]) => seq)).toEqual([1, 2, 3, 4]);
    // One clock read per publish, shared by its fan-out.
    expect(seen.map(([, , ts]) => ts)).toEqual([1_000, 1_000, 1_001, 1_001]);
  });

  it('skips a subscriber closed by an earlier handler in the same publish', () => {
    const transport = new InMemoryTransport();
    const got: string[] = [];
    transport.subscribe('t', () => {
      got.push('closer');
      later.close();
    });
    const later = transport.subscribe('t', () => got.push('later'));
    transport.publish('t', payload);
    transport.publish('t', payload);
    expect(got).toEqual(['closer', 'closer']);
  });

  it('supports publishing from inside a handler', () => {
    const transport = new InMemoryTransport();
    const got: string[] = [];
    transport.subscribe('in', (_p, subject, delivery) => {
      const before = `${subject}:${delivery.sequence}`;
      transport.publish('out', payload);
      // The nested publish has a delivery of its own: this one still describes the outer delivery.
      got.push(before, `${subject}:${delivery.sequence}`);
    });
    transport.subscribe('out', (_p, subject, delivery) => got.push(`${subject}:${delivery.sequence}`));
    transport.publish('in', payload);
    expect(got).toEqual(['out:2', 'in:1', 'in:1']);
  });

  it('accepts a target prepared by another transport by its subject', () => {
    const a = new InMemoryTransport();
    const b = new InMemoryTransport();
    const got: string[] = [];
    b.subscribe('s', (_p, subject) => got.push(subject));
    b.publish(a.prepare('s'), payload);
    expect(got).toEqual(['s']);
  });

  it('still routes correctly once the subject cache is full', () => {
    const transport = new InMemoryTransport({ maxCachedSubjects: 2 });
    const got: string[] = [];
    transport.subscribe('s.*', (_p, subject) => got.push(subject));
    for (const s of ['s.1', 's.2', 's.3', 's.4', 's.3']) transport.publish(s, payload);
    expect(got).toEqual(['s.1', 's.2', 's.3', 's.4', 's.3']);
  });

  it('reports a throwing status listener without breaking close()', async () => {
    const transport = new InMemoryTransport();
    const statuses: string[] = [];
    transport.onStatus(() => {
      throw new Error('listener bug');
    });
    transport.onStatus((s) => statuses.push(s));
    const reported = new Promise<unknown>((resolve) => {
      const original = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.once('uncaughtException', (err) => {
        for (const l of original) process.on('uncaughtException', l);
        resolve(err);
      });
    });
    await transport.close();
    expect(statuses).toEqual(['closed']);
    expect(await reported).toMatchObject({ message: 'listener bug' });
  });
});
