export {
  checkInteger,
  checkNumber,
  checkOneOf,
  hasErrorCode,
  InternerFullError,
  type InternerLimit,
  InvalidArgumentError,
  type InvalidArgumentOptions,
  InvalidSubjectError,
  InvalidUnicodeError,
  JournalAppendError,
  JournalClosedError,
  JournalOpenError,
  JournalPayloadTooLargeError,
  MarketpipeError,
  PayloadTooLargeError,
  SequenceEvictedError,
  StreamSubjectsError,
  SubjectNotInStreamError,
  TransportClosedError,
  TransportConnectError,
  UnknownInternIdError,
} from './errors.js';
export { InMemoryJournal, type InMemoryJournalOptions } from './journal/in-memory-journal.js';
export {
  type JetStreamAppendOptions,
  type JetStreamAppendReceipt,
  JetStreamJournal,
  type JetStreamJournalOptions,
  type JetStreamJournalStreamOptions,
} from './journal/jetstream-journal.js';
export {
  JetStreamReader,
  type JetStreamReaderOptions,
  type ReaderStart,
} from './journal/jetstream-reader.js';
export type { Journal, JournalEntriesOptions, JournalEntry } from './journal/journal.js';
export { type Clock, clock, MonotonicClock, type MonotonicClockOptions } from './latency/clock.js';
export { Interner, type InternerOptions } from './latency/interner.js';
export {
  LatencyRecorder,
  type LatencyRecorderOptions,
  type LatencySummary,
} from './latency/latency-recorder.js';
export { ManualClock, type ManualClockOptions } from './latency/manual-clock.js';
export { InMemoryTransport, type InMemoryTransportOptions } from './transport/in-memory-transport.js';
export {
  type JetStreamPublishCounters,
  JetStreamTransport,
  type JetStreamTransportOptions,
} from './transport/jetstream-transport.js';
export type { NatsConnectAttempt, NatsConnectControl } from './transport/nats-connect.js';
export {
  describeNatsConnection,
  type NatsConnectionOptions,
  type ServerCredentials,
  splitServerCredentials,
  toNatsConnectOptions,
  withoutCredentials,
} from './transport/nats-connection.js';
export {
  type NatsOutageCounters,
  NatsTransport,
  type NatsTransportOptions,
} from './transport/nats-transport.js';
export { OutageBuffer, type OutageBufferOptions, type OverflowPolicy } from './transport/outage-buffer.js';
export {
  findSubjectProblem,
  type SubjectProblem,
  subjectMatches,
  validatePublishSubject,
  validateSubscribePattern,
} from './transport/subject.js';
export type {
  DropCounters,
  MessageHandler,
  PublishStamp,
  PublishTarget,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport/transport.js';
