/**
 * JetStreamTransport against a private nats-server with JetStream: the shared
 * transport contract, then what only this transport promises (every message
 * stored once and in order, typed refusals, server rejections counted), and a
 * throughput sanity run that reports a number without asserting on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { DiscardPolicy, JetStreamApiError, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  InvalidSubjectError,
  PayloadTooLargeError,
  SubjectNotInStreamError,
} from '../../src/errors.js';
import { JetStreamJournal, type JetStreamJournalStreamOptions } from '../../src/journal/jetstream-journal.js';
import type { JournalEntry } from '../../src/journal/journal.js';
import {
  JetStreamTransport,
  type JetStreamTransportOptions,
} from '../../src/transport/jetstream-transport.js';
import { transportContract } from './transport-contract.js';

let server: NatsServerHandle;
let configDir: string;
let streamCounter = 0;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'marketpipe-jst-'));
  const config = join(configDir, 'nats.conf');
  // The contract sends a 1 MiB payload; JetStream headers come on top of it.
  writeFileSync(config, 'max_payload: 2MB\n');
  server = await startNatsServer({ jetstream: true, args: ['-c', config] });
});

afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server?.dispose();
  rmSync(configDir, { recursive: true, force: true });
});

/** A stream name and subject prefix no other test in this run uses. */
function uniqueStream(): { name: string; prefix: string } {
  streamCounter++;
  const tag = `${process.pid}_${streamCounter}`;
  return { name: `JST_${tag}`, prefix: `jst.t${tag}` };
}

async function connectTransport(
  stream: JetStreamJournalStreamOptions,
  extra: Omit<JetStreamTransportOptions, 'stream'> = {},
): Promise<JetStreamTransport> {
  const transport = await JetStreamTransport.connect(
    { servers: server.url, reconnectTimeWaitMs: 50, reconnectJitterMs: 0 },
    { stream, ...extra },
  );
  opened.push(transport);
  return transport;
}

async function readStream(stream: JetStreamJournalStreamOptions, count: number): Promise<JournalEntry[]> {
  const journal = await JetStreamJournal.open({ connection: { servers: server.url }, stream });
  try {
    return await journal.read(1, count + 1);
  } finally {
    await journal.close();
  }
}

const numbered = (n: number): Uint8Array => {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
};
const numberOf = (payload: Uint8Array): number =>
  new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);

let contractTests = 0;
transportContract('JetStreamTransport', async () => {
  // The suite names each test's subjects `contract<n>x<Date.now()>` right
  // after this resolves. A stream cannot capture "any first token" without
  // also capturing the JetStream API, so pin that one clock reading and give
  // each test a stream for exactly its subjects.
  contractTests++;
  const stamp = Date.now();
  const prefix = `contract${contractTests}x${stamp}`;
  const transport = await JetStreamTransport.connect(
    { servers: server.url },
    {
      stream: {
        name: `CONTRACT_${process.pid}_${contractTests}`,
        subjects: [prefix, `${prefix}.>`],
        storage: 'memory',
      },
    },
  );
  vi.spyOn(Date, 'now').mockImplementationOnce(() => stamp);
  return transport;
});

describe('JetStreamTransport', () => {
  it('stores every message once, in publish order, with its subject and bytes', async () => {
    const { name, prefix } = uniqueStream();
    const stream = { name, subjects: [`${prefix}.>`], storage: 'file' as const };
    const transport = await connectTransport(stream, { maxInFlight: 16, producerId: `p${streamCounter}` });
    const count = 3_000;
    const targets = [transport.prepare(`${prefix}.a`), transport.prepare(`${prefix}.b`)];
    const buffer = new Uint8Array(4);
    const view = new DataView(buffer.buffer);
    for (let i = 0; i < count; i++) {
      view.setUint32(0, i);
      // One reused buffer: the transport must have copied every payload.
      transport.publish(targets[i % 2] as (typeof targets)[number], buffer);
    }
    expect(transport.journalCounters().inFlight).toBe(16);
    await transport.flush();
    const counters = transport.journalCounters();
    expect(counters).toMatchObject({ acked: count, duplicates: 0, resent: 0, rejected: 0, inFlight: 0 });
    expect(counters).toMatchObject({ pending: 0, pendingBytes: 0, outages: 0, lastSequence: count });
    expect(transport.counters()).toEqual({
      published: count,
      delivered: 0,
      dropped: { handlerError: 0, outageOverflow: 0, closed: 0 },
    });
    const entries = await readStream(stream, count);
    expect(entries.map((e) => numberOf(e.payload))).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(entries.map((e) => e.subject)).toEqual(
      Array.from({ length: count }, (_, i) => `${prefix}.${i % 2 === 0 ? 'a' : 'b'}`),
    );
  });

  it('refuses subjects the stream does not capture, and oversized payloads, sending nothing', async () => {
    const { name, prefix } = uniqueStream();
    const stream = { name, subjects: [`${prefix}.in.*`], storage: 'memory' as const };
    const transport = await connectTransport(stream);
    const bytes = new Uint8Array(8);
    let caught: unknown;
    try {
      transport.publish(`${prefix}.out`, bytes);
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof SubjectNotInStreamError).toBe(true);
    expect(caught).toMatchObject({
      subject: `${prefix}.out`,
      stream: name,
      code: 'MP_ERR_SUBJECT_NOT_IN_STREAM',
    });
    expect(() => transport.prepare(`${prefix}.in.a.b`)).toThrow(SubjectNotInStreamError);
    expect(() => transport.publish({ subject: `${prefix}.in.*` }, bytes)).toThrow(InvalidSubjectError);
    expect(() => transport.publish(`${prefix}.in.x`, new Uint8Array(4 * 1024 * 1024))).toThrow(
      PayloadTooLargeError,
    );
    transport.publish(`${prefix}.in.x`, bytes);
    await transport.flush();
    expect(transport.counters().published).toBe(1);
    expect(transport.journalCounters().acked).toBe(1);
    expect((await readStream(stream, 10)).map((e) => e.subject)).toEqual([`${prefix}.in.x`]);
  });

  it('counts and reports messages the server refuses, and keeps going', async () => {
    const { name, prefix } = uniqueStream();
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      // An existing stream is used as configured: here it refuses everything past 5 messages.
      await jsm.streams.add({
        name,
        subjects: [`${prefix}.>`],
        storage: StorageType.Memory,
        max_msgs: 5,
        discard: DiscardPolicy.New,
      });
    } finally {
      await nc.close();
    }
    const stream = { name, subjects: [`${prefix}.>`] };
    const transport = await connectTransport(stream);
    const errors: { error: unknown; subject: string }[] = [];
    transport.onError((error, subject) => errors.push({ error, subject }));
    for (let i = 0; i < 12; i++) transport.publish(`${prefix}.x`, numbered(i));
    await transport.flush();
    expect(transport.journalCounters()).toMatchObject({ acked: 5, rejected: 7, inFlight: 0, pending: 0 });
    expect(transport.status).toBe('connected');
    expect(errors).toHaveLength(7);
    for (const { error, subject } of errors) {
      expect(subject).toBe(`${prefix}.x`);
      // 10077: the stream is full and discards new messages.
      expect(error).toBeInstanceOf(JetStreamApiError);
      expect((error as JetStreamApiError).code).toBe(10077);
    }
    expect((await readStream(stream, 12)).map((e) => numberOf(e.payload))).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects invalid options before connecting', async () => {
    const stream = { name: 'NEVER_CREATED', subjects: ['never.>'] };
    const connection = { servers: server.url };
    for (const options of [
      { stream, maxInFlight: 0 },
      { stream, ackTimeoutMs: -1 },
      { stream, retryDelayMs: Number.NaN },
      { stream, producerId: 'has space' },
      { stream, producerId: 'a.b' },
      { stream, pending: { maxMessages: -1 } },
    ]) {
      const attempt = JetStreamTransport.connect(connection, options);
      attempt.then((transport) => opened.push(transport)).catch(() => undefined);
      await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof InvalidArgumentError);
    }
  });

  it('counts what is still unacknowledged at close as dropped.closed', async () => {
    const { name, prefix } = uniqueStream();
    const stream = { name, subjects: [`${prefix}.>`], storage: 'memory' as const };
    // A zero close timeout abandons the window at once.
    const transport = await connectTransport(stream, { closeTimeoutMs: 0, maxInFlight: 4 });
    for (let i = 0; i < 100; i++) transport.publish(`${prefix}.x`, numbered(i));
    const flushed = transport.flush();
    await transport.close();
    await expect(flushed).rejects.toThrow(/closed/);
    const { acked } = transport.journalCounters();
    expect(transport.counters().dropped.closed).toBe(100 - acked);
    expect(transport.journalCounters()).toMatchObject({ inFlight: 0, pending: 0 });
  });

  it('publishes 100k small messages with flush (throughput sanity, reported, not asserted)', async () => {
    const { name, prefix } = uniqueStream();
    const stream = { name, subjects: [`${prefix}.>`], storage: 'file' as const };
    const transport = await connectTransport(stream, { pending: { maxMessages: 200_000 } });
    const target = transport.prepare(`${prefix}.tick`);
    const count = 100_000;
    const payload = new Uint8Array(64);
    const view = new DataView(payload.buffer);
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      view.setUint32(0, i);
      transport.publish(target, payload);
    }
    await transport.flush();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `JetStreamTransport: ${count} x ${payload.byteLength} B stored in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} msgs/s`,
    );
    expect(transport.journalCounters()).toMatchObject({ acked: count, lastSequence: count, duplicates: 0 });
  }, 40_000);
});
