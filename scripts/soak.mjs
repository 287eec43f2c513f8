#!/usr/bin/env node
/**
 * Soak test (not part of CI): runs `marketpipe run` for a long time at a fixed
 * high simulator rate, publishing to a private nats-server and recording to
 * disk, samples the app's RSS and V8 heap every second and its hot-path p99
 * every 10 s, and decides from a linear regression over the second half of
 * the run whether memory grows. Writes `soak.json` and `soak.md` to the
 * results folder and exits 1 when a slope is above its threshold or the run
 * was not clean.
 *
 *   node scripts/soak.mjs                        # 10 minutes at 5000 msg/s
 *   node scripts/soak.mjs --minutes 1 --rate 2000 --results /tmp/soak
 *
 * Options: --minutes <n> (10), --rate <msg/s> (5000), --venue <venue> (binance),
 * --results <dir> (a new folder under the system temp dir), --cli source|dist
 * (source: src/cli.ts through tsx, always current; dist: the built dist/cli.js),
 * --max-rss-slope <MiB/min> (2), --max-heap-slope <MiB/min> (1), --keep-data.
 * Needs `nats-server` on the PATH (scripts/setup-system.sh installs it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

// The workspace's one nats-server launcher is TypeScript; tsx (a root dev dependency) loads it here.
const { startNatsServer } = await tsImport('../tools/test-support/src/nats-server.ts', import.meta.url);

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const appDir = join(root, 'apps', 'reference-connector');

const { values: options } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '5000' },
    venue: { type: 'string', default: 'binance' },
    results: { type: 'string' },
    cli: { type: 'string', default: 'source' },
    'max-rss-slope': { type: 'string', default: '2' },
    'max-heap-slope': { type: 'string', default: '1' },
    'keep-data': { type: 'boolean', default: false },
  },
});

const minutes = Number(options.minutes);
const rate = Number(options.rate);
const maxRssSlope = Number(options['max-rss-slope']);
const maxHeapSlope = Number(options['max-heap-slope']);
for (const [name, value] of [
  ['--minutes', minutes],
  ['--rate', rate],
  ['--max-rss-slope', maxRssSlope],
  ['--max-heap-slope', maxHeapSlope],
]) {
  if (!(Number.isFinite(value) && value > 0)) fail(`${name} must be a positive number`);
}
if (options.cli !== 'source' && options.cli !== 'dist') fail('--cli must be source or dist');

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = resolve(options.results ?? join(tmpdir(), `marketpipe-soak-${stamp}`));
mkdirSync(resultsDir, { recursive: true });
const dataDir = join(resultsDir, 'data');
const MIB = 1024 * 1024;

/**
 * Loaded into the app with --import: writes process.memoryUsage() as a JSON
 * line to fd 3 every second. The timer is unref'd so it never keeps the app
 * alive, and a closed pipe is ignored.
 */
const MEMORY_PROBE = `import { writeSync } from 'node:fs';
setInterval(() => {
  const m = process.memoryUsage();
  try {
    writeSync(3, JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }) + '\\n');
  } catch {}
}, 1000).unref();`;

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(2);
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

/** Least-squares line through (x, y); slope in y per x, and R². */
function regression(points) {
  const n = points.length;
  if (n < 3) return { slope: 0, r2: 0, n };
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy), n };
}

function mib(bytes) {
  return (bytes / MIB).toFixed(1);
}

async function main() {
  const nats = await startNatsServer({ jetstream: true });
  const cliArgs =
    options.cli === 'dist'
      ? [join(appDir, 'dist', 'cli.js')]
      : ['--conditions=@marketpipe/source', '--import', 'tsx', join(appDir, 'src', 'cli.ts')];
  if (options.cli === 'dist' && !existsSync(cliArgs[0])) fail('dist/cli.js is missing: run pnpm build first');
  const summaryPath = join(resultsDir, 'summary.json');
  const args = [
    '--import',
    `data:text/javascript,${encodeURIComponent(MEMORY_PROBE)}`,
    ...cliArgs,
    'run',
    '--source',
    'sim',
    '--rate',
    String(rate),
    '--venue',
    options.venue,
    '--transport',
    nats.url,
    '--env',
    'soak',
    '--data-dir',
    dataDir,
    '--json-summary',
    summaryPath,
    '--status-interval',
    '10s',
    '--metrics-port',
    '0',
  ];
  console.log(
    `soak: ${minutes} min at ${rate} msg/s (${options.venue}), NATS ${nats.url}, results in ${resultsDir}`,
  );
  const app = spawn(process.execPath, args, { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });

  const memory = [];
  const latency = [];
  const errors = [];
  let startedAt = 0;
  let memoryBuffer = '';
  app.stdio[3].setEncoding('utf8');
  app.stdio[3].on('data', (chunk) => {
    memoryBuffer += chunk;
    const lines = memoryBuffer.split('\n');
    memoryBuffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') memory.push(JSON.parse(line));
  });
  let logBuffer = '';
  app.stderr.setEncoding('utf8');
  app.stderr.on('data', (chunk) => {
    logBuffer += chunk;
    const lines = logBuffer.split('\n');
    logBuffer = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line);
      if (entry.msg === 'pipeline started') startedAt = entry.time;
      if (entry.msg === 'status') {
        latency.push({
          t: entry.time,
          p50: entry.latencyNs.p50,
          p99: entry.latencyNs.p99,
          p999: entry.latencyNs.p999,
          messagesPerSecond: entry.messagesPerSecond,
          ringFill: entry.ringFill,
          transport: entry.transport,
          recorder: entry.recorder,
        });
      }
      if (entry.level >= 50) errors.push(entry.msg);
    }
  });
  let stdout = '';
  app.stdout.setEncoding('utf8');
  app.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const exited = new Promise((done) => app.once('exit', (code, signal) => done({ code, signal })));

  await Promise.race([sleep(minutes * 60_000), exited]);
  if (app.exitCode === null) app.kill('SIGTERM');
  const exit = await exited;
  await nats.dispose();
  const summary = existsSync(summaryPath) ? JSON.parse(readFileSync(summaryPath, 'utf8')) : null;
  if (!options['keep-data']) rmSync(dataDir, { recursive: true, force: true });

  const t0 = startedAt || memory[0]?.t || Date.now();
  const half = t0 + ((memory.at(-1)?.t ?? t0) - t0) / 2;
  const secondHalf = memory.filter((m) => m.t >= half);
  const perMinute = (samples, key) => regression(samples.map((m) => [(m.t - t0) / 60_000, m[key] / MIB]));
  const rssTrend = perMinute(secondHalf, 'rss');
  const heapTrend = perMinute(secondHalf, 'heapUsed');
  const checks = [
    { name: 'exit code 0 (clean)', ok: exit.code === 0, detail: `code ${exit.code}, signal ${exit.signal}` },
    {
      name: `RSS slope (second half) <= ${maxRssSlope} MiB/min`,
      ok: rssTrend.slope <= maxRssSlope,
      detail: `${rssTrend.slope.toFixed(3)} MiB/min (R² ${rssTrend.r2.toFixed(2)}, ${rssTrend.n} samples)`,
    },
    {
      name: `heap slope (second half) <= ${maxHeapSlope} MiB/min`,
      ok: heapTrend.slope <= maxHeapSlope,
      detail: `${heapTrend.slope.toFixed(3)} MiB/min (R² ${heapTrend.r2.toFixed(2)}, ${heapTrend.n} samples)`,
    },
    {
      name: 'nothing lost (summary lost 0, recordsWritten == received)',
      ok: summary !== null && summary.lost === 0 && summary.recordsWritten === summary.received,
      detail:
        summary === null
          ? 'no summary'
          : `lost ${summary.lost}, ${summary.recordsWritten}/${summary.received}`,
    },
  ];
  const passed = checks.every((c) => c.ok);
  const report = {
    passed,
    settings: { minutes, rate, venue: options.venue, cli: options.cli, maxRssSlope, maxHeapSlope },
    machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    exit,
    checks,
    trends: { rssMiBPerMinute: rssTrend, heapMiBPerMinute: heapTrend },
    memory,
    latency,
    errors,
    summary,
  };
  writeFileSync(join(resultsDir, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);

  const rssAll = memory.map((m) => m.rss);
  const heapAll = memory.map((m) => m.heapUsed);
  const md = [
    `# marketpipe soak: ${passed ? 'PASS' : 'FAIL'}`,
    '',
    `${minutes} min at ${rate} msg/s (${options.venue}, simulator -> NATS + disk), cli ${options.cli}; ` +
      `Node ${process.version}, ${report.machine.cpu}, ${report.machine.cores} cores.`,
    '',
    '| check | result | detail |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.name} | ${c.ok ? 'ok' : 'FAIL'} | ${c.detail} |`),
    '',
    `Memory (${memory.length} samples, 1/s): RSS ${mib(Math.min(...rssAll))}–${mib(Math.max(...rssAll))} MiB, ` +
      `heap used ${mib(Math.min(...heapAll))}–${mib(Math.max(...heapAll))} MiB.`,
    '',
    'Hot-path latency from the status lines (cumulative since start; every 10 s):',
    '',
    '| t (s) | msg/s | p50 (µs) | p99 (µs) | p99.9 (µs) | ring fill | transport | recorder |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...latency.map(
      (l) =>
        `| ${Math.round((l.t - t0) / 1000)} | ${l.messagesPerSecond} | ${(l.p50 / 1000).toFixed(1)} | ` +
        `${(l.p99 / 1000).toFixed(1)} | ${(l.p999 / 1000).toFixed(1)} | ${l.ringFill.toFixed(3)} | ${l.transport} | ${l.recorder} |`,
    ),
    '',
    summary === null
      ? 'No summary was written.'
      : `Summary: received ${summary.received}, trades ${summary.trades}, published ${summary.published}, ` +
        `recorded ${summary.recordsWritten}, lost ${summary.lost}, transport dropped ${summary.transportDropped}, ` +
        `outcome ${summary.outcome}.`,
    errors.length > 0 ? `\nError logs: ${errors.join('; ')}` : '',
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'soak.md'), md);
  console.log(md);
  if (!passed) console.error(stdout);
  process.exitCode = passed ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
