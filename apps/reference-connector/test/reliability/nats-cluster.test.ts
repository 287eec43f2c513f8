/**
 * The app against a three-node NATS cluster (routes, JetStream on every node,
 * private loopback ports): nodes are killed with SIGKILL and restarted while
 * the real `marketpipe` executable publishes, and independent observers on
 * other nodes check what the cluster delivered or stored against the app's
 * own summary.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradeView } from '@marketpipe/connector';
import { NatsTransport } from '@marketpipe/middleware';
import { JetStreamJournal } from '@marketpipe/middleware/journal';
import { type NatsCluster, startNatsCluster } from '@marketpipe/test-support/nats-cluster';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { readSummary } from './support/recordings.js';
import { checkTape, type IdsByTicker, readObservedTrades } from './support/stream-observer.js';

let cluster: NatsCluster;
const running: CliProcess[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster();
}, 60_000);
afterEach(async () => {
  for (const cli of running.splice(0)) killIfRunning(cli);
  for (const node of cluster.nodes) if (!node.running) await node.restart();
});
afterAll(async () => {
  await cluster?.dispose();
});

function node(i: number) {
  const found = cluster.nodes[i];
  if (found === undefined) throw new Error(`no node ${i}`);
  return found;
}

/** Starts `marketpipe run` on the simulator, publishing through `transport`, with a summary file. */
function startConnector(env: string, venue: string, transport: string, extra: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), `mp-cluster-${env}-`));
  const summaryFile = join(dir, 'summary.json');
  const cli = startCli([
    'run',
    '--venue',
    venue,
    '--rate',
    '300',
    '--env',
    env,
    '--transport',
    transport,
    '--data-dir',
    join(dir, 'data'),
    '--json-summary',
    summaryFile,
    '--status-interval',
    '250ms',
    ...extra,
  ]);
  running.push(cli);
  return { cli, summaryFile };
}

/** A live core-NATS subscriber on one node, keeping trade ids per ticker and the subjects they came on. */
async function subscribeOn(url: string, subject: string) {
  const observer = await NatsTransport.connect({ servers: url, name: 'cluster-observer' });
  const ids: IdsByTicker = new Map();
  const subjects = new Set<string>();
  const view = new TradeView();
  observer.subscribe(subject, (payload, onSubject) => {
    view.wrap(payload);
    subjects.add(onSubject);
    const list = ids.get(view.ticker) ?? [];
    list.push(BigInt(view.tradeId));
    ids.set(view.ticker, list);
  });
  await observer.flush();
  return { observer, ids, subjects };
}

/** How many messages stream `name` holds, asked of the node at `url` (retried while the cluster elects leaders). */
async function storedCount(url: string, name: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const journal = await JetStreamJournal.open({
        connection: { servers: url, timeoutMs: 1000 },
        stream: { name, subjects: ['unused.never'] },
      });
      try {
        return journal.lastSequence;
      } finally {
        await journal.close();
      }
    } catch (err) {
      if (attempt === 10) throw err;
      await sleep(200);
    }
  }
}

async function stopAndSummarize(cli: CliProcess, summaryFile: string) {
  cli.child.kill('SIGTERM');
  const exit = await cli.exited;
  return { exit, summary: readSummary(summaryFile) };
}

describe('a three-node NATS cluster', () => {
  it('core NATS: publish through node 1, subscribe on node 3, node 2 killed and restarted: nothing lost, drops counted', async () => {
    const sub = await subscribeOn(node(2).url, 'core.binance.trade.>');
    const { cli, summaryFile } = startConnector('core', 'binance', node(0).url);
    await cli.waitForLog('"event":"connected"');
    await sleep(1000);
    await node(1).kill();
    await sleep(2000);
    await node(1).restart();
    await sleep(1000);
    const { exit, summary } = await stopAndSummarize(cli, summaryFile);
    await sleep(300);
    await sub.observer.close();

    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    expect(summary).toMatchObject({ outcome: 'clean', lost: 0, transportDropped: 0 });
    expect(summary.trades).toBeGreaterThan(500);
    expect([...sub.ids.keys()].sort()).toEqual(Object.keys(summary.tradesPerSymbol).sort());
    for (const [ticker, ids] of sub.ids) {
      expect(checkTape(ids), ticker).toEqual({
        distinct: summary.tradesPerSymbol[ticker],
        holes: 0,
        repeats: 0,
        outOfOrder: 0,
      });
    }
  }, 60_000);

  it('JetStream, stream replicated 3 times: killing a node, then the connected node, loses and duplicates nothing', async () => {
    const stream = 'CLUSTER_EXACT';
    const journal = await JetStreamJournal.open({
      connection: { servers: node(2).url },
      stream: { name: stream, subjects: ['exact.binance.trade.>'], replicas: 3, storage: 'file' },
    });
    await journal.close();
    // Only node 1 is named: the client learns the others from the cluster and must fail over to them.
    const { cli, summaryFile } = startConnector('exact', 'binance', node(0).url, [
      '--jetstream-stream',
      stream,
    ]);
    await cli.waitForLog('"event":"connected"');
    await sleep(1000);
    const storedGrowth: number[] = [];
    for (const victim of [node(1), node(0)]) {
      await victim.kill();
      await sleep(500);
      const before = await storedCount(node(2).url, stream);
      await sleep(2000);
      storedGrowth.push((await storedCount(node(2).url, stream)) - before);
      await victim.restart();
      await sleep(1000);
    }
    const { exit, summary } = await stopAndSummarize(cli, summaryFile);
    const stored = await readObservedTrades(node(2).url, stream);
    console.log(
      `[nats-cluster exact] ${summary.trades} trades; stored while a node was down: ${storedGrowth}`,
    );

    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    // The app saw its node go away, and the stream kept growing while each node was down: it failed over.
    expect(cli.stderr()).toContain('"transport":"reconnecting"');
    expect(
      storedGrowth.every((n) => n > 100),
      `stored while a node was down: ${storedGrowth}`,
    ).toBe(true);
    expect(summary).toMatchObject({ outcome: 'clean', lost: 0, transportDropped: 0 });
    expect(summary.published).toBe(summary.trades);
    expect(summary.trades).toBeGreaterThan(1000);
    expect([...stored.keys()].sort()).toEqual(Object.keys(summary.tradesPerSymbol).sort());
    for (const [ticker, ids] of stored) {
      expect(checkTape(ids), ticker).toEqual({
        distinct: summary.tradesPerSymbol[ticker],
        holes: 0,
        repeats: 0,
        outOfOrder: 0,
      });
    }
  }, 90_000);

  it('two connectors for two venues publish into the cluster at once: every trade on its own venue subject', async () => {
    const sub = await subscribeOn(node(1).url, 'pair.>');
    const binance = startConnector('pair', 'binance', node(0).url);
    const kraken = startConnector('pair', 'kraken', node(2).url);
    await Promise.all([
      binance.cli.waitForLog('"event":"connected"'),
      kraken.cli.waitForLog('"event":"connected"'),
    ]);
    await sleep(2000);
    const [b, k] = await Promise.all([
      stopAndSummarize(binance.cli, binance.summaryFile),
      stopAndSummarize(kraken.cli, kraken.summaryFile),
    ]);
    await waitFor(
      'every published trade to reach the subscriber',
      () =>
        [...sub.ids.values()].reduce((n, ids) => n + ids.length, 0) >= b.summary.trades + k.summary.trades,
      { timeoutMs: 5000 },
    ).catch(() => undefined); // the assertions below say what is missing
    await sub.observer.close();

    expect(b.exit).toEqual({ code: 0, signal: null });
    expect(k.exit).toEqual({ code: 0, signal: null });
    const expectedSubjects = [
      ...Object.keys(b.summary.tradesPerSymbol).map((t) => `pair.binance.trade.${t}`),
      ...Object.keys(k.summary.tradesPerSymbol).map((t) => `pair.kraken.trade.${t.replace('/', '-')}`),
    ].sort();
    expect([...sub.subjects].sort()).toEqual(expectedSubjects);
    for (const [ticker, count] of [
      ...Object.entries(b.summary.tradesPerSymbol),
      ...Object.entries(k.summary.tradesPerSymbol),
    ]) {
      expect(checkTape(sub.ids.get(ticker) ?? []), ticker).toEqual({
        distinct: count,
        holes: 0,
        repeats: 0,
        outOfOrder: 0,
      });
    }
  }, 60_000);
});
