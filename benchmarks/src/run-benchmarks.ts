/**
 * Runs every suite in its own Node process, one after another (so the other core stays quiet), and writes the
 * results: `latest.json`, the generated Markdown report and the latency chart.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchSuiteError } from './harness/bench-errors.js';
import { hostCpuShare, readHostCpu } from './harness/host-cpu.js';
import type { SuiteResult } from './harness/suite-result.js';
import { benchEnvironment, describeEnvironment } from './index.js';
import { renderLatencyChart } from './report/latency-chart.js';
import { type BenchReport, renderMarkdownReport } from './report/markdown-report.js';
import type { BenchRuntime } from './runtime-comparison.js';
import { SUITES, type SuiteSpec } from './suite-registry.js';

/** Options of {@link runBenchmarks}. */
export interface RunBenchmarksOptions {
  /** Tiny counts; results go to `outDir` and `RESULTS.md` is never touched. */
  smoke?: boolean;
  /** Where to write results. Required for smoke runs; full runs default to the package's `results/` folder. */
  outDir?: string;
  /** Only these suite ids (default: all). */
  suites?: readonly string[];
  /** Progress lines; default `process.stdout`. */
  log?: (line: string) => void;
  /** The Node the suites run under (default: this one); the report names its version. */
  runtime?: SuiteRuntime;
}

/** Files written by a run. */
export interface BenchRunFiles {
  json: string;
  markdown: string;
  chart: string;
}

/** What {@link runBenchmarks} resolves to. */
export interface BenchRun {
  report: BenchReport;
  files: BenchRunFiles;
}

const SMOKE_SUITE_TIMEOUT_MS = 60_000;
// A guard against a hung suite, not a budget: the live-path suite alone takes 4-5 minutes on these 2-core hosts.
const FULL_SUITE_TIMEOUT_MS = 10 * 60_000;
// From source (vitest, tsx) this module is src/run-benchmarks.ts; built, it is bundled into dist/run.js. Both sit
// one level below the package root, next to their `suites/` folder.
const fromSource = import.meta.url.endsWith('.ts');
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const moduleDir = dirname(fileURLToPath(import.meta.url));

/** Flags a worker thread rejects; from source they go through NODE_OPTIONS (see {@link suiteCommand}). */
function isV8Flag(flag: string): boolean {
  return flag.startsWith('--expose-gc') || flag.includes('semi-space');
}

/**
 * The command of one suite process. Built: `node <flags> dist/suites/<id>.js`. From source: the TypeScript module
 * through tsx with the `@marketpipe/source` condition; V8 flags then go through NODE_OPTIONS because the
 * connector's source-mode flusher worker inherits `process.execArgv`, which Worker refuses to take V8 flags in.
 * NODE_OPTIONS does not accept `--min-semi-space-size`, so smoke runs from source have a growing young generation;
 * their allocation numbers are meaningless anyway.
 */
function suiteCommand(
  spec: SuiteSpec,
  args: readonly string[],
  execPath: string,
): { argv: string[]; env: NodeJS.ProcessEnv } {
  // Another Node's folder first on PATH, so anything the suite starts by name runs on the same Node.
  const env =
    execPath === process.execPath
      ? process.env
      : { ...process.env, PATH: `${dirname(execPath)}:${process.env.PATH ?? ''}` };
  if (!fromSource) {
    return { argv: [...spec.nodeFlags, join(moduleDir, 'suites', `${spec.id}.js`), ...args], env };
  }
  const v8Flags = spec.nodeFlags.filter(
    (flag) => isV8Flag(flag) && !flag.startsWith('--min-semi-space-size'),
  );
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', ...v8Flags].join(' ').trim();
  return {
    argv: [
      '--import',
      'tsx',
      '--conditions=@marketpipe/source',
      ...spec.nodeFlags.filter((flag) => !isV8Flag(flag)),
      join(moduleDir, 'suites', `${spec.id}.ts`),
      ...args,
    ],
    env: { ...env, NODE_OPTIONS: nodeOptions },
  };
}

/** The Node a suite process runs under: its binary and the version it must report. */
export type SuiteRuntime = Pick<BenchRuntime, 'version' | 'execPath'>;

const THIS_NODE: SuiteRuntime = { version: process.versions.node, execPath: process.execPath };

/**
 * Runs one suite in its own process under `runtime` (default: this Node) and reads its result.
 *
 * @throws BenchSuiteError when the process fails, leaves no readable result, or ran on another Node version.
 */
export function runSuite(
  spec: SuiteSpec,
  out: string,
  smoke: boolean,
  runtime: SuiteRuntime = THIS_NODE,
): Promise<SuiteResult> {
  const { execPath } = runtime;
  const { argv, env } = suiteCommand(spec, smoke ? ['--smoke', '--out', out] : ['--out', out], execPath);
  return new Promise((resolve, reject) => {
    const child = spawn(execPath, argv, {
      cwd: packageRoot,
      env,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    const timeoutMs = smoke ? SMOKE_SUITE_TIMEOUT_MS : FULL_SUITE_TIMEOUT_MS;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new BenchSuiteError(spec.id, 'could not start the suite process', { cause: err }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = signal === null ? `exit code ${code}` : `signal ${signal} (timeout ${timeoutMs} ms?)`;
        reject(new BenchSuiteError(spec.id, `${why}\n${stderr.trim()}`));
        return;
      }
      let result: SuiteResult;
      try {
        result = JSON.parse(readFileSync(out, 'utf8')) as SuiteResult;
      } catch (err) {
        reject(new BenchSuiteError(spec.id, `no readable result at ${out}`, { cause: err }));
        return;
      }
      if (result.node !== runtime.version) {
        reject(new BenchSuiteError(spec.id, `ran on Node ${result.node}, not on Node ${runtime.version}`));
        return;
      }
      resolve(result);
    });
  });
}

/**
 * Runs the suites and writes the results. A full run writes `results/latest.json`, `results/latency.svg` and
 * `RESULTS.md` in the package; a smoke run writes the same three files (the report as `RESULTS.md`) into `outDir`.
 *
 * @throws BenchSuiteError when a suite process fails; the suites after it do not run.
 * @example
 * ```ts
 * const { report, files } = await runBenchmarks({ smoke: true, outDir: mkdtempSync(join(tmpdir(), 'bench-')) });
 * console.log(report.suites.map((s) => s.suite), files.markdown);
 * ```
 */
export async function runBenchmarks(options: RunBenchmarksOptions = {}): Promise<BenchRun> {
  const smoke = options.smoke === true;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (smoke && options.outDir === undefined) {
    throw new BenchSuiteError(
      'run',
      'a smoke run needs an output directory (it never writes into the package)',
    );
  }
  const resultsDir = options.outDir ?? join(packageRoot, 'results');
  const rawDir = join(resultsDir, 'raw');
  mkdirSync(rawDir, { recursive: true });
  const selected =
    options.suites === undefined ? SUITES : SUITES.filter((s) => options.suites?.includes(s.id));

  const runtime = options.runtime ?? THIS_NODE;
  const environment = describeEnvironment({ ...benchEnvironment(), node: `v${runtime.version}` });
  log(environment);
  const startedAt = new Date();
  const started = performance.now();
  const runHostBefore = readHostCpu();
  const suites: SuiteResult[] = [];
  for (const spec of selected) {
    log(`-- suite ${spec.id}${smoke ? ' (smoke)' : ''}`);
    const hostBefore = readHostCpu();
    const result = await runSuite(spec, join(rawDir, `${spec.id}.json`), smoke, runtime);
    const host = hostCpuShare(hostBefore, readHostCpu());
    suites.push(host === undefined ? result : { ...result, host });
  }
  const runHost = hostCpuShare(runHostBefore, readHostCpu());
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    environment,
    smoke,
    durationMs: performance.now() - started,
    suites,
    ...(runHost === undefined ? {} : { host: runHost }),
  };
  const files: BenchRunFiles = {
    json: join(resultsDir, 'latest.json'),
    chart: join(resultsDir, 'latency.svg'),
    markdown: smoke ? join(resultsDir, 'RESULTS.md') : join(packageRoot, 'RESULTS.md'),
  };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  const series = suites.flatMap((suite) => suite.latencies);
  writeFileSync(
    files.chart,
    renderLatencyChart('Latency percentiles (hot path per message; NATS publish -> receive)', series),
  );
  writeFileSync(files.markdown, renderMarkdownReport(report, relative(dirname(files.markdown), files.chart)));
  log(`results: ${files.markdown}, ${files.json}, ${files.chart}`);
  return { report, files };
}
