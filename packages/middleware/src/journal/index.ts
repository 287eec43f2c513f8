// `@marketpipe/middleware/journal`: append-only journals (in-memory, JetStream) and the JetStream reader
// that replays a stream from a sequence or a time.

export {
  JournalAppendError,
  JournalClosedError,
  JournalOpenError,
  JournalPayloadTooLargeError,
  MarketpipeError,
  SequenceEvictedError,
} from '../errors.js';
export type { NatsConnectionOptions } from '../transport/nats-connection.js';
export { InMemoryJournal, type InMemoryJournalOptions } from './in-memory-journal.js';
export {
  type JetStreamAppendOptions,
  type JetStreamAppendReceipt,
  JetStreamJournal,
  type JetStreamJournalOptions,
  type JetStreamJournalStreamOptions,
} from './jetstream-journal.js';
export { JetStreamReader, type JetStreamReaderOptions, type ReaderStart } from './jetstream-reader.js';
export type { Journal, JournalEntriesOptions, JournalEntry } from './journal.js';
