// The main entry: what a user needs to publish and subscribe. The rest is grouped by concern in the subpath
// entries (`@marketpipe/middleware/transport`, `/journal`, `/latency`, `/errors`); see the package README.
export {
  hasErrorCode,
  InvalidSubjectError,
  MarketpipeError,
  PayloadTooLargeError,
  type SubjectProblem,
  TransportClosedError,
  TransportConnectError,
} from './errors.js';
export {
  type Clock,
  clock,
  MonotonicClock,
  type MonotonicClockOptions,
  type WallParts,
} from './latency/clock.js';
export { Interner, type InternerOptions } from './latency/interner.js';
export { InMemoryTransport, type InMemoryTransportOptions } from './transport/in-memory-transport.js';
export type { NatsConnectAttempt, NatsConnectControl } from './transport/nats-connect.js';
export type { NatsConnectionOptions } from './transport/nats-connection.js';
export {
  type NatsOutageCounters,
  NatsTransport,
  type NatsTransportOptions,
} from './transport/nats-transport.js';
export type { OutageBufferOptions, OverflowPolicy } from './transport/outage-buffer.js';
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
} from './transport/transport.js';
