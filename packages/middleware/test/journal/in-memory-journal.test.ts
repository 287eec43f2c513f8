import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, JournalPayloadTooLargeError, SequenceEvictedError } from '../../src/errors.js';
import { InMemoryJournal } from '../../src/journal/in-memory-journal.js';
import { clock } from '../../src/latency/clock.js';
import { describeJournalContract } from './journal-contract.js';

describeJournalContract('InMemoryJournal', async ({ maxMessages }) => ({
  journal: new InMemoryJournal(maxMessages === undefined ? {} : { maxMessages }),
  subject: (name) => `md.raw.${name}`,
}));

const bytes = (length: number, fillWith: number): Uint8Array => new Uint8Array(length).fill(fillWith);

describe('InMemoryJournal', () => {
  it('evicts the oldest entries to stay within maxBytes', async () => {
    const journal = new InMemoryJournal({ maxBytes: 100 });
    for (let i = 1; i <= 10; i++) journal.appendSync('s', bytes(30, i));
    expect(journal.retainedBytes).toBe(90);
    expect(journal.firstSequence).toBe(8);
    expect((await journal.read(8, 10)).map((e) => e.payload[0])).toEqual([8, 9, 10]);
    const err = await journal.read(7, 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MP_ERR_SEQUENCE_EVICTED', sequence: 7, firstSequence: 8 });
  });

  it('rejects a payload larger than maxBytes without disturbing what is retained', async () => {
    const journal = new InMemoryJournal({ maxBytes: 16 });
    journal.appendSync('s', bytes(10, 1));
    const err = await journal.append('s', bytes(17, 2)).catch((e: unknown) => e);
    expect(err instanceof JournalPayloadTooLargeError).toBe(true);
    expect(err).toMatchObject({ size: 17, limit: 16 });
    expect(journal.lastSequence).toBe(1);
    expect((await journal.read(1, 1))[0]!.payload).toEqual(bytes(10, 1));
    expect(journal.appendSync('s', bytes(16, 3))).toBe(2);
  });

  it('rejects retention limits that are not positive integers', () => {
    for (const options of [
      { maxMessages: 0 },
      { maxMessages: 1.5 },
      { maxBytes: -1 },
      { maxBytes: Number.NaN },
    ]) {
      expect(() => new InMemoryJournal(options)).toThrow(
        expect.objectContaining({ code: 'MP_ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(new InvalidArgumentError('x') instanceof InvalidArgumentError).toBe(true);
  });

  it('stamps entries with the injected clock', async () => {
    let now = 1_700_000_000_000_000_000;
    const journal = new InMemoryJournal({ clock: () => (now += 1_000) });
    journal.appendSync('a', bytes(1, 1));
    journal.appendSync('b', bytes(1, 2));
    expect((await journal.read(1, 2)).map((e) => e.timestampNanos)).toEqual([
      1_700_000_000_000_001_000, 1_700_000_000_000_002_000,
    ]);
  });

  it('stamps entries by the process-wide clock by default: its one anchor, not one of its own', async () => {
    const journal = new InMemoryJournal();
    const before = Number(clock.wallNanos());
    for (let i = 0; i < 100; i++) journal.appendSync('s', bytes(1, i));
    const after = Number(clock.wallNanos());
    const stamps = (await journal.read(1, 100)).map((e) => e.timestampNanos ?? Number.NaN);
    // Epoch nanoseconds as doubles are exact to 256 ns; anything else would be a second anchor.
    expect(stamps[0]).toBeGreaterThanOrEqual(before - 512);
    expect(stamps[99]).toBeLessThanOrEqual(after + 512);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it('fails an iterator that a writer overtook instead of skipping entries', async () => {
    const journal = new InMemoryJournal({ maxMessages: 4 });
    for (let i = 1; i <= 4; i++) journal.appendSync('s', bytes(1, i));
    const reader = journal.entries(1);
    expect((await reader.next()).value?.sequence).toBe(1);
    for (let i = 5; i <= 10; i++) journal.appendSync('s', bytes(1, i));
    const err = await reader.next().catch((e: unknown) => e);
    expect(err instanceof SequenceEvictedError).toBe(true);
    expect(err).toMatchObject({ sequence: 2, firstSequence: 7 });
  });

  it('wakes every follower with one append', async () => {
    const journal = new InMemoryJournal();
    const followers = [journal.entries(1, { follow: true }), journal.entries(1, { follow: true })];
    const pending = followers.map((follower) => follower.next());
    journal.appendSync('s', bytes(3, 7));
    for (const result of await Promise.all(pending)) expect(result.value?.payload).toEqual(bytes(3, 7));
    await journal.close();
  });

  it('grows its byte ring on demand and keeps entries across growth and wrap-around', async () => {
    const journal = new InMemoryJournal({ maxMessages: 1_000, maxBytes: 1 << 20 });
    for (let i = 1; i <= 600; i++) journal.appendSync('s', bytes(4_000, i & 0xff));
    expect(journal.retainedBytes).toBeLessThanOrEqual(1 << 20);
    const retained = await journal.read(journal.firstSequence, 1_000);
    expect(retained.at(-1)?.sequence).toBe(600);
    for (const entry of retained)
      expect(Buffer.compare(entry.payload, bytes(4_000, entry.sequence & 0xff))).toBe(0);
  });

  it('wraps into a gap that fits exactly and evicts one more entry when the gap is one byte short', async () => {
    const full = new InMemoryJournal({ maxBytes: 10 });
    full.appendSync('s', bytes(5, 1));
    full.appendSync('s', bytes(5, 2));
    expect((await full.read(1, 2)).map((e) => e.payload)).toEqual([bytes(5, 1), bytes(5, 2)]);

    const exact = new InMemoryJournal({ maxBytes: 10 });
    exact.appendSync('s', bytes(5, 1));
    exact.appendSync('s', bytes(4, 2));
    exact.appendSync('s', bytes(5, 3));
    expect((await exact.read(2, 2)).map((e) => e.payload)).toEqual([bytes(4, 2), bytes(5, 3)]);

    const short = new InMemoryJournal({ maxBytes: 10 });
    short.appendSync('s', bytes(4, 1));
    short.appendSync('s', bytes(5, 2));
    short.appendSync('s', bytes(5, 3));
    expect(short.firstSequence).toBe(3);
    expect((await short.read(3, 1)).map((e) => e.payload)).toEqual([bytes(5, 3)]);
  });

  it('always retains a contiguous suffix within both limits, byte-exact (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        // Small payloads against a small ring make wrap-around and exact-fit gaps common.
        fc.array(fc.nat({ max: 24 }), { minLength: 1, maxLength: 120 }),
        async (maxMessages, maxBytes, sizes) => {
          const journal = new InMemoryJournal({ maxMessages, maxBytes });
          const appended: Uint8Array[] = [];
          for (const size of sizes) {
            const payload = bytes(size, (appended.length + 1) & 0xff);
            if (size > maxBytes) {
              expect(() => journal.appendSync('s', payload)).toThrow(
                expect.objectContaining({ code: 'MP_ERR_JOURNAL_PAYLOAD_TOO_LARGE' }),
              );
              continue;
            }
            appended.push(payload);
            expect(journal.appendSync('s', payload)).toBe(appended.length);
            const first = journal.firstSequence;
            const retained = await journal.read(first, maxMessages + 1);
            // The newest entry is always kept, the retained set is the newest suffix and fits both limits.
            expect(retained.map((e) => e.sequence)).toEqual(
              Array.from({ length: appended.length - first + 1 }, (_, i) => first + i),
            );
            expect(retained.length).toBeLessThanOrEqual(maxMessages);
            const total = retained.reduce((sum, e) => sum + e.payload.byteLength, 0);
            expect(total).toBe(journal.retainedBytes);
            expect(total).toBeLessThanOrEqual(maxBytes);
            for (const entry of retained) expect(entry.payload).toEqual(appended[entry.sequence - 1]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
