// The main entry: what a user needs to run a pipeline, publish trades, decode trades and books, and read
// recordings. The rest is grouped by concern in the subpath entries (`@marketpipe/connector/pipeline`,
// `/codec`, `/books`, `/feeds`, `/sources`, `/recording`, `/simulator`, `/errors`); see the package README.

export { hasErrorCode, InvalidArgumentError, MarketpipeError } from '@marketpipe/middleware/errors';
export type { BookLevel, BookUpdate } from './books/book-data.js';
export type { BookSyncCounters, OutOfSyncReason } from './books/book-sync.js';
export { BookView } from './books/book-view.js';
export type { TradeData } from './codec/trade-data.js';
export { TradeSide, tradeSideName } from './codec/trade-data.js';
export type { EpochMsParts, TradeEncoderOptions, TradeNumbers } from './codec/trade-encoder.js';
export { TradeEncoder } from './codec/trade-encoder.js';
export { TradeView } from './codec/trade-view.js';
// The errors the main entry's own functions throw; every error of the package is in `@marketpipe/connector/errors`.
export {
  CapnpFormatError,
  CpuPlacementError,
  DataDirNotWritableError,
  FlusherWorkerError,
  InvalidDayError,
  InvalidNameError,
  InvalidTradeFieldError,
  InvalidVenueError,
  RecordFileHeaderError,
  RingGeometryError,
  SourceConnectionError,
  SubjectCollisionError,
  type TradeTextField,
  TradeTextTooLongError,
  VenueLockedError,
  type VenueLockHolder,
} from './errors.js';
export type { Channel } from './feeds/book-subscriptions.js';
export type { VenueName } from './feeds/venue-feed.js';
export type { ParserBackend } from './feeds/venue-parser.js';
export { VENUE_NAMES } from './feeds/venues.js';
export type { FlusherStatus } from './flusher/disk-flusher.js';
export type { FsyncPolicy } from './flusher/fsync-policy.js';
export type { RecordFileVersion } from './flusher/record-format.js';
export type {
  FlushedRecord,
  ReadRecordsOptions,
  RecordDamage,
  RecordFileSummary,
  VenueRecordRange,
} from './flusher/record-reader.js';
export { listRecordDays, readVenueRecords } from './flusher/record-reader.js';
export type { CpuPlacement, PipelineCpus } from './placement/cpu-placement.js';
export type { PublisherCounters, PublisherOptions, ReceiveTime } from './publisher/publisher.js';
export { Publisher } from './publisher/publisher.js';
export type { RingGeometry } from './ring/ring-geometry.js';
export type { BookCounters } from './runner/book-path.js';
export type { BookResyncCounters } from './runner/book-resync.js';
export type {
  BookOptions,
  PipelineBookStatus,
  PipelineLogger,
  PipelineOptions,
  PipelineStatus,
  PipelineSummary,
  SourceSpec,
} from './runner/pipeline.js';
export { Pipeline } from './runner/pipeline.js';
export type { BackoffOptions } from './sources/reconnect-backoff.js';
