/**
 * The venue sync machines on the verbatim payloads of BOOK_SAMPLES.md, plus
 * real checksums: Kraken's documented snapshot/update pair and a recorded
 * Okcoin (OKX group, same v5 `books` channel and checksum) snapshot/update
 * from thrasher-corp/gocryptotrader `exchanges/okcoin/okcoin_test.go`,
 * trimmed to the top 30 levels per side (the checksum reads 25).
 */
import { crc32 } from 'node:zlib';
import {
  KRAKEN_SNAPSHOT,
  KRAKEN_UPDATE,
  okxSnapshot,
  okxUpdate,
} from '@marketpipe/test-support/book-samples';
import { describe, expect, it } from 'vitest';
import { BinanceBookSync } from './binance-book.js';
import { type BookFrame, type BookUpdate, frameToUpdate } from './book-data.js';
import { BookSyncResult } from './book-sync.js';
import { BybitBookSync } from './bybit-book.js';
import { CoinbaseBookSync } from './coinbase-book.js';
import { KrakenBookSync } from './kraken-book.js';
import { OkxBookSync } from './okx-book.js';

function collector(): { out: BookUpdate[]; sink: (f: BookFrame) => void } {
  const out: BookUpdate[] = [];
  return { out, sink: (f) => out.push(frameToUpdate(f)) };
}
const lv = (pairs: Array<[number, number]>) => pairs.map(([price, size]) => ({ price, size }));

describe('BinanceBookSync', () => {
  const ev = (U: number, u: number, b: string[][] = [['0.0024', '10']]) =>
    JSON.stringify({ e: 'depthUpdate', E: 1672515782136, s: 'BNBBTC', U, u, b, a: [['0.0026', '100']] });

  it('buffers until the REST snapshot, drops covered events, requires the straddle, then the u chain', () => {
    const { out, sink } = collector();
    const asked: string[] = [];
    const sync = new BinanceBookSync(sink, { onOutOfSync: (s) => asked.push(s) });
    expect(sync.onMessage(ev(157, 160), 1)).toBe(BookSyncResult.buffered);
    expect(sync.onMessage(ev(161, 165), 1)).toBe(BookSyncResult.buffered);
    expect(sync.needsSnapshot('BNBBTC')).toBe(true);
    expect(asked).toEqual(['BNBBTC']);
    const rest =
      '{"lastUpdateId": 160, "bids": [["4.00000000", "431.00000000"]], "asks": [["4.00000200", "12.00000000"]]}';
    expect(sync.applySnapshot('BNBBTC', rest, 2)).toBe(BookSyncResult.emitted);
    expect(out.map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, 160n],
      [false, 165n],
    ]);
    expect(out[0]!.bids).toEqual(lv([[4, 431]]));
    expect(sync.counters.stale).toBe(1);
    expect(sync.onMessage(ev(166, 170), 3)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(ev(172, 175), 3)).toBe(BookSyncResult.gap);
    expect(sync.onMessage(ev(176, 180), 3)).toBe(BookSyncResult.buffered);
    expect(sync.counters).toMatchObject({ gaps: 1, updates: 3, snapshots: 1 });
    // A snapshot older than the buffered stream is refused and asked for again.
    expect(sync.applySnapshot('BNBBTC', { lastUpdateId: 168, bids: [], asks: [] }, 4)).toBe(
      BookSyncResult.stale,
    );
    expect(asked).toEqual(['BNBBTC', 'BNBBTC', 'BNBBTC']);
    expect(sync.applySnapshot('BNBBTC', { lastUpdateId: 177, bids: [], asks: [] }, 5)).toBe(
      BookSyncResult.emitted,
    );
    expect(out.slice(3).map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, 177n],
      [false, 180n],
    ]);
    expect(sync.counters.resyncs).toBe(1);
  });

  it('rejects a first event that does not straddle, and a later one that overlaps the chain', () => {
    const { out, sink } = collector();
    const sync = new BinanceBookSync(sink);
    sync.applySnapshot('BNBBTC', { lastUpdateId: 100, bids: [], asks: [] }, 1);
    expect(sync.onMessage(ev(102, 105), 1)).toBe(BookSyncResult.gap);
    // The gapped event is buffered, so a snapshot older than it is refused.
    expect(sync.applySnapshot('BNBBTC', { lastUpdateId: 100, bids: [], asks: [] }, 1)).toBe(
      BookSyncResult.stale,
    );
    sync.reset();
    sync.applySnapshot('BNBBTC', { lastUpdateId: 100, bids: [], asks: [] }, 1);
    expect(sync.onMessage(ev(95, 101), 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(ev(101, 103), 1)).toBe(BookSyncResult.gap);
    expect(out.filter((u) => !u.isSnapshot).map((u) => u.sequence)).toEqual([101n]);
  });

  it('reads the documented 1c event as laid out there (comments dropped), bare and in the combined stream', () => {
    const event = `{
    "e": "depthUpdate",
    "E": 1672515782136,
    "s": "BNBBTC",
    "U": 157,
    "u": 160,
    "b": [
        [
            "0.0024",
            "10"
        ]
    ],
    "a": [
        [
            "0.0026",
            "100"
        ]
    ]
}`;
    for (const text of [event, `{"stream":"bnbbtc@depth","data":${event}}`]) {
      const { out, sink } = collector();
      const sync = new BinanceBookSync(sink);
      sync.applySnapshot('BNBBTC', { lastUpdateId: 156, bids: [], asks: [] }, 1);
      expect(sync.onMessage(new TextEncoder().encode(text), 2, 5)).toBe(BookSyncResult.emitted);
      expect(out[1]).toEqual({
        timestampNanos: 1672515782136_000_000n,
        receivedNanos: 2_000_005n,
        ticker: 'BNBBTC',
        sequence: 160n,
        isSnapshot: false,
        bids: lv([[0.0024, 10]]),
        asks: lv([[0.0026, 100]]),
      });
    }
  });

  it('bounds the buffer and the symbols, counting what exceeds', () => {
    const sync = new BinanceBookSync(() => {}, { maxLevels: 4, maxSymbols: 1 });
    for (let i = 0; i < 3; i++) sync.onMessage(ev(10 + i, 10 + i), 1);
    expect(sync.counters.levelsOverCap).toBe(4);
    const other = JSON.stringify({ e: 'depthUpdate', E: 1, s: 'ETHBTC', U: 1, u: 1, b: [], a: [] });
    expect(sync.onMessage(other, 1)).toBe(BookSyncResult.overCap);
    expect(sync.counters.symbolsOverCap).toBe(1);
  });
});

describe('CoinbaseBookSync', () => {
  it('emits the snapshot then each l2update; an l2update before the snapshot is unsynced', () => {
    const { out, sink } = collector();
    const sync = new CoinbaseBookSync(sink);
    const update =
      '{"type": "l2update", "product_id": "BTC-USD", "changes": [["buy", "22356.270000", "0.00000000"], ["buy", "22356.300000", "1.00000000"]], "time": "2022-08-04T15:25:05.010758Z"}';
    expect(sync.onMessage(update, 1)).toBe(BookSyncResult.unsynced);
    sync.onMessage(
      '{"type": "snapshot", "product_id": "BTC-USD", "bids": [["10101.10", "0.45054140"]], "asks": [["10102.55", "0.57753524"]]}',
      1,
    );
    expect(sync.onMessage(update, 2)).toBe(BookSyncResult.emitted);
    expect(out[1]).toMatchObject({
      isSnapshot: false,
      timestampNanos: 1_659_626_705_010_758_000n,
      bids: lv([
        [22356.27, 0],
        [22356.3, 1],
      ]),
      asks: [],
    });
    expect(sync.counters).toMatchObject({ unsynced: 1, updates: 2, snapshots: 1 });
  });
});

describe('BybitBookSync', () => {
  const msg = (type: string, u: number) =>
    JSON.stringify({
      topic: 'orderbook.50.BTCUSDT',
      type,
      ts: 1687940967466,
      data: { s: 'BTCUSDT', b: [['30247.20', '30.028']], a: [['30248.70', '0']], u, seq: 1 },
      cts: 1,
    });

  it('requires contiguous u; u = 1 is a new snapshot', () => {
    const { out, sink } = collector();
    const sync = new BybitBookSync(sink);
    expect(sync.onMessage(msg('snapshot', 18521288), 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(msg('delta', 18521289), 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(msg('delta', 18521289), 1)).toBe(BookSyncResult.stale);
    expect(sync.onMessage(msg('delta', 18521291), 1)).toBe(BookSyncResult.gap);
    expect(sync.onMessage(msg('delta', 18521292), 1)).toBe(BookSyncResult.unsynced);
    expect(sync.onMessage(msg('delta', 1), 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(msg('delta', 2), 1)).toBe(BookSyncResult.emitted);
    expect(out.map((u) => [u.isSnapshot, u.sequence])).toEqual([
      [true, 18521288n],
      [false, 18521289n],
      [true, 1n],
      [false, 2n],
    ]);
    expect(out[1]!.asks).toEqual(lv([[30248.7, 0]]));
    expect(sync.counters).toMatchObject({ gaps: 1, stale: 1, unsynced: 1, resyncs: 1 });
  });
});

describe('KrakenBookSync', () => {
  it('verifies the real documented checksums, with given and with inferred precision', () => {
    for (const precisions of [{ 'MATIC/USD': { price: 4, qty: 8 } }, undefined]) {
      const { out, sink } = collector();
      const sync = new KrakenBookSync(sink, { precisions });
      expect(sync.onMessage(KRAKEN_SNAPSHOT, 1)).toBe(BookSyncResult.emitted);
      expect(sync.onMessage(KRAKEN_UPDATE, 1)).toBe(BookSyncResult.emitted);
      expect(out[0]!.bids).toHaveLength(10);
      expect(out[1]).toMatchObject({ isSnapshot: false, bids: lv([[0.5657, 1098.3947558]]), asks: [] });
      expect(sync.counters.checksumFailures).toBe(0);
    }
  });

  it('checksums a price sent as a non-ASCII string (JSON.parse path) over its UTF-8 bytes, as zlib hashes the text', () => {
    // Number() reads "\u00a05.5" (no-break space, then 5.5) as 5.5; its checksum text keeps the space: U+00A0 5 5.
    const snapshot = (checksum: number) =>
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD",' +
      '"bids":[{"price":"\\u00a05.5","qty":1.0}],"asks":[{"price":6.5,"qty":2.0}],' +
      `"checksum":${checksum},"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;
    const right = crc32('65200000000\u00a055100000000') >>> 0;
    for (const [checksum, result] of [
      [right, BookSyncResult.emitted],
      [(right + 1) >>> 0, BookSyncResult.checksumFailure],
    ] as const) {
      const { out, sink } = collector();
      const sync = new KrakenBookSync(sink, { precisions: { 'BTC/USD': { price: 1, qty: 8 } } });
      expect(sync.onMessage(new TextEncoder().encode(snapshot(checksum)), 1)).toBe(result);
      if (result === BookSyncResult.emitted) expect(out[0]!.bids).toEqual(lv([[5.5, 1]]));
    }
  });

  it('catches a corrupted checksum, stops emitting, and resyncs on the next snapshot', () => {
    const { out, sink } = collector();
    const asked: string[] = [];
    const sync = new KrakenBookSync(sink, { onOutOfSync: (s) => asked.push(s) });
    sync.onMessage(KRAKEN_SNAPSHOT, 1);
    expect(sync.onMessage(KRAKEN_UPDATE.replace('2114181697', '2114181698'), 1)).toBe(
      BookSyncResult.checksumFailure,
    );
    expect(sync.onMessage(KRAKEN_UPDATE, 1)).toBe(BookSyncResult.unsynced);
    expect(asked).toEqual(['MATIC/USD']);
    expect(sync.onMessage(KRAKEN_SNAPSHOT, 1)).toBe(BookSyncResult.emitted);
    expect(out.map((u) => u.isSnapshot)).toEqual([true, true]);
    expect(sync.counters).toMatchObject({ checksumFailures: 1, unsynced: 1, resyncs: 1 });
  });

  it('truncates to the subscribed depth and publishes the level that fell out as size 0', () => {
    const { out, sink } = collector();
    const sync = new KrakenBookSync(sink, { depth: 10 });
    sync.onMessage(KRAKEN_SNAPSHOT, 1);
    // A new best bid pushes 0.5657 out of the top 10; the checksum is computed here over the truncated book.
    const json = JSON.parse(KRAKEN_SNAPSHOT).data[0];
    const q8 = (q: number) => {
      const [w, f = ''] = String(q).split('.');
      return w + f.padEnd(8, '0');
    };
    const p4 = (p: number) => String(p).replace('0.', '').padEnd(4, '0');
    const bids = [{ price: 0.5667, qty: 1.5 }, ...json.bids.slice(0, 9)];
    let text = '';
    for (const l of [...json.asks, ...bids]) text += (p4(l.price) + q8(l.qty)).replace(/^0+/, '');
    const insert = KRAKEN_UPDATE.replace(
      '"price":0.5657,"qty":1098.3947558',
      '"price":0.5667,"qty":1.5',
    ).replace('2114181697', String(crc32(text) >>> 0));
    expect(sync.onMessage(insert, 1)).toBe(BookSyncResult.emitted);
    expect(out[1]!.bids).toEqual(
      lv([
        [0.5667, 1.5],
        [0.5657, 0],
      ]),
    );
  });
});

describe('OkxBookSync', () => {
  const snapshot = okxSnapshot(10);
  const update = (checksum: number, prevSeqId = 10, seqId = 11) => okxUpdate(checksum, prevSeqId, seqId);

  it('verifies real recorded checksums on a snapshot and the update after it', () => {
    const { out, sink } = collector();
    const sync = new OkxBookSync(sink);
    expect(sync.onMessage(snapshot, 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(update(1109161389), 1)).toBe(BookSyncResult.emitted);
    expect(out[1]).toMatchObject({ isSnapshot: false, sequence: 11n, asks: lv([[30382.6, 0]]), bids: [] });
    expect(sync.counters.checksumFailures).toBe(0);
  });

  it('catches a corrupted checksum; skips verification when the checksum is 0; follows prevSeqId', () => {
    const sync = new OkxBookSync(() => {});
    sync.onMessage(snapshot, 1);
    expect(sync.onMessage(update(1109161388), 1)).toBe(BookSyncResult.checksumFailure);
    sync.onMessage(snapshot, 1);
    expect(sync.onMessage(update(0), 1)).toBe(BookSyncResult.emitted);
    expect(sync.onMessage(update(0, 11, 11), 1)).toBe(BookSyncResult.emitted); // keep-alive
    expect(sync.onMessage(update(0, 11, 3), 1)).toBe(BookSyncResult.emitted); // documented reset
    expect(sync.onMessage(update(0, 4, 6), 1)).toBe(BookSyncResult.gap);
    expect(sync.counters).toMatchObject({ checksumFailures: 1, gaps: 1, resyncs: 1 });
  });
});
