/**
 * The NATS header block of a {@link JetStreamTransport} publish, encoded
 * without nats.js's per-message header map and text encoding (together about
 * a sixth of the publishing thread's time on the exactly-once path).
 */
import type { MsgHdrs } from '@nats-io/nats-core';
import { natsCore } from './nats-modules.js';

const MSG_ID_HEADER = 'Nats-Msg-Id';
const EXPECTED_STREAM_HEADER = 'Nats-Expected-Stream';
const ZERO = 0x30;
/**
 * Header blocks are carved from slabs of this size: a block is ~100 bytes, above the 64 bytes V8 keeps on its
 * heap, so a fresh array per publish would pay for a separately allocated backing store each time (issue 17).
 */
const SLAB_BYTES = 64 * 1024;

/**
 * `Nats-Msg-Id: <producerId>-<ordinal>` and `Nats-Expected-Stream: <stream>`,
 * with `ordinal` set before each publish. nats.js calls `encode()`
 * synchronously inside `publish` and keeps the returned array until its next
 * socket write, so each call returns bytes no later call overwrites (a view
 * into a slab that is never written twice). Only `encode()` follows
 * `ordinal`; the map behind the other MsgHdrs methods holds the stream header
 * alone.
 */
export interface MessageIdHeaders extends MsgHdrs {
  /** Publish number of the next encoded message. */
  ordinal: number;
  /** The header block as nats.js writes it, with the current `ordinal`: bytes no later call overwrites. */
  encode(): Uint8Array;
}

type MessageIdHeadersClass = new (producerId: string, stream: string) => MessageIdHeaders;
let messageIdHeadersClass: MessageIdHeadersClass | undefined;

// Defined on first use: it extends nats.js's header class, which is loaded only when a JetStream transport is.
function defineMessageIdHeaders(): MessageIdHeadersClass {
  return class extends natsCore().MsgHdrsImpl implements MessageIdHeaders {
    ordinal = 0;
    private readonly head: Uint8Array;
    private readonly tail: Uint8Array;
    private slab = new Uint8Array(0);
    private used = 0;

    constructor(producerId: string, stream: string) {
      super();
      this.set(EXPECTED_STREAM_HEADER, stream);
      const encoder = new TextEncoder();
      this.head = encoder.encode(`NATS/1.0\r\n${MSG_ID_HEADER}: ${producerId}-`);
      this.tail = encoder.encode(`\r\n${EXPECTED_STREAM_HEADER}: ${stream}\r\n\r\n`);
    }

    override encode(): Uint8Array {
      let digits = 1;
      for (let rest = this.ordinal; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      const length = this.head.length + digits + this.tail.length;
      if (this.used + length > this.slab.length) {
        this.slab = new Uint8Array(Math.max(SLAB_BYTES, length));
        this.used = 0;
      }
      const out = this.slab.subarray(this.used, this.used + length);
      this.used += length;
      out.set(this.head, 0);
      let at = this.head.length + digits;
      for (let rest = this.ordinal; at > this.head.length; rest = Math.floor(rest / 10))
        out[--at] = ZERO + (rest % 10);
      out.set(this.tail, this.head.length + digits);
      return out;
    }
  };
}

/** New {@link MessageIdHeaders} for `producerId` publishing into `stream`. */
export function createMessageIdHeaders(producerId: string, stream: string): MessageIdHeaders {
  messageIdHeadersClass ??= defineMessageIdHeaders();
  return new messageIdHeadersClass(producerId, stream);
}
