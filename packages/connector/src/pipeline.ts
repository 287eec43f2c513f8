// `@marketpipe/connector/pipeline`: the pipeline and its parts: the runner (the hot path), the publisher
// and the subject rules, with their errors.

export type { BookSyncCounters, OutOfSyncReason } from './books/book-sync.js';
export { type TradeData, TradeSide } from './codec/trade-data.js';
export {
  type EpochMsParts,
  TradeEncoder,
  type TradeEncoderOptions,
  type TradeNumbers,
} from './codec/trade-encoder.js';
export {
  CpuPlacementError,
  DataDirNotWritableError,
  FlusherWorkerError,
  InvalidNameError,
  RingGeometryError,
  SourceConnectionError,
  SubjectCollisionError,
  VenueLockedError,
  type VenueLockHolder,
} from './errors.js';
export type { Channel } from './feeds/book-subscriptions.js';
export type { TradeIdRange } from './feeds/gap-detector.js';
export { MessageKind } from './feeds/message-kind.js';
export type { ParsedTrade, TradeSink, VenueName } from './feeds/venue-feed.js';
export type { ParserBackend } from './feeds/venue-parser.js';
export type { FlusherStatus } from './flusher/disk-flusher.js';
export type { FsyncPolicy } from './flusher/fsync-policy.js';
export type { CpuPlacement, PipelineCpus } from './placement/cpu-placement.js';
export type { PublisherCounters, PublisherOptions, ReceiveTime } from './publisher/publisher.js';
export { Publisher } from './publisher/publisher.js';
export { tickerToSubjectToken } from './publisher/subject-token.js';
export { type RecordVisitor, RingBuffer } from './ring/ring-buffer.js';
export type { RingGeometry } from './ring/ring-geometry.js';
export type { RingFormatVersion } from './ring/ring-header.js';
export type { BookCounters, BookMessageSink, BookPathOptions } from './runner/book-path.js';
export { BookPath, markSnapshotRecord, SNAPSHOT_RECORD_MARK } from './runner/book-path.js';
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
export type {
  FlusherWake,
  MessageParser,
  RunnerCounters,
  RunnerIssue,
  RunnerOptions,
  TradeIdObserver,
} from './runner/runner.js';
export { Runner } from './runner/runner.js';
export type { BackoffOptions } from './sources/reconnect-backoff.js';
