/**
 * Generators for property tests: simulated trades, venue messages built as a
 * small JSON model and serialized with semantic-preserving noise (shuffled
 * keys, escapes, whitespace, extra fields), and hostile mutations.
 */
import fc from 'fast-check';
import type { VenueName } from '../../src/feeds/venue-feed.js';
import type { SimTrade } from '../../src/simulator/venue-emulation.js';
import { type ExpectedTrade, rfc } from './venue-samples.js';

/** A JSON value whose numbers keep their text. */
export type JsonModel =
  | string
  | { num: string }
  | boolean
  | null
  | JsonModel[]
  | { obj: [string, JsonModel][] };

/** Deterministic PRNG (mulberry32) so a fast-check seed reproduces a case. */
export { seededRandom as prng } from '@marketpipe/test-support/seeded-random';

/** Serialization noise. */
export interface Noise {
  random: () => number;
  escape: number;
  whitespace: number;
  shuffle: boolean;
  extra: number;
}

const WS = [' ', '\n', '\t', '\r', '  '];

function ws(noise: Noise): string {
  return noise.random() < noise.whitespace ? WS[Math.floor(noise.random() * WS.length)]! : '';
}

function stringLiteral(text: string, noise: Noise): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code > 0xffff) {
      out +=
        noise.random() < noise.escape
          ? JSON.stringify(ch)
              .slice(1, -1)
              .replace(/./gsu, (c) => esc(c))
          : ch;
    } else if (ch === '"' || ch === '\\' || code < 0x20 || noise.random() < noise.escape) {
      out += noise.random() < 0.5 ? esc(ch) : JSON.stringify(ch).slice(1, -1);
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

function esc(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** Serializes a model with noise. */
export function serialize(value: JsonModel, noise: Noise): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return stringLiteral(value, noise);
  if (Array.isArray(value))
    return `[${ws(noise)}${value.map((v) => serialize(v, noise)).join(`${ws(noise)},${ws(noise)}`)}${ws(noise)}]`;
  if ('num' in value) return value.num;
  const entries = [...value.obj];
  if (noise.random() < noise.extra)
    entries.push([`x_${Math.floor(noise.random() * 1000)}`, extraValue(noise)]);
  if (noise.shuffle) {
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(noise.random() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
  }
  const body = entries.map(
    ([k, v]) => `${ws(noise)}${stringLiteral(k, noise)}${ws(noise)}:${ws(noise)}${serialize(v, noise)}`,
  );
  return `{${body.join(',')}${ws(noise)}}`;
}

function extraValue(noise: Noise): JsonModel {
  const pick = Math.floor(noise.random() * 6);
  if (pick === 0) return { num: '123456789012345678901234567890' };
  if (pick === 1) return { num: '-1.5e-300' };
  if (pick === 2) return { obj: [['nested', [{ obj: [['deep', [null, true, false]]] }]]] };
  if (pick === 3) return 'with "quotes" and \\ and ünïcødé';
  if (pick === 4) return [];
  return null;
}

const decimalArb = fc
  .tuple(fc.nat({ max: 999_999_999 }), fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }))
  .map(([int, frac]) => (frac === undefined ? String(int) : `${int}.${frac}`));

/** Symbols: ordinary tickers, plus mixed-case and unicode ones the full parse must carry exactly. */
export const symbolArb = fc.constantFrom(
  'BTCUSDT',
  'ETH-USD',
  'BTC/USD',
  'AAPLx/USD',
  'BTC-28APR23-29500-C',
  '这是测试币456',
  'A"B\\C',
);

/** A simulated trade (time from 1970 to 2100). */
export const simTradeArb = (symbol: fc.Arbitrary<string> = symbolArb): fc.Arbitrary<SimTrade> =>
  fc.record({
    symbol,
    tradeId: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    price: decimalArb,
    size: decimalArb,
    side: fc.constantFrom('buy' as const, 'sell' as const),
    timestampMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    timestampMicros: fc.integer({ min: 0, max: 999 }),
  });

/** Trades for one message of `venue` (one symbol per message where the venue requires it). */
export function tradesArb(venue: VenueName): fc.Arbitrary<SimTrade[]> {
  if (venue === 'binance' || venue === 'coinbase') return simTradeArb().map((t) => [t]);
  if (venue === 'kraken') return fc.array(simTradeArb(), { minLength: 1, maxLength: 6 });
  return symbolArb.chain((symbol) =>
    fc.array(simTradeArb(fc.constant(symbol)), { minLength: 1, maxLength: 6 }),
  );
}

/** What parsing a message of these trades must give. */
export function expectedTrades(venue: VenueName, trades: readonly SimTrade[]): ExpectedTrade[] {
  return trades.map((t) => {
    const rfcVenue = venue === 'coinbase' || venue === 'kraken';
    const iso = new Date(t.timestampMs).toISOString();
    const time = rfcVenue ? rfc(`${iso.slice(0, 23)}${String(t.timestampMicros).padStart(3, '0')}Z`) : null;
    const seq = venue === 'bybit' ? -1 : t.tradeId;
    return {
      symbol: t.symbol,
      tradeId: String(t.tradeId),
      tradeIdNumber: t.tradeId,
      seqFirst: seq,
      seqLast: seq,
      timestampMs: time ? time.timestampMs : t.timestampMs,
      timestampSubMsNanos: time ? time.timestampSubMsNanos : 0,
      price: Number(t.price),
      size: Number(t.size),
      side: t.side,
    };
  });
}

const s = (text: string): JsonModel => text;
const n = (text: string | number): JsonModel => ({ num: String(text) });

/** The trade message of `venue` for these trades as a model (same content as the venue's `formatTrades`). */
export function tradeModel(venue: VenueName, trades: readonly SimTrade[]): JsonModel {
  const iso = (t: SimTrade) =>
    `${new Date(t.timestampMs).toISOString().slice(0, 23)}${String(t.timestampMicros).padStart(3, '0')}Z`;
  const first = trades[0]!;
  switch (venue) {
    case 'binance':
      return {
        obj: [
          ['stream', s(`${first.symbol.toLowerCase()}@trade`)],
          [
            'data',
            {
              obj: [
                ['e', s('trade')],
                ['E', n(first.timestampMs)],
                ['s', s(first.symbol)],
                ['t', n(first.tradeId)],
                ['p', s(first.price)],
                ['q', s(first.size)],
                ['T', n(first.timestampMs)],
                ['m', first.side === 'sell'],
                ['M', true],
              ],
            },
          ],
        ],
      };
    case 'coinbase':
      return {
        obj: [
          ['type', s('match')],
          ['trade_id', n(first.tradeId)],
          ['maker_order_id', s('ac928c66-ca53-498f-9c13-a110027a60e8')],
          ['side', s(first.side === 'buy' ? 'sell' : 'buy')],
          ['size', s(first.size)],
          ['price', s(first.price)],
          ['product_id', s(first.symbol)],
          ['sequence', n(50)],
          ['time', s(iso(first))],
        ],
      };
    case 'kraken':
      return {
        obj: [
          ['channel', s('trade')],
          ['type', s('update')],
          [
            'data',
            trades.map((t) => ({
              obj: [
                ['symbol', s(t.symbol)],
                ['side', s(t.side)],
                ['price', n(t.price)],
                ['qty', n(t.size)],
                ['ord_type', s('limit')],
                ['trade_id', n(t.tradeId)],
                ['timestamp', s(iso(t))],
              ] as [string, JsonModel][],
            })),
          ],
        ],
      };
    case 'bybit':
      return {
        obj: [
          ['topic', s(`publicTrade.${first.symbol}`)],
          ['type', s('snapshot')],
          ['ts', n(first.timestampMs)],
          [
            'data',
            trades.map((t) => ({
              obj: [
                ['T', n(t.timestampMs)],
                ['s', s(t.symbol)],
                ['S', s(t.side === 'buy' ? 'Buy' : 'Sell')],
                ['v', s(t.size)],
                ['p', s(t.price)],
                ['L', s('PlusTick')],
                ['i', s(String(t.tradeId))],
                ['BT', false],
              ] as [string, JsonModel][],
            })),
          ],
        ],
      };
    case 'okx':
      return {
        obj: [
          [
            'arg',
            {
              obj: [
                ['channel', s('trades')],
                ['instId', s(first.symbol)],
              ],
            },
          ],
          [
            'data',
            trades.map((t) => ({
              obj: [
                ['instId', s(t.symbol)],
                ['tradeId', s(String(t.tradeId))],
                ['px', s(t.price)],
                ['sz', s(t.size)],
                ['side', s(t.side)],
                ['ts', s(String(t.timestampMs))],
                ['count', s('1')],
                ['seqId', n(1234)],
              ] as [string, JsonModel][],
            })),
          ],
        ],
      };
  }
}
