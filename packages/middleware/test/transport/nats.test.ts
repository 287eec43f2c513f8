import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { waitFor } from '@marketpipe/test-support/wait-for';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PayloadTooLargeError } from '../../src/errors.js';
import { NatsTransport, type NatsTransportOptions } from '../../src/transport/nats-transport.js';
import type { MessageHandler } from '../../src/transport/transport.js';
import { DELIVERY, transportContract } from './transport-contract.js';

let server: NatsServerHandle;
let configDir: string;
const open: NatsTransport[] = [];

async function connectTransport(url = server.url): Promise<NatsTransport> {
  const transport = await NatsTransport.connect({ servers: url, name: 'contract' });
  open.push(transport);
  return transport;
}

beforeAll(async () => {
  // nats-server has no command-line flag for max_payload; its default (1 MiB)
  // is exactly the largest contract payload, so raise it to leave headroom.
  configDir = mkdtempSync(join(tmpdir(), 'marketpipe-transport-'));
  const config = join(configDir, 'nats.conf');
  writeFileSync(config, 'max_payload: 2MB\n');
  server = await startNatsServer({ args: ['-c', config] });
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await server?.dispose();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

transportContract('NatsTransport', () => connectTransport());

describe('NatsTransport specifics', () => {
  it('rejects a payload above the server max_payload before sending anything', async () => {
    const transport = await connectTransport();
    const received: number[] = [];
    transport.subscribe('big.>', (payload) => received.push(payload.byteLength));
    let caught: unknown;
    try {
      transport.publish('big.one', new Uint8Array(2 * 1024 * 1024 + 1));
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof PayloadTooLargeError).toBe(true);
    expect((caught as PayloadTooLargeError).limit).toBe(2 * 1024 * 1024);
    transport.publish('big.two', new Uint8Array(2 * 1024 * 1024));
    await transport.flush();
    await waitFor('the 2 MiB message', () => received.length === 1, DELIVERY);
    expect(received).toEqual([2 * 1024 * 1024]);
    expect(transport.counters().published).toBe(1);
    expect(transport.outageCounters().unconfirmed).toBe(0);
    await transport.close();
  });

  it('delivers between two connections and releases acknowledged copies on flush', async () => {
    const publisher = await connectTransport();
    const subscriber = await connectTransport();
    const received: string[] = [];
    subscriber.subscribe('pair.*', (_payload, subject) => received.push(subject));
    await subscriber.flush();
    const target = publisher.prepare('pair.a');
    for (let i = 0; i < 100; i++) publisher.publish(target, new Uint8Array([i]));
    await publisher.flush();
    expect(publisher.outageCounters()).toMatchObject({ unconfirmed: 0, buffered: 0, outages: 0 });
    await waitFor('100 messages on the second connection', () => received.length === 100, DELIVERY);
    await publisher.close();
    await subscriber.close();
  });

  it('authenticates with user and password through NatsConnectionOptions', async () => {
    const secured = await startNatsServer({ args: ['--user', 'mp', '--pass', 's3cret'] });
    try {
      const transport = await NatsTransport.connect({ servers: secured.url, user: 'mp', pass: 's3cret' });
      open.push(transport);
      const received: number[] = [];
      transport.subscribe('auth.ok', (payload) => received.push(payload[0] ?? -1));
      transport.publish('auth.ok', new Uint8Array([7]));
      await transport.flush();
      await waitFor('authenticated round trip', () => received.length === 1, DELIVERY);
      expect(received).toEqual([7]);
      await transport.close();
    } finally {
      await secured.dispose();
    }
  });
});

describe('NatsTransport at close: sent but unacknowledged messages are counted, never lost silently', () => {
  // No confirmation timer in these tests: only close()'s own flush can acknowledge anything.
  const unconfirmedOnly: NatsTransportOptions = { confirmIntervalMs: 3_600_000 };

  async function publishFive(publisher: NatsTransport): Promise<void> {
    for (let i = 0; i < 5; i++) publisher.publish('close.x', Uint8Array.of(i));
    // The end-of-turn hand-over has sent the frames: they are unconfirmed, not buffered.
    await new Promise((resolve) => setImmediate(resolve));
    expect(publisher.outageCounters()).toMatchObject({ unconfirmed: 5, buffered: 0 });
  }

  it('counts them in dropped.closed when the connection is closed from outside', async () => {
    const nc = await connectClient();
    const publisher = new NatsTransport(nc, unconfirmedOnly);
    open.push(publisher);
    await publishFive(publisher);
    await nc.close();
    await waitFor('the transport to see the close', () => publisher.status === 'closed', DELIVERY);
    expect(publisher.counters()).toMatchObject({ published: 5, dropped: { closed: 5 } });
    expect(publisher.outageCounters().unconfirmed).toBe(0);
  });

  it("counts them in dropped.closed when close()'s flush fails", async () => {
    const nc = await connectClient();
    const failingFlush = new Proxy(nc, {
      get(target, key) {
        if (key === 'flush') return () => Promise.reject(new Error('connection lost while closing'));
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const publisher = new NatsTransport(failingFlush, unconfirmedOnly);
    open.push(publisher);
    await publishFive(publisher);
    await publisher.close();
    expect(publisher.counters()).toMatchObject({ published: 5, dropped: { closed: 5 } });
    expect(publisher.outageCounters().unconfirmed).toBe(0);
  });

  it('settles close(), and counts them, when the connection is closed from outside while close() flushes', async () => {
    const nc = await connectClient();
    const publisher = new NatsTransport(nc, unconfirmedOnly);
    open.push(publisher);
    await publishFive(publisher);
    // close() has sent its PING; the outside close comes before any PONG can be read.
    const closing = publisher.close();
    await nc.close();
    await closing;
    expect(publisher.counters()).toMatchObject({ published: 5, dropped: { closed: 5 } });
    expect(publisher.outageCounters().unconfirmed).toBe(0);
  });

  it("counts nothing when close()'s flush is acknowledged", async () => {
    const publisher = new NatsTransport(await connectClient(), unconfirmedOnly);
    open.push(publisher);
    await publishFive(publisher);
    await publisher.close();
    expect(publisher.counters()).toMatchObject({ published: 5, dropped: { closed: 0 } });
    expect(publisher.outageCounters().unconfirmed).toBe(0);
  });
});

describe('NatsTransport confirmation timer', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const timeoutPrototype = Object.getPrototypeOf(setTimeout(() => undefined, 0)) as { refresh(): unknown };

  /** `Timeout#refresh` calls (any timer of the process) made inside `publisher.publish(target, [i])`. */
  function refreshesOf(publish: () => void, refresh: { mock: { calls: unknown[] } }): number {
    const before = refresh.mock.calls.length;
    publish();
    return refresh.mock.calls.length - before;
  }

  it('acknowledges without flush(), and re-arms itself off the publish path while messages flow', async () => {
    const publisher = await connectTransport();
    const target = publisher.prepare('confirm.flow');
    publisher.publish(target, Uint8Array.of(0));
    await waitFor('the first PONG', () => publisher.outageCounters().unconfirmed === 0, DELIVERY);
    const refresh = vi.spyOn(timeoutPrototype, 'refresh');
    try {
      // A message every ~2 ms, some while a PING is out, some between a PONG and the next interval: none of these
      // publishes may re-arm a timer (before, the first publish after each PONG did: ~7 µs at 1 000 msg/s).
      let inside = 0;
      for (let i = 1; i <= 40; i++) {
        inside += refreshesOf(() => publisher.publish(target, Uint8Array.of(i)), refresh);
        await sleep(2);
      }
      expect(inside).toBe(0);
      await waitFor(
        'the timer to acknowledge them',
        () => publisher.outageCounters().unconfirmed === 0,
        DELIVERY,
      );
    } finally {
      refresh.mockRestore();
    }
    expect(publisher.counters().published).toBe(41);
    await publisher.close();
  });

  it('does not tick in a transport that never publishes', async () => {
    const timers: unknown[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const refresh = vi.spyOn(timeoutPrototype, 'refresh');
    try {
      const subscriber = await connectTransport();
      timers.push(...setTimeoutSpy.mock.results.map((result) => result.value));
      subscriber.subscribe('confirm.none', () => {});
      await subscriber.flush();
      await sleep(100);
      // Its one timer fired once (at 5 ms) and found nothing ever sent: never re-armed.
      expect(refresh.mock.contexts.filter((timer) => timers.includes(timer))).toEqual([]);
      await subscriber.close();
    } finally {
      setTimeoutSpy.mockRestore();
      refresh.mockRestore();
    }
  });

  it('lapses once idle; the next publish re-arms it and is acknowledged', async () => {
    const publisher = await connectTransport();
    const target = publisher.prepare('confirm.idle');
    const refresh = vi.spyOn(timeoutPrototype, 'refresh');
    try {
      publisher.publish(target, Uint8Array.of(0));
      await waitFor('the first PONG', () => publisher.outageCounters().unconfirmed === 0, DELIVERY);
      // It keeps ticking for about a second with nothing to confirm, then stops: no refresh for 100 ms.
      let seen = -1;
      const quiet = () => {
        const calls = refresh.mock.calls.length;
        const unchanged = calls === seen;
        seen = calls;
        return unchanged;
      };
      await waitFor('the timer to lapse', quiet, { ...DELIVERY, everyMs: 100 });
      expect(refreshesOf(() => publisher.publish(target, Uint8Array.of(1)), refresh)).toBe(1);
    } finally {
      refresh.mockRestore();
    }
    await waitFor(
      'the timer to acknowledge it',
      () => publisher.outageCounters().unconfirmed === 0,
      DELIVERY,
    );
    await publisher.close();
  });
});

/** A nats.js connection for `new NatsTransport(nc, ...)`, where a test needs to see or shape the client. */
async function connectClient(servers: string[] = [server.url]): Promise<NatsConnection> {
  return connect({
    servers,
    noRandomize: true,
    reconnectTimeWait: 50,
    reconnectJitter: 0,
    maxReconnectAttempts: -1,
  });
}

function collect(into: { subject: string; bytes: number[] }[]): MessageHandler {
  return (payload, subject) => into.push({ subject, bytes: [...payload] });
}

const bytesOf = (length: number, seed: number): number[] =>
  Array.from({ length }, (_, i) => (seed * 31 + i) % 256);

/** A transport on `nc` and a second connection collecting what arrives on `pattern`. */
async function framedPair(
  nc: NatsConnection,
  pattern: string,
): Promise<{ publisher: NatsTransport; received: { subject: string; bytes: number[] }[] }> {
  const publisher = new NatsTransport(nc);
  open.push(publisher);
  const subscriber = await connectTransport();
  const received: { subject: string; bytes: number[] }[] = [];
  subscriber.subscribe(pattern, collect(received));
  await subscriber.flush();
  return { publisher, received };
}

/** Calls `seen` with every command `nc` queues for its socket (the transport's frames, PINGs, SUBs...). */
function watchCommands(nc: NatsConnection, seen: (command: Uint8Array) => void): void {
  const protocol = (nc as unknown as { protocol: { sendCommand(cmd: Uint8Array): void } }).protocol;
  const sendCommand = protocol.sendCommand.bind(protocol);
  protocol.sendCommand = (cmd: Uint8Array) => {
    seen(cmd);
    sendCommand(cmd);
  };
}

describe('NatsTransport PUB frames', () => {
  it('writes its own frames (not nc.publish), and every size arrives intact and in order', async () => {
    const nc = await connectClient();
    let clientPublishes = 0;
    const publish = nc.publish.bind(nc);
    nc.publish = (...args) => {
      clientPublishes++;
      publish(...args);
    };
    const { publisher, received } = await framedPair(nc, 'frames.>');
    // Length-digit boundaries, a frame too large for a slab, and a burst of ~3 slabs in one turn.
    const lengths = [
      0,
      1,
      9,
      10,
      99,
      100,
      999,
      1000,
      9000,
      70_000,
      ...Array.from({ length: 1_000 }, () => 190),
    ];
    const sent = lengths.map((length, i) => ({ subject: `frames.s${i % 3}`, bytes: bytesOf(length, i) }));
    for (const message of sent) publisher.publish(message.subject, Uint8Array.from(message.bytes));
    await publisher.flush();
    await waitFor('every frame', () => received.length >= sent.length, DELIVERY);
    expect(received).toEqual(sent);
    expect(clientPublishes).toBe(0);
    expect(publisher.outageCounters().unconfirmed).toBe(0);
    await publisher.close();
  });

  it('writes slabs again once the server acknowledged their frames, and every message still arrives intact', async () => {
    const nc = await connectClient();
    const slabs = new Set<ArrayBufferLike>();
    watchCommands(nc, (cmd) => {
      if (cmd.byteLength > 100) slabs.add(cmd.buffer);
    });
    const { publisher, received } = await framedPair(nc, 'recycle.>');
    // 40 turns of 250 messages (~230-byte frames, ~2.3 MB: ~35 slabs' worth, ~0.9 per turn). Every other turn
    // ends with a flush(), so at most ~2 slabs are unacknowledged at a time however late the timer's PONGs come on
    // a loaded machine; the turns between let the confirmation timer acknowledge (and recycle) on its own.
    const sent: { subject: string; bytes: number[] }[] = [];
    for (let turn = 0; turn < 40; turn++) {
      for (let i = 0; i < 250; i++) {
        const n = turn * 250 + i;
        const message = { subject: `recycle.s${n % 3}`, bytes: bytesOf(180 + (n % 50), n) };
        sent.push(message);
        publisher.publish(message.subject, Uint8Array.from(message.bytes));
      }
      if (turn % 2 === 1) await publisher.flush();
      else await new Promise((resolve) => setTimeout(resolve, 8));
    }
    await publisher.flush();
    await waitFor('every message', () => received.length >= sent.length, DELIVERY);
    expect(received).toEqual(sent);
    expect(slabs.size).toBeLessThan(10);
    await publisher.close();
  });

  it("hands a turn's frames to nats.js at the end of the turn, or before a flush's PING, SUB or UNSUB", async () => {
    const nc = await connectClient();
    const commands: string[] = [];
    watchCommands(nc, (cmd) => commands.push(Buffer.from(cmd).toString('latin1')));
    const publisher = new NatsTransport(nc);
    open.push(publisher);
    const target = publisher.prepare('turn.a');
    publisher.publish(target, Uint8Array.of(1));
    publisher.publish(target, Uint8Array.of(2));
    expect(commands).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commands).toEqual(['PUB turn.a 1\r\n\u0001\r\nPUB turn.a 1\r\n\u0002\r\n']);
    publisher.publish(target, Uint8Array.of(3));
    const flushed = publisher.flush();
    expect(commands).toHaveLength(2);
    expect(commands[1]).toBe('PUB turn.a 1\r\n\u0003\r\n');
    await flushed;
    expect(publisher.outageCounters().unconfirmed).toBe(0);
    // SUB and UNSUB keep their place behind the frames published before them.
    publisher.publish(target, Uint8Array.of(4));
    const sub = publisher.subscribe('turn.b', () => {});
    publisher.publish(target, Uint8Array.of(5));
    sub.close();
    expect(commands.slice(2)).toEqual([
      'PUB turn.a 1\r\n\u0004\r\n',
      expect.stringMatching(/^SUB turn\.b \d+\r\n$/),
      'PUB turn.a 1\r\n\u0005\r\n',
      expect.stringMatching(/^UNSUB \d+\r\n$/),
    ]);
    await publisher.close();
  });

  it('publishes through nc.publish when the connection does not expose its command queue', async () => {
    const nc = await connectClient();
    let clientPublishes = 0;
    // A wrapper exposing only the NatsConnection interface, as a user's own decorator would.
    const wrapped = new Proxy(nc, {
      get(target, key) {
        if (key === 'protocol') return undefined;
        if (key === 'publish') {
          return (...args: Parameters<NatsConnection['publish']>) => {
            clientPublishes++;
            target.publish(...args);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const publisher = new NatsTransport(wrapped);
    open.push(publisher);
    const received: { subject: string; bytes: number[] }[] = [];
    publisher.subscribe('wrapped.*', collect(received));
    await publisher.flush();
    const buffer = new Uint8Array(3);
    for (let i = 0; i < 5; i++) {
      buffer.fill(i);
      publisher.publish('wrapped.x', buffer);
    }
    await publisher.flush();
    await waitFor('5 messages', () => received.length === 5, DELIVERY);
    expect(received.map((m) => m.bytes)).toEqual([0, 1, 2, 3, 4].map((i) => [i, i, i]));
    expect(clientPublishes).toBe(5);
    await publisher.close();
  });

  it('counts held messages a smaller server refuses after failover as replayFailed, and replays the rest', async () => {
    const big = new Uint8Array(100 * 1024);
    const { publisher, received, errors } = await failover(
      {},
      (p) => {
        p.publish('failover.a', Uint8Array.of(1));
        p.publish('failover.big', big);
        p.publish('failover.b', Uint8Array.of(2));
      },
      (p) => {
        p.publish('failover.big', big);
        p.publish('failover.c', Uint8Array.of(3));
      },
    );
    expect(received).toEqual(['failover.a', 'failover.b', 'failover.c']);
    expect(publisher.outageCounters()).toMatchObject({ resent: 3, replayed: 2, replayFailed: 2 });
    expect(errors).toHaveLength(2);
    expect(errors.every((err) => err instanceof PayloadTooLargeError && err.limit === 64 * 1024)).toBe(true);
  });

  it('loses nothing when an error listener publishes into a full outage buffer during the replay', async () => {
    let published = false;
    const { publisher, received, errors } = await failover(
      { outageBuffer: { maxMessages: 2, overflowPolicy: 'drop-oldest' } },
      (p) => {
        p.onError(() => {
          // Called while the refused message is replayed; the buffer still holds `c` behind it.
          if (!published) p.publish('failover.d', Uint8Array.of(4));
          published = true;
        });
        p.publish('failover.a', Uint8Array.of(1));
      },
      (p) => {
        p.publish('failover.big', new Uint8Array(100 * 1024));
        p.publish('failover.c', Uint8Array.of(3));
      },
    );
    expect(received).toEqual(['failover.a', 'failover.c', 'failover.d']);
    expect(errors).toHaveLength(1);
    expect(publisher.counters()).toMatchObject({ published: 4, dropped: { outageOverflow: 0 } });
    expect(publisher.outageCounters()).toMatchObject({ resent: 1, replayed: 3, replayFailed: 1 });
  });
});

/**
 * A publisher on a default server that fails over to one with a 64 KiB max_payload: `before` runs while connected
 * (nothing is acknowledged: no PING until the end), `during` while it reconnects. Returns the subjects a subscriber
 * on the small server received, in order, and the errors the publisher reported.
 */
async function failover(
  options: NatsTransportOptions,
  before: (publisher: NatsTransport) => void,
  during: (publisher: NatsTransport) => void,
): Promise<{ publisher: NatsTransport; received: string[]; errors: unknown[] }> {
  const small = await startNatsServer({ args: ['-c', smallConfig()] });
  const first = await startNatsServer();
  try {
    const nc = await connectClient([first.url, small.url]);
    const publisher = new NatsTransport(nc, { confirmIntervalMs: 3_600_000, ...options });
    open.push(publisher);
    const errors: unknown[] = [];
    publisher.onError((err) => errors.push(err));
    const subscriber = await NatsTransport.connect({ servers: small.url });
    open.push(subscriber);
    const received: string[] = [];
    subscriber.subscribe('failover.*', (_payload, subject) => received.push(subject));
    await subscriber.flush();

    before(publisher);
    await new Promise((resolve) => setImmediate(resolve));
    await first.stop();
    await waitFor('the outage', () => publisher.status !== 'connected', DELIVERY);
    during(publisher);
    await waitFor('failover to the small server', () => publisher.status === 'connected', DELIVERY);
    await publisher.flush();
    const expected = publisher.counters().published - publisher.outageCounters().replayFailed;
    await waitFor('the replayed messages', () => received.length >= expected, DELIVERY).catch(
      () => undefined,
    );
    await subscriber.flush();
    await publisher.close();
    return { publisher, received, errors };
  } finally {
    await first.dispose();
    await small.dispose();
  }
}

function smallConfig(): string {
  const config = join(configDir, 'small.conf');
  writeFileSync(config, 'max_payload: 65536\n');
  return config;
}
