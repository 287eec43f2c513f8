import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { seededRandom } from '@marketpipe/test-support/seeded-random';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalAppendError, JournalOpenError } from '../../src/errors.js';
import { JetStreamJournal, type JetStreamJournalStreamOptions } from '../../src/journal/jetstream-journal.js';
import { startAckDroppingProxy } from './ack-dropping-proxy.js';
import { describeJournalContract } from './journal-contract.js';

let server: NatsServerHandle;
let streamCounter = 0;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});

afterAll(async () => {
  await server?.dispose();
});

/** A stream name and subject prefix no other test in this run uses. */
function uniqueStream(): { name: string; prefix: string } {
  streamCounter++;
  const tag = `${process.pid}_${streamCounter}`;
  return { name: `JOURNAL_${tag}`, prefix: `journal.t${tag}` };
}

async function openJournal(
  stream: Partial<JetStreamJournalStreamOptions> = {},
  extra: { producerId?: string; appendTimeoutMs?: number } = {},
): Promise<{ journal: JetStreamJournal; prefix: string }> {
  const { name, prefix } = uniqueStream();
  const journal = await JetStreamJournal.open({
    connection: { servers: server.url, reconnectTimeWaitMs: 100, reconnectJitterMs: 50 },
    stream: { name, subjects: [`${prefix}.>`], storage: 'memory', ...stream },
    ...extra,
  });
  return { journal, prefix };
}

describeJournalContract('JetStreamJournal', async ({ maxMessages }) => {
  const { journal, prefix } = await openJournal(maxMessages === undefined ? {} : { maxMessages });
  return { journal, subject: (name) => `${prefix}.${name}` };
});

function randomSubset<T>(items: readonly T[], fraction: number, random: () => number): T[] {
  return items.filter(() => random() < fraction);
}

const encoder = new TextEncoder();
const payloadOf = (i: number): Uint8Array => encoder.encode(`order-book-delta-${i}`);

describe('JetStreamJournal', () => {
  const opened: JetStreamJournal[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((journal) => journal.close()));
  });
  async function track(open: Promise<{ journal: JetStreamJournal; prefix: string }>) {
    const result = await open;
    opened.push(result.journal);
    return result;
  }

  it('reuses an existing stream and continues its sequence', async () => {
    const { name, prefix } = uniqueStream();
    const options = {
      connection: { servers: server.url },
      stream: { name, subjects: [`${prefix}.>`], storage: 'memory' as const },
    };
    const writer = await JetStreamJournal.open(options);
    opened.push(writer);
    await writer.append(`${prefix}.a`, payloadOf(1));
    await writer.append(`${prefix}.b`, payloadOf(2));
    const reader = await JetStreamJournal.open(options);
    opened.push(reader);
    expect(reader.lastSequence).toBe(2);
    expect(await reader.append(`${prefix}.c`, payloadOf(3))).toBe(3);
    expect((await writer.read(1, 10)).map((e) => e.subject)).toEqual([
      `${prefix}.a`,
      `${prefix}.b`,
      `${prefix}.c`,
    ]);
  });

  it('uses deterministic default message ids from the producer id and a counter', async () => {
    const { journal, prefix } = await track(openJournal({}, { producerId: 'feed-7' }));
    expect(journal.nextMsgId()).toBe('feed-7-1');
    const receipt = await journal.appendWithReceipt(`${prefix}.x`, payloadOf(1));
    expect(receipt).toEqual({ sequence: 1, duplicate: false, msgId: 'feed-7-2' });
  });

  it('fails an append outside the stream with a JournalAppendError carrying the msgId to retry', async () => {
    const { journal } = await track(openJournal({}, { appendTimeoutMs: 2_000 }));
    const err = await journal
      .appendWithReceipt('elsewhere.subject', payloadOf(1), { msgId: 'm-1' })
      .catch((e) => e);
    expect(err instanceof JournalAppendError).toBe(true);
    expect(err).toMatchObject({ code: 'MP_ERR_JOURNAL_APPEND', msgId: 'm-1', subject: 'elsewhere.subject' });
    expect((err as Error).cause).toBeDefined();
  });

  it('reports an impossible stream configuration as a JournalOpenError', async () => {
    const err = await openJournal({ maxAgeMs: 1_000, duplicateWindowMs: 60_000 }).catch((e) => e);
    expect(err instanceof JournalOpenError).toBe(true);
    expect((err as Error).message).toContain(server.url);
    expect((err as Error).cause).toBeDefined();
  });

  it('stores each message exactly once across retries, a lost ack and a server restart', async () => {
    const total = 300;
    const random = seededRandom(20_240_601);
    const proxy = await startAckDroppingProxy(server.port);
    try {
      const { name, prefix } = uniqueStream();
      const journal = await JetStreamJournal.open({
        connection: { servers: proxy.url, reconnectTimeWaitMs: 100, reconnectJitterMs: 50 },
        stream: { name, subjects: [`${prefix}.>`], storage: 'file', duplicateWindowMs: 120_000 },
        appendTimeoutMs: 1_000,
      });
      opened.push(journal);
      const subject = `${prefix}.trades`;
      const ids = Array.from({ length: total }, () => journal.nextMsgId());

      for (let i = 0; i < total; i++) {
        const receipt = await journal.appendWithReceipt(subject, payloadOf(i + 1), { msgId: ids[i] });
        expect(receipt).toEqual({ sequence: i + 1, duplicate: false, msgId: ids[i] });
      }

      // A producer that timed out retries with the same id: acknowledged as a duplicate of the original.
      const retried = randomSubset([...ids.keys()], 0.3, random);
      expect(retried.length).toBeGreaterThan(0);
      const receipts = await Promise.all(
        retried.map((i) => journal.appendWithReceipt(subject, payloadOf(i + 1), { msgId: ids[i] })),
      );
      receipts.forEach((receipt, k) => {
        expect(receipt).toEqual({ sequence: retried[k]! + 1, duplicate: true, msgId: ids[retried[k]!] });
      });

      // The server stores message total+1 but its ack is dropped on the way back: the producer sees a
      // timeout. The retry happens only after a server restart, so de-duplication must survive it.
      proxy.dropServerBytes = true;
      const lostAck = await journal
        .appendWithReceipt(subject, payloadOf(total + 1), { timeoutMs: 500 })
        .catch((err: unknown) => err);
      expect(lostAck instanceof JournalAppendError).toBe(true);
      expect(proxy.droppedBytes).toBeGreaterThan(0);
      proxy.dropServerBytes = false;
      await server.restart();

      const appendUntilAcked = async (i: number, msgId: string) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await journal.appendWithReceipt(subject, payloadOf(i), { msgId });
          } catch (err) {
            if (!(err instanceof JournalAppendError) || attempt >= 40) throw err;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      };
      const lostAckId = (lostAck as JournalAppendError).msgId;
      expect(await appendUntilAcked(total + 1, lostAckId)).toEqual({
        sequence: total + 1,
        duplicate: true,
        msgId: lostAckId,
      });
      for (const i of randomSubset([...ids.keys()], 0.2, random)) {
        expect(await appendUntilAcked(i + 1, ids[i]!)).toEqual({
          sequence: i + 1,
          duplicate: true,
          msgId: ids[i],
        });
      }

      // An append issued while the server is down may or may not have been stored; its retry stores it once.
      await server.stop();
      const unknown = await journal
        .appendWithReceipt(subject, payloadOf(total + 2), { timeoutMs: 300 })
        .catch((err: unknown) => err);
      expect(unknown instanceof JournalAppendError).toBe(true);
      await server.restart();
      const unknownId = (unknown as JournalAppendError).msgId;
      expect((await appendUntilAcked(total + 2, unknownId)).sequence).toBe(total + 2);

      const expected = Array.from({ length: total + 2 }, (_, i) => i + 1);
      const batch = await journal.read(1, total + 10);
      expect(batch.map((e) => e.sequence)).toEqual(expected);
      expect(batch.map((e) => e.payload)).toEqual(expected.map(payloadOf));
      const iterated: number[] = [];
      for await (const entry of journal.entries(1)) iterated.push(entry.sequence);
      expect(iterated).toEqual(expected);
      expect(journal.lastSequence).toBe(total + 2);
    } finally {
      await proxy.close();
    }
  });
});
