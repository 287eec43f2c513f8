import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SourceStateError } from '../../src/errors.js';
import { LineReplaySource } from '../../src/sources/line-replay-source.js';
import { SimulatorServer } from '../../src/sources/simulator.js';
import { WebSocketSource } from '../../src/sources/websocket-source.js';
import {
  fixtureProtocol,
  fixtureServer,
  fixtureSubscribe,
  gapsPerSymbol,
  parseFixtureTrades,
} from './fixture-protocol.js';

const SYMBOLS = ['AAA-USD', 'BBB-USD', 'CCC-USD'];
const running: { stop(): Promise<void> }[] = [];
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'marketpipe-simulator-'));
});

afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.stop();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(sim: SimulatorServer): Promise<SimulatorServer> {
  running.push(sim);
  await sim.start();
  return sim;
}

function listen(url: string): { frames: Buffer[]; source: WebSocketSource } {
  const source = new WebSocketSource({ protocol: fixtureProtocol(), symbols: SYMBOLS, url });
  running.push(source);
  const frames: Buffer[] = [];
  source.onMessage((bytes) => frames.push(Buffer.from(bytes)));
  source.start();
  return { frames, source };
}

describe('SimulatorServer', () => {
  it('listens on 127.0.0.1 only, on a free port', async () => {
    const sim = new SimulatorServer({ ...fixtureServer(), symbols: SYMBOLS });
    expect(() => sim.url).toThrow(SourceStateError);
    running.push(sim);
    const url = await sim.start();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(sim.url).toBe(url);
    await expect(sim.start()).rejects.toThrow(SourceStateError);
  });

  it('roughly honours the message rate, in batches, with many trades per message', async () => {
    const rate = 1000;
    const sim = await start(
      new SimulatorServer({ ...fixtureServer(), symbols: SYMBOLS, messagesPerSecond: rate }),
    );
    const { frames } = listen(sim.url);
    await waitFor('subscribed', () => sim.stats().tradeMessages > 0);
    const from = sim.stats().tradeMessages;
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = sim.stats().tradeMessages - from;
    const elapsedMs = performance.now() - startedAt;
    const expected = (rate * elapsedMs) / 1000;
    // Generous: a shared 2-core machine may starve the timer, but the simulator never overshoots much.
    expect(sent).toBeGreaterThan(expected * 0.3);
    expect(sent).toBeLessThan(expected * 1.2 + 20);
    const trades = frames.flatMap((frame) => parseFixtureTrades(frame));
    const perMessage = frames.map((frame) => parseFixtureTrades(frame).length).filter((n) => n > 0);
    expect(Math.max(...perMessage)).toBe(4);
    expect(Math.min(...perMessage)).toBe(1);
    expect(new Set(trades.map((t) => t.s))).toEqual(new Set(SYMBOLS));
    const now = Date.now();
    for (const trade of trades) {
      expect(trade.T).toBeGreaterThan(now - 60_000);
      expect(trade.T).toBeLessThanOrEqual(now + 1000);
      expect(trade.u).toBeGreaterThanOrEqual(0);
      expect(trade.u).toBeLessThan(1000);
    }
  });

  it('accounts for skipped trade ids exactly, random and on command', async () => {
    const sim = await start(
      new SimulatorServer({
        ...fixtureServer(),
        symbols: SYMBOLS,
        messagesPerSecond: 2000,
        skipProbability: 0.05,
        seed: 99,
      }),
    );
    const { frames } = listen(sim.url);
    await waitFor('some trades', () => sim.stats().tradeMessages > 200);
    sim.skipTradeIds('BBB-USD', 7);
    const skippedAt = sim.stats().tradeMessages;
    await waitFor('more trades', () => sim.stats().tradeMessages > skippedAt + 300);
    sim.setRate(0);
    await waitFor('everything received', () => frames.length === sim.sent.length);
    const trades = frames.flatMap((frame) => parseFixtureTrades(frame));
    const skipped = sim.skippedTradeIds();
    expect(skipped.get('BBB-USD')).toBeGreaterThanOrEqual(7);
    expect([...skipped.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(7);
    expect(gapsPerSymbol(trades, sim.firstTradeIds())).toEqual(skipped);
    expect(() => sim.skipTradeIds('ZZZ-USD', 1)).toThrow(InvalidArgumentError);
    expect(() => sim.skipTradeIds('AAA-USD', 0)).toThrow(InvalidArgumentError);
  });

  it('sends frames to each subscribed client only after its subscribe', async () => {
    const sim = await start(
      new SimulatorServer({ ...fixtureServer(), symbols: SYMBOLS, messagesPerSecond: 500 }),
    );
    const ws = new WebSocket(sim.url);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    await new Promise((resolve) => ws.once('open', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Not subscribed yet: the venue says nothing (no trades, no control messages).
    expect(frames).toEqual([]);
    ws.send('ping');
    await waitFor('pong', () => frames.length === 1);
    expect(frames).toEqual(['pong']);
    ws.send(fixtureSubscribe(SYMBOLS));
    await waitFor('trades', () => frames.length > 5);
    expect(frames.slice(1, 3)).toEqual([
      '{"event":"subscribe","ok":true}',
      '{"event":"status","status":"open"}',
    ]);
    ws.terminate();
  });

  it('sustains a high rate efficiently (batched sends per tick)', async () => {
    const sim = await start(
      new SimulatorServer({
        ...fixtureServer({ maxTradesPerMessage: 16 }),
        symbols: SYMBOLS,
        messagesPerSecond: 20_000,
        log: { maxEntries: 0 },
      }),
    );
    const { source } = listen(sim.url);
    await waitFor('subscribed', () => sim.stats().tradeMessages > 0);
    const cpuBefore = process.cpuUsage();
    const from = sim.stats().tradeMessages;
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = sim.stats().tradeMessages - from;
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    sim.setRate(0);
    await waitFor('drained', () => source.status().messages >= sim.stats().framesSent);
    // Simulator and client share this process; print what this machine did, assert only a floor.
    console.info(
      `simulator: ${Math.round((sent * 1000) / elapsedMs)} msg/s (${sim.stats().trades} trades), ` +
        `process CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms over ${Math.round(elapsedMs)} ms`,
    );
    expect(sent).toBeGreaterThan(2000);
    expect(sim.stats().logTruncated).toBe(false);
    expect(sim.sent).toEqual([]);
  });

  it('caps the in-memory log and flags the truncation', async () => {
    const sim = await start(
      new SimulatorServer({
        ...fixtureServer(),
        symbols: SYMBOLS,
        messagesPerSecond: 2000,
        log: { maxEntries: 50 },
      }),
    );
    listen(sim.url);
    await waitFor('past the log limit', () => sim.stats().framesSent > 60);
    expect(sim.sent.length).toBe(50);
    expect(sim.stats().logTruncated).toBe(true);
  });

  it('writes a file log that replays byte-exact through LineReplaySource', async () => {
    const file = join(dir, 'sent.log');
    const sim = new SimulatorServer({
      ...fixtureServer(),
      symbols: SYMBOLS,
      messagesPerSecond: 2000,
      log: { file },
    });
    running.push(sim);
    await sim.start();
    const { frames, source } = listen(sim.url);
    await waitFor('trades', () => sim.stats().tradeMessages > 300);
    sim.sendGarbage('text', 3);
    sim.sendGarbage('binary', 2);
    sim.setRate(0);
    await waitFor('everything received', () => frames.length === sim.sent.length);
    await source.stop();
    await sim.stop();
    const text = await readFile(file);
    expect(text.length).toBe(frames.reduce((sum, frame) => sum + frame.length + 1, 0));

    const replayed: Buffer[] = [];
    const replay = new LineReplaySource({ path: file, chunkBytes: 4096 });
    replay.onMessage((bytes) => replayed.push(Buffer.from(bytes)));
    replay.start();
    expect(await replay.done).toEqual({ reason: 'end' });
    expect(replay.status().format).toBe('raw');
    expect(replayed).toEqual(frames);
  });

  it('rejects out-of-range options', () => {
    const protocol = fixtureProtocol();
    expect(() => new SimulatorServer({ protocol, symbols: [] })).toThrow(InvalidArgumentError);
    expect(() => new SimulatorServer({ protocol, symbols: ['A', 'A'] })).toThrow(InvalidArgumentError);
    expect(() => new SimulatorServer({ protocol, symbols: SYMBOLS, messagesPerSecond: -1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new SimulatorServer({ protocol, symbols: SYMBOLS, skipProbability: 2 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new SimulatorServer({ protocol, symbols: SYMBOLS, tickMs: 0 })).toThrow(
      InvalidArgumentError,
    );
  });
});
