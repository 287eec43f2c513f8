/**
 * The hot-path suite's floor under a Binance message (`fixtures/hot-path-floor.ts`) and Binance's hot-path p50, timed
 * in the same alternating rounds in a process of its own, printed as one JSON line. The suite starts it right after
 * its own Binance rounds.
 *
 * - Same rounds: this host runs pure computation at two speeds, switching within a second (docs/design/latency-tail.md,
 *   "It is the host"). A p50 and a floor timed one after the other gave ratios from 1.31x to 4.33x in full runs; taken
 *   in alternating rounds, both meet the same mix of the two.
 * - Own process: in the suite's process the floor's calls (its own objects into `TradeEncoder.encodeFields`, the
 *   interner and the transport) changed the type feedback of the product's shared functions before the other venues
 *   ran, and those then allocated 16-38 MiB per million messages. Here only Binance runs, as in `marketpipe run`.
 *
 * By hand: `node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 dist/hot-path-floor.js [--smoke]`
 */
import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { type HotPathFloor, measureHotPathFloor } from './fixtures/hot-path-floor.js';
import { HOT_PATH_MESSAGES, HOT_PATH_ROUND_MESSAGES, startHotPathRig } from './fixtures/hot-path-rig.js';
import { driverFor } from './fixtures/runner-driver.js';
import { venueMessages } from './fixtures/venue-messages.js';
import { BenchArgumentError, BenchPreconditionError } from './harness/bench-errors.js';
import { type BenchProfile, FULL_PROFILE, SMOKE_PROFILE, scaled } from './harness/bench-profile.js';

/**
 * Timed rounds of each case: more than the profile's 7, so that the alternation spans several of the host's
 * switches (~6 s in all).
 */
const FLOOR_ROUNDS = 21;

/** What the process prints. */
export interface FloorProcessResult extends HotPathFloor {
  node: string;
  /** Binance's hot-path p50 (the runner's own per-message timing) over its rounds alternating with the floor's. */
  p50Ns: number;
  /** Messages that p50 is taken over. */
  p50Count: number;
}

async function measure(profile: BenchProfile): Promise<FloorProcessResult> {
  const messages = venueMessages('binance', HOT_PATH_MESSAGES);
  const latency = new LatencyRecorder();
  const rig = await startHotPathRig('binance', latency);
  const stack = rig.stack;
  try {
    const drive = driverFor(stack.timedRunner, messages.bytes, HOT_PATH_MESSAGES - 1);
    const roundMessages = scaled(profile, HOT_PATH_ROUND_MESSAGES, 64);
    for (let w = 0; w < profile.warmupRounds + 1; w++) {
      drive(roundMessages);
      await stack.waitForFlusher();
    }
    const floor = measureHotPathFloor(
      messages,
      profile.smoke ? profile : { ...profile, rounds: FLOOR_ROUNDS },
      [
        {
          body: (n) => {
            drive(n);
            return 0;
          },
          maxIterations: roundMessages,
          reset: () => stack.waitForFlusherSync(),
          beforeTimedRounds: () => latency.reset(),
        },
      ],
    );
    const counters = stack.timedRunner.counters();
    if (rig.delivered() === 0 || counters.drops.ringOverflow > 0 || counters.parseErrors > 0) {
      throw new BenchPreconditionError(
        `the floor's p50 rig delivered ${rig.delivered()} trades, overflowed ${counters.drops.ringOverflow}, parse errors ${counters.parseErrors}`,
      );
    }
    const summary = latency.summary();
    return { node: process.versions.node, ...floor, p50Ns: summary.p50, p50Count: summary.count };
  } finally {
    await rig.close();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  let smoke = false;
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else throw new BenchArgumentError(`unknown argument ${JSON.stringify(arg)} (expected --smoke)`);
  }
  process.stdout.write(`${JSON.stringify(await measure(smoke ? SMOKE_PROFILE : FULL_PROFILE))}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
