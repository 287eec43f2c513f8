/** Level lists of a simulated book in a venue's decimal style, shared by the book emulations. */
import { KeptSide, setTexts } from '../books/kept-book.js';
import type { SimBookSide } from './sim-book.js';
import { type DecimalStyle, formatDecimal } from './sim-instruments.js';

/** The best `max` levels of `side` as `[price, size]` texts. */
export function levelTexts(
  side: SimBookSide,
  max: number,
  priceDecimals: number,
  sizeDecimals: number,
  style: DecimalStyle,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const price of side.prices) {
    if (out.length >= max) break;
    out.push([
      formatDecimal(price, priceDecimals, style),
      formatDecimal(side.sizes.get(price)!, sizeDecimals, style),
    ]);
  }
  return out;
}

/** Changed levels as `[price, size]` texts, best first; `skip` holds prices to leave out. */
export function changeTexts(
  changes: ReadonlyMap<number, number>,
  bids: boolean,
  priceDecimals: number,
  sizeDecimals: number,
  style: DecimalStyle,
  skip?: ReadonlySet<number>,
): Array<[string, string]> {
  const prices = [...changes.keys()].filter((p) => !(skip?.has(p) && changes.get(p) === 0));
  prices.sort(bids ? (a, b) => b - a : (a, b) => a - b);
  return prices.map((price) => [
    formatDecimal(price, priceDecimals, style),
    formatDecimal(changes.get(price)!, sizeDecimals, style),
  ]);
}

/** The book's best `levels` as the kept book the checksum helpers read (texts as the venue writes them). */
export function keptSide(side: SimBookSide, levels: Array<[string, string]>): KeptSide {
  const kept = new KeptSide(side.isBid);
  for (const [price, size] of levels) setTexts(kept, Number(price), Number(size), price, size);
  return kept;
}
