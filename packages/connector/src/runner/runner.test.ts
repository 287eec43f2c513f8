import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport, Interner } from '@marketpipe/middleware';
import { LatencyRecorder, ManualClock } from '@marketpipe/middleware/latency';
import { afterEach, describe, expect, it } from 'vitest';
import { createFormatOneRing } from '../../test/ring/format-one-ring.js';
import { TradeSide } from '../codec/trade-data.js';
import { TradeEncoder } from '../codec/trade-encoder.js';
import { TradeView } from '../codec/trade-view.js';
import { RecordTooLargeError, RingFormatError, TradeTextTooLongError } from '../errors.js';
import { GapDetector } from '../feeds/gap-detector.js';
import { createParser } from '../feeds/venues.js';
import { Publisher } from '../publisher/publisher.js';
import { RingBuffer } from '../ring/ring-buffer.js';
import { type FlusherWake, Runner } from './runner.js';

const utf8 = new TextEncoder();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function binanceTrade(id: number, symbol = 'BTCUSDT', maker = true): Uint8Array {
  return utf8.encode(
    `{"e":"trade","E":1672515782136,"s":"${symbol}","t":${id},"p":"0.001","q":"100","T":1672515782136,"m":${maker},"M":true}`,
  );
}

function setup(
  slotCount = 1024,
  overflow = {},
  flusher?: FlusherWake,
  onBacklog?: () => void,
  batchCommits = false,
) {
  const dir = mkdtempSync(join(tmpdir(), 'marketpipe-runner-'));
  dirs.push(dir);
  const ring = RingBuffer.open(join(dir, 'test.ring'), { slotSize: 256, slotCount });
  const transport = new InMemoryTransport();
  const interner = new Interner();
  const clock = new ManualClock({ wallNanos: 1_700_000_000_000_000_000n });
  const publisher = new Publisher({ transport, interner, env: 'test', venue: 'binance' });
  const gaps = new GapDetector();
  const latency = new LatencyRecorder();
  const issues: string[] = [];
  const issueErrors: unknown[] = [];
  const runner = new Runner({
    parser: createParser('binance'),
    publisher,
    interner,
    ring,
    gaps,
    latency,
    clock,
    overflow,
    ...(flusher ? { flusher } : {}),
    ...(onBacklog ? { onBacklog } : {}),
    batchCommits,
    onIssue: (i) => {
      issues.push(i.cause);
      issueErrors.push(i.error);
    },
  });
  const trades: ReturnType<TradeView['toTradeData']>[] = [];
  const subjects: string[] = [];
  const deliveryStamps: number[] = [];
  const view = new TradeView();
  transport.subscribe('test.binance.trade.>', (payload, subject, delivery) => {
    trades.push(view.wrap(payload).toTradeData());
    subjects.push(subject);
    deliveryStamps.push(delivery.timestampNanos);
  });
  // Reads back what the flusher would find; with batchCommits, after the commit the end of the task would make
  // (`commit: false`: only what the runner committed on its own, as a worker polling mid-burst finds).
  const ringRecords = ({ commit = true } = {}) => {
    if (commit) runner.commitRecords();
    const out: string[] = [];
    const n = ring.readBatch(1 << 20, (bytes, start, end) =>
      out.push(Buffer.from(bytes.subarray(start, end)).toString()),
    );
    ring.release(n);
    return out;
  };
  return {
    runner,
    ring,
    trades,
    subjects,
    deliveryStamps,
    gaps,
    latency,
    issues,
    issueErrors,
    ringRecords,
    clock,
    transport,
  };
}

describe('Runner', () => {
  it('records every raw message and publishes each trade, taker side and wall receive time included', () => {
    const { runner, trades, subjects, deliveryStamps, ringRecords, latency, clock } = setup();
    clock.advance(1_234_567);
    const receivedAt = clock.nowNanos();
    const messages = [
      binanceTrade(1),
      utf8.encode('{"result":null,"id":1}'),
      binanceTrade(2, 'ETHUSDT', false),
    ];
    for (const m of messages) runner.onMessage(m);
    expect(ringRecords()).toEqual(messages.map((m) => Buffer.from(m).toString()));
    expect(subjects).toEqual(['test.binance.trade.BTCUSDT', 'test.binance.trade.ETHUSDT']);
    expect(trades[0]).toEqual({
      timestampNanos: 1_672_515_782_136_000_000n,
      receivedNanos: 1_700_000_000_001_234_567n,
      ticker: 'BTCUSDT',
      price: 0.001,
      size: 100,
      side: TradeSide.sell,
      tradeId: '1',
    });
    expect(trades[1]?.side).toBe(TradeSide.buy);
    // The transport stamps deliveries with the runner's receive time rather than a clock read of its own.
    expect(deliveryStamps).toEqual([receivedAt, receivedAt]);
    expect(runner.counters()).toMatchObject({
      received: 3,
      trades: 2,
      nonTrade: 1,
      parseErrors: 0,
      recorded: 3,
    });
    expect(latency.count).toBe(3);
  });

  it("prefaults the ring's pages ahead after each message, so the ring has nothing left to touch", () => {
    const { runner, ring } = setup();
    runner.onMessage(binanceTrade(1));
    // Done by the runner already: 64 KiB of 256-byte slots after the tail, topped up a page at a time.
    expect(ring.prefaultAhead()).toBe(0);
    for (let id = 2; id <= 16; id++) runner.onMessage(binanceTrade(id));
    expect(ring.prefaultAhead()).toBe(0);
  });

  it('does not wake the flusher at a steady pace, inside a turn or after it (its own poll finds the records)', async () => {
    const events: string[] = [];
    const { runner, ringRecords, transport } = setup(1024, {}, { notify: () => events.push('wake') });
    transport.subscribe('test.binance.trade.>', () => events.push('publish'));
    for (let id = 1; id <= 5; id++) runner.onMessage(binanceTrade(id));
    await new Promise((resolve) => setImmediate(resolve));
    runner.onMessage(binanceTrade(6));
    await new Promise((resolve) => setImmediate(resolve));
    // A wake is a futex syscall (plus a contended lock in V8) and sets the flusher writing beside each message's
    // trip to the broker: none unless a burst fills a quarter of the ring (256 records here).
    expect(events).toEqual(['publish', 'publish', 'publish', 'publish', 'publish', 'publish']);
    expect(ringRecords()).toHaveLength(6);
  });

  it('wakes the flusher inside a long burst once the ring is a quarter full, before it can fill while it naps', () => {
    let wakes = 0;
    // 1024 slots: the fill is checked every 64 records; 256 records fill a quarter.
    const { runner, ringRecords } = setup(1024, {}, { notify: () => wakes++ });
    for (let id = 1; id <= 255; id++) runner.onMessage(binanceTrade(id));
    expect(wakes).toBe(0);
    runner.onMessage(binanceTrade(256));
    expect(wakes).toBe(1);
    // Still over a quarter: every 64 records more wakes it again (the flag the worker sets limits real wakes).
    for (let id = 257; id <= 320; id++) runner.onMessage(binanceTrade(id));
    expect(wakes).toBe(2);
    expect(ringRecords()).toHaveLength(320);
  });

  it('does not wake a flusher that keeps up, however long the burst', () => {
    let wakes = 0;
    const { runner, ringRecords } = setup(1024, {}, { notify: () => wakes++ });
    let recorded = 0;
    for (let id = 1; id <= 5_000; id++) {
      runner.onMessage(binanceTrade(id));
      // The worker's own poll, draining what is there every 200 records.
      if (id % 200 === 0) recorded += ringRecords({ commit: false }).length;
    }
    recorded += ringRecords().length;
    expect(wakes).toBe(0);
    expect(recorded).toBe(5_000);
  });

  it('wakes an idle flusher once, from a timer, for the first record after a quiet spell', async () => {
    let wakes = 0;
    const flusher = { idle: true, notify: () => wakes++ };
    const { runner, ringRecords } = setup(1024, {}, flusher);
    const later = () => new Promise((resolve) => setTimeout(resolve, 20));
    for (let id = 1; id <= 3; id++) runner.onMessage(binanceTrade(id));
    // Not inside the hot path: one wake for the three, after them.
    expect(wakes).toBe(0);
    await later();
    expect(wakes).toBe(1);
    // Awake (a notify clears the worker's flag): the runner only reads the flag.
    flusher.idle = false;
    for (let id = 4; id <= 6; id++) runner.onMessage(binanceTrade(id));
    await later();
    expect(wakes).toBe(1);
    flusher.idle = true;
    runner.onMessage(binanceTrade(7));
    await later();
    expect(wakes).toBe(2);
    expect(ringRecords()).toHaveLength(7);
  });

  it('wakes the flusher at once when the ring is full, and keeps every message', () => {
    let wakes = 0;
    const { runner, ringRecords } = setup(8, {}, { notify: () => wakes++ });
    for (let id = 1; id <= 6; id++) runner.onMessage(binanceTrade(id));
    expect(wakes).toBeGreaterThan(0);
    const seen = ringRecords();
    runner.drainOverflow();
    seen.push(...ringRecords());
    runner.drainOverflow();
    seen.push(...ringRecords());
    expect(seen).toHaveLength(6);
    expect(runner.counters().drops.ringOverflow).toBe(0);
  });

  it('counts malformed messages and still records them raw', () => {
    const { runner, trades, ringRecords } = setup();
    runner.onMessage(utf8.encode('{"e":"trade","s":'));
    runner.onMessage(new Uint8Array([0xff, 0xfe, 0x00]));
    expect(trades).toHaveLength(0);
    expect(ringRecords()).toHaveLength(2);
    expect(runner.counters()).toMatchObject({ received: 2, trades: 0, parseErrors: 2, recorded: 2 });
  });

  it('reports trade-id gaps through the gap detector', () => {
    const { runner, gaps } = setup();
    for (const id of [1, 2, 5, 6]) runner.onMessage(binanceTrade(id));
    expect(gaps.totalGaps).toBe(1);
    expect(gaps.totalMissing).toBe(2);
  });

  it('queues messages while the ring is full, keeps their order, and drains them once space frees', () => {
    const { runner, ring, ringRecords } = setup(8);
    const messages = Array.from({ length: 20 }, (_, i) => binanceTrade(i + 1));
    for (const m of messages) runner.onMessage(m);
    const queued = runner.counters().overflowQueued;
    expect(queued).toBeGreaterThan(0);
    const seen: string[] = [];
    while (seen.length < messages.length) {
      seen.push(...ringRecords());
      runner.drainOverflow();
    }
    expect(seen).toEqual(messages.map((m) => Buffer.from(m).toString()));
    expect(runner.counters()).toMatchObject({ recorded: 20, overflowQueued: 0, trades: 20 });
    expect(runner.counters().drops.ringOverflow).toBe(0);
    expect(ring.fill()).toBe(0);
  });

  it('calls onBacklog once when the overflow queue starts holding messages, and again only after it emptied', () => {
    let backlogs = 0;
    const { runner, ringRecords } = setup(8, {}, undefined, () => backlogs++);
    for (let i = 1; i <= 8; i++) runner.onMessage(binanceTrade(i));
    expect(backlogs).toBe(0);
    for (let i = 9; i <= 20; i++) runner.onMessage(binanceTrade(i));
    expect(runner.counters().overflowQueued).toBe(12);
    expect(backlogs).toBe(1);
    ringRecords();
    // Freed slots: the next message drains the queue into them, and is queued behind what still waits.
    runner.onMessage(binanceTrade(21));
    expect(runner.counters().overflowQueued).toBe(5);
    expect(backlogs).toBe(1);
    while (runner.counters().overflowQueued > 0) {
      ringRecords();
      runner.drainOverflow();
    }
    for (let i = 22; i <= 40; i++) runner.onMessage(binanceTrade(i));
    expect(runner.counters().overflowQueued).toBeGreaterThan(0);
    expect(backlogs).toBe(2);
  });

  it("queues copies, not views of the caller's buffer, and says it is backlogged until the ring takes one", () => {
    const { runner, ringRecords } = setup(8);
    const messages = Array.from({ length: 20 }, (_, i) => Buffer.from(binanceTrade(i + 1)));
    // One buffer reused for every message, as a source's read buffer is.
    const reused = Buffer.alloc(Math.max(...messages.map((m) => m.length)));
    for (const m of messages) {
      const view = reused.subarray(0, m.length);
      m.copy(view);
      runner.onMessage(view);
      reused.fill(0x20);
    }
    expect(runner.counters().overflowQueued).toBeGreaterThan(0);
    expect(runner.backlogged).toBe(true);
    const seen: string[] = [];
    while (seen.length < messages.length) {
      seen.push(...ringRecords());
      runner.drainOverflow();
    }
    expect(seen).toEqual(messages.map((m) => m.toString()));
    expect(runner.backlogged).toBe(true);
    runner.onMessage(binanceTrade(21));
    expect(runner.backlogged).toBe(false);
  });

  it('drops beyond the overflow bound by policy, counts every drop and reports each to onIssue', () => {
    const { runner, ringRecords, issues } = setup(8, {
      maxMessages: 3,
      overflowPolicy: 'drop-newest' as const,
    });
    for (let i = 1; i <= 20; i++) runner.onMessage(binanceTrade(i));
    const counters = runner.counters();
    expect(counters.overflowQueued).toBe(3);
    expect(counters.recorded + counters.overflowQueued + counters.drops.ringOverflow).toBe(20);
    expect(counters.drops.ringOverflow).toBeGreaterThan(0);
    expect(issues).toEqual(Array(counters.drops.ringOverflow).fill('ringOverflow'));
    // Trades are still published even when their raw message could not be recorded.
    expect(counters.trades).toBe(20);
    expect(ringRecords().length).toBe(counters.recorded);
  });

  it('counts a message larger than the ring can hold as oversize, publishing its trades', () => {
    const { runner, ring, issues, issueErrors } = setup(8);
    const big = utf8.encode(
      `{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true,"M":true,"pad":"${'x'.repeat(5000)}"}`,
    );
    runner.onMessage(big);
    expect(runner.counters().drops.oversize).toBe(1);
    expect(issues).toEqual(['oversize']);
    expect(issueErrors[0]).toBeInstanceOf(RecordTooLargeError);
    expect(issueErrors[0]).toMatchObject({ size: big.length, limit: ring.maxRecordSize });
  });
});

describe('Runner commits to the ring', () => {
  /** What a consumer instance of the ring file (the flusher's) sees now, without releasing it. */
  const visible = (consumer: RingBuffer): number => consumer.readBatch(1 << 20, () => undefined);

  it("commits each message's record before its trades are published, by default", () => {
    const { runner, ring, transport } = setup();
    const consumer = RingBuffer.open(ring.path);
    const seenAtPublish: number[] = [];
    transport.subscribe('test.binance.trade.>', () => seenAtPublish.push(visible(consumer)));
    for (let id = 1; id <= 3; id++) runner.onMessage(binanceTrade(id));
    // A process killed after a trade went out still has that trade's raw message in the ring file.
    expect(seenAtPublish).toEqual([1, 2, 3]);
    consumer.close();
  });

  it('with batchCommits, commits at the end of the task, every 64 messages of a burst, and before a wake', async () => {
    // At each wake: records the producer wrote, and records the flusher's instance sees.
    const atWake: [number, number][] = [];
    let consumer: RingBuffer | undefined;
    const { runner, ring } = setup(
      1024,
      {},
      { notify: () => atWake.push([ring.nextWriteSequence, visible(consumer!)]) },
      undefined,
      true,
    );
    consumer = RingBuffer.open(ring.path);
    for (let id = 1; id <= 3; id++) runner.onMessage(binanceTrade(id));
    expect(visible(consumer)).toBe(0);
    expect(ring.stagedRecords).toBe(3);
    await Promise.resolve();
    expect(visible(consumer)).toBe(3);
    // A burst in one task: visible 64 at a time before the task ends.
    for (let id = 4; id <= 3 + 70; id++) runner.onMessage(binanceTrade(id));
    expect(visible(consumer)).toBe(3 + 64);
    await Promise.resolve();
    expect(visible(consumer)).toBe(73);
    // A burst that fills a quarter of the ring (256 slots) wakes the flusher, which must find the records there.
    for (let id = 74; id <= 400; id++) runner.onMessage(binanceTrade(id));
    expect(atWake.length).toBeGreaterThan(0);
    for (const [written, seen] of atWake) expect(seen).toBe(written);
    runner.commitRecords();
    expect(visible(consumer)).toBe(400);
    consumer.close();
  });
});

describe('Runner and receive times in the ring', () => {
  it("stores each message's receive time with its record, queued messages too, the one its trades carry", () => {
    // A 4-slot ring takes 4 messages; the rest wait in the overflow queue while the clock moves on.
    const { runner, ring, trades, clock } = setup(4, { maxMessages: 100 });
    for (let id = 1; id <= 8; id++) {
      clock.advance(1_000_003);
      runner.onMessage(binanceTrade(id));
    }
    expect(runner.counters().overflowQueued).toBe(4);
    const consumer = RingBuffer.open(ring.path);
    const stamps: bigint[] = [];
    const take = () =>
      consumer.release(
        consumer.readBatch(100, (_b, _s, _e, _q, received) => {
          stamps.push(BigInt(received.ms) * 1_000_000n + BigInt(received.subMsNanos));
        }),
      );
    take();
    expect(runner.drainOverflow()).toBe(0);
    take();
    expect(stamps).toEqual(trades.map((t) => t.receivedNanos));
    expect(new Set(stamps).size).toBe(8);
    consumer.close();
  });

  it('refuses a ring of format version 1 when it is built, not at every message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marketpipe-runner-'));
    dirs.push(dir);
    createFormatOneRing(join(dir, 'old.ring'), { slotSize: 256, slotCount: 16 }, []);
    const ring = RingBuffer.open(join(dir, 'old.ring'));
    const interner = new Interner();
    const transport = new InMemoryTransport();
    const publisher = new Publisher({ transport, interner, env: 'test', venue: 'binance' });
    expect(() => new Runner({ parser: createParser('binance'), publisher, interner, ring })).toThrow(
      RingFormatError,
    );
    ring.close();
  });
});

describe('Runner with a full interner', () => {
  it('counts trades of new tickers as internerFull instead of crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marketpipe-runner-'));
    dirs.push(dir);
    const ring = RingBuffer.open(join(dir, 'r.ring'), { slotSize: 256, slotCount: 64 });
    const transport = new InMemoryTransport();
    const interner = new Interner({ maxEntries: 1 });
    const runner = new Runner({
      parser: createParser('binance'),
      publisher: new Publisher({ transport, interner, env: 'test', venue: 'binance' }),
      interner,
      ring,
    });
    runner.onMessage(binanceTrade(1, 'AAA'));
    runner.onMessage(binanceTrade(2, 'BBB'));
    expect(runner.counters()).toMatchObject({ trades: 1, drops: { internerFull: 1 } });
  });
});

describe('Runner with ids from the full parse', () => {
  it('refuses a trade id too long to encode instead of publishing it truncated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'marketpipe-runner-'));
    dirs.push(dir);
    const ring = RingBuffer.open(join(dir, 'r.ring'), { slotSize: 256, slotCount: 64 });
    const transport = new InMemoryTransport();
    const published: string[] = [];
    const view = new TradeView();
    transport.subscribe('>', (payload) => published.push(view.wrap(payload).tradeId));
    const interner = new Interner();
    const trade = {
      bytes: new Uint8Array(0),
      symbolStart: 0,
      symbolEnd: 0,
      symbol: 'BTCUSDT',
      tradeIdStart: 0,
      tradeIdEnd: 0,
      tradeId: 'x',
      tradeIdNumber: -1,
      seqFirst: -1,
      seqLast: -1,
      timestampMs: 1,
      timestampSubMsNanos: 0,
      price: 1,
      size: 1,
      side: TradeSide.buy,
    };
    const parser = {
      parse(_b: Uint8Array, _s: number, _e: number, sink: { onTrade(t: typeof trade): void }) {
        sink.onTrade(trade);
        return 0 as const;
      },
    };
    const errors: unknown[] = [];
    const runner = new Runner({
      parser,
      onIssue: (issue) => errors.push(issue.error),
      // An encoder that would accept a 1024-byte id, so only the runner's own check stands in the way.
      publisher: new Publisher({
        transport,
        interner,
        env: 'test',
        venue: 'binance',
        encoder: new TradeEncoder({ maxTextBytes: 8192 }),
      }),
      interner,
      ring,
    });
    runner.onMessage(utf8.encode('{}'));
    trade.tradeId = '9'.repeat(5000);
    runner.onMessage(utf8.encode('{}'));
    expect(published).toEqual(['x']);
    expect(runner.counters()).toMatchObject({ trades: 1, drops: { publishError: 1 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TradeTextTooLongError);
    expect(errors[0]).toMatchObject({ field: 'tradeId', byteLength: 5000, maxBytes: 1024 });
  });
});
