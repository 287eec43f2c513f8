/**
 * The behaviour every {@link Transport} must share, run against each
 * implementation (in-memory and NATS) by its own test file.
 *
 * Delivery may be asynchronous (NATS), so tests wait for a marker message
 * instead of sleeping: messages from one publisher on one transport arrive
 * in order, so once the marker is in, anything before it would be too.
 */
import { type WaitForOptions, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidSubjectError, TransportClosedError } from '../../src/errors.js';
import type { FastPublishTransport, TransportStatus } from '../../src/transport/transport.js';

/** One delivery as seen by a handler, with the payload copied. */
export interface Received {
  subject: string;
  payload: Uint8Array;
  sequence: number;
  timestamp: number;
}

/** How long a delivery may take before a wait fails with its own message (under the 20 s test timeout). */
export const DELIVERY: WaitForOptions = { timeoutMs: 10_000 };

function recorder(
  transport: FastPublishTransport,
  pattern: string,
): { received: Received[]; close: () => void } {
  const received: Received[] = [];
  const sub = transport.subscribe(pattern, (payload, subject, delivery) => {
    received.push({
      subject,
      payload: payload.slice(),
      sequence: delivery.sequence,
      timestamp: delivery.timestampNanos,
    });
  });
  return { received, close: () => sub.close() };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (value: string): Uint8Array => encoder.encode(value);

function expectInvalidSubject(action: () => unknown, reason: string): void {
  let caught: unknown;
  try {
    action();
  } catch (err) {
    caught = err;
  }
  expect(caught instanceof InvalidSubjectError, `expected InvalidSubjectError, got ${String(caught)}`).toBe(
    true,
  );
  expect((caught as InvalidSubjectError).reason).toBe(reason);
}

/**
 * Registers the contract suite for one implementation. `create` returns a
 * fresh, connected transport for each test; the suite closes it afterwards.
 */
export function transportContract(name: string, create: () => Promise<FastPublishTransport>): void {
  describe(`Transport contract: ${name}`, () => {
    let transport: FastPublishTransport;
    let prefix = '';
    let testNumber = 0;

    beforeEach(async () => {
      transport = await create();
      // A fresh subject space per test keeps tests independent on a shared broker.
      prefix = `contract${++testNumber}x${Date.now()}`;
    });

    afterEach(async () => {
      await transport.close();
    });

    async function publishMarker(subject: string, received: Received[]): Promise<void> {
      const before = received.length;
      transport.publish(subject, text('marker'));
      await transport.flush();
      await waitFor(`marker on ${subject}`, () => received.length > before, DELIVERY);
    }

    it('delivers to an exact subscription, by string and by prepared target', async () => {
      const { received } = recorder(transport, `${prefix}.trades`);
      transport.publish(`${prefix}.trades`, text('one'));
      const target = transport.prepare(`${prefix}.trades`);
      expect(target.subject).toBe(`${prefix}.trades`);
      transport.publish(target, text('two'));
      await transport.flush();
      await waitFor('two messages', () => received.length === 2, DELIVERY);
      expect(received.map((r) => decoder.decode(r.payload))).toEqual(['one', 'two']);
      expect(received.map((r) => r.subject)).toEqual([`${prefix}.trades`, `${prefix}.trades`]);
      expect(transport.status).toBe('connected');
    });

    it('matches `*` against exactly one token', async () => {
      const { received } = recorder(transport, `${prefix}.*.btc`);
      transport.publish(`${prefix}.binance.btc`, text('a'));
      transport.publish(`${prefix}.binance.btc.usd`, text('too long'));
      transport.publish(`${prefix}.btc`, text('too short'));
      transport.publish(`${prefix}.binance.eth`, text('other'));
      await publishMarker(`${prefix}.kraken.btc`, received);
      expect(received.map((r) => r.subject)).toEqual([`${prefix}.binance.btc`, `${prefix}.kraken.btc`]);
    });

    it('matches `>` against one or more trailing tokens', async () => {
      const { received } = recorder(transport, `${prefix}.book.>`);
      transport.publish(`${prefix}.book`, text('no trailing token'));
      transport.publish(`${prefix}.book.btc`, text('a'));
      transport.publish(`${prefix}.book.btc.l2.snapshot`, text('b'));
      transport.publish(`${prefix}.trades.btc`, text('other'));
      await publishMarker(`${prefix}.book.end`, received);
      expect(received.map((r) => r.subject)).toEqual([
        `${prefix}.book.btc`,
        `${prefix}.book.btc.l2.snapshot`,
        `${prefix}.book.end`,
      ]);
    });

    it('keeps publish order and lets the publisher reuse its buffer at once', async () => {
      const { received } = recorder(transport, `${prefix}.seq`);
      const target = transport.prepare(`${prefix}.seq`);
      const buffer = new Uint8Array(4);
      const view = new DataView(buffer.buffer);
      const count = 2_000;
      for (let i = 0; i < count; i++) {
        view.setUint32(0, i);
        transport.publish(target, buffer);
      }
      view.setUint32(0, 0xffffffff);
      await transport.flush();
      await waitFor(`${count} messages`, () => received.length === count, DELIVERY);
      const values = received.map((r) =>
        new DataView(r.payload.buffer, r.payload.byteOffset, 4).getUint32(0),
      );
      expect(values).toEqual(Array.from({ length: count }, (_, i) => i));
    });

    it('numbers deliveries with strictly increasing sequences and stamps them with the clock', async () => {
      const first = recorder(transport, `${prefix}.fan`);
      const second = recorder(transport, `${prefix}.>`);
      for (let i = 0; i < 50; i++) transport.publish(`${prefix}.fan`, text(String(i)));
      await transport.flush();
      await waitFor(
        'fan-out to both',
        () => first.received.length === 50 && second.received.length === 50,
        DELIVERY,
      );
      const all = [...first.received, ...second.received].sort((a, b) => a.sequence - b.sequence);
      for (let i = 1; i < all.length; i++) {
        expect(all[i]?.sequence).toBeGreaterThan(all[i - 1]?.sequence ?? Number.NaN);
        expect(all[i]?.timestamp).toBeGreaterThanOrEqual(all[i - 1]?.timestamp ?? Number.NaN);
      }
      expect(new Set(all.map((r) => r.sequence)).size).toBe(100);
      for (const r of all) expect(Number.isFinite(r.timestamp)).toBe(true);
      expect(first.received.map((r) => decoder.decode(r.payload))).toEqual(
        second.received.map((r) => decoder.decode(r.payload)),
      );
    });

    it('stops delivery when a subscription is closed, leaving the others alone', async () => {
      const closed = recorder(transport, `${prefix}.x`);
      const open = recorder(transport, `${prefix}.x`);
      transport.publish(`${prefix}.x`, text('before'));
      await transport.flush();
      await waitFor(
        'first message',
        () => closed.received.length === 1 && open.received.length === 1,
        DELIVERY,
      );
      closed.close();
      closed.close();
      transport.publish(`${prefix}.x`, text('after'));
      await transport.flush();
      await waitFor('second message', () => open.received.length === 2, DELIVERY);
      expect(closed.received.map((r) => decoder.decode(r.payload))).toEqual(['before']);
    });

    it('isolates a throwing handler: counted, reported, others still served', async () => {
      const errors: { error: unknown; subject: string }[] = [];
      transport.onError((error, subject) => errors.push({ error, subject }));
      const boom = new Error('handler bug');
      transport.subscribe(`${prefix}.err`, () => {
        throw boom;
      });
      const { received } = recorder(transport, `${prefix}.err`);
      transport.publish(`${prefix}.err`, text('1'));
      transport.publish(`${prefix}.err`, text('2'));
      await transport.flush();
      await waitFor('deliveries and errors', () => received.length === 2 && errors.length === 2, DELIVERY);
      expect(errors).toEqual([
        { error: boom, subject: `${prefix}.err` },
        { error: boom, subject: `${prefix}.err` },
      ]);
      const counters = transport.counters();
      expect(counters.published).toBe(2);
      expect(counters.delivered).toBe(2);
      expect(counters.dropped.handlerError).toBe(2);
    });

    it('rejects invalid subjects with a typed error and sends nothing', async () => {
      const { received } = recorder(transport, '>');
      const payload = text('bad');
      expectInvalidSubject(() => transport.publish('', payload), 'empty');
      expectInvalidSubject(() => transport.publish(`${prefix}..x`, payload), 'empty-token');
      expectInvalidSubject(() => transport.publish(`.${prefix}`, payload), 'empty-token');
      expectInvalidSubject(() => transport.publish(`${prefix}.`, payload), 'empty-token');
      expectInvalidSubject(() => transport.publish(`${prefix}.a b`, payload), 'whitespace');
      expectInvalidSubject(() => transport.publish(`${prefix}.a\tb`, payload), 'whitespace');
      expectInvalidSubject(() => transport.publish(`${prefix}.a\u0000b`, payload), 'control-character');
      expectInvalidSubject(() => transport.publish(`${prefix}.*`, payload), 'wildcard-in-publish');
      expectInvalidSubject(() => transport.publish(`${prefix}.>`, payload), 'wildcard-in-publish');
      expectInvalidSubject(() => transport.prepare(`${prefix}.*.x`), 'wildcard-in-publish');
      expectInvalidSubject(() => transport.publish({ subject: `${prefix} x` }, payload), 'whitespace');
      expectInvalidSubject(() => transport.subscribe(`${prefix}.>.x`, () => {}), 'full-wildcard-not-last');
      expectInvalidSubject(() => transport.subscribe(`${prefix}.a*`, () => {}), 'partial-wildcard');
      expectInvalidSubject(() => transport.subscribe('', () => {}), 'empty');
      await publishMarker(`${prefix}.ok`, received);
      // The server's own advisories (`$JS.EVENT.ADVISORY...`, sent asynchronously after a stream this suite created)
      // also match `>`; none of the subjects tried above starts with `$`.
      const ours = received.map((r) => r.subject).filter((subject) => !subject.startsWith('$'));
      expect(ours).toEqual([`${prefix}.ok`]);
      expect(transport.counters().published).toBe(1);
    });

    it('carries payloads from 0 bytes up to 1 MiB intact', async () => {
      const { received } = recorder(transport, `${prefix}.blob`);
      const sizes = [0, 1, 4096, 64 * 1024, 1024 * 1024];
      const payloads = sizes.map((size) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
        return bytes;
      });
      for (const p of payloads) transport.publish(`${prefix}.blob`, p);
      await transport.flush();
      await waitFor('all payload sizes', () => received.length === sizes.length, DELIVERY);
      expect(received.map((r) => r.payload.byteLength)).toEqual(sizes);
      received.forEach((r, i) => {
        expect(Buffer.from(r.payload).equals(Buffer.from(payloads[i] as Uint8Array))).toBe(true);
      });
    });

    it('closes idempotently: status closed, typed errors afterwards', async () => {
      const statuses: TransportStatus[] = [];
      const off = transport.onStatus((s) => statuses.push(s));
      const ignored: TransportStatus[] = [];
      const offIgnored = transport.onStatus((s) => ignored.push(s));
      offIgnored();
      const { received } = recorder(transport, `${prefix}.c`);
      const target = transport.prepare(`${prefix}.c`);
      const first = transport.close();
      const second = transport.close();
      expect(second).toBe(first);
      await first;
      expect(transport.status).toBe('closed');
      expect(statuses).toEqual(['closed']);
      expect(ignored).toEqual([]);
      off();
      for (const action of [
        () => transport.publish(target, text('late')),
        () => transport.publish(`${prefix}.c`, text('late')),
        () => transport.subscribe(`${prefix}.c`, () => {}),
        () => transport.prepare(`${prefix}.c`),
      ]) {
        let caught: unknown;
        try {
          action();
        } catch (err) {
          caught = err;
        }
        expect(caught instanceof TransportClosedError, String(caught)).toBe(true);
      }
      await expect(transport.flush()).rejects.toSatisfy((e: unknown) => e instanceof TransportClosedError);
      expect(received).toEqual([]);
      expect(transport.counters().published).toBe(0);
    });
  });
}
