import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport, type Transport } from '@marketpipe/middleware';
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { afterEach, describe, expect, it } from 'vitest';
import { TradeView } from '../../src/codec/trade-view.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { Pipeline, type PipelineOptions } from '../../src/runner/pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'marketpipe-pipeline-'));
  dirs.push(dir);
  return dir;
}

function collect(transport: InMemoryTransport) {
  const trades: { subject: string; ticker: string; tradeId: string }[] = [];
  const view = new TradeView();
  transport.subscribe('>', (payload, subject) => {
    view.wrap(payload);
    trades.push({ subject, ticker: view.ticker, tradeId: view.tradeId });
  });
  return trades;
}

/** Options of a fast replay of `count` BNBBTC trades into `transport`, its warning messages kept in `warnings`. */
function bnbReplay(
  count: number,
  transport: Transport,
  warnings: (string | undefined)[] = [],
): PipelineOptions {
  const dataDir = tempDir();
  const file = join(dataDir, 'bnb.jsonl');
  let lines = '';
  for (let i = 0; i < count; i++) {
    const ms = 1672515782136 + i;
    lines += `{"e":"trade","E":${ms},"s":"BNBBTC","t":${12345 + i},"p":"0.001","q":"100","T":${ms},"m":${i % 2 === 1},"M":true}\n`;
  }
  writeFileSync(file, lines);
  return {
    venue: 'binance',
    symbols: ['BNBBTC'],
    source: { kind: 'replay', path: file, pace: 'fast' },
    transport,
    env: 'test',
    dataDir,
    logger: { info() {}, warn: (_obj, msg) => warnings.push(msg), error() {} },
  };
}

/** A broker that never answers: `flush()` waits until `close()`, which drops everything published, as unconfirmed. */
class UnansweredTransport extends InMemoryTransport {
  #dropped = 0;
  #rejectFlush: ((error: unknown) => void) | undefined;

  override flush(): Promise<void> {
    return new Promise((_resolve, reject) => {
      this.#rejectFlush = reject;
    });
  }

  override close(): Promise<void> {
    this.#dropped = super.counters().published;
    this.#rejectFlush?.(new Error('closed before the broker answered'));
    return super.close();
  }

  override counters() {
    const counters = super.counters();
    return { ...counters, dropped: { ...counters.dropped, closed: this.#dropped } };
  }
}

describe('Pipeline', () => {
  it('runs the simulator over the real WebSocket path and records exactly what it sent', async () => {
    const dataDir = tempDir();
    const logFile = join(dataDir, 'sim-sent.log');
    const transport = new InMemoryTransport();
    const trades = collect(transport);
    const logs: { level: string; msg: string | undefined }[] = [];
    const logAt =
      (level: string) =>
      (_obj: object, msg?: string): void => {
        logs.push({ level, msg });
      };
    const pipeline = await Pipeline.start({
      venue: 'coinbase',
      symbols: ['BTC-USD', 'ETH-USD'],
      source: { kind: 'sim', rate: 400, seed: 7, logFile },
      transport,
      env: 'test',
      dataDir,
      logger: { info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    });
    // Wait for traffic rather than a fixed time: connecting and subscribing can be slow on a loaded machine.
    const deadline = Date.now() + 20_000;
    while (pipeline.status().trades < 200 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(pipeline.status().state).toBe('running');
    const summary = await pipeline.stop();
    expect(summary.state).toBe('stopped');
    expect(summary.lost).toBe(0);
    expect(summary.trades).toBeGreaterThan(100);
    expect(summary.trades).toBe(trades.length);
    expect(summary.recordsWritten).toBe(summary.received);
    expect(Object.keys(summary.tradesPerSymbol).sort()).toEqual(['BTC-USD', 'ETH-USD']);
    // The close stop() asked for is routine: info, not a warning.
    expect(logs.filter((l) => l.msg === 'source disconnected')).toEqual([
      { level: 'info', msg: 'source disconnected' },
    ]);
    expect(new Set(trades.map((t) => t.subject))).toEqual(
      new Set(['test.coinbase.trade.BTC-USD', 'test.coinbase.trade.ETH-USD']),
    );

    const sent = readFileSync(logFile);
    const recorded = Buffer.concat(
      [...readVenueRecords(dataDir, 'coinbase')].flatMap((r) => [Buffer.from(r.payload), Buffer.from('\n')]),
    );
    expect(recorded.equals(sent)).toBe(true);
    await transport.close();
  });

  it('replays a line file of mixed messages, publishes exactly its trades and ends by itself', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'mixed.jsonl');
    const lines = [
      '{"result":null,"id":1}',
      '{"stream":"ethusdt@trade","data":{"e":"trade","E":1639351062244,"s":"ETHUSDT","t":705291099,"p":"4149.74000000","q":"0.43870000","T":1639351062243,"m":true,"M":true}}',
      '{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}',
      '{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":false,"M":true}',
      'not json at all',
      '{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const transport = new InMemoryTransport();
    const trades = collect(transport);
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['ETHUSDT'],
      // The file holds other tickers too; all of its trades are wanted here.
      allowUnlistedSymbols: true,
      source: { kind: 'replay', path: file, pace: 'fast' },
      transport,
      env: 'test',
      dataDir,
    });
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(trades).toEqual([
      { subject: 'test.binance.trade.ETHUSDT', ticker: 'ETHUSDT', tradeId: '705291099' },
      { subject: 'test.binance.trade.BNBBTC', ticker: 'BNBBTC', tradeId: '12345' },
    ]);
    expect(summary).toMatchObject({
      received: 6,
      trades: 2,
      nonTrade: 3,
      parseErrors: 1,
      recordsWritten: 6,
      lost: 0,
    });

    // Replaying marketpipe's own recording gives the same trades again.
    const again = new InMemoryTransport();
    const replayed = collect(again);
    const second = await Pipeline.start({
      venue: 'binance',
      symbols: ['ETHUSDT'],
      allowUnlistedSymbols: true,
      source: { kind: 'replay', path: join(dataDir, 'binance'), pace: 'fast' },
      transport: again,
      env: 'test',
      dataDir: tempDir(),
    });
    await second.done;
    const secondSummary = await second.stop();
    expect(replayed).toEqual(trades);
    expect(secondSummary.received).toBe(6);
  });

  it('stamps each record on disk with the receive time its trades were published with, not the write time', async () => {
    const transport = new InMemoryTransport();
    const received: bigint[] = [];
    const view = new TradeView();
    transport.subscribe('>', (payload) => {
      view.wrap(payload);
      received.push(view.receivedNanos);
    });
    const options = bnbReplay(500, transport);
    const pipeline = await Pipeline.start(options);
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(summary.trades).toBe(500);
    const stamps = [...readVenueRecords(options.dataDir, 'binance')].map((r) => r.wallNanos);
    expect(stamps).toHaveLength(500);
    // One trade per message: record i holds the message of trade i. The flusher writes records in batches after
    // the hot path published them, so a stamp taken at the write would differ from every published time.
    expect(stamps).toEqual(received);
    expect(new Set(stamps).size).toBeGreaterThan(1);
    await transport.close();
  });

  it('logs its final loss count at stop once the transport confirmed everything', async () => {
    const infos: [unknown, string | undefined][] = [];
    const options = bnbReplay(2, new InMemoryTransport());
    const logger = { ...options.logger!, info: (obj: unknown, msg?: string) => infos.push([obj, msg]) };
    const pipeline = await Pipeline.start({ ...options, logger });
    await pipeline.done;
    await pipeline.stop();
    expect(infos.at(-1)).toEqual([{ received: 2, trades: 2, lost: 0 }, 'pipeline stopped']);
  });

  it('reports gaps per symbol as the detector counts them, a late trade taken off the missing', async () => {
    const options = bnbReplay(0, new InMemoryTransport());
    const file = (options.source as { path: string }).path;
    const line = (id: number) =>
      `{"e":"trade","E":1,"s":"BNBBTC","t":${id},"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}\n`;
    writeFileSync(file, [1, 2, 5, 3].map(line).join(''));
    const pipeline = await Pipeline.start(options);
    await pipeline.done;
    const { gaps } = await pipeline.stop();
    expect(gaps).toEqual({
      events: 1,
      missing: 1,
      late: 1,
      duplicates: 0,
      bySymbol: { BNBBTC: { events: 1, missing: 1 } },
    });
  });

  it('says at its stop that pace recorded had no effect on a file without receive timestamps', async () => {
    const warnings: (string | undefined)[] = [];
    const options = bnbReplay(3, new InMemoryTransport(), warnings);
    const recorded = {
      ...options,
      source: { ...(options.source as { path: string }), kind: 'replay', pace: 'recorded' },
    };
    const pipeline = await Pipeline.start(recorded as PipelineOptions);
    await pipeline.done;
    expect((await pipeline.stop()).trades).toBe(3);
    expect(warnings).toEqual([
      'pace recorded had no effect: the file has no receive timestamps, so it was replayed at fast pace',
    ]);
    // At fast pace, as asked, nothing is said.
    const fast: (string | undefined)[] = [];
    const quiet = await Pipeline.start(bnbReplay(3, new InMemoryTransport(), fast));
    await quiet.done;
    await quiet.stop();
    expect(fast).toEqual([]);
  });

  it('stops after stopFlushTimeoutMs when the broker never answers; summary() after the close counts what it held', async () => {
    const transport = new UnansweredTransport();
    const warnings: (string | undefined)[] = [];
    const infos: [unknown, string | undefined][] = [];
    const options = bnbReplay(2, transport, warnings);
    const logger = { ...options.logger!, info: (obj: unknown, msg?: string) => infos.push([obj, msg]) };
    const pipeline = await Pipeline.start({ ...options, logger, stopFlushTimeoutMs: 200 });
    await pipeline.done;
    const stopping = performance.now();
    const summary = await pipeline.stop();
    // Without the bound, stop() waits for the flush: here, forever.
    expect(performance.now() - stopping).toBeLessThan(10_000);
    expect(warnings.some((msg) => msg?.includes('did not confirm what was published'))).toBe(true);
    expect(summary).toMatchObject({ trades: 2, recordsWritten: 2, lost: 0 });
    // Its own last line does not call that 0 a final count.
    expect(infos.at(-1)).toEqual([
      { received: 2, trades: 2, lostSoFar: 0 },
      'pipeline stopped; the transport still holds unconfirmed trades, counted as lost when it is closed',
    ]);
    await transport.close();
    expect(pipeline.summary()).toMatchObject({ trades: 2, lost: 2, drops: { transportClosed: 2 } });
  });

  it('refuses a stopFlushTimeoutMs, warningIntervalMs or fsync policy out of range, before touching the data dir', async () => {
    const base = bnbReplay(0, new InMemoryTransport());
    for (const warningIntervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expect(Pipeline.start({ ...base, warningIntervalMs }), String(warningIntervalMs)).rejects.toThrow(
        /warningIntervalMs must be a finite number >= 1 and <= 2147483647/,
      );
    }
    expect(existsSync(join(base.dataDir, 'ring')), 'the data dir was touched').toBe(false);
    await expect(Pipeline.start({ ...base, stopFlushTimeoutMs: Number.NaN })).rejects.toThrow(
      /stopFlushTimeoutMs/,
    );
    await expect(Pipeline.start({ ...base, stopFlushTimeoutMs: -1 })).rejects.toThrow(/stopFlushTimeoutMs/);
    await expect(
      Pipeline.start({ ...base, fsync: { intervalMs: 1000, maxUnsyncedBytes: 0 } }),
    ).rejects.toThrow(/fsync.maxUnsyncedBytes/);
    await expect(Pipeline.start({ ...base, fsync: { intervalMs: Number.NaN } })).rejects.toThrow(
      /fsync.intervalMs/,
    );
    // Two listed symbols on one subject: the second would publish nothing all run.
    await expect(Pipeline.start({ ...base, symbols: ['BTC.USDT', 'BTC_USDT'] })).rejects.toThrow(
      'symbols BTC.USDT and BTC_USDT map to one subject token (BTC_USDT)',
    );
    await expect(Pipeline.start({ ...base, symbols: ['BNBBTC', 'BNBBTC'] })).rejects.toThrow(
      'symbols lists BNBBTC twice',
    );
    // A replay of the run's own record folder, or of a file in it, would append a copy of what it reads.
    for (const path of [join(base.dataDir, base.venue), join(base.dataDir, base.venue, '2026-12-07.mprec')]) {
      await expect(
        Pipeline.start({ ...base, source: { kind: 'replay', path, pace: 'fast' } }),
        path,
      ).rejects.toThrow(
        expect.objectContaining({ argument: 'source', message: expect.stringMatching(/own record folder/) }),
      );
    }
    expect(existsSync(join(base.dataDir, 'ring')), 'the data dir was touched').toBe(false);
  });

  it("replays a user's line file kept in the venue's record folder: only the recorder's own files are refused", async () => {
    const options = bnbReplay(3, new InMemoryTransport());
    const kept = join(options.dataDir, 'binance', 'mine.jsonl');
    mkdirSync(join(options.dataDir, 'binance'), { recursive: true });
    renameSync((options.source as { path: string }).path, kept);
    const pipeline = await Pipeline.start({
      ...options,
      source: { kind: 'replay', path: kept, pace: 'fast' },
    });
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(summary.trades).toBe(3);
  });

  it('finishes its stop when the transport fails the flush: ring closed, data dir free for the next run', async () => {
    const transport = new InMemoryTransport();
    transport.flush = () => Promise.reject(new Error('closed under the flush'));
    const warnings: (string | undefined)[] = [];
    const options = bnbReplay(1, transport, warnings);
    const pipeline = await Pipeline.start(options);
    await pipeline.done;
    await expect(pipeline.stop()).resolves.toMatchObject({ trades: 1, recordsWritten: 1 });
    expect(warnings).toContain('the transport failed its flush at stop');
    // The venue lock was released: a second pipeline on the same data dir starts.
    const next = await Pipeline.start({ ...options, transport: new InMemoryTransport() });
    await next.done;
    await next.stop();
  });

  it('holds a fast replay back while the recorder is behind: a 64-slot ring loses nothing, line or record file', async () => {
    const count = 50_000;
    const lines = Array.from(
      { length: count },
      (_, id) =>
        `{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":${id},"p":"16500.${id % 100}","q":"0.5","T":1672515782136,"m":false,"M":true}`,
    );
    const firstDir = tempDir();
    const file = join(firstDir, 'trades.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // 16 KiB of ring: without backpressure a small overflow queue overflows at once.
    const replay = async (path: string, dataDir: string, overflow: PipelineOptions['overflow']) => {
      const pipeline = await Pipeline.start({
        venue: 'binance',
        symbols: ['BTCUSDT'],
        source: { kind: 'replay', path, pace: 'fast' },
        transport: new InMemoryTransport(),
        env: 'test',
        dataDir,
        ring: { slotSize: 256, slotCount: 64 },
        overflow,
      });
      await pipeline.done;
      const summary = await pipeline.stop();
      expect(summary).toMatchObject({ received: count, trades: count, recordsWritten: count, lost: 0 });
      expect(summary.drops.ringOverflow).toBe(0);
      expect(summary.source.waitedMs).toBeGreaterThan(0);
    };
    await replay(file, firstDir, { maxMessages: 4 });
    // marketpipe's own recording of it, through the record-file replay.
    await replay(join(firstDir, 'binance'), tempDir(), { maxMessages: 4 });
    // An overflow queue configured to hold nothing still keeps the one message that found the ring full.
    await replay(file, tempDir(), { maxMessages: 0, maxBytes: 0 });
  });

  it("records the hot path's timing into a recorder the caller owns, which status() summarizes", async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'trades.jsonl');
    const trade = (id: number) =>
      `{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":${id},"p":"0.001","q":"100","T":1672515782136,"m":false,"M":true}`;
    writeFileSync(file, `${[1, 2, 3, 4].map(trade).join('\n')}\n`);
    const latency = new LatencyRecorder();
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'replay', path: file, pace: 'fast' },
      transport: new InMemoryTransport(),
      env: 'test',
      dataDir,
      latency,
    });
    await pipeline.done;
    expect(latency.count).toBe(4);
    expect(pipeline.status().latency.count).toBe(4);
    // A caller resets it, e.g. after a warm-up or per reporting interval.
    latency.reset();
    expect(pipeline.status().latency.count).toBe(0);
    expect(await pipeline.stop()).toMatchObject({ trades: 4, recordsWritten: 4, lost: 0 });
  });

  it('continues the ring sequence across runs on the same data dir', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'one.jsonl');
    writeFileSync(file, '{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true,"M":true}\n');
    for (let run = 0; run < 2; run++) {
      const transport = new InMemoryTransport();
      const pipeline = await Pipeline.start({
        venue: 'binance',
        symbols: ['BTCUSDT'],
        source: { kind: 'replay', path: file, pace: 'fast' },
        transport,
        env: 'test',
        dataDir,
      });
      await pipeline.done;
      await pipeline.stop();
    }
    const records = [...readVenueRecords(dataDir, 'binance')];
    expect(records.map((r) => r.sequence)).toEqual([0, 1]);
  });
});
