import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamJournal } from '../../src/journal/jetstream-journal.js';
import { JetStreamReader, type JetStreamReaderOptions } from '../../src/journal/jetstream-reader.js';

let server: NatsServerHandle;
let streamCounter = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});
afterAll(async () => {
  await server?.dispose();
});

/** A fresh stream holding messages `0..count-1` (payload = the number); returns its name and the writer. */
async function streamWith(count: number): Promise<{ stream: string; journal: JetStreamJournal }> {
  streamCounter++;
  const stream = `READER_${process.pid}_${streamCounter}`;
  const journal = await JetStreamJournal.open({
    connection: { servers: server.url },
    stream: { name: stream, subjects: [`reader.t${streamCounter}.>`], storage: 'memory' },
  });
  for (let i = 0; i < count; i++)
    await journal.append(`reader.t${streamCounter}.n`, encoder.encode(String(i)));
  return { stream, journal };
}

/** Reads `count` numbers with a fresh reader, then ends the loop with `break` and closes the reader. */
async function readSome(
  options: Omit<JetStreamReaderOptions, 'connection'>,
  count: number,
): Promise<number[]> {
  const reader = await JetStreamReader.open({ connection: { servers: server.url }, ...options });
  const out: number[] = [];
  try {
    for await (const entry of reader.entries()) {
      out.push(Number(decoder.decode(entry.payload)));
      if (out.length === count) break;
    }
  } finally {
    await reader.close();
  }
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('JetStreamReader', () => {
  it('starts at a sequence, at a time, or at the first message', async () => {
    const { stream, journal } = await streamWith(10);
    await new Promise((r) => setTimeout(r, 50));
    const midpoint = new Date();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 10; i < 20; i++)
      await journal.append(`reader.t${streamCounter}.n`, encoder.encode(String(i)));
    await journal.close();

    expect(await readSome({ stream }, 20)).toEqual(range(0, 20));
    expect(await readSome({ stream, start: { sequence: 5 } }, 15)).toEqual(range(4, 19));
    expect(await readSome({ stream, start: { time: midpoint } }, 10)).toEqual(range(10, 20));
  });

  it('a durable reader resumes after the last entry handled, in order, with nothing read twice', async () => {
    const { stream, journal } = await streamWith(1000);
    await journal.close();
    // Small batches, so each stop leaves fetched-but-unhandled entries that must come back first.
    const options = { stream, durable: 'desk', batch: 64 };
    const first = await readSome(options, 100);
    const second = await readSome({ ...options, start: 'new' }, 150); // start is ignored on resume
    const third = await readSome(options, 750);
    expect(first).toEqual(range(0, 100));
    expect(second).toEqual(range(100, 250));
    expect(third).toEqual(range(250, 1000));
  });

  it('a second loop on the same reader goes on where the first one stopped', async () => {
    const { stream, journal } = await streamWith(300);
    await journal.close();
    const reader = await JetStreamReader.open({ connection: { servers: server.url }, stream, batch: 64 });
    const loops: number[][] = [];
    for (const count of [100, 200]) {
      const out: number[] = [];
      for await (const entry of reader.entries()) {
        out.push(Number(decoder.decode(entry.payload)));
        if (out.length === count) break;
      }
      loops.push(out);
    }
    await reader.close();
    expect(loops).toEqual([range(0, 100), range(100, 300)]);
  });

  it('after a reader dies without closing, the next one reads again what it had not acknowledged, in order', async () => {
    const { stream, journal } = await streamWith(300);
    const subject = `reader.t${streamCounter}.n`;
    const options = { stream, durable: 'crashy', batch: 50, ackWaitMs: 500 };
    const dead = await JetStreamReader.open({ connection: { servers: server.url }, ...options });
    const seen: number[] = [];
    const loop = dead.entries();
    for (let i = 0; i < 70; i++) {
      const next = await loop.next();
      if (next.done) break;
      seen.push(Number(decoder.decode(next.value.payload)));
    }
    // 69 acknowledged, the 70th in hand, 30 more fetched: the process "dies" here, no nak, no ack.
    await (dead as unknown as { nc: { close(): Promise<void> } }).nc.close();
    for (let i = 300; i < 400; i++) await journal.append(subject, encoder.encode(String(i)));
    await journal.close();

    const resumed = await readSome(options, 331);
    expect(seen).toEqual(range(0, 70));
    expect(resumed).toEqual(range(69, 400));
  });

  it('an ephemeral reader is removed on close; a durable one is kept', async () => {
    const { stream, journal } = await streamWith(5);
    await journal.close();
    const ephemeral = await JetStreamReader.open({ connection: { servers: server.url }, stream });
    const durable = await JetStreamReader.open({
      connection: { servers: server.url },
      stream,
      durable: 'kept',
    });
    expect(ephemeral.created).toBe(true);
    expect(durable.created).toBe(true);
    await ephemeral.close();
    await durable.close();
    const again = await JetStreamReader.open({
      connection: { servers: server.url },
      stream,
      durable: 'kept',
    });
    expect(again.created).toBe(false);
    expect(again.resumeSequence).toBe(1);
    await again.close();
    const probe = await JetStreamJournal.open({
      connection: { servers: server.url },
      stream: { name: stream, subjects: [] },
    });
    const jsm = await jetstreamManager((probe as unknown as { nc: NatsConnection }).nc);
    const names = (await jsm.consumers.list(stream).next()).map((c) => c.name);
    await probe.close();
    expect(names).toEqual(['kept']);
  });
});
