// `@marketpipe/middleware/transport`: the transports (in-memory, NATS core, JetStream), their connection
// options and helpers, subject rules and errors.

export {
  InvalidSubjectError,
  MarketpipeError,
  PayloadTooLargeError,
  StreamSubjectsError,
  SubjectNotInStreamError,
  TransportClosedError,
  TransportConnectError,
} from '../errors.js';
export type { JetStreamJournalStreamOptions } from '../journal/jetstream-journal.js';
export { InMemoryTransport, type InMemoryTransportOptions } from './in-memory-transport.js';
export {
  type JetStreamPublishCounters,
  JetStreamTransport,
  type JetStreamTransportOptions,
} from './jetstream-transport.js';
export type { NatsConnectAttempt, NatsConnectControl } from './nats-connect.js';
export {
  describeNatsConnection,
  type NatsConnectionOptions,
  type ServerCredentials,
  splitServerCredentials,
} from './nats-connection.js';
export { type NatsOutageCounters, NatsTransport, type NatsTransportOptions } from './nats-transport.js';
export type { OutageBufferOptions, OverflowPolicy } from './outage-buffer.js';
export {
  findSubjectProblem,
  type SubjectProblem,
  subjectMatches,
  validatePublishSubject,
  validateSubscribePattern,
} from './subject.js';
export type {
  Delivery,
  DropCounters,
  FastPublishTransport,
  MessageHandler,
  PublishStamp,
  PublishTarget,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport.js';
