/**
 * Venue messages without a server: a deterministic stream for replay files,
 * parser property tests and benchmarks.
 */

import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { MarketWalk } from './market-walk.js';
import type { VenueEmulation } from './venue-emulation.js';

/** Optional knobs of {@link simulateMessages}. */
export interface SimulateMessagesOptions {
  /** Trade time of the first message, epoch ms (default 1 700 000 000 000, 2023-11-14). */
  startMs?: number;
  /** Trade-time step between messages, in µs (default 1 000). */
  stepMicros?: number;
  /** Cap on trades per message (default: the venue's maximum, at most 8). */
  maxTradesPerMessage?: number;
  /** Chance per message to skip 1 to 3 trade ids first (default 0). */
  skipProbability?: number;
}

const DEFAULT_START_MS = 1_700_000_000_000;
const DEFAULT_MAX_TRADES = 8;

/**
 * Yields `count` trade messages in the venue's exact format, the same ones for
 * the same arguments (pure: no clock, no I/O). Trade times start at `startMs`
 * and advance by `stepMicros` per message.
 *
 * @throws {InvalidArgumentError} for a negative or fractional count, or bad options.
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * const lines = [...simulateMessages(venueEmulation('okx'), ['BTC-USDT', 'ETH-USDT'], 10_000, 7)];
 * writeFileSync('okx.jsonl', `${lines.join('\n')}\n`);
 * ```
 */
export function simulateMessages(
  emulation: VenueEmulation,
  symbols: readonly string[],
  count: number,
  seed: number,
  options: SimulateMessagesOptions = {},
): Generator<string, void, undefined> {
  if (!(Number.isInteger(count) && count >= 0)) {
    throw new InvalidArgumentError(`count must be an integer >= 0, got ${count}`, { argument: 'count' });
  }
  const stepMicros = options.stepMicros ?? 1000;
  if (!(Number.isInteger(stepMicros) && stepMicros >= 0)) {
    throw new InvalidArgumentError(`stepMicros must be an integer >= 0, got ${stepMicros}`, {
      argument: 'stepMicros',
    });
  }
  const walk = new MarketWalk(symbols, {
    venue: emulation.venue,
    seed,
    maxTradesPerMessage:
      options.maxTradesPerMessage ?? Math.min(emulation.maxTradesPerMessage, DEFAULT_MAX_TRADES),
    skipProbability: options.skipProbability ?? 0,
  });
  // Validation above runs at the call, not at the first next(): a generator body would defer it.
  return generate(emulation, walk, count, options.startMs ?? DEFAULT_START_MS, stepMicros);
}

function* generate(
  emulation: VenueEmulation,
  walk: MarketWalk,
  count: number,
  startMs: number,
  stepMicros: number,
): Generator<string, void, undefined> {
  // Whole ms and µs kept apart so long runs never lose the µs to floating point.
  let ms = startMs;
  let micros = 0;
  for (let i = 0; i < count; i++) {
    yield emulation.formatTrades(walk.nextBatch(ms, micros));
    micros += stepMicros;
    ms += Math.floor(micros / 1000);
    micros %= 1000;
  }
}
