/**
 * `pnpm bench`: runs every benchmark suite (each in its own process) and writes `RESULTS.md`,
 * `results/latest.json` and `results/latency.svg`.
 *
 * Usage: `node dist/run.js [--smoke --out-dir <dir>] [--suite <id> ...] [--node <line|current|path> ...]`
 * The suites run under the newest line pinned in `scripts/node-lines.json` (installed first when missing), or under
 * the one `--node` names (another pinned line, `current` for the Node running this, or a path). With `--node` two or
 * more times, the suites run under each of those Nodes and `RUNTIMES.md` compares them instead.
 */
import { BenchArgumentError } from './harness/bench-errors.js';
import { type RunBenchmarksOptions, runBenchmarks } from './run-benchmarks.js';
import {
  defaultBenchLine,
  resolveOrInstallRuntime,
  resolveRuntime,
  runRuntimeComparison,
} from './runtime-comparison.js';

function parseRunArgs(argv: readonly string[]): RunBenchmarksOptions & { nodes: string[] } {
  const options: { smoke?: boolean; outDir?: string; suites?: string[] } = {};
  const suites: string[] = [];
  const nodes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--out-dir' && value !== undefined) options.outDir = argv[++i];
    else if (arg === '--suite' && value !== undefined) suites.push(argv[++i]!);
    else if (arg === '--node' && value !== undefined) nodes.push(argv[++i]!);
    else {
      throw new BenchArgumentError(
        `unknown argument ${JSON.stringify(arg)} (expected --smoke, --out-dir <dir>, --suite <id>, --node <line>)`,
      );
    }
  }
  if (suites.length > 0) options.suites = suites;
  return { ...options, nodes };
}

async function main(argv: readonly string[]): Promise<void> {
  const { nodes, ...options } = parseRunArgs(argv);
  if (nodes.length <= 1) {
    await runBenchmarks({ ...options, runtime: resolveOrInstallRuntime(nodes[0] ?? defaultBenchLine()) });
    return;
  }
  await runRuntimeComparison({ ...options, runtimes: nodes.map(resolveRuntime) });
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
