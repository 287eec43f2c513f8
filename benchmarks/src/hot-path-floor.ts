/**
 * The hot-path suite's floor under a Binance message (`fixtures/hot-path-floor.ts`) in a process of its own, printed
 * as one JSON line. The suite starts it right after Binance's rounds: in the suite's own process the floor's calls
 * (its own objects into `TradeEncoder.encodeFields`, the interner and the transport) would change the type feedback
 * of the product's shared functions before the other venues run, and those then allocated 16-38 MiB per million
 * messages. By hand:
 *
 *   node --expose-gc dist/hot-path-floor.js [--smoke]
 */
import { type HotPathFloor, measureHotPathFloor } from './fixtures/hot-path-floor.js';
import { venueMessages } from './fixtures/venue-messages.js';
import { BenchArgumentError } from './harness/bench-errors.js';
import { FULL_PROFILE, SMOKE_PROFILE } from './harness/bench-profile.js';

/** Distinct Binance messages the floor cycles through: the hot-path suite's count. */
const FLOOR_MESSAGES = 4096;

/** What the process prints. */
export interface FloorProcessResult extends HotPathFloor {
  node: string;
}

function main(argv: readonly string[]): void {
  let smoke = false;
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else throw new BenchArgumentError(`unknown argument ${JSON.stringify(arg)} (expected --smoke)`);
  }
  const floor = measureHotPathFloor(
    venueMessages('binance', FLOOR_MESSAGES),
    smoke ? SMOKE_PROFILE : FULL_PROFILE,
  );
  const result: FloorProcessResult = { node: process.versions.node, ...floor };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err: unknown) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
