/**
 * Where a Binance message's hot-path time goes, step by step (see `fixtures/hot-path-steps.ts`), as a table; or, with
 * `--case <step> --count <n>`, one step run n times after a warm-up, for `valgrind --tool=callgrind` (run it with n
 * and with 0, subtract, divide by n) or `node --cpu-prof`. `HOT_PATH_STEPS_RING_SLOTS` sets the ring's slot count.
 *
 *   node dist/hot-path-steps.js
 *   node dist/hot-path-steps.js --case runner+recorder --count 200000
 */
import {
  HOT_PATH_STEPS,
  type HotPathStep,
  measureHotPathSteps,
  openHotPathStepRig,
} from './fixtures/hot-path-steps.js';
import { benchSink } from './harness/batch-timer.js';
import { FULL_PROFILE, SMOKE_PROFILE } from './harness/bench-profile.js';
import { formatNs } from './harness/format.js';

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function main(): void {
  const args = process.argv.slice(2);
  const ringSlots = Number(process.env.HOT_PATH_STEPS_RING_SLOTS ?? 1 << 18);
  const only = argValue(args, '--case');
  if (only !== undefined) {
    if (!(HOT_PATH_STEPS as readonly string[]).includes(only)) {
      throw new Error(`unknown case ${only}: ${HOT_PATH_STEPS.join(', ')}`);
    }
    const count = Number(argValue(args, '--count') ?? 100_000);
    const warmup = Number(argValue(args, '--warmup') ?? 100_000);
    const rig = openHotPathStepRig(ringSlots);
    try {
      rig.run(only as HotPathStep, warmup);
      rig.run(only as HotPathStep, count);
      console.log(JSON.stringify({ case: only, count, sink: rig.sink() }));
    } finally {
      rig.close();
    }
    return;
  }
  const profile = args.includes('--smoke') ? SMOKE_PROFILE : FULL_PROFILE;
  const steps = measureHotPathSteps(profile, ringSlots);
  console.log(`node ${process.version}; Binance, median of ${profile.rounds} rounds, ns per message`);
  for (const { step, nsPerMessage } of steps) console.log(`${step.padEnd(16)} ${formatNs(nsPerMessage)}`);
  console.log(`(sink ${benchSink()})`);
}

main();
