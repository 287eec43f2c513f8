/**
 * `pnpm bench`: runs every benchmark suite (each in its own process) and writes `RESULTS.md`,
 * `results/latest.json` and `results/latency.svg`.
 *
 * Usage: `node dist/run.js [--smoke --out-dir <dir>] [--suite <id> ...]`
 */
import { BenchArgumentError } from './harness/bench-errors.js';
import { type RunBenchmarksOptions, runBenchmarks } from './run-benchmarks.js';

function parseRunArgs(argv: readonly string[]): RunBenchmarksOptions {
  const options: { smoke?: boolean; outDir?: string; suites?: string[] } = {};
  const suites: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--out-dir' && value !== undefined) options.outDir = argv[++i];
    else if (arg === '--suite' && value !== undefined) suites.push(argv[++i]!);
    else {
      throw new BenchArgumentError(
        `unknown argument ${JSON.stringify(arg)} (expected --smoke, --out-dir <dir>, --suite <id>)`,
      );
    }
  }
  if (suites.length > 0) options.suites = suites;
  return options;
}

runBenchmarks(parseRunArgs(process.argv.slice(2))).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
