import { createServer } from 'node:net';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageHandlerError, SourceConnectionError, SourceStateError } from '../../src/errors.js';
import type { SourceEvent } from '../../src/sources/message-source.js';
import { type SimulatorOptions, SimulatorServer } from '../../src/sources/simulator.js';
import { WebSocketSource, type WebSocketSourceInternalOptions } from '../../src/sources/websocket-source.js';
import {
  type FixtureOptions,
  fixtureProtocol,
  fixtureServer,
  fixtureSubscribe,
  gapsPerSymbol,
  parseFixtureTrades,
} from './fixture-protocol.js';
import { openHandles } from './open-handles.js';

const SYMBOLS = ['AAA-USD', 'BBB-USD'];

/** Everything a test started, stopped in afterEach even when the test fails. */
const running: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

async function simulator(
  fixture: FixtureOptions = {},
  options: Partial<SimulatorOptions> = {},
): Promise<SimulatorServer> {
  const sim = new SimulatorServer({ ...fixtureServer(fixture), symbols: SYMBOLS, ...options });
  running.push(sim);
  await sim.start();
  return sim;
}

interface Harness {
  source: WebSocketSource;
  frames: Buffer[];
  events: SourceEvent[];
}

function connect(
  url: string,
  fixture: FixtureOptions = {},
  options: Partial<WebSocketSourceInternalOptions> = {},
): Harness {
  const all: WebSocketSourceInternalOptions = {
    protocol: fixtureProtocol(fixture),
    symbols: SYMBOLS,
    url,
    ...options,
  };
  const source = new WebSocketSource(all);
  running.push(source);
  const frames: Buffer[] = [];
  const events: SourceEvent[] = [];
  // The view is only valid during the call: keep a copy.
  source.onMessage((bytes) => frames.push(Buffer.from(bytes)));
  source.onEvent((event) => events.push(event));
  source.start();
  return { source, frames, events };
}

function sentTo(sim: SimulatorServer, connection: number): Buffer[] {
  return sim.sent.filter((frame) => frame.connection === connection).map((frame) => frame.data);
}

function ofType<T extends SourceEvent['type']>(
  events: SourceEvent[],
  type: T,
): Extract<SourceEvent, { type: T }>[] {
  return events.filter((event): event is Extract<SourceEvent, { type: T }> => event.type === type);
}

describe('WebSocketSource against the simulator', () => {
  it('subscribes, then delivers every frame in order, byte-exact with what the simulator sent', async () => {
    const sim = await simulator({}, { messagesPerSecond: 2000 });
    const { source, frames, events } = connect(sim.url);
    await waitFor('500 trade messages', () => sim.stats().tradeMessages >= 500);
    sim.setRate(0);
    const sent = () => sentTo(sim, 1);
    // A tick already under way may still send after setRate(0): let it finish, then compare everything sent up
    // to that point (frames sent later, if any, cannot be caught half-way).
    await sleep(200);
    const sentBefore = sent().length;
    await waitFor('all sent frames to arrive', () => frames.length >= sentBefore);
    expect(frames.slice(0, sentBefore)).toEqual(sent().slice(0, sentBefore));

    expect(sim.received[0]).toEqual({ connection: 1, text: fixtureSubscribe(SYMBOLS) });
    // Acks and control messages come first, then trades with contiguous ids.
    expect(frames[0]?.toString()).toBe('{"event":"subscribe","ok":true}');
    expect(frames[1]?.toString()).toBe('{"event":"status","status":"open"}');
    const trades = frames.flatMap((frame) => parseFixtureTrades(frame));
    expect(trades.length).toBe(sim.stats().trades);
    expect(gapsPerSymbol(trades, sim.firstTradeIds())).toEqual(new Map(SYMBOLS.map((s) => [s, 0])));

    const status = source.status();
    expect(status.state).toBe('running');
    expect(status.messages).toBe(frames.length);
    expect(status.textMessages).toBe(frames.length);
    expect(status.binaryMessages).toBe(0);
    expect(status.bytes).toBe(frames.reduce((sum, frame) => sum + frame.length, 0));
    expect(status.errors).toBe(0);
    expect(ofType(events, 'connected')).toEqual([{ type: 'connected', url: sim.url, connection: 1 }]);
  });

  it('keeps a quiet connection alive with text pings and never calls it stale', async () => {
    const sim = await simulator({}, { messagesPerSecond: 0 });
    const { source, events } = connect(sim.url, {
      keepAlive: { intervalMs: 40, kind: 'text', payload: 'ping' },
    });
    await sleep(1000);
    const status = source.status();
    expect(status.keepAlivesSent).toBeGreaterThanOrEqual(5);
    expect(sim.received.filter((frame) => frame.text === 'ping').length).toBe(status.keepAlivesSent);
    // subscribe ack + status + one pong per ping that was answered
    expect(status.messages).toBeGreaterThanOrEqual(2 + 5);
    expect(status.staleDetections).toBe(0);
    expect(status.connectAttempts).toBe(1);
    expect(ofType(events, 'stale')).toEqual([]);
  });

  it('keeps a quiet connection alive with ping frames: pongs count as traffic', async () => {
    const sim = await simulator({ subscribe: false }, { messagesPerSecond: 0 });
    const fixture: FixtureOptions = { subscribe: false, keepAlive: { intervalMs: 40, kind: 'ws-ping' } };
    const { source } = connect(sim.url, fixture);
    await sleep(200);
    // Counted, not timed: a loaded machine may fire the 40 ms keep-alive less often than the wall clock says.
    await waitFor('5 keep-alives answered', () => source.status().pongsReceived >= 5, { timeoutMs: 10_000 });
    const status = source.status();
    expect(status.keepAlivesSent).toBeGreaterThanOrEqual(5);
    expect(status.pongsReceived).toBeGreaterThanOrEqual(5);
    // Only the control message: there is no subscribe to ack.
    expect(status.messages).toBe(1);
    expect(status.staleDetections).toBe(0);
    expect(status.connectAttempts).toBe(1);
  });

  it('counts venue pings and heartbeats as traffic', async () => {
    const sim = await simulator(
      {},
      {
        messagesPerSecond: 0,
        serverPingIntervalMs: 30,
        heartbeat: { intervalMs: 30, frames: () => ['{"event":"heartbeat"}'] },
      },
    );
    // Keep-alive far slower than the stale limit: only the venue's own traffic keeps the connection.
    const { source, frames } = connect(sim.url, { keepAlive: { intervalMs: 10_000, kind: 'ws-ping' } });
    const heartbeats = (): number =>
      frames.filter((frame) => frame.toString() === '{"event":"heartbeat"}').length;
    await sleep(200);
    await waitFor(
      '5 venue pings and heartbeats',
      () => source.status().pingsReceived >= 5 && heartbeats() >= 5,
      {
        timeoutMs: 5_000,
      },
    );
    const status = source.status();
    expect(status.pingsReceived).toBeGreaterThanOrEqual(5);
    expect(
      frames.filter((frame) => frame.toString() === '{"event":"heartbeat"}').length,
    ).toBeGreaterThanOrEqual(5);
    expect(status.staleDetections).toBe(0);
    expect(status.connectAttempts).toBe(1);
  });

  it('detects a stalled server that answers nothing, reconnects and resubscribes', async () => {
    const sim = await simulator({}, { messagesPerSecond: 200 });
    const { source, frames, events } = connect(sim.url, { staleAfterMs: 200 });
    await waitFor('trades', () => frames.length > 10);
    expect(sim.stallConnections()).toBe(1);
    await waitFor('reconnected', () => ofType(events, 'reconnected').length === 1);
    const stale = ofType(events, 'stale');
    expect(stale.length).toBe(1);
    expect(stale[0]?.silentMs).toBeGreaterThanOrEqual(200);
    expect(stale[0]?.connection).toBe(1);
    expect(ofType(events, 'disconnected')[0]?.code).toBe(1006);
    const subscribedOn = () =>
      sim.received.filter((frame) => frame.text === fixtureSubscribe(SYMBOLS)).map((f) => f.connection);
    await waitFor('resubscribe', () => subscribedOn().length === 2);
    expect(subscribedOn()).toEqual([1, 2]);
    const before = frames.length;
    await waitFor('trades on the new connection', () => frames.length > before + 10);
    const status = source.status();
    expect(status.staleDetections).toBe(1);
    expect(status.reconnects).toBe(1);
    expect(status.connections).toBe(2);
  });

  it('detects a server that accepts TCP but never upgrades, via the connect timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => sockets.add(socket));
    running.push({
      stop: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const { source, events } = connect(
      `ws://127.0.0.1:${address.port}/`,
      {},
      { connectTimeoutMs: 100, backoff: { initialDelayMs: 10, maxDelayMs: 10 } },
    );
    await waitFor('two failed attempts', () => source.status().connectAttempts >= 2);
    const errors = ofType(events, 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]?.error instanceof SourceConnectionError).toBe(true);
    expect(source.status().connections).toBe(0);
  });

  it('reconnects after a dropped connection with exponential backoff and full jitter', async () => {
    const sim = await simulator({}, { messagesPerSecond: 200 });
    const { source, frames, events } = connect(
      sim.url,
      {},
      { random: () => 0.5, backoff: { initialDelayMs: 40, maxDelayMs: 100, multiplier: 2 } },
    );
    await waitFor('trades', () => frames.length > 10);
    sim.refuseConnections(3);
    const droppedAt = performance.now();
    expect(sim.dropConnections()).toBe(1);
    await waitFor('reconnected', () => ofType(events, 'reconnected').length === 1);
    const elapsed = performance.now() - droppedAt;

    expect(ofType(events, 'disconnected').map((e) => e.code)).toEqual([1006]);
    // A healthy connection restarts the curve: 0.5 x 40, then 80, then min(100, 160), min(100, 320).
    expect(ofType(events, 'reconnecting')).toEqual([
      { type: 'reconnecting', attempt: 1, delayMs: 20 },
      { type: 'reconnecting', attempt: 2, delayMs: 40 },
      { type: 'reconnecting', attempt: 3, delayMs: 50 },
      { type: 'reconnecting', attempt: 4, delayMs: 50 },
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(20 + 40 + 50 + 50 - 5);
    const refused = ofType(events, 'error');
    expect(refused.length).toBe(3);
    expect(
      refused.every((e) => e.error instanceof SourceConnectionError && /503/.test(e.error.message)),
    ).toBe(true);
    const reconnected = ofType(events, 'reconnected')[0];
    expect(reconnected?.connection).toBe(2);
    expect(reconnected?.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(sim.stats().connectionsRefused).toBe(3);
    const subscribes = () => sim.received.filter((frame) => frame.text === fixtureSubscribe(SYMBOLS));
    await waitFor('resubscribe', () => subscribes().length === 2);
    expect(subscribes().map((f) => f.connection)).toEqual([1, 2]);

    const status = source.status();
    expect(status).toMatchObject({
      connectAttempts: 5,
      connections: 2,
      reconnectAttempts: 4,
      reconnects: 1,
      errors: 3,
      lastCloseCode: 1006,
    });
    // The market held still while no client listened: ids stay contiguous across the reconnect.
    const before = frames.length;
    await waitFor('trades on the new connection', () => frames.length > before + 10);
    const trades = frames.flatMap((frame) => parseFixtureTrades(frame));
    expect(gapsPerSymbol(trades, sim.firstTradeIds())).toEqual(new Map(SYMBOLS.map((s) => [s, 0])));
  });

  it('reconnects after a clean close with the venue code and reports it', async () => {
    const sim = await simulator({}, { messagesPerSecond: 100 });
    const { events } = connect(sim.url, {}, { backoff: { initialDelayMs: 10, maxDelayMs: 10 } });
    await waitFor('connected', () => ofType(events, 'connected').length === 1);
    sim.closeConnections(4000, 'maintenance');
    await waitFor('reconnected', () => ofType(events, 'reconnected').length === 1);
    expect(ofType(events, 'disconnected')).toEqual([
      { type: 'disconnected', code: 4000, reason: 'maintenance', connection: 1, requested: false },
    ]);
  });

  it('delivers and counts garbage text and binary frames without harm', async () => {
    const sim = await simulator({}, { messagesPerSecond: 0 });
    const { source, frames } = connect(sim.url);
    await waitFor('subscribed', () => frames.length === 2);
    sim.sendGarbage('text', 3);
    sim.sendGarbage('binary', 2);
    sim.setRate(500);
    await waitFor('trades after garbage', () => frames.length > 20);
    sim.setRate(0);
    await waitFor('all sent frames', () => frames.length === sentTo(sim, 1).length);
    const sent = sentTo(sim, 1);
    expect(frames).toEqual(sent);
    // One garbage text frame is invalid UTF-8: it must arrive as sent, not close the connection with 1007.
    expect(frames.some((frame) => !Buffer.from(frame.toString('utf8')).equals(frame))).toBe(true);
    const status = source.status();
    expect(status.binaryMessages).toBe(2);
    expect(status.textMessages).toBe(frames.length - 2);
    expect(status.errors).toBe(0);
    expect(status.connections).toBe(1);
  });

  it('survives a throwing handler: counts it, reports it and keeps delivering', async () => {
    const sim = await simulator({}, { messagesPerSecond: 200 });
    const { source, events } = connect(sim.url);
    let calls = 0;
    source.onMessage(() => {
      calls++;
      if (calls === 3) throw new Error('handler bug');
    });
    await waitFor('more messages', () => calls > 10);
    const errors = ofType(events, 'error');
    expect(errors.length).toBe(1);
    expect(errors[0]?.error instanceof MessageHandlerError).toBe(true);
    expect(errors[0]?.error.cause).toEqual(new Error('handler bug'));
    expect(source.status()).toMatchObject({ handlerErrors: 1, errors: 1, connections: 1 });
  });

  it('stop() closes cleanly, stops reconnecting and leaves no handle open', async () => {
    // A closed server's handle is released one loop turn after its close callback: let the last test's go.
    await sleep(20);
    const handlesBefore = openHandles();
    const sim = new SimulatorServer({
      ...fixtureServer(),
      symbols: SYMBOLS,
      messagesPerSecond: 500,
    });
    await sim.start();
    const source = new WebSocketSource({ protocol: fixtureProtocol(), symbols: SYMBOLS, url: sim.url });
    const events: SourceEvent[] = [];
    source.onEvent((event) => events.push(event));
    source.start();
    await waitFor('trades', () => source.status().messages > 10);
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(source.status().state).toBe('stopped');
    expect(ofType(events, 'disconnected')).toEqual([
      { type: 'disconnected', code: 1000, reason: '', connection: 1, requested: true },
    ]);
    await sim.stop();
    await sleep(50);
    expect(ofType(events, 'reconnecting')).toEqual([]);
    // Other tests' handles may close meanwhile: assert that nothing was added, kind by kind.
    const handlesAfter = openHandles();
    for (const [kind, count] of Object.entries(handlesAfter)) {
      expect(count, kind).toBeLessThanOrEqual(handlesBefore[kind] ?? 0);
    }
  });

  it('stop() during backoff cancels the pending reconnect', async () => {
    const sim = await simulator({}, { messagesPerSecond: 0 });
    const { source, events } = connect(
      sim.url,
      {},
      { backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 } },
    );
    await waitFor('connected', () => source.status().connections === 1);
    sim.dropConnections();
    await waitFor('backoff', () => source.status().state === 'backoff');
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(ofType(events, 'reconnecting').length).toBe(1);
    expect(source.status().connectAttempts).toBe(1);
  });

  it('stop() while connecting to a silent port ends at once', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const source = new WebSocketSource({
      protocol: fixtureProtocol(),
      symbols: SYMBOLS,
      url: `ws://127.0.0.1:${address.port}/`,
    });
    source.start();
    await waitFor('tcp accepted', () => sockets.size === 1);
    expect(source.status().state).toBe('connecting');
    await source.stop();
    expect(source.status()).toMatchObject({ state: 'stopped', errors: 0, connections: 0 });
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rejects misuse with typed errors', async () => {
    expect(
      () => new WebSocketSource({ protocol: fixtureProtocol(), symbols: SYMBOLS, url: 'http://x/' }),
    ).toThrow(InvalidArgumentError);
    expect(
      () => new WebSocketSource({ protocol: fixtureProtocol(), symbols: SYMBOLS, url: 'not a url' }),
    ).toThrow(InvalidArgumentError);
    expect(
      () =>
        new WebSocketSource({
          protocol: fixtureProtocol(),
          symbols: SYMBOLS,
          backoff: { initialDelayMs: 100, maxDelayMs: 10 },
        }),
    ).toThrow(InvalidArgumentError);
    const source = new WebSocketSource({ protocol: fixtureProtocol(), symbols: SYMBOLS });
    expect(source.status().url).toBe('wss://fixture.invalid/ws?streams=AAA-USD,BBB-USD');
    await source.stop();
    let error: unknown;
    try {
      source.start();
    } catch (err) {
      error = err;
    }
    expect(error instanceof SourceStateError).toBe(true);
  });
});
