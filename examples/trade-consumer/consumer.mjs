// Subscribes to the trades a marketpipe connector publishes on NATS and decodes each one, using only the
// published packages' main entries: `NatsTransport` from @marketpipe/middleware, `TradeView` from
// @marketpipe/connector.
//
//   node consumer.mjs --servers nats://127.0.0.1:4222 --subject 'dev.*.trade.>' [--count 10]
//
// Prints one JSON line per trade (subject, ticker, tradeId, side, price, size, timestampNanos) and exits after
// --count trades, or on SIGINT / SIGTERM, with a final `{"done":true,"trades":N}` line.
import { parseArgs } from 'node:util';
import { TradeView, tradeSideName } from '@marketpipe/connector';
import { NatsTransport } from '@marketpipe/middleware';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'nats://127.0.0.1:4222' },
    subject: { type: 'string', default: '*.*.trade.>' },
    count: { type: 'string' },
  },
});
const limit = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
if (!(limit > 0)) throw new Error(`--count must be a positive number, got ${values.count}`);

const transport = await NatsTransport.connect({ servers: values.servers.split(',') });
const view = new TradeView();
let trades = 0;
let stopping;

const stop = () => {
  stopping ??= (async () => {
    subscription.close();
    await transport.close();
    process.stdout.write(`${JSON.stringify({ done: true, trades })}\n`);
  })();
  return stopping;
};

// The payload is borrowed for the call only: the view reads it in place, nothing is kept.
const subscription = transport.subscribe(values.subject, (payload, subject) => {
  view.wrap(payload);
  trades++;
  const line = {
    subject,
    ticker: view.ticker,
    tradeId: view.tradeId,
    side: tradeSideName(view.side),
    price: view.price,
    size: view.size,
    timestampNanos: String(view.timestampNanos),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (trades >= limit) void stop();
});
await transport.flush();
console.error(JSON.stringify({ ready: true, subject: values.subject }));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
