/**
 * How much machine code a Binance message runs through: one case of the step table (`dist/hot-path-steps.js`,
 * default `runner`) run 10M times under `perf record -e cpu-clock`, with V8 naming its code (`--perf-basic-prof`),
 * and the distinct 64-byte lines of code sampled on the main thread over the second half of the run, per function
 * (`harness/code-lines.ts`). The runner's time follows this count (docs/design/latency-tail.md, "The hot path is
 * fetch-bound"), and the count moves by ~1-2% between runs of one build where timings move by 5-10%: compare builds
 * or V8 flags with it first. Needs `perf` (linux-perf); node flags after `--` go to the measured process.
 *
 *   node dist/hot-path-footprint.js
 *   node dist/hot-path-footprint.js --case parse
 *   node dist/hot-path-footprint.js -- --max-inlined-bytecode-size-cumulative=5000
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countCodeLines, parsePerfScript } from './harness/code-lines.js';

/** What the step rig runs between batches (its untimed ring drain), not the hot path: listed apart. */
const RIG_DRAIN = ['readBatch', 'release', 'drainRing', 'Builtins_AtomicsLoad'];

function argValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error !== undefined) {
    throw new Error(`${command} could not run (${result.error.message}); install linux-perf for this tool`);
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function main(): void {
  const all = process.argv.slice(2);
  const dash = all.indexOf('--');
  const args = dash >= 0 ? all.slice(0, dash) : all;
  const nodeFlags = dash >= 0 ? all.slice(dash + 1) : [];
  const step = argValue(args, '--case') ?? 'runner';
  const count = argValue(args, '--count') ?? '10000000';
  const steps = join(dirname(fileURLToPath(import.meta.url)), 'hot-path-steps.js');
  const dir = mkdtempSync(join(tmpdir(), 'footprint-'));
  try {
    const data = join(dir, 'perf.data');
    run('perf', [
      'record',
      '-q',
      '-e',
      'cpu-clock',
      '-F',
      '20000',
      '-o',
      data,
      process.execPath,
      '--perf-basic-prof',
      ...nodeFlags,
      steps,
      '--case',
      step,
      '--count',
      count,
    ]);
    const samples = parsePerfScript(run('perf', ['script', '-i', data, '-F', 'pid,tid,time,ip,sym']));
    // --perf-basic-prof leaves /tmp/perf-<pid>.map behind; perf script has read it.
    for (const pid of new Set(samples.map((s) => s.pid))) rmSync(`/tmp/perf-${pid}.map`, { force: true });
    const counted = countCodeLines(samples);
    const isDrain = (name: string): boolean => RIG_DRAIN.some((d) => name.includes(d));
    const hot = counted.functions.filter((f) => !isDrain(f.name));
    const drain = counted.functions.filter((f) => isDrain(f.name));
    const total = hot.reduce((sum, f) => sum + f.lines, 0);
    console.log(
      `node ${process.version} ${nodeFlags.join(' ')}; case ${step} x ${count}; ${counted.samples} main-thread samples ` +
        'in the second half',
    );
    for (const f of hot) {
      console.log(
        `${String(f.lines).padStart(5)} lines ${(100 * f.samplesShare).toFixed(1).padStart(5)}%  ${f.name}`,
      );
    }
    console.log(
      `${String(total).padStart(5)} lines = ${((total * 64) / 1024).toFixed(1)} KiB of code with samples`,
    );
    if (drain.length > 0) {
      console.log(`(the rig's ring drain, left out: ${drain.map((f) => `${f.name} ${f.lines}`).join(', ')})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
