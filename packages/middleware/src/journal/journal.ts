/**
 * The journal contract: an append-only, sequenced log of raw messages that can
 * be replayed from any retained sequence.
 *
 * The shape is deliberately small so that one in-memory reference
 * implementation ({@link InMemoryJournal}) and one distributed implementation
 * ({@link JetStreamJournal}) satisfy it, and one contract test suite runs
 * against both.
 */

/** One message as stored in a journal. */
export interface JournalEntry {
  /** Position in the journal; the first entry ever appended is 1 and sequences only grow. */
  readonly sequence: number;
  /** Subject the message was appended under. */
  readonly subject: string;
  /** The payload, byte-for-byte as appended. Owned by the caller; the journal keeps its own copy. */
  readonly payload: Uint8Array;
  /**
   * Append time in nanoseconds since the Unix epoch. A float64 cannot hold
   * every nanosecond at today's epoch values, so this is exact to about
   * 256 ns: good for ordering and latency, not for identity.
   */
  readonly timestampNanos?: number;
}

/** Options for {@link Journal.entries}. */
export interface JournalEntriesOptions {
  /**
   * Keep waiting for new entries instead of ending at the end of the journal
   * as it was when iteration started. A following iterator ends when the
   * journal is closed, when `signal` aborts, or when the consumer breaks out.
   */
  follow?: boolean;
  /** Ends the iterator (cleanly, without an error) when aborted, even while it waits for new entries. */
  signal?: AbortSignal;
}

/**
 * An append-only sequenced log with bounded retention.
 *
 * Sequences start at 1 and increase by one per append. Retention evicts the
 * oldest entries; asking for an evicted sequence fails with
 * {@link SequenceEvictedError} rather than silently skipping data, so a
 * replaying consumer always knows whether it saw everything.
 *
 * @example
 * ```ts
 * const journal: Journal = new InMemoryJournal({ maxMessages: 10_000 });
 * const seq = await journal.append('md.raw.binance', bytes);
 * for await (const entry of journal.entries(seq)) console.log(entry.sequence, entry.subject);
 * await journal.close();
 * ```
 */
export interface Journal {
  /**
   * Stores a copy of `payload` under `subject` and resolves with its sequence.
   * Rejects with {@link JournalClosedError} after {@link Journal.close}.
   */
  append(subject: string, payload: Uint8Array): Promise<number>;
  /**
   * Up to `maxCount` entries in sequence order starting at `fromSequence`.
   * Resolves with an empty array when `fromSequence` is past the end; rejects
   * with {@link SequenceEvictedError} when it is older than the oldest retained
   * entry and with {@link InvalidArgumentError} when it is not a positive
   * integer or `maxCount` is not a non-negative integer.
   */
  read(fromSequence: number, maxCount: number): Promise<JournalEntry[]>;
  /**
   * Iterates entries from `fromSequence` (default: the oldest retained) in
   * order. Without `follow` it ends at the last entry present when iteration
   * started. Throws {@link SequenceEvictedError} when the next entry it needs
   * has been evicted, including by a writer that overtook a slow reader.
   */
  entries(fromSequence?: number, options?: JournalEntriesOptions): AsyncIterableIterator<JournalEntry>;
  /** Sequence of the newest entry, 0 when nothing was ever appended. */
  readonly lastSequence: number;
  /** Sequence of the oldest retained entry; `lastSequence + 1` when none is retained. */
  readonly firstSequence: number;
  /**
   * Releases resources. Idempotent. Afterwards `append`/`read`/new iterators
   * reject with {@link JournalClosedError} and running iterators end.
   */
  close(): Promise<void>;
}
