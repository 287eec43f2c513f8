/**
 * Broker outage: a numbered stream is published every 2 ms while the
 * nats-server is stopped and restarted. The subscriber (its own connection)
 * must see every number in order, except exactly those the publisher counted
 * as dropped; duplicates may only come from the acknowledged-window re-send.
 */

import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsTransport } from '../../src/transport/nats-transport.js';
import type { OutageBufferOptions } from '../../src/transport/outage-buffer.js';
import { type GatedProxy, startGatedProxy } from './gated-proxy.js';
import { DELIVERY } from './transport-contract.js';

let server: NatsServerHandle;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.dispose();
});

interface OutageResult {
  published: number;
  received: number[];
  publisher: NatsTransport;
}

async function runOutage(outageBuffer: OutageBufferOptions): Promise<OutageResult> {
  const proxy: GatedProxy = await startGatedProxy(server.port);
  cleanups.push(() => proxy.close());
  const fastReconnect = { reconnectTimeWaitMs: 50, reconnectJitterMs: 0 };
  const publisher = await NatsTransport.connect(
    { servers: proxy.url, name: 'outage-pub', ...fastReconnect },
    { outageBuffer },
  );
  cleanups.push(() => publisher.close());
  const subscriber = await NatsTransport.connect({
    servers: server.url,
    name: 'outage-sub',
    ...fastReconnect,
  });
  cleanups.push(() => subscriber.close());

  const received: number[] = [];
  subscriber.subscribe('outage.ticks', (payload) => {
    received.push(new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0));
  });
  await subscriber.flush();

  const target = publisher.prepare('outage.ticks');
  const buffer = new Uint8Array(4);
  const view = new DataView(buffer.buffer);
  let next = 0;
  const ticker = setInterval(() => {
    view.setUint32(0, next++);
    publisher.publish(target, buffer);
  }, 2);
  try {
    await sleep(300);
    proxy.open = false;
    await server.stop();
    await waitFor('publisher to notice the outage', () => publisher.status === 'reconnecting', DELIVERY);
    const atOutage = next;
    await sleep(1_200);
    // A loaded machine can starve the 2 ms ticker: the overflow cases need well over 50 publishes in the outage.
    await waitFor('publishes during the outage', () => next - atOutage >= 200, DELIVERY);
    await server.restart();
    await waitFor('subscriber reconnect', () => subscriber.status === 'connected', DELIVERY);
    await subscriber.flush();
    proxy.open = true;
    await waitFor('publisher reconnect', () => publisher.status === 'connected', DELIVERY);
    await sleep(300);
  } finally {
    clearInterval(ticker);
  }
  await publisher.flush();
  const dropped = publisher.counters().dropped.outageOverflow;
  // On timeout, fall through: the exact accounting below then reports what is missing.
  await waitFor('the subscriber', () => new Set(received).size >= next - dropped, { timeoutMs: 3_000 }).catch(
    () => undefined,
  );
  // Anything still in flight would arrive now and break the exact count below.
  await subscriber.flush();
  await publisher.close();
  await subscriber.close();
  return { published: next, received, publisher };
}

function checkAccounting({ published, received, publisher }: OutageResult): number[] {
  const counters = publisher.counters();
  const outage = publisher.outageCounters();
  expect(counters.published).toBe(published);
  expect(outage.outages).toBe(1);
  expect(outage.unconfirmedEvicted).toBe(0);
  expect(outage.replayFailed).toBe(0);
  expect(counters.dropped.closed).toBe(0);
  expect(outage.replayed).toBeGreaterThan(0);

  const seen = new Set<number>();
  let last = -1;
  let duplicates = 0;
  for (const n of received) {
    if (seen.has(n)) {
      duplicates++;
      continue;
    }
    expect(n, 'first deliveries must be in publish order').toBeGreaterThan(last);
    last = n;
    seen.add(n);
  }
  const missing: number[] = [];
  for (let n = 0; n < published; n++) if (!seen.has(n)) missing.push(n);
  // Exact: every missing number is a counted drop, and every counted drop is missing.
  expect(missing.length).toBe(counters.dropped.outageOverflow);
  expect(duplicates).toBeLessThanOrEqual(outage.resent);
  // One outage, one overflow episode: the dropped numbers form one run.
  if (missing.length > 0)
    expect((missing.at(-1) as number) - (missing[0] as number) + 1).toBe(missing.length);
  return missing;
}

describe('NatsTransport across a nats-server restart', () => {
  it('loses nothing when the outage fits in the buffer', async () => {
    const result = await runOutage({ maxMessages: 10_000 });
    const missing = checkAccounting(result);
    expect(missing).toEqual([]);
    expect(result.publisher.outageCounters().bufferedTotal).toBe(result.publisher.outageCounters().replayed);
  });

  it('counts every message evicted by drop-oldest and replays the newest ones', async () => {
    const result = await runOutage({ maxMessages: 50, overflowPolicy: 'drop-oldest' });
    const missing = checkAccounting(result);
    expect(missing.length).toBeGreaterThan(0);
    const outage = result.publisher.outageCounters();
    expect(outage.replayed).toBe(50);
    // The 50 numbers replayed are the ones right after the dropped run.
    const firstKept = (missing.at(-1) as number) + 1;
    for (let n = firstKept; n < firstKept + 50; n++) expect(result.received).toContain(n);
  });

  it('counts every message refused by drop-newest (byte limit) and replays the oldest ones', async () => {
    const result = await runOutage({ maxMessages: 10_000, maxBytes: 100, overflowPolicy: 'drop-newest' });
    const missing = checkAccounting(result);
    expect(missing.length).toBeGreaterThan(0);
    expect(result.publisher.outageCounters().replayed).toBe(25);
    expect(result.publisher.outageCounters().bufferedTotal).toBe(25);
  });
});
