/**
 * The behaviour every {@link Journal} must share, written once and run against
 * each implementation (in-memory and JetStream) so they cannot drift apart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, JournalClosedError, SequenceEvictedError } from '../../src/errors.js';
import type { Journal, JournalEntry } from '../../src/journal/journal.js';

/** A fresh, empty journal plus a way to name subjects it accepts. */
export interface JournalUnderTest {
  journal: Journal;
  /** Maps a short name to a subject the journal stores (a stream may only capture a prefix). */
  subject(name: string): string;
}

/** Creates an isolated, empty journal; `maxMessages` sets count retention when given. */
export type JournalFactory = (options: { maxMessages?: number }) => Promise<JournalUnderTest>;

const encoder = new TextEncoder();

/** Deterministic bytes so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

function payloadOf(i: number): Uint8Array {
  return encoder.encode(`message-${i}`);
}

async function collect(iterator: AsyncIterable<JournalEntry>): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const entry of iterator) out.push(entry);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

async function fill(under: JournalUnderTest, count: number): Promise<number[]> {
  const sequences: number[] = [];
  for (let i = 1; i <= count; i++)
    sequences.push(await under.journal.append(under.subject('fill'), payloadOf(i)));
  return sequences;
}

/** Registers the journal contract suite for one implementation. */
export function describeJournalContract(name: string, create: JournalFactory): void {
  describe(`${name} satisfies the journal contract`, () => {
    const opened: Journal[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((journal) => journal.close()));
    });
    async function make(options: { maxMessages?: number } = {}): Promise<JournalUnderTest> {
      const under = await create(options);
      opened.push(under.journal);
      return under;
    }

    it('starts empty with lastSequence 0 and firstSequence 1', async () => {
      const { journal } = await make();
      expect(journal.lastSequence).toBe(0);
      expect(journal.firstSequence).toBe(1);
      expect(await journal.read(1, 10)).toEqual([]);
      expect(await collect(journal.entries())).toEqual([]);
    });

    it('returns sequences 1, 2, 3... and tracks lastSequence', async () => {
      const under = await make();
      expect(await fill(under, 25)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(under.journal.lastSequence).toBe(25);
      expect(under.journal.firstSequence).toBe(1);
    });

    it('reads a batch from every retained sequence, bounded by maxCount and the end', async () => {
      const under = await make();
      await fill(under, 12);
      for (let from = 1; from <= 12; from++) {
        const batch = await under.journal.read(from, 5);
        const expected = Array.from({ length: Math.min(5, 13 - from) }, (_, i) => from + i);
        expect(batch.map((e) => e.sequence)).toEqual(expected);
        expect(batch.map((e) => e.payload)).toEqual(expected.map(payloadOf));
        expect(batch.every((e) => e.subject === under.subject('fill'))).toBe(true);
      }
      expect(await under.journal.read(13, 5)).toEqual([]);
      expect(await under.journal.read(1, 0)).toEqual([]);
      expect((await under.journal.read(1, 1000)).length).toBe(12);
    });

    it('iterates from any retained sequence to the end present when iteration started', async () => {
      const under = await make();
      await fill(under, 10);
      for (const from of [1, 4, 10]) {
        const seen = await collect(under.journal.entries(from));
        expect(seen.map((e) => e.sequence)).toEqual(Array.from({ length: 11 - from }, (_, i) => from + i));
        expect(seen.map((e) => e.payload)).toEqual(seen.map((e) => payloadOf(e.sequence)));
      }
      expect((await collect(under.journal.entries())).length).toBe(10);
      expect(await collect(under.journal.entries(11))).toEqual([]);

      const iterator = under.journal.entries(9);
      expect((await iterator.next()).value?.sequence).toBe(9);
      await under.journal.append(under.subject('late'), payloadOf(11));
      expect((await iterator.next()).value?.sequence).toBe(10);
      expect((await iterator.next()).done).toBe(true);
    });

    it('keeps payloads byte-exact: empty, every byte value, large binary and text', async () => {
      const { journal, subject } = await make();
      const payloads = [
        new Uint8Array(0),
        Uint8Array.from({ length: 256 }, (_, i) => i),
        pseudoRandomBytes(100_000, 7),
        encoder.encode('prix: 42 € \u0000 \r\n'),
        new Uint8Array(0),
      ];
      for (const payload of payloads) await journal.append(subject('bytes'), payload);
      const batch = await journal.read(1, payloads.length);
      const iterated = await collect(journal.entries(1));
      for (const entries of [batch, iterated]) {
        expect(entries.length).toBe(payloads.length);
        entries.forEach((entry, i) => {
          expect(entry.payload).toBeInstanceOf(Uint8Array);
          expect(entry.payload.byteLength).toBe(payloads[i]!.byteLength);
          expect(Buffer.compare(entry.payload, payloads[i]!)).toBe(0);
        });
      }
    });

    it('keeps its own copy: mutating the appended buffer or a read payload changes nothing', async () => {
      const { journal, subject } = await make();
      const buffer = Uint8Array.of(1, 2, 3);
      await journal.append(subject('copy'), buffer);
      buffer[0] = 99;
      const [first] = await journal.read(1, 1);
      expect(first!.payload).toEqual(Uint8Array.of(1, 2, 3));
      first!.payload[1] = 99;
      expect((await journal.read(1, 1))[0]!.payload).toEqual(Uint8Array.of(1, 2, 3));
    });

    it('stamps entries with non-decreasing timestamps', async () => {
      const under = await make();
      await fill(under, 5);
      const stamps = (await under.journal.read(1, 5)).map((e) => e.timestampNanos);
      for (const stamp of stamps) expect(typeof stamp).toBe('number');
      for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThanOrEqual(stamps[i - 1]!);
    });

    it('evicts the oldest beyond retention and reports an evicted sequence with a typed error', async () => {
      const under = await make({ maxMessages: 5 });
      await fill(under, 8);
      const { journal } = under;
      const retained = await journal.read(4, 100);
      expect(retained.map((e) => e.sequence)).toEqual([4, 5, 6, 7, 8]);
      expect(retained.map((e) => e.payload)).toEqual([4, 5, 6, 7, 8].map(payloadOf));
      expect(journal.firstSequence).toBe(4);
      expect(journal.lastSequence).toBe(8);

      const err = await rejection(journal.read(3, 10));
      expect(err instanceof SequenceEvictedError).toBe(true);
      expect(err).toMatchObject({ code: 'MP_ERR_SEQUENCE_EVICTED', sequence: 3, firstSequence: 4 });
      expect((await rejection(journal.read(1, 1))) instanceof SequenceEvictedError).toBe(true);
      expect((await rejection(collect(journal.entries(2)))) instanceof SequenceEvictedError).toBe(true);
      expect((await collect(journal.entries(4))).map((e) => e.sequence)).toEqual([4, 5, 6, 7, 8]);
      expect((await collect(journal.entries())).map((e) => e.sequence)).toEqual([4, 5, 6, 7, 8]);
    });

    it('rejects sequences and counts that are not integers in range', async () => {
      const under = await make();
      await fill(under, 2);
      for (const [from, count] of [
        [0, 1],
        [-1, 1],
        [1.5, 1],
        [Number.NaN, 1],
        [1, -1],
        [1, 2.5],
      ] as const) {
        expect((await rejection(under.journal.read(from, count))) instanceof InvalidArgumentError).toBe(true);
      }
      expect((await rejection(collect(under.journal.entries(0)))) instanceof InvalidArgumentError).toBe(true);
    });

    it('follows new appends until the journal is closed', async () => {
      const under = await make();
      await fill(under, 1);
      const follower = under.journal.entries(1, { follow: true });
      expect((await follower.next()).value?.sequence).toBe(1);
      const pending = follower.next();
      await under.journal.append(under.subject('follow'), payloadOf(2));
      const second = await pending;
      expect(second.value?.sequence).toBe(2);
      expect(second.value?.payload).toEqual(payloadOf(2));
      const afterFollow = follower.next();
      await under.journal.append(under.subject('follow'), payloadOf(3));
      expect((await afterFollow).value?.sequence).toBe(3);

      const waiting = follower.next();
      await under.journal.close();
      expect((await waiting).done).toBe(true);
    });

    it('follows from past the end and stops when the signal aborts', async () => {
      const under = await make();
      await fill(under, 2);
      const abort = new AbortController();
      const follower = under.journal.entries(3, { follow: true, signal: abort.signal });
      const pending = follower.next();
      await under.journal.append(under.subject('follow'), payloadOf(3));
      expect((await pending).value?.sequence).toBe(3);
      const waiting = follower.next();
      abort.abort();
      expect((await waiting).done).toBe(true);
      expect(await collect(under.journal.entries(1, { signal: abort.signal }))).toEqual([]);
    });

    it('rejects appends, reads and new iterators after close, and close is idempotent', async () => {
      const under = await make();
      await fill(under, 3);
      const { journal } = under;
      const reader = journal.entries(1);
      expect((await reader.next()).value?.sequence).toBe(1);
      await journal.close();
      await journal.close();
      expect((await reader.next()).done).toBe(true);
      expect(
        (await rejection(journal.append(under.subject('x'), payloadOf(4)))) instanceof JournalClosedError,
      ).toBe(true);
      expect((await rejection(journal.read(1, 1))) instanceof JournalClosedError).toBe(true);
      expect((await rejection(collect(journal.entries(1)))) instanceof JournalClosedError).toBe(true);
      expect(journal.lastSequence).toBe(3);
    });
  });
}
