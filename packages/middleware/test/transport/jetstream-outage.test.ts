/**
 * Broker outage with JetStream: a numbered stream is published every
 * millisecond while the nats-server is stopped for about 2.5 s and restarted
 * on the same file storage. The STREAM (not a subscriber) is then read back:
 * it must hold every number exactly once and in order, except exactly those
 * the publisher counted as dropped.
 *
 * The publisher reaches the server through a proxy that can swallow
 * everything the server sends. Swallowing the acknowledgements just before
 * the stop makes "stored, but the acknowledgement was lost" certain, so the
 * re-send after the restart must be de-duplicated by message id. A last case
 * swallows acknowledgements on a live connection, so the transport re-sends
 * after its acknowledgement timeout without any disconnect.
 */

import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamJournal, type JetStreamJournalStreamOptions } from '../../src/journal/jetstream-journal.js';
import { JetStreamTransport } from '../../src/transport/jetstream-transport.js';
import type { OutageBufferOptions } from '../../src/transport/outage-buffer.js';
import type { TransportStatus } from '../../src/transport/transport.js';
import { type AckDroppingProxy, startAckDroppingProxy } from '../journal/ack-dropping-proxy.js';
import { DELIVERY } from './transport-contract.js';

let server: NatsServerHandle;
let streamCounter = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.dispose();
});

interface OutageResult {
  /** How many numbers were published (0 .. published-1). */
  published: number;
  /** The numbers in the stream, in stream order. */
  stored: number[];
  transport: JetStreamTransport;
  statuses: TransportStatus[];
}

async function runOutage(pending: OutageBufferOptions): Promise<OutageResult> {
  streamCounter++;
  const tag = `${process.pid}_${streamCounter}`;
  const stream: JetStreamJournalStreamOptions = {
    name: `OUTAGE_${tag}`,
    subjects: [`outage.t${tag}.>`],
    storage: 'file',
  };
  const proxy: AckDroppingProxy = await startAckDroppingProxy(server.port);
  cleanups.push(() => proxy.close());
  const transport = await JetStreamTransport.connect(
    { servers: proxy.url, name: 'jetstream-outage', reconnectTimeWaitMs: 50, reconnectJitterMs: 0 },
    { stream, pending, ackTimeoutMs: 1_000, retryDelayMs: 100 },
  );
  cleanups.push(() => transport.close());
  const statuses: TransportStatus[] = [];
  transport.onStatus((status) => statuses.push(status));

  const target = transport.prepare(`outage.t${tag}.ticks`);
  const buffer = new Uint8Array(4);
  const view = new DataView(buffer.buffer);
  let next = 0;
  const ticker = setInterval(() => {
    view.setUint32(0, next++);
    transport.publish(target, buffer);
  }, 1);
  try {
    await sleep(400);
    // The server keeps storing; its acknowledgements vanish on the way back.
    proxy.dropServerBytes = true;
    await sleep(150);
    await server.stop();
    proxy.dropServerBytes = false;
    await waitFor('the transport to notice the outage', () => transport.status === 'reconnecting', DELIVERY);
    await sleep(2_500);
    await server.restart();
    await waitFor('the transport to resume', () => transport.status === 'connected', { timeoutMs: 15_000 });
    await sleep(300);
  } finally {
    clearInterval(ticker);
  }
  await transport.flush();

  const journal = await JetStreamJournal.open({ connection: { servers: server.url }, stream });
  try {
    const entries = await journal.read(1, next + 100);
    const stored = entries.map((e) => new DataView(e.payload.buffer, e.payload.byteOffset, 4).getUint32(0));
    return { published: next, stored, transport, statuses };
  } finally {
    await journal.close();
  }
}

/** Checks order, uniqueness and exact accounting; returns the missing numbers. */
function checkExactlyOnce({ published, stored, transport }: OutageResult): number[] {
  const counters = transport.counters();
  const journal = transport.journalCounters();
  expect(counters.published).toBe(published);
  expect(journal.outages).toBeGreaterThanOrEqual(1);
  expect(journal).toMatchObject({ rejected: 0, inFlight: 0, pending: 0, pendingBytes: 0 });
  expect(counters.dropped.closed).toBe(0);

  for (let i = 1; i < stored.length; i++) {
    // Strictly increasing: no number twice, none out of publish order.
    if ((stored[i] as number) <= (stored[i - 1] as number)) {
      expect.fail(`stream position ${i}: ${stored[i]} after ${stored[i - 1]}`);
    }
  }
  const seen = new Set(stored);
  const missing: number[] = [];
  for (let n = 0; n < published; n++) if (!seen.has(n)) missing.push(n);
  // Exact: every number missing from the stream is a counted drop, and vice versa.
  expect(missing.length).toBe(counters.dropped.outageOverflow);
  expect(journal.acked).toBe(stored.length);
  expect(journal.lastSequence).toBe(stored.length);
  expect(published).toBe(journal.acked + counters.dropped.outageOverflow);
  return missing;
}

describe('JetStreamTransport through broker outages', () => {
  it('stores every number exactly once and in order when the outage fits in the pending bound', async () => {
    const result = await runOutage({ maxMessages: 100_000 });
    const missing = checkExactlyOnce(result);
    expect(missing).toEqual([]);
    const journal = result.transport.journalCounters();
    // Messages stored while their acknowledgements were swallowed were sent again and de-duplicated.
    expect(journal.resent).toBeGreaterThan(0);
    expect(journal.duplicates).toBeGreaterThan(0);
    expect(journal.duplicates).toBeLessThanOrEqual(journal.resent);
    expect(result.statuses).toContain('reconnecting');
    expect(result.statuses.at(-1)).toBe('connected');
    console.log(
      `JetStream outage: ${result.published} published, ${result.stored.length} stored, ` +
        `${journal.resent} re-sent, ${journal.duplicates} de-duplicated by the server`,
    );
  }, 40_000);

  it('re-sends after acknowledgement timeouts on a live connection, storing each message once', async () => {
    streamCounter++;
    const tag = `${process.pid}_${streamCounter}`;
    const stream = { name: `ACKLOSS_${tag}`, subjects: [`ackloss.t${tag}.>`], storage: 'file' as const };
    const proxy = await startAckDroppingProxy(server.port);
    cleanups.push(() => proxy.close());
    const transport = await JetStreamTransport.connect(
      { servers: proxy.url, reconnectTimeWaitMs: 50, reconnectJitterMs: 0 },
      { stream, ackTimeoutMs: 500, retryDelayMs: 100 },
    );
    cleanups.push(() => transport.close());
    const subject = `ackloss.t${tag}.x`;
    const payload = (n: number): Uint8Array => new Uint8Array([n >> 8, n & 0xff]);
    for (let n = 0; n < 300; n++) transport.publish(subject, payload(n));
    await transport.flush();
    proxy.dropServerBytes = true;
    for (let n = 300; n < 600; n++) transport.publish(subject, payload(n));
    await waitFor('acknowledgement timeouts', () => transport.status === 'reconnecting', DELIVERY);
    await sleep(300);
    proxy.dropServerBytes = false;
    await transport.flush();
    const journal = transport.journalCounters();
    expect(journal).toMatchObject({ acked: 600, rejected: 0, inFlight: 0, pending: 0 });
    expect(journal.outages).toBeGreaterThanOrEqual(1);
    expect(journal.duplicates).toBeGreaterThan(0);
    const reader = await JetStreamJournal.open({ connection: { servers: server.url }, stream });
    try {
      const entries = await reader.read(1, 1_000);
      expect(entries.map((e) => ((e.payload[0] as number) << 8) | (e.payload[1] as number))).toEqual(
        Array.from({ length: 600 }, (_, n) => n),
      );
    } finally {
      await reader.close();
    }
  }, 30_000);

  it('with a tiny pending bound, misses exactly the counted drops and duplicates nothing', async () => {
    const result = await runOutage({ maxMessages: 50, overflowPolicy: 'drop-oldest' });
    const missing = checkExactlyOnce(result);
    expect(missing.length).toBeGreaterThan(0);
    console.log(
      `JetStream outage, pending bound 50: ${result.published} published, ${missing.length} dropped and missing`,
    );
  }, 40_000);
});
