/**
 * How much machine code a Binance message runs through: one case of the step table (`dist/hot-path-steps.js`,
 * default `runner`) run 10M times under `perf record -e cpu-clock`, with V8 naming its code (`--perf-basic-prof`),
 * and the distinct 64-byte lines of code sampled on the main thread over the second half of the run, per function
 * (`harness/code-lines.ts`). The runner's time follows this count (docs/design/latency-tail.md, "The hot path is
 * fetch-bound"), and the count moves by ~2-3% between runs of one build where timings move by 5-10%: compare builds
 * or V8 flags with it first. Needs `perf` (linux-perf); node flags after `--` go to the measured process.
 *
 *   node dist/hot-path-footprint.js
 *   node dist/hot-path-footprint.js --case parse
 *   node dist/hot-path-footprint.js -- --max-inlined-bytecode-size-cumulative=5000
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordCodeLines } from './harness/code-lines.js';

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function main(): void {
  const all = process.argv.slice(2);
  const dash = all.indexOf('--');
  const args = dash >= 0 ? all.slice(0, dash) : all;
  const nodeFlags = dash >= 0 ? all.slice(dash + 1) : [];
  const step = argValue(args, '--case') ?? 'runner';
  const count = argValue(args, '--count') ?? '10000000';
  const steps = join(dirname(fileURLToPath(import.meta.url)), 'hot-path-steps.js');
  const lines = recordCodeLines([...nodeFlags, steps, '--case', step, '--count', count]);
  console.log(
    `node ${process.version} ${nodeFlags.join(' ')}; case ${step} x ${count}; ${lines.samples} main-thread samples ` +
      'in the second half',
  );
  for (const f of lines.functions) {
    console.log(
      `${String(f.lines).padStart(5)} lines ${(100 * f.samplesShare).toFixed(1).padStart(5)}%  ${f.name}`,
    );
  }
  console.log(
    `${String(lines.hotLines).padStart(5)} lines = ${((lines.hotLines * 64) / 1024).toFixed(1)} KiB of code`,
  );
  if (lines.drain.length > 0) {
    console.log(
      `(the rig's ring drain, left out: ${lines.drain.map((f) => `${f.name} ${f.lines}`).join(', ')})`,
    );
  }
}

main();
