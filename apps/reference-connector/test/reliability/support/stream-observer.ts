/**
 * An independent observer of what a NATS server really accepted: a
 * JetStream stream (file storage, so it survives a server restart) that
 * captures the app's trade subjects. Unlike a live subscriber, it cannot
 * miss messages while its own connection reconnects after an outage, so the
 * comparison with the app's counters is exact.
 */
import { TradeView } from '@marketpipe/connector';
import { JetStreamJournal } from '@marketpipe/middleware/journal';

/** Trade ids per ticker, in the order the server stored them (repeats included). */
export type IdsByTicker = Map<string, bigint[]>;

/**
 * Creates stream `name` capturing `subjects` on the server at `url`.
 *
 * @example
 * ```ts
 * await createObserverStream(server.url, 'OBSERVE', ['prod.binance.trade.>']);
 * ```
 */
export async function createObserverStream(url: string, name: string, subjects: string[]): Promise<void> {
  const journal = await JetStreamJournal.open({ connection: { servers: url }, stream: { name, subjects } });
  await journal.close();
}

/** Reads every trade the stream holds and groups the trade ids by ticker. */
export async function readObservedTrades(url: string, name: string): Promise<IdsByTicker> {
  const journal = await JetStreamJournal.open({
    connection: { servers: url },
    stream: { name, subjects: ['unused.never'] },
  });
  const view = new TradeView();
  const ids: IdsByTicker = new Map();
  try {
    for (let next = 1; next <= journal.lastSequence; ) {
      const batch = await journal.read(next, 1000);
      if (batch.length === 0) break;
      for (const entry of batch) {
        view.wrap(entry.payload);
        const list = ids.get(view.ticker) ?? [];
        list.push(BigInt(view.tradeId));
        ids.set(view.ticker, list);
        next = entry.sequence + 1;
      }
    }
  } finally {
    await journal.close();
  }
  return ids;
}

/** What a stream of trade ids shows for one ticker. */
export interface TapeCheck {
  /** Distinct ids. */
  distinct: number;
  /** Ids missing between the lowest and the highest. */
  holes: number;
  /** Copies of ids already seen (re-sent after a reconnect). */
  repeats: number;
  /** A new id lower than one seen before: delivered out of order. */
  outOfOrder: number;
}

/** Checks one ticker's ids: every new id must be higher than all before it; repeats are counted apart. */
export function checkTape(ids: readonly bigint[]): TapeCheck {
  const seen = new Set<bigint>();
  let highest = -1n;
  let lowest = -1n;
  let repeats = 0;
  let outOfOrder = 0;
  for (const id of ids) {
    if (seen.has(id)) {
      repeats++;
      continue;
    }
    if (id < highest) outOfOrder++;
    if (lowest < 0n || id < lowest) lowest = id;
    if (id > highest) highest = id;
    seen.add(id);
  }
  const span = seen.size === 0 ? 0 : Number(highest - lowest) + 1;
  return { distinct: seen.size, holes: span - seen.size, repeats, outOfOrder };
}
