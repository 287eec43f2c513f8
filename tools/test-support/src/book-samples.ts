/**
 * Book message lines per venue, built from the verbatim payloads of
 * `../shared/feeds/BOOK_SAMPLES.md` (whitespace removed; where a sequence of
 * messages is needed, only the sequence fields are changed, and `...` elisions
 * of the docs are left out), plus a recorded Okcoin (OKX group, same v5
 * `books` channel and checksum) snapshot/update pair with real checksums from
 * thrasher-corp/gocryptotrader `exchanges/okcoin/okcoin_test.go`, trimmed to
 * 30 levels per side.
 *
 * {@link referenceBooks} is the independent reference: a plain `JSON.parse`
 * and `Map` book per symbol following each venue's documented sequence rules,
 * giving the book a consumer must hold after every update the connector
 * should publish, from these lines or from any recording of venue messages
 * (with checksums verified on request).
 */
import { crc32 } from 'node:zlib';

/** Venues with book samples. */
export type BookVenue = 'binance' | 'coinbase' | 'kraken' | 'bybit' | 'okx';

const COINBASE_SNAPSHOT =
  '{"type":"snapshot","product_id":"BTC-USD","bids":[["10101.10","0.45054140"]],"asks":[["10102.55","0.57753524"]]}';
const COINBASE_UPDATE =
  '{"type":"l2update","product_id":"BTC-USD","time":"2019-08-14T20:42:27.265Z","changes":[["buy","10101.80000000","0.162567"]]}';
const COINBASE_UPDATE_MULTI =
  '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","22356.270000","0.00000000"],["buy","22356.300000","1.00000000"]],"time":"2022-08-04T15:25:05.010758Z"}';

const KRAKEN_ACK =
  '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"MATIC/USD"},"success":true,"time_in":"2023-10-06T17:35:55.219022Z","time_out":"2023-10-06T17:35:55.219067Z"}';
/** Kraken's documented snapshot and update, with their real CRC32 checksums. */
export const KRAKEN_SNAPSHOT = `{"channel":"book","type":"snapshot","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5666,"qty":4831.75496356},{"price":0.5665,"qty":6658.22734739},{"price":0.5664,"qty":18724.91513344},{"price":0.5663,"qty":11563.92544914},{"price":0.5662,"qty":14006.65365711},{"price":0.5661,"qty":17454.85679807},{"price":0.566,"qty":18097.1547},{"price":0.5659,"qty":33644.89175666},{"price":0.5658,"qty":148.3464},{"price":0.5657,"qty":606.70854372}],"asks":[{"price":0.5668,"qty":4410.79769741},{"price":0.5669,"qty":4655.40412487},{"price":0.567,"qty":49844.89424998},{"price":0.5671,"qty":24306.41678},{"price":0.5672,"qty":29783.25223475},{"price":0.5673,"qty":57234.71239278},{"price":0.5674,"qty":45065.04744},{"price":0.5675,"qty":5912.76380354},{"price":0.5676,"qty":42514.92434778},{"price":0.5677,"qty":36304.0847022}],"checksum":2439117997,"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;
export const KRAKEN_UPDATE = `{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}`;

function bybitSnapshot(u: number): string {
  return `{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"],["16493.00","0.100"]],"a":[["16611.00","0.029"],["16612.00","0.213"]],"u":${u},"seq":7961638724},"cts":1672304484976}`;
}
function bybitDelta(u: number): string {
  return `{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940967466,"data":{"s":"BTCUSDT","b":[["30247.20","30.028"],["30245.40","0.224"],["30242.10","1.593"],["30240.30","1.305"],["30240.00","0"]],"a":[["30248.70","0"],["30249.30","0.892"],["30249.50","1.778"],["30249.60","0"],["30251.90","2.947"],["30252.20","0.659"],["30252.50","4.591"]],"u":${u},"seq":66544703342},"cts":1687940967464}`;
}

const OKCOIN_ASKS = [
  ['30382.6', '0.1504'],
  ['30382.61', '0.6866'],
  ['30472.95', '0.8929'],
  ['30563.28', '0.6827'],
  ['30648.44', '1.8055'],
  ['30653.62', '0.8868'],
  ['30743.95', '0.8222'],
  ['31000', '0.0117'],
  ['31200', '0.0032'],
  ['31216.26', '0.0014'],
  ['31312.95', '0.0054'],
  ['31450', '0.0002'],
  ['31500', '0.0043'],
  ['31594.77', '0.0227'],
  ['31800', '0.0142'],
  ['31879', '0.001'],
  ['31879.13', '0.0266'],
  ['31980', '0.0063'],
  ['32100', '0.0036'],
  ['32150', '0.0041'],
  ['32166.05', '0.0192'],
  ['32200', '0.0053'],
  ['32434', '0.0028'],
  ['32450', '0.0057'],
  ['32455.55', '0.0214'],
  ['32500', '0.0766'],
  ['32747.65', '0.0032'],
  ['33000', '0.1747'],
  ['33042.38', '0.0208'],
  ['33339.77', '0.0081'],
];
const OKCOIN_BIDS = [
  ['30080.49', '0.0225'],
  ['30079.19', '0.1'],
  ['30077.48', '0.0249'],
  ['30074.47', '0.0238'],
  ['30073.17', '0.1'],
  ['30071.46', '0.0252'],
  ['30068.45', '0.0256'],
  ['30067.16', '0.1'],
  ['30023.66', '0.0799'],
  ['29993.54', '0.0815'],
  ['29963.43', '0.0963'],
  ['29933.31', '0.0801'],
  ['29903.2', '0.0902'],
  ['29840.5', '0.7798'],
  ['29750.16', '0.6772'],
  ['29659.83', '0.7226'],
  ['29569.49', '0.7928'],
  ['29555', '0.0034'],
  ['29479.16', '0.7869'],
  ['28904.16', '0.0075'],
  ['28800', '0.0004'],
  ['28750', '0.0003'],
  ['28644.02', '0.0241'],
  ['28516', '0.0024'],
  ['28386.22', '0.0074'],
  ['28130.74', '0.0039'],
  ['27877.56', '0.0294'],
  ['27626.66', '0.0209'],
  ['27400', '0.001'],
  ['27378.02', '0.0008'],
];
function okx(action: string, data: object): string {
  return JSON.stringify({ arg: { channel: 'books', instId: 'BTC-USD' }, action, data: [data] });
}
/** The recorded snapshot (real checksum -872896843) at `seqId`. */
export function okxSnapshot(seqId: number): string {
  return okx('snapshot', {
    asks: OKCOIN_ASKS.map((l) => [...l, '0', '1']),
    bids: OKCOIN_BIDS.map((l) => [...l, '0', '1']),
    ts: '1688967955142',
    checksum: -872896843,
    prevSeqId: -1,
    seqId,
  });
}
/** The recorded update after it (real checksum 1109161389 over the book it makes). */
export function okxUpdate(checksum: number, prevSeqId: number, seqId: number): string {
  return okx('update', {
    asks: [['30382.6', '0', '0', '0']],
    bids: [],
    ts: '1688967974408',
    checksum,
    prevSeqId,
    seqId,
  });
}
const OKX_ACK =
  '{"id":"1512","event":"subscribe","arg":{"channel":"books","instId":"BTC-USD"},"connId":"a4d3ae55"}';

function binanceEvent(U: number, u: number, bid: string, ask: string): string {
  return `{"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":${U},"u":${u},"b":[["${bid}","10"]],"a":[["${ask}","100"]]}}`;
}
/** Binance's documented REST depth response, with `lastUpdateId` set to meet the stream. */
export function binanceRestBody(lastUpdateId: number): string {
  return `{"lastUpdateId":${lastUpdateId},"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}`;
}

/**
 * One replay file's lines per venue: in-sync runs, and for the venues with sequence numbers a gap followed
 * by a message dropped while unsynced and a new snapshot. Binance's lines need the REST snapshot record
 * `mark(symbol, body)` makes (the connector's marked record), placed after the first events as live.
 */
export function bookLines(venue: BookVenue, mark?: (symbol: string, body: string) => string): string[] {
  switch (venue) {
    case 'coinbase':
      return [COINBASE_UPDATE, COINBASE_SNAPSHOT, COINBASE_UPDATE, COINBASE_UPDATE_MULTI];
    case 'kraken':
      return ['{"channel":"heartbeat"}', KRAKEN_ACK, KRAKEN_SNAPSHOT, KRAKEN_UPDATE];
    case 'bybit':
      return [
        bybitSnapshot(18521288),
        bybitDelta(18521289),
        bybitDelta(18521290),
        bybitDelta(18521292), // gap
        bybitDelta(18521293), // unsynced
        bybitSnapshot(18521300),
        bybitDelta(18521301),
      ];
    case 'okx':
      return [
        OKX_ACK,
        okxSnapshot(10),
        okxUpdate(1109161389, 10, 11),
        okxUpdate(0, 12, 13), // gap
        okxUpdate(0, 13, 14), // unsynced
        okxSnapshot(20),
        okxUpdate(1109161389, 20, 21),
        okxUpdate(0, 21, 21), // seqId == prevSeqId, as OKX sends when nothing changed
      ];
    case 'binance': {
      const lines = [
        '{"result":null,"id":1}',
        binanceEvent(150, 155, '0.0023', '0.0027'), // covered by the snapshot
        binanceEvent(156, 160, '0.0024', '0.0026'), // straddles it
        binanceEvent(161, 163, '0.0022', '0.0028'),
      ];
      if (mark !== undefined) lines.push(mark('BNBBTC', binanceRestBody(158)));
      lines.push(binanceEvent(164, 170, '0.0024', '0.0026'));
      lines.push(binanceEvent(172, 175, '0.0021', '0.0029')); // gap
      return lines;
    }
  }
}

/** One level of a reference book: the size, and the texts the venue wrote (what checksums read). */
interface RefLevel {
  size: number;
  priceText: string;
  sizeText: string;
}
/** One side of a reference book: price -> level. */
export type RefSide = Map<number, RefLevel>;
/** The reference book after one published update. */
export interface RefState {
  ticker: string;
  isSnapshot: boolean;
  bids: [number, number][];
  asks: [number, number][];
}

/** Options of {@link referenceBooks}. */
export interface ReferenceOptions {
  /** Levels per side of a Kraken book (it truncates its own book to the subscribed depth); default 10. */
  depth?: number;
  /**
   * Verify Kraken's and OKX's CRC32 checksums (OKX only when non-zero) over the price and size texts as
   * the messages wrote them, and treat a mismatch as the venues say: the book is lost until the next
   * snapshot. Off by default: the documented samples write Kraken numbers without the pair's trailing
   * zeros, which the checksum needs; the simulator writes them at the pair's precision, as the live feed does.
   */
  checksums?: boolean;
}

interface RefBook {
  bids: RefSide;
  asks: RefSide;
  synced: boolean;
  seq: number;
  buffer: Array<{ U: number; u: number; b: string[][]; a: string[][] }>;
}

function sortedLevels(side: RefSide, descending: boolean): Array<[number, RefLevel]> {
  return [...side.entries()].sort((x, y) => (descending ? y[0] - x[0] : x[0] - y[0]));
}

function sorted(side: RefSide, descending: boolean): [number, number][] {
  return sortedLevels(side, descending).map(([price, level]) => [price, level.size]);
}

function setLevel(side: RefSide, priceText: unknown, sizeText: unknown): void {
  const price = Number(priceText);
  const size = Number(sizeText);
  if (size === 0) side.delete(price);
  else side.set(price, { size, priceText: String(priceText), sizeText: String(sizeText) });
}

/** Kraken v2: top 10 asks then top 10 bids, each text without its point and leading zeros, CRC32 unsigned. */
function krakenSum(b: RefBook): number {
  let text = '';
  for (const [side, descending] of [
    [b.asks, false],
    [b.bids, true],
  ] as const) {
    for (const [, level] of sortedLevels(side, descending).slice(0, 10)) {
      for (const t of [level.priceText, level.sizeText]) text += t.replace('.', '').replace(/^0+/, '');
    }
  }
  return crc32(text) >>> 0;
}

/** OKX v5: top 25 as `bidPx:bidSz:askPx:askSz...`, alternating, CRC32 as a signed 32-bit integer. */
function okxSum(b: RefBook): number {
  const bids = sortedLevels(b.bids, true);
  const asks = sortedLevels(b.asks, false);
  const parts: string[] = [];
  for (let i = 0; i < 25; i++) {
    const bid = bids[i]?.[1];
    const ask = asks[i]?.[1];
    if (bid !== undefined) parts.push(`${bid.priceText}:${bid.sizeText}`);
    if (ask !== undefined) parts.push(`${ask.priceText}:${ask.sizeText}`);
  }
  return crc32(parts.join(':')) | 0;
}

/**
 * The books a consumer must hold after each update the connector publishes from `lines`, by plain
 * `JSON.parse` and the venues' documented rules (Kraken truncated to `depth`; a Binance REST snapshot
 * older than the buffered stream is not used, as step 4 of its rules says; the connector's `bookReset`
 * record of a reconnect voids every book). `lines` may hold any other message (acks, trades, heartbeats):
 * they are skipped.
 */
export function referenceBooks(
  venue: BookVenue,
  lines: readonly string[],
  options: ReferenceOptions = {},
): RefState[] {
  const depth = options.depth ?? 10;
  const checksums = options.checksums === true;
  const books = new Map<string, RefBook>();
  const out: RefState[] = [];
  const book = (ticker: string): RefBook => {
    let b = books.get(ticker);
    if (b === undefined) {
      b = { bids: new Map(), asks: new Map(), synced: false, seq: 0, buffer: [] };
      books.set(ticker, b);
    }
    return b;
  };
  const emit = (ticker: string, b: RefBook, isSnapshot: boolean): void => {
    out.push({ ticker, isSnapshot, bids: sorted(b.bids, true), asks: sorted(b.asks, false) });
  };
  const replace = (b: RefBook, bids: Array<[unknown, unknown]>, asks: Array<[unknown, unknown]>): void => {
    b.bids.clear();
    b.asks.clear();
    for (const [p, s] of bids) setLevel(b.bids, p, s);
    for (const [p, s] of asks) setLevel(b.asks, p, s);
    b.synced = true;
  };
  for (const line of lines) {
    // biome-ignore lint/suspicious/noExplicitAny: a reference reading venue JSON by hand
    const m: any = JSON.parse(line);
    if (m.marketpipe === 'bookReset') {
      // The connector's record of a reconnect: every book of its venue is void until its next snapshot.
      if (m.venue === venue) books.clear();
      continue;
    }
    if (venue === 'coinbase') {
      if (m.type === 'snapshot') {
        replace(book(m.product_id), m.bids, m.asks);
        emit(m.product_id, book(m.product_id), true);
      } else if (m.type === 'l2update' && book(m.product_id).synced) {
        const b = book(m.product_id);
        for (const [side, p, s] of m.changes) setLevel(side === 'buy' ? b.bids : b.asks, p, s);
        emit(m.product_id, b, false);
      }
    } else if (venue === 'kraken') {
      if (m.channel !== 'book') continue;
      // Kraken writes numbers; the checksum reads them as written, so keep each literal's text.
      const texts = checksums ? [...line.matchAll(/"(?:price|qty)":([-0-9.eE+]+)/g)].map((x) => x[1]) : [];
      let next = 0;
      for (const d of m.data) {
        const b = book(d.symbol);
        const levels = (side: Array<{ price: number; qty: number }>, into: RefSide) => {
          for (const l of side) {
            const priceText = texts[next++] ?? String(l.price);
            const qtyText = texts[next++] ?? String(l.qty);
            setLevel(into, priceText, qtyText);
          }
        };
        if (m.type === 'snapshot') replace(b, [], []);
        else if (!b.synced) {
          next += 2 * (d.bids.length + d.asks.length);
          continue;
        }
        levels(d.bids, b.bids);
        levels(d.asks, b.asks);
        for (const [side, desc] of [
          [b.bids, true],
          [b.asks, false],
        ] as const) {
          for (const [p] of sorted(side, desc).slice(depth)) side.delete(p);
        }
        if (checksums && krakenSum(b) !== d.checksum) {
          b.synced = false;
          continue;
        }
        emit(d.symbol, b, m.type === 'snapshot');
      }
    } else if (venue === 'bybit') {
      if (typeof m.topic !== 'string' || !m.topic.startsWith('orderbook.')) continue;
      const b = book(m.data.s);
      const u = m.data.u;
      if (m.type === 'snapshot' || u === 1) {
        replace(b, m.data.b, m.data.a);
        b.seq = u;
        emit(m.data.s, b, true);
      } else if (b.synced && u > b.seq) {
        if (u !== b.seq + 1) {
          b.synced = false;
          continue;
        }
        for (const [p, s] of m.data.b) setLevel(b.bids, p, s);
        for (const [p, s] of m.data.a) setLevel(b.asks, p, s);
        b.seq = u;
        emit(m.data.s, b, false);
      }
    } else if (venue === 'okx') {
      if (m.arg?.channel !== 'books' || m.event !== undefined) continue;
      const b = book(m.arg.instId);
      for (const d of m.data) {
        if (m.action === 'snapshot') {
          replace(b, d.bids, d.asks);
          b.seq = d.seqId;
        } else if (b.synced) {
          if (d.prevSeqId !== b.seq) {
            b.synced = false;
            continue;
          }
          for (const [p, s] of d.bids) setLevel(b.bids, p, s);
          for (const [p, s] of d.asks) setLevel(b.asks, p, s);
          b.seq = d.seqId;
        } else continue;
        if (checksums && d.checksum !== 0 && okxSum(b) !== d.checksum) {
          b.synced = false;
          continue;
        }
        emit(m.arg.instId, b, m.action === 'snapshot');
      }
    } else if (venue === 'binance') {
      if (m.marketpipe === 'bookSnapshot') {
        const b = book(m.symbol);
        const lastUpdateId = m.body.lastUpdateId;
        const pending = b.buffer.filter((e) => e.u > lastUpdateId);
        if (pending.length > 0 && pending[0]!.U > lastUpdateId + 1) {
          // Older than the stream held: fetch again, keep buffering.
          b.buffer = pending;
          continue;
        }
        replace(b, m.body.bids, m.body.asks);
        b.seq = lastUpdateId;
        b.buffer = [];
        emit(m.symbol, b, true);
        for (let i = 0; i < pending.length; i++) {
          const e = pending[i]!;
          if (i > 0 && e.U !== b.seq + 1) {
            // The event after a gap starts the buffer the next snapshot must meet.
            b.synced = false;
            b.buffer = pending.slice(i);
            break;
          }
          for (const [p, s] of e.b) setLevel(b.bids, p, s);
          for (const [p, s] of e.a) setLevel(b.asks, p, s);
          b.seq = e.u;
          emit(m.symbol, b, false);
        }
        continue;
      }
      const e = m.data ?? m;
      if (e.e !== 'depthUpdate') continue;
      const b = book(e.s);
      if (!b.synced) {
        b.buffer.push({ U: e.U, u: e.u, b: e.b, a: e.a });
        continue;
      }
      if (e.u <= b.seq) continue;
      if (e.U !== b.seq + 1) {
        b.synced = false;
        b.buffer = [{ U: e.U, u: e.u, b: e.b, a: e.a }];
        continue;
      }
      for (const [p, s] of e.b) setLevel(b.bids, p, s);
      for (const [p, s] of e.a) setLevel(b.asks, p, s);
      b.seq = e.u;
      emit(e.s, b, false);
    }
  }
  return out;
}
