/**
 * Gives any {@link Transport} the runner's fast-path interface: the transports
 * that implement {@link FastPublishTransport} are used as they are, others
 * through a thin adapter that publishes by subject string.
 */

import { TransportClosedError } from '../errors.js';
import { validatePublishSubject } from './subject.js';
import type { FastPublishTransport, PublishTarget, Transport } from './transport.js';

/** True when `transport` offers prepared targets and stamps ({@link FastPublishTransport}). */
export function isFastPublishTransport(transport: Transport): transport is FastPublishTransport {
  return typeof (transport as Partial<FastPublishTransport>).prepare === 'function';
}

/**
 * `transport` itself when it implements {@link FastPublishTransport}; otherwise an adapter whose targets are
 * validated subjects published with {@link Transport.publish} (stamps are ignored).
 */
export function fastPublishOf(transport: Transport): FastPublishTransport {
  if (isFastPublishTransport(transport)) return transport;
  const adapter: FastPublishTransport = {
    get status() {
      return transport.status;
    },
    publish: (subject, payload) =>
      transport.publish(typeof subject === 'string' ? subject : subject.subject, payload),
    prepare: (subject): PublishTarget => {
      if (transport.status === 'closed') throw new TransportClosedError('prepare');
      validatePublishSubject(subject);
      return { subject };
    },
    subscribe: (pattern, handler) => transport.subscribe(pattern, handler),
    flush: () => transport.flush(),
    close: () => transport.close(),
    onStatus: (listener) => transport.onStatus(listener),
    onError: (listener) => transport.onError(listener),
    counters: () => transport.counters(),
  };
  return adapter;
}
