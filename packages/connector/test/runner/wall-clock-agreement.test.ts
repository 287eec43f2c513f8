import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { createMonotonicClock } from '@marketpipe/middleware/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { TradeView } from '../../src/codec/trade-view.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { Pipeline } from '../../src/runner/pipeline.js';
import { createFormatOneRing } from '../ring/format-one-ring.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NS_PER_MS = 1_000_000n;
// A wall source twenty years behind the real clock: a stamp taken by any anchor but the pipeline clock's is off by
// about that much, so agreement to within seconds can only come from the one anchor.
const OFFSET_MS = -20 * 365 * 86_400_000;
const TRADES = 2_000;
/** Trades left in an old build's ring (format 1, no receive times): the flusher worker stamps them by its clock. */
const OLD = 20;
const GEOMETRY = { slotSize: 256, slotCount: 1024 };

function binanceTrade(id: number): string {
  return `{"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":${id},"p":"16500.12","q":"0.001","T":1672515782136,"m":true,"M":true}}`;
}

describe('one wall-clock anchor for receive times and record stamps', () => {
  it('publishes receive times and stamps records by the same anchor, through the real flusher worker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-wall-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'data', 'ring'), { recursive: true });
    const oldTrades = Array.from({ length: OLD }, (_, i) => Buffer.from(binanceTrade(TRADES + 1 + i)));
    createFormatOneRing(join(dataDir, 'data', 'ring', 'binance.ring'), GEOMETRY, oldTrades);
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
      ring: GEOMETRY,
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
    let stampedByWorker = 0;
    for (const record of readVenueRecords(join(dataDir, 'data'), 'binance')) {
      const id = /"t":(\d+)/.exec(decoder.decode(record.payload))![1]!;
      // Every record's stamp is on the pipeline clock's anchor: the worker's own (attached) clock for the old
      // ring's records, which carry no receive time; the receive time itself for the rest.
      expect(record.wallNanos >= fakeStart && record.wallNanos <= fakeEnd).toBe(true);
      const receivedNanos = received.get(id);
      if (Number(id) > TRADES) {
        expect(receivedNanos).toBeUndefined();
        stampedByWorker++;
      } else {
        expect(receivedNanos! >= fakeStart && receivedNanos! <= fakeEnd).toBe(true);
        expect(record.wallNanos).toBe(receivedNanos);
        checked++;
      }
    }
    expect(stampedByWorker).toBe(OLD);
    expect(checked).toBe(TRADES);
  });
});
