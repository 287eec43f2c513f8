// `@marketpipe/connector/pipeline`: the pipeline and its parts: the runner (the hot path), the publisher
// and the subject rules, with their errors.

export type { OutOfSyncReason } from './books/book-sync.js';
export {
  DataDirNotWritableError,
  InvalidNameError,
  SubjectCollisionError,
  VenueLockedError,
  type VenueLockHolder,
} from './errors.js';
export type { Channel } from './feeds/book-subscriptions.js';
export type { FlusherStatus } from './flusher/disk-flusher.js';
export type { PublisherCounters, PublisherOptions, ReceiveTime } from './publisher/publisher.js';
export { Publisher } from './publisher/publisher.js';
export { tickerToSubjectToken } from './publisher/subject-token.js';
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
