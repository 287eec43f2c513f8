// One worker of a consumer group: every worker started with the same --group shares the trades of --subject
// between them (NATS delivers each message to exactly one member of a queue group), and decodes each one.
//
//   node worker.mjs --servers nats://127.0.0.1:4222 --subject 'dev.*.trade.>' --group desk --name w1
//
// Prints one JSON line per trade (worker, subject, ticker, tradeId, price, size) and, on SIGINT or SIGTERM, a
// final `{"worker":..,"done":true,"trades":N}` line. Core NATS queue groups are at-most-once: a worker that dies
// loses what it had in hand. For a durable split, use a JetStream pull consumer shared by the workers.
import { parseArgs } from 'node:util';
import { TradeView } from '@marketpipe/connector';
import { connect } from '@nats-io/transport-node';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: 'nats://127.0.0.1:4222' },
    subject: { type: 'string', default: '*.*.trade.>' },
    group: { type: 'string', default: 'marketpipe-workers' },
    name: { type: 'string', default: `worker-${process.pid}` },
  },
});

const nc = await connect({ servers: values.servers.split(','), name: values.name });
const view = new TradeView();
let trades = 0;
const subscription = nc.subscribe(values.subject, {
  queue: values.group,
  callback: (err, msg) => {
    if (err) {
      console.error(JSON.stringify({ worker: values.name, error: err.message }));
      return;
    }
    view.wrap(msg.data);
    trades++;
    const line = {
      worker: values.name,
      subject: msg.subject,
      ticker: view.ticker,
      tradeId: String(view.tradeId),
      price: view.price,
      size: view.size,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
});
await nc.flush();
console.error(JSON.stringify({ worker: values.name, ready: true, group: values.group }));

const stop = async () => {
  // Drain: stop taking new messages, finish the ones already delivered, then close.
  await subscription.drain();
  await nc.close();
  process.stdout.write(`${JSON.stringify({ worker: values.name, done: true, trades })}\n`);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
