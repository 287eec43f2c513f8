/**
 * Wire layout of the `TradeData` struct in `schema/trade.capnp`, as printed by
 * `capnp compile -ocapnp schema/trade.capnp` (40 data bytes, 2 pointers). The
 * reader uses these numbers; the fixed-layout encoder keeps the same offsets
 * as literals in its `Wire` enum (inlined at build time), and a test in
 * `trade-encoder.test.ts` fails unless `Wire` matches this file, so a schema
 * change is made here and in `Wire`; the encoder's tests prove both against
 * capnp-es.
 */

/** Data section size of `TradeData`, in 8-byte words. */
export const TRADE_DATA_WORDS = 5;
/** Pointer section size of `TradeData`, in pointers. */
export const TRADE_POINTER_COUNT = 2;

/** Byte offset of `timestampNanos` (UInt64) in the data section. */
export const TIMESTAMP_OFFSET = 0;
/** Byte offset of `receivedNanos` (UInt64) in the data section. */
export const RECEIVED_OFFSET = 8;
/** Byte offset of `price` (Float64) in the data section. */
export const PRICE_OFFSET = 16;
/** Byte offset of `size` (Float64) in the data section. */
export const SIZE_OFFSET = 24;
/** Byte offset of `side` (enum, UInt16) in the data section. */
export const SIDE_OFFSET = 32;

/** Pointer index of `ticker` (Text). */
export const TICKER_POINTER = 0;
/** Pointer index of `tradeId` (Text). */
export const TRADE_ID_POINTER = 1;

/** Cap'n Proto list element-size code for one-byte elements (Text is List(UInt8) + NUL). */
export const LIST_ELEMENT_BYTE = 2;
