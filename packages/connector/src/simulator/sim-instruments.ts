/**
 * What the simulated market knows of real instruments: the price level, tick
 * and lot of each venue's major symbols, and how each venue writes its
 * decimals, so that a simulated tape looks like the venue's own.
 */
import type { VenueName } from '../feeds/venue-feed.js';

/** One instrument as a venue lists it. */
export interface SimInstrument {
  /** Price level the walk starts near (a seeded ±2% around it). */
  readonly price: number;
  /** Decimals of the price tick: 2 for a 0.01 tick. */
  readonly priceDecimals: number;
  /** Decimals of the size step (lot): 5 for 0.00001. */
  readonly sizeDecimals: number;
  /** Mean trade size, in base units; sizes are drawn exponentially around it. */
  readonly meanSize: number;
}

/**
 * How a venue writes price and size strings: at the tick's decimals
 * (`"67012.35"`), padded to 8 decimals whatever the tick (Binance spot,
 * `"67012.35000000"`), or with trailing zeros cut (OKX, `"30236"`, `"0.0002"`).
 */
export type DecimalStyle = 'tick' | 'pad8' | 'trim';

const BTC_LEVEL = 100_000;
const ETH_LEVEL = 3_500;
const BTC_MEAN_SIZE = 0.02;
const ETH_MEAN_SIZE = 0.4;

function btc(priceDecimals: number, sizeDecimals: number): SimInstrument {
  return { price: BTC_LEVEL, priceDecimals, sizeDecimals, meanSize: BTC_MEAN_SIZE };
}
function eth(priceDecimals: number, sizeDecimals: number): SimInstrument {
  return { price: ETH_LEVEL, priceDecimals, sizeDecimals, meanSize: ETH_MEAN_SIZE };
}

/** Ticks and lots from each venue's spot instrument listing; the keys are the app's default symbols. */
const INSTRUMENTS: Readonly<Record<VenueName, Readonly<Record<string, SimInstrument>>>> = {
  binance: { BTCUSDT: btc(2, 5), ETHUSDT: eth(2, 4) },
  coinbase: { 'BTC-USD': btc(2, 8), 'ETH-USD': eth(2, 8) },
  kraken: { 'BTC/USD': btc(1, 8), 'ETH/USD': eth(2, 8) },
  bybit: { BTCUSDT: btc(2, 6), ETHUSDT: eth(2, 5) },
  okx: { 'BTC-USDT': btc(1, 8), 'ETH-USDT': eth(2, 6) },
};

const STYLES: Readonly<Record<VenueName, DecimalStyle>> = {
  binance: 'pad8',
  coinbase: 'tick',
  kraken: 'tick',
  bybit: 'tick',
  okx: 'trim',
};

/** The listing of `symbol` on `venue`, or `undefined` for a symbol the simulator has no level for. */
export function simInstrument(venue: VenueName, symbol: string): SimInstrument | undefined {
  return Object.hasOwn(INSTRUMENTS[venue], symbol) ? INSTRUMENTS[venue][symbol] : undefined;
}

/** How `venue` writes its decimal strings. */
export function decimalStyle(venue: VenueName): DecimalStyle {
  return STYLES[venue];
}

/**
 * `units` of `10^-decimals` as the venue writes them.
 *
 * @example
 * ```ts
 * formatDecimal(6701235, 2, 'pad8'); // '67012.35000000'
 * formatDecimal(20000, 8, 'trim'); // '0.0002'
 * ```
 */
export function formatDecimal(units: number, decimals: number, style: DecimalStyle): string {
  const text = (units / 10 ** decimals).toFixed(decimals);
  if (style === 'pad8' && decimals < 8)
    return `${text}${decimals === 0 ? '.' : ''}${'0'.repeat(8 - decimals)}`;
  if (style === 'trim' && decimals > 0) return text.replace(/\.?0+$/, '');
  return text;
}
