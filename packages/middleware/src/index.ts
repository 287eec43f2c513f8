// The main entry: what a user needs to publish and subscribe. The rest is grouped by concern in the subpath
// entries (`@marketpipe/middleware/transport`, `/journal`, `/latency`, `/errors`); see the package README.
export {
  hasErrorCode,
  InvalidSubjectError,
  MarketpipeError,
  PayloadTooLargeError,
  TransportClosedError,
  TransportConnectError,
} from './errors.js';
export { type Clock, clock, type WallParts } from './latency/clock.js';
export { Interner, type InternerOptions } from './latency/interner.js';
export { InMemoryTransport, type InMemoryTransportOptions } from './transport/in-memory-transport.js';
export type { NatsConnectionOptions } from './transport/nats-connection.js';
export { NatsTransport, type NatsTransportOptions } from './transport/nats-transport.js';
export type {
  DropCounters,
  MessageHandler,
  Subscription,
  Transport,
  TransportCounters,
  TransportStatus,
} from './transport/transport.js';
