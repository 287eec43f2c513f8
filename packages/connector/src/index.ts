export { BinanceBookSync } from './books/binance-book.js';
export type { BookFrame, BookLevel, BookUpdate } from './books/book-data.js';
export { BookLevels, createBookFrame, frameToUpdate } from './books/book-data.js';
export type { BookEncoderOptions } from './books/book-encoder.js';
export { BookEncoder } from './books/book-encoder.js';
export type { BookSink, BookSyncCounters, BookSyncOptions, OutOfSyncReason } from './books/book-sync.js';
export { BookSyncResult } from './books/book-sync.js';
export { BookView } from './books/book-view.js';
export { BybitBookSync } from './books/bybit-book.js';
export { CoinbaseBookSync } from './books/coinbase-book.js';
export type { KrakenBookSyncOptions, KrakenPrecision } from './books/kraken-book.js';
export { KrakenBookSync } from './books/kraken-book.js';
export { OkxBookSync } from './books/okx-book.js';
export type { BookDepth, OrderBookOptions } from './books/order-book.js';
export { OrderBook } from './books/order-book.js';
export type { TradeData } from './codec/trade-data.js';
export { TradeSide, tradeSideName } from './codec/trade-data.js';
export type { EpochMsParts, TradeEncoderOptions, TradeNumbers } from './codec/trade-encoder.js';
export { TradeEncoder } from './codec/trade-encoder.js';
export { TradeView } from './codec/trade-view.js';
export {
  CapnpFormatError,
  DataDirNotWritableError,
  FlusherStopTimeoutError,
  FlusherWorkerError,
  InvalidBookFieldError,
  InvalidDayError,
  InvalidNameError,
  InvalidSimBatchError,
  InvalidTradeFieldError,
  InvalidVenueError,
  type MalformedReason,
  MalformedVenueMessageError,
  MessageHandlerError,
  RecordFileHeaderError,
  RecordTooLargeError,
  ReplayFileError,
  ReplayLineTooLongError,
  RingBindingError,
  RingClosedError,
  RingCorruptError,
  RingFormatError,
  RingGeometryError,
  SimdjsonUnavailableError,
  SimulatorLogError,
  SourceConnectionError,
  SourceStateError,
  SubjectCollisionError,
  type TradeTextField,
  TradeTextTooLongError,
  VenueLockedError,
  type VenueLockHolder,
} from './errors.js';
export { binanceProtocol, createBinanceParser } from './feeds/binance.js';
export { bybitProtocol, createBybitParser } from './feeds/bybit.js';
export { coinbaseProtocol, createCoinbaseParser } from './feeds/coinbase.js';
export type { GapDetectorOptions, GapListener, TradeIdRange } from './feeds/gap-detector.js';
export { GapDetector, SequenceCheck } from './feeds/gap-detector.js';
export { createKrakenParser, krakenProtocol } from './feeds/kraken.js';
export { MessageKind, NON_TRADE_KIND_COUNT, NonTradeKind, nonTradeKindName } from './feeds/message-kind.js';
export { createOkxParser, okxProtocol } from './feeds/okx.js';
export type { ParsedTrade, SimTrade, TradeSink, VenueName, VenueProtocol } from './feeds/venue-feed.js';
export type { ParserBackend, ParserOptions, VenueParser } from './feeds/venue-parser.js';
export { DEFAULT_PARSER_BACKEND } from './feeds/venue-parser.js';
export {
  createParser,
  VENUE_NAMES,
  VENUES,
  type VenueDefinition,
  venueDefinition,
  venueProtocol,
} from './feeds/venues.js';
export type { BackgroundSyncer } from './flusher/background-sync.js';
export { ThreadSyncer } from './flusher/background-sync.js';
export type { DiskFlusherOptions, FlusherStatus } from './flusher/disk-flusher.js';
export { DiskFlusher } from './flusher/disk-flusher.js';
export type { FileSink } from './flusher/file-sink.js';
export type { FlusherRecovery } from './flusher/flusher-messages.js';
export type { FsyncPolicy } from './flusher/fsync-policy.js';
export { DEFAULT_FSYNC_POLICY } from './flusher/fsync-policy.js';
export type { RecordFileWriterOptions, SetAsideRange, WriterRecovery } from './flusher/record-file-writer.js';
export { RecordFileWriter } from './flusher/record-file-writer.js';
export type { RecordFileVersion } from './flusher/record-format.js';
export {
  DEFAULT_RECORD_FILE_EXTENSION,
  RECORD_FILE_MAGIC,
  RECORD_FILE_VERSION,
} from './flusher/record-format.js';
export type {
  FlushedRecord,
  ReadRecordsOptions,
  RecordDamage,
  RecordFileSummary,
  VenueRecordRange,
} from './flusher/record-reader.js';
export { listRecordDays, readRecordFile, readVenueRecords, scanRecordFile } from './flusher/record-reader.js';
export type { InjectableWriteFault } from './flusher/write-fault.js';
export type { PublisherCounters, PublisherOptions } from './publisher/publisher.js';
export { Publisher } from './publisher/publisher.js';
export { tickerToSubjectToken, validateName } from './publisher/subject-token.js';
export type { RecordVisitor } from './ring/ring-buffer.js';
export { RingBuffer } from './ring/ring-buffer.js';
export type { RingGeometry } from './ring/ring-geometry.js';
export { DEFAULT_RING_GEOMETRY } from './ring/ring-geometry.js';
export type {
  PipelineLogger,
  PipelineOptions,
  PipelineStatus,
  PipelineSummary,
  SourceSpec,
} from './runner/pipeline.js';
export { Pipeline } from './runner/pipeline.js';
export type {
  FlusherWake,
  MessageParser,
  RunnerCounters,
  RunnerIssue,
  RunnerOptions,
  TradeIdObserver,
} from './runner/runner.js';
export { Runner } from './runner/runner.js';
export type { LineReplayOptions, LineReplayStatus } from './sources/line-replay-source.js';
export { LineReplaySource } from './sources/line-replay-source.js';
export type { LineTimestampFormat } from './sources/line-timestamp.js';
export type {
  MessageHandler,
  MessageSource,
  SourceEnd,
  SourceEvent,
  SourceEventListener,
  SourceState,
  SourceStatus,
} from './sources/message-source.js';
export type { BackoffOptions } from './sources/reconnect-backoff.js';
export { DEFAULT_BACKOFF, fullJitterDelay } from './sources/reconnect-backoff.js';
export type { RecordReplayOptions, RecordReplayStatus } from './sources/record-replay-source.js';
export { RecordReplaySource, recordFilesOf } from './sources/record-replay-source.js';
export { createSeededRandom } from './sources/seeded-random.js';
export type { SimulateMessagesOptions } from './sources/simulate-messages.js';
export { simulateMessages } from './sources/simulate-messages.js';
export type { ReceivedFrame, SentFrame, SimulatorOptions, SimulatorStats } from './sources/simulator.js';
export { SimulatorServer } from './sources/simulator.js';
export type { WebSocketSourceOptions, WebSocketSourceStatus } from './sources/websocket-source.js';
export { WebSocketSource } from './sources/websocket-source.js';
