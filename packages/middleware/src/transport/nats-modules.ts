/**
 * The nats.js packages, loaded on first use instead of at import. A process that uses the in-memory transport,
 * `marketpipe --help` and the connector's flusher worker never talk to NATS, and loading nats.js cost each of
 * them tens of milliseconds of start-up (issue 15). The packages are CommonJS, so `require` returns the same
 * module instances that an `import` of them elsewhere gets: their error classes stay one class.
 */
import { createRequire } from 'node:module';
import type * as JetStreamModule from '@nats-io/jetstream';
import type * as NatsCoreModule from '@nats-io/nats-core';
import type * as TransportNodeModule from '@nats-io/transport-node';

const load = createRequire(import.meta.url);

let core: typeof NatsCoreModule | undefined;
let jetStream: typeof JetStreamModule | undefined;
let transportNode: typeof TransportNodeModule | undefined;

/** `@nats-io/nats-core`, loaded on the first call. */
export function natsCore(): typeof NatsCoreModule {
  core ??= load('@nats-io/nats-core') as typeof NatsCoreModule;
  return core;
}

/** `@nats-io/jetstream`, loaded on the first call. */
export function natsJetStream(): typeof JetStreamModule {
  jetStream ??= load('@nats-io/jetstream') as typeof JetStreamModule;
  return jetStream;
}

/** `@nats-io/transport-node` (the Node socket `connect`), loaded on the first call. */
export function natsTransportNode(): typeof TransportNodeModule {
  transportNode ??= load('@nats-io/transport-node') as typeof TransportNodeModule;
  return transportNode;
}
