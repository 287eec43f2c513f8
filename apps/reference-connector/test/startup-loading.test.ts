/**
 * Start-up to the first message (issue 15): `marketpipe run` of a replay on the in-memory transport loads neither
 * nats.js, hdr-histogram-js (with pako), `ws` (live and simulated sources) nor sorted-btree (books), in the main
 * thread or in the flusher's worker thread; from the build, the flusher's thread runs its CommonJS script. A
 * preloaded probe lists the heavy CommonJS packages each thread had loaded when the replay file was opened, and
 * when it exited (see docs/design/startup.md for what each costs). A module-resolve hook lists what the built CLI's
 * main thread resolves as ES modules: `--help` loads no connector module, and a trades replay neither `node:zlib`
 * nor `node:crypto`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const probe = fileURLToPath(new URL('./support/loaded-packages-probe.cjs', import.meta.url));
const resolvedProbe = fileURLToPath(new URL('./support/resolved-modules-register.mjs', import.meta.url));

interface ProbeLine {
  thread: string;
  moment: 'first message' | 'exit';
  packages: string[];
  /** The thread had loaded the flusher worker's CommonJS build (`dist/flusher-worker.cjs`). */
  cjsFlusher: boolean;
}

/** Node arguments that run the CLI from TypeScript source, as the other app tests do. */
const FROM_SOURCE = ['--conditions=@marketpipe/source', '--import', 'tsx', 'src/cli.ts'];

/** Runs `node <nodeArgs>` in the app's folder with `env` added; resolves to its exit code and stderr. */
async function runNode(
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: appDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

/** An empty file for a probe to append to. */
function probeOutput(name: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'mp-startup-loading-')), name);
  writeFileSync(out, '');
  return out;
}

/** The non-empty lines of `path`. */
function linesOf(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

async function runProbed(
  args: string[],
  cli: string[] = FROM_SOURCE,
): Promise<{ code: number | null; lines: ProbeLine[]; stderr: string }> {
  const out = probeOutput('probe.jsonl');
  const { code, stderr } = await runNode(['--require', probe, ...cli, ...args], {
    MARKETPIPE_LOADED_PROBE: out,
  });
  return { code, lines: linesOf(out).map((line) => JSON.parse(line) as ProbeLine), stderr };
}

function oneTradeReplay(): { dir: string; replay: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mp-startup-loading-'));
  const replay = join(dir, 'trades.jsonl');
  writeFileSync(
    replay,
    '{"stream":"btcusdt@trade","data":{"e":"trade","E":1736000000000,"s":"BTCUSDT","t":1,"p":"40000.00",' +
      '"q":"0.01","T":1736000000000,"m":true,"M":true}}\n',
  );
  return { dir, replay };
}

/** The checks of a replay run: nothing heavy in the main thread at the first message, nor in any worker. */
function expectNothingHeavy(lines: ProbeLine[]): ProbeLine[] {
  const firstMessage = lines.find((l) => l.thread === 'main' && l.moment === 'first message');
  expect(firstMessage?.packages).toEqual([]);
  const workers = lines.filter((l) => l.thread !== 'main' && l.moment === 'exit');
  // The flusher's thread exits before the process does; its fsync thread is ended with it.
  expect(workers.length).toBeGreaterThanOrEqual(1);
  for (const worker of workers) expect(worker.packages, worker.thread).toEqual([]);
  return workers;
}

describe('what `marketpipe run` loads before its first message', () => {
  it('on the in-memory transport: nothing heavy in the main or the flusher thread', async () => {
    const { dir, replay } = oneTradeReplay();
    const run = await runProbed(['run', '--source', `replay:${replay}`, '--data-dir', join(dir, 'data')]);
    expect(run.code, run.stderr).toBe(0);
    expectNothingHeavy(run.lines);
    // Nor at its end: the run summary's percentiles no longer load hdr-histogram-js (docs/design/whole-process.md).
    const exit = run.lines.find((l) => l.thread === 'main' && l.moment === 'exit');
    expect(exit?.packages).toEqual([]);
  }, 60_000);

  it('from the build: the same, and the flusher thread runs its CommonJS script', async () => {
    // The test command builds before it tests; a missing build is a failure here, not a skip.
    const cli = join(appDir, 'dist', 'cli.js');
    expect(existsSync(cli), 'apps/reference-connector/dist (run pnpm build)').toBe(true);
    const { dir, replay } = oneTradeReplay();
    const run = await runProbed(
      ['run', '--source', `replay:${replay}`, '--data-dir', join(dir, 'data')],
      [cli],
    );
    expect(run.code, run.stderr).toBe(0);
    const workers = expectNothingHeavy(run.lines);
    expect(workers.some((w) => w.cjsFlusher)).toBe(true);
  }, 60_000);

  it('loads ws for the simulated source (the probe sees a CommonJS package imported as an ES module)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-startup-loading-'));
    const run = await runProbed([
      'run',
      '--source',
      'sim',
      '--duration',
      '200ms',
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const exit = run.lines.find((l) => l.thread === 'main' && l.moment === 'exit');
    expect(exit?.packages).toContain('ws');
  }, 60_000);

  it('loads nats.js once a nats:// transport is asked for (the probe sees what it must catch)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-startup-loading-'));
    // Port 1 on loopback: nothing listens, so the connect fails fast and the run exits 1.
    const run = await runProbed([
      'run',
      '--transport',
      'nats://127.0.0.1:1',
      '--nats-connect-timeout',
      '200ms',
      '--data-dir',
      join(dir, 'data'),
    ]);
    expect(run.code, run.stderr).toBe(1);
    const exit = run.lines.find((l) => l.thread === 'main' && l.moment === 'exit');
    expect(exit?.packages).toEqual(expect.arrayContaining(['@nats-io/nats-core', '@nats-io/transport-node']));
  }, 60_000);
});

/** Every module URL the built CLI's main thread resolved while running each of `runs`. */
async function resolvedByBuild(runs: string[][]): Promise<string[]> {
  const cli = join(appDir, 'dist', 'cli.js');
  expect(existsSync(cli), 'apps/reference-connector/dist (run pnpm build)').toBe(true);
  const out = probeOutput('resolved.txt');
  for (const args of runs) {
    const run = await runNode(['--import', resolvedProbe, cli, ...args], { MARKETPIPE_RESOLVED_PROBE: out });
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  }
  const urls = linesOf(out);
  // The probe sees the CLI's own modules: it would see the others.
  expect(urls.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
  return urls;
}

describe('what the built CLI resolves in its main thread', () => {
  it('--help: neither the connector, a logger nor an argument parser package', async () => {
    const urls = await resolvedByBuild([['--help'], ['help', 'run'], ['cat', '--help']]);
    expect(urls.some((url) => url.includes('/middleware/dist/'))).toBe(true);
    // --help needs the venue names, which the app lists itself (options/venue-defaults.ts): the connector's venue
    // registry loads every parser, ~17 ms on Node 20; commander and pino were ~28 and ~30 ms (docs/design/startup.md).
    expect(
      urls.filter((url) => /\/connector\/dist\/|[\\/]node_modules[\\/](commander|pino)[\\/]/.test(url)),
    ).toEqual([]);
  }, 60_000);

  it('a trades replay: neither node:zlib nor node:crypto (book checksums, record reading and JetStream load them)', async () => {
    const { dir, replay } = oneTradeReplay();
    const urls = await resolvedByBuild([
      ['run', '--source', `replay:${replay}`, '--data-dir', join(dir, 'data'), '--log-level', 'silent'],
    ]);
    expect(urls).toContain('node:worker_threads');
    expect(urls.filter((url) => url === 'node:zlib' || url === 'node:crypto')).toEqual([]);
  }, 60_000);
});
