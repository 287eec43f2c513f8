/**
 * Level readers for the book byte scanners, over the feeds' {@link ByteJsonReader}. Like the trade scanners they
 * accept only what they fully understand and otherwise return false; the sync machine then hands the message to
 * its `JSON.parse` path, which decides (malformed, ignored, ...) exactly as before. So a scanner returning true must
 * mean what the `JSON.parse` path would have read: the checks here mirror `pushPairs` and `decimal` in
 * `book-sync.ts`, -0 included.
 */
import type { ByteJsonReader } from '../feeds/byte-json-reader.js';
import { scanDecimalNumber, scanDecimalString } from '../feeds/scan-values.js';

/** Where one price or size lands; a typed array so no double is boxed (see `decimal-bytes.ts`). */
const pair = new Float64Array(2);

/** Reads a price or size sent as a decimal string or a JSON number into `pair[index]`. */
function scanLevelValue(reader: ByteJsonReader, index: number): boolean {
  return reader.peek() === 0x22
    ? scanDecimalString(reader, pair, index)
    : scanDecimalNumber(reader, pair, index);
}

/**
 * Reads `price, size` (the reader is just past a level's `[`, or past its side string) and any further elements of
 * the level, through its `]`; pushes the level. False when a value is not a decimal, the price or size is not finite or the
 * size not `>= 0` (the `JSON.parse` path counts those as malformed).
 */
export function scanPriceSize(
  reader: ByteJsonReader,
  into: { push(price: number, size: number): void },
): boolean {
  if (!scanLevelValue(reader, 0) || !reader.eat(0x2c) || !scanLevelValue(reader, 1)) return false;
  while (reader.eat(0x2c)) if (!reader.skipValue()) return false;
  if (!reader.eat(0x5d)) return false;
  const price = pair[0]!;
  const size = pair[1]!;
  if (!Number.isFinite(price) || !Number.isFinite(size) || size < 0) return false;
  into.push(price, size);
  return true;
}

/** Reads a `[[price, size, ...], ...]` array (strings or numbers) into `into`; false as {@link scanPriceSize}. */
export function scanPairs(
  reader: ByteJsonReader,
  into: { push(price: number, size: number): void },
): boolean {
  if (!reader.eat(0x5b)) return false;
  if (reader.eat(0x5d)) return true;
  do {
    if (!reader.eat(0x5b) || !scanPriceSize(reader, into)) return false;
  } while (reader.eat(0x2c));
  return reader.eat(0x5d);
}
