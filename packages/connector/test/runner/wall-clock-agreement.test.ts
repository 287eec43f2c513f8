import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { createMonotonicClock } from '@marketpipe/middleware/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { TradeView } from '../../src/codec/trade-view.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { Pipeline } from '../../src/runner/pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NS_PER_MS = 1_000_000n;
// A wall source twenty years behind the real clock: a stamp taken by any anchor but the pipeline clock's is off by
// about that much, so agreement to within seconds can only come from the one anchor.
const OFFSET_MS = -20 * 365 * 86_400_000;
const TRADES = 2_000;

function binanceTrade(id: number): string {
  return `{"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":${id},"p":"16500.12","q":"0.001","T":1672515782136,"m":true,"M":true}}`;
}

describe('one wall-clock anchor for receive times and record stamps', () => {
  it('publishes receive times and stamps records by the same anchor, through the real flusher worker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-wall-'));
    dirs.push(dataDir);
    const file = join(dataDir, 'trades.jsonl');
    writeFileSync(file, `${Array.from({ length: TRADES }, (_, i) => binanceTrade(i + 1)).join('\n')}\n`);
    const clock = createMonotonicClock({ wallMillis: () => Date.now() + OFFSET_MS });
    const transport = new InMemoryTransport();
    const received = new Map<string, bigint>();
    const view = new TradeView();
    transport.subscribe('>', (payload) => {
      view.wrap(payload);
      received.set(view.tradeId, view.receivedNanos);
    });
    const realStartMs = Date.now();
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'replay', path: file, pace: 'fast' },
      transport,
      env: 'test',
      dataDir: join(dataDir, 'data'),
      clock,
    });
    await pipeline.done;
    const summary = await pipeline.stop();
    const realEndMs = Date.now();
    await transport.close();
    expect(summary).toMatchObject({ received: TRADES, trades: TRADES, recordsWritten: TRADES, lost: 0 });

    const fakeStart = BigInt(realStartMs + OFFSET_MS - 1) * NS_PER_MS;
    const fakeEnd = BigInt(realEndMs + OFFSET_MS + 1) * NS_PER_MS;
    const decoder = new TextDecoder();
    let checked = 0;
    for (const record of readVenueRecords(join(dataDir, 'data'), 'binance')) {
      const id = /"t":(\d+)/.exec(decoder.decode(record.payload))![1]!;
      const receivedNanos = received.get(id)!;
      expect(receivedNanos >= fakeStart && receivedNanos <= fakeEnd).toBe(true);
      expect(record.wallNanos >= fakeStart && record.wallNanos <= fakeEnd).toBe(true);
      // The flusher stamps a batch just before reading it, so a record committed meanwhile may carry a stamp a
      // moment older than its receive time; otherwise the stamp trails receipt by the flush delay.
      const lagNanos = record.wallNanos - receivedNanos;
      expect(lagNanos > -50n * NS_PER_MS && lagNanos < BigInt(realEndMs - realStartMs + 1) * NS_PER_MS).toBe(
        true,
      );
      checked++;
    }
    expect(checked).toBe(TRADES);
  });
});
