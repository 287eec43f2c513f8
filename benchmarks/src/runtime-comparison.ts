/**
 * `pnpm bench --node 20 --node 24 --node 26`: the same suites under several Node lines in one run, side by side.
 * Each suite runs under every line before the next suite starts, so drift in the machine's load spreads over the
 * lines instead of landing on one. Writes `RUNTIMES.md` and `results/runtimes.json` (a smoke run: into `outDir`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchArgumentError, BenchSuiteError } from './harness/bench-errors.js';
import type { SuiteResult } from './harness/suite-result.js';
import { benchEnvironment, describeEnvironment } from './index.js';
import { runSuite } from './run-benchmarks.js';
import { SUITES } from './suite-registry.js';

/** One Node a comparison runs its suites under. */
export interface BenchRuntime {
  /** As asked for: `current`, a pinned line (`24`) or a path. */
  spec: string;
  /** `process.versions.node` of that binary. */
  version: string;
  execPath: string;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageRoot, '..');

function pinnedLines(): Record<string, string> {
  return (
    JSON.parse(readFileSync(join(repoRoot, 'scripts', 'node-lines.json'), 'utf8')) as {
      lines: Record<string, string>;
    }
  ).lines;
}

/** Where `scripts/install-node.mjs` installs a pinned version's `node` binary. */
function pinnedNodePath(version: string): string {
  return join(homedir(), '.cache', 'marketpipe', 'node', version, 'bin', 'node');
}

/**
 * The line `pnpm bench` runs its suites under when no `--node` is given: the newest line pinned in
 * `scripts/node-lines.json`, the active LTS. The machines' own Node 20 is out of support, and runs this code
 * differently (no Maglev tier); `--node current` measures it.
 */
export function defaultBenchLine(): string {
  return Object.keys(pinnedLines()).sort((a, b) => Number(b) - Number(a))[0]!;
}

/**
 * {@link resolveRuntime} for `spec`, first installing the pinned Node versions with `scripts/install-node.mjs` (which
 * says what it downloads) when `spec` is a pinned line that is not installed yet.
 *
 * @throws BenchArgumentError as {@link resolveRuntime}.
 */
export function resolveOrInstallRuntime(spec: string): BenchRuntime {
  const version = /^\d+$/.test(spec) ? pinnedLines()[spec] : undefined;
  if (
    version !== undefined &&
    spec !== process.versions.node.split('.')[0] &&
    !existsSync(pinnedNodePath(version))
  ) {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'install-node.mjs')], { stdio: 'inherit' });
  }
  return resolveRuntime(spec);
}

/**
 * Resolves a `--node` value: `current` (this Node), a line pinned in `scripts/node-lines.json` and installed by
 * `scripts/install-node.mjs` (`24`; the running Node's own line means this Node), or a path to a `node` binary.
 *
 * @throws BenchArgumentError for a line that is neither this Node's nor pinned, or a pinned one not installed.
 */
export function resolveRuntime(spec: string): BenchRuntime {
  const current = { spec, version: process.versions.node, execPath: process.execPath };
  if (spec === 'current' || spec === process.versions.node.split('.')[0]) return current;
  let execPath = spec;
  if (/^\d+$/.test(spec)) {
    const version = pinnedLines()[spec];
    if (version === undefined) {
      throw new BenchArgumentError(`Node line ${spec} is not pinned in scripts/node-lines.json`);
    }
    execPath = pinnedNodePath(version);
    if (!existsSync(execPath)) {
      throw new BenchArgumentError(`Node ${version} is not installed: run node scripts/install-node.mjs`);
    }
  }
  const version = execFileSync(execPath, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  return { spec, version, execPath };
}

/** A compared number: where it comes from and which way is better. */
interface ComparedMetric {
  suite: string;
  key: string;
  label: string;
  unit: 'ns' | '/s' | 'B';
  better: 'lower' | 'higher';
}

const HOT_PATH_VENUES = ['binance', 'coinbase', 'kraken', 'bybit', 'okx'];

/** The numbers the comparison shows: the hot path per venue, then the parts the design table measures. */
const COMPARED: readonly ComparedMetric[] = [
  ...HOT_PATH_VENUES.flatMap((venue): ComparedMetric[] => [
    {
      suite: 'hot-path',
      key: `${venue}.p50Ns`,
      label: `hot path p50, ${venue}`,
      unit: 'ns',
      better: 'lower',
    },
    {
      suite: 'hot-path',
      key: `${venue}.p99Ns`,
      label: `hot path p99, ${venue}`,
      unit: 'ns',
      better: 'lower',
    },
    {
      suite: 'hot-path',
      key: `${venue}.messagesPerSecond`,
      label: `hot path msgs/s, ${venue}`,
      unit: '/s',
      better: 'higher',
    },
    {
      suite: 'hot-path',
      key: `${venue}.bytesPerMessage`,
      label: `allocated per message, ${venue}`,
      unit: 'B',
      better: 'lower',
    },
  ]),
  {
    suite: 'hot-path',
    key: 'clockReadHeapBytes',
    label: 'clock read, heap bytes',
    unit: 'B',
    better: 'lower',
  },
  { suite: 'design-table', key: 'encode.afterNs', label: 'encode one trade', unit: 'ns', better: 'lower' },
  {
    suite: 'design-table',
    key: 'write.writeSync.afterNs',
    label: 'ring hand-off, 200 B',
    unit: 'ns',
    better: 'lower',
  },
  ...HOT_PATH_VENUES.map(
    (venue): ComparedMetric => ({
      suite: 'design-table',
      key: `parse.${venue}.parserNs`,
      label: `parse, ${venue} (scanner)`,
      unit: 'ns',
      better: 'lower',
    }),
  ),
  {
    suite: 'flusher',
    key: 'flusherRecordsPerSecond',
    label: 'flusher records/s, flat out',
    unit: '/s',
    better: 'higher',
  },
  {
    suite: 'nats',
    key: 'pipeline.messagesPerSecond',
    label: 'NATS pipeline msgs/s',
    unit: '/s',
    better: 'higher',
  },
];

function formatValue(value: number, unit: ComparedMetric['unit']): string {
  if (unit === 'ns') return value >= 10_000 ? `${(value / 1000).toFixed(1)} µs` : `${value.toFixed(1)} ns`;
  if (unit === '/s')
    return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
  return `${value.toFixed(2)} B`;
}

/** Every suite's result under one runtime. */
export interface RuntimeRun {
  runtime: BenchRuntime;
  suites: SuiteResult[];
}

/**
 * The side-by-side Markdown: one row per compared number present under every runtime, one column per runtime,
 * then each later runtime against the first (`x1.20` = 20 % more time, or 20 % more throughput).
 */
export function renderRuntimeComparison(
  runs: readonly RuntimeRun[],
  environment: string,
  smoke: boolean,
  load: { start: number; end: number },
): string {
  const metric = (run: RuntimeRun, m: ComparedMetric) =>
    run.suites.find((suite) => suite.suite === m.suite)?.metrics[m.key];
  const rows = COMPARED.filter((m) => runs.every((run) => Number.isFinite(metric(run, m))));
  const first = runs[0]!;
  const header = [
    'what',
    ...runs.map((run) => `Node ${run.runtime.version}`),
    ...runs.slice(1).map((run) => `${run.runtime.version} vs ${first.runtime.version}`),
  ];
  const lines = [
    '# marketpipe benchmarks across Node lines',
    '',
    '<!-- Generated by `pnpm bench --node ...` (benchmarks/src/runtime-comparison.ts). Do not edit by hand. -->',
    '',
    `- Machine: ${environment}${smoke ? ' (SMOKE RUN: tiny counts, the numbers mean nothing)' : ''}`,
    `- Load average (1 min) at the start and the end: ${load.start.toFixed(1)} and ${load.end.toFixed(1)}. Above 1 on`,
    '  2 cores, other work shared the CPU: the times and rates then say little, while the allocation rows (bytes per',
    '  message, counted, not timed) still hold.',
    '- Each suite ran in its own process under every Node in turn before the next suite started. The numbers are',
    "  medians of each suite's own rounds; on a machine shared with other work they move by 10-20 % between runs.",
    '- Ratios: for times and bytes, the later line over the first (above 1 = worse); for rates, likewise the later',
    '  over the first (above 1 = better).',
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((m) => {
      const values = runs.map((run) => metric(run, m)!);
      const base = values[0]!;
      const ratios = values
        .slice(1)
        .map((v) => (base === 0 ? (v === 0 ? '=' : 'n/a') : `x${(v / base).toFixed(2)}`));
      return `| ${[m.label, ...values.map((v) => formatValue(v, m.unit)), ...ratios].join(' | ')} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

/** Options of {@link runRuntimeComparison}. */
export interface RuntimeComparisonOptions {
  runtimes: readonly BenchRuntime[];
  smoke?: boolean;
  /** Required for smoke runs; full runs write `RUNTIMES.md` in the package and JSON under `results/`. */
  outDir?: string;
  suites?: readonly string[];
  log?: (line: string) => void;
}

/**
 * Runs the suites under each runtime and writes the comparison.
 *
 * @throws BenchSuiteError when a suite process fails under any runtime.
 */
export async function runRuntimeComparison(
  options: RuntimeComparisonOptions,
): Promise<{ runs: RuntimeRun[]; markdown: string; json: string }> {
  const smoke = options.smoke === true;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (smoke && options.outDir === undefined) {
    throw new BenchSuiteError(
      'run',
      'a smoke run needs an output directory (it never writes into the package)',
    );
  }
  const resultsDir = options.outDir ?? join(packageRoot, 'results');
  const selected =
    options.suites === undefined ? SUITES : SUITES.filter((s) => options.suites?.includes(s.id));
  const environment = describeEnvironment(benchEnvironment()).replace(/^Node \S+ on /, '');
  log(`${environment}; Node ${options.runtimes.map((r) => r.version).join(', ')}`);
  const load = { start: loadavg()[0]!, end: 0 };
  const runs: RuntimeRun[] = options.runtimes.map((runtime) => ({ runtime, suites: [] }));
  for (const spec of selected) {
    for (const run of runs) {
      const rawDir = join(resultsDir, 'raw', `node-${run.runtime.version}`);
      mkdirSync(rawDir, { recursive: true });
      log(`-- suite ${spec.id} on Node ${run.runtime.version}${smoke ? ' (smoke)' : ''}`);
      run.suites.push(await runSuite(spec, join(rawDir, `${spec.id}.json`), smoke, run.runtime));
    }
  }
  load.end = loadavg()[0]!;
  const json = join(resultsDir, 'runtimes.json');
  const markdown = smoke ? join(resultsDir, 'RUNTIMES.md') : join(packageRoot, 'RUNTIMES.md');
  writeFileSync(json, `${JSON.stringify({ environment, smoke, load, runs }, null, 2)}\n`);
  writeFileSync(markdown, renderRuntimeComparison(runs, environment, smoke, load));
  log(`results: ${markdown}, ${json}`);
  return { runs, markdown, json };
}
