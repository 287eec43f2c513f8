// `@marketpipe/connector/books`: order books: the book core, one sync per venue, and the Cap'n Proto book
// codec.

export { CapnpFormatError, InvalidBookFieldError } from '../errors.js';
export { BinanceBookSync } from './binance-book.js';
export type { BookFrame, BookLevel, BookUpdate } from './book-data.js';
export { BookLevels, createBookFrame, frameToUpdate } from './book-data.js';
export type { BookEncoderOptions } from './book-encoder.js';
export { BookEncoder } from './book-encoder.js';
export type {
  BookSink,
  BookSync,
  BookSyncConstructor,
  BookSyncCounters,
  BookSyncOptions,
  OutOfSyncReason,
} from './book-sync.js';
export { BookSyncResult } from './book-sync.js';
export { BookView } from './book-view.js';
export { BybitBookSync } from './bybit-book.js';
export { CoinbaseBookSync } from './coinbase-book.js';
export type { KrakenBookSyncOptions, KrakenPrecision } from './kraken-book.js';
export { KrakenBookSync } from './kraken-book.js';
export { OkxBookSync } from './okx-book.js';
export type { BookDepth, OrderBookOptions } from './order-book.js';
export { OrderBook } from './order-book.js';
