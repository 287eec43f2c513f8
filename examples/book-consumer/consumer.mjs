// Subscribes to the order-book updates a marketpipe connector publishes on NATS (`--channels books`), keeps one
// book per subject from them, and prints its top after each update, using only the published packages:
// `NatsTransport` from @marketpipe/middleware, `BookView` and `OrderBook` from @marketpipe/connector.
//
//   node consumer.mjs --servers nats://127.0.0.1:4222 --subject 'dev.*.book.>' [--count 10]
//
// Prints one JSON line per update (subject, ticker, kind, sequence, best bid and ask, levels per side, crossed)
// and exits after --count updates, or on SIGINT / SIGTERM, with a final `{"done":true,"updates":N}` line.
import { parseArgs } from 'node:util';
import { BookView } from '@marketpipe/connector';
import { OrderBook } from '@marketpipe/connector/books';
import { NatsTransport } from '@marketpipe/middleware';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'nats://127.0.0.1:4222' },
    subject: { type: 'string', default: '*.*.book.>' },
    count: { type: 'string' },
  },
});
const limit = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
if (!(limit > 0)) throw new Error(`--count must be a positive number, got ${values.count}`);

const transport = await NatsTransport.connect({ servers: values.servers.split(',') });
const view = new BookView();
/**
 * One book per subject, from its first snapshot on: a snapshot replaces it, a delta changes only the levels it names
 * (size 0 removes). Deltas that come before a subject's first snapshot (this consumer started after the connector)
 * are skipped: a book built from them alone would show a wrong top.
 */
const books = new Map();
let updates = 0;
let skippedBeforeSnapshot = 0;
let stopping;

const stop = () => {
  stopping ??= (async () => {
    subscription.close();
    await transport.close();
    process.stdout.write(`${JSON.stringify({ done: true, updates, skippedBeforeSnapshot })}\n`);
  })();
  return stopping;
};

// The payload is borrowed for the call only: the view reads it in place and the book copies what it keeps.
const subscription = transport.subscribe(values.subject, (payload, subject) => {
  view.wrap(payload);
  let book = books.get(subject);
  if (book === undefined) {
    if (!view.isSnapshot) {
      skippedBeforeSnapshot++;
      return;
    }
    book = new OrderBook();
    books.set(subject, book);
  }
  book.applyView(view);
  updates++;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  const line = {
    subject,
    ticker: view.ticker,
    kind: view.isRefresh ? 'refresh' : view.isSnapshot ? 'snapshot' : 'delta',
    sequence: String(view.sequence),
    bid: bid === undefined ? null : { price: bid.price, size: bid.size },
    ask: ask === undefined ? null : { price: ask.price, size: ask.size },
    levels: [book.bidCount, book.askCount],
    crossed: bid !== undefined && ask !== undefined && bid.price >= ask.price,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (updates >= limit) void stop();
});
await transport.flush();
console.error(JSON.stringify({ ready: true, subject: values.subject }));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
