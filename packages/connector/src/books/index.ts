// `@marketpipe/connector/books`: order books: the book core, one sync per venue, and the Cap'n Proto book
// codec.

export { InvalidBookFieldError } from '../errors.js';
// The venue machines' per-symbol state types appear in their declarations (`extends BookSyncBase<BinanceState>`);
// they are exported as types so those declarations are complete, not as a contract.
export { BinanceBookSync, type BinanceState, type BufferedEvent } from './binance-book.js';
export type { BookFrame, BookLevel, BookUpdate } from './book-data.js';
export { BookLevels, createBookFrame, frameToUpdate } from './book-data.js';
export type { BookEncoderOptions } from './book-encoder.js';
export { BookEncoder } from './book-encoder.js';
export type {
  BookSink,
  BookSync,
  BookSyncBase,
  BookSyncCounters,
  BookSyncOptions,
  OutOfSyncReason,
  SymbolState,
} from './book-sync.js';
export { BookSyncResult } from './book-sync.js';
export { BookView } from './book-view.js';
export { BybitBookSync, type BybitState } from './bybit-book.js';
export { CoinbaseBookSync } from './coinbase-book.js';
export type { KeptSide, TextLevel } from './kept-book.js';
export type { KrakenBookSyncOptions, KrakenPrecision, KrakenState, SideText } from './kraken-book.js';
export { KrakenBookSync } from './kraken-book.js';
export { OkxBookSync, type OkxState } from './okx-book.js';
export type { BookDepth, OrderBookOptions } from './order-book.js';
export { OrderBook } from './order-book.js';
