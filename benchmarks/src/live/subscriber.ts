/**
 * Process 3 of the live-path suite: a NATS subscriber stamping the arrival of every trade. It decodes the trade
 * id (Cap'n Proto for marketpipe, the naive relay's JSON, or the venue's own frame as the forwarder passes it on)
 * to find the message's send stamp.
 *
 * Args: `<capnp|json|venue> <nats-url> <count> <times-path>`.
 */
import { TradeView } from '@marketpipe/connector';
import { connect } from 'nats';
import { monotonicNs } from './binance-tape.js';
import { onParent, tellParent, writeTimes } from './child-link.js';

const [format = '', natsUrl = '', countText = '0', timesPath = ''] = process.argv.slice(2);
const count = Number(countText);
const received = new Float64Array(count).fill(Number.NaN);
const view = new TradeView();
const decoder = new TextDecoder();
let messages = 0;

async function main(): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  nc.subscribe('bench.>', {
    callback: (_err, msg) => {
      const now = monotonicNs();
      const id =
        format === 'capnp'
          ? Number(view.wrap(msg.data).tradeId)
          : format === 'venue'
            ? (JSON.parse(decoder.decode(msg.data)) as { data: { t: number } }).data.t
            : (JSON.parse(decoder.decode(msg.data)) as { tradeId: number }).tradeId;
      if (id >= 0 && id < count) received[id] = now;
      messages++;
    },
  });
  await nc.flush();
  onParent((message) => {
    if (message.type !== 'stop') return;
    nc.drain().then(
      () => {
        writeTimes(timesPath, received);
        tellParent({ type: 'stopped', messages });
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  tellParent({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
