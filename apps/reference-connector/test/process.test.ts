/**
 * The real executable in a child process (source run through tsx): signals,
 * exit codes and a reader that hangs up, as a shell would see them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binanceProtocol } from '@marketpipe/connector/feeds';
import { SimulatorServer } from '@marketpipe/connector/simulator';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../src/run/run-summary.js';
import { tempDataDir, writeRecords } from './support/record-files.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** `0-2,5` -> [0, 1, 2, 5]. */
function cpuList(text: string | undefined): number[] {
  return (text ?? '').split(',').flatMap((part) => {
    const [first, last] = part.split('-').map(Number) as [number, number | undefined];
    return Array.from({ length: (last ?? first) - first + 1 }, (_, i) => first + i);
  });
}

function startCli(args: string[]): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    ['--conditions=@marketpipe/source', '--import', 'tsx', 'src/cli.ts', ...args],
    {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Times each thread of `pid` was switched in so far (the third field of its schedstat), by thread id. */
function timeslices(pid: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      counts.set(tid, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[2]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return counts;
}

describe('marketpipe executable', () => {
  it('drains, flushes and writes the summary on SIGINT, then exits 0', async () => {
    const dir = tempDataDir();
    const summaryPath = join(dir, 'summary.json');
    const cli = startCli([
      'run',
      '--rate',
      '200',
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      summaryPath,
    ]);
    let stdout = '';
    cli.child.stdout?.setEncoding('utf8');
    cli.child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
    });
    await waitFor('the source to connect', () => cli.stderr().includes('"msg":"source event"'), {
      everyMs: 20,
      describe: cli.stderr,
    });
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ stopReason: 'SIGINT', outcome: 'clean', lost: 0 });
    expect(summary.recordsWritten).toBe(summary.received);
    expect(stdout).toContain('stopped by SIGINT');
    expect(stdout).not.toContain('\r');
  });

  it('drains and writes the summary when the reader of its logs (stderr) and stdout go away mid-run', async () => {
    const dir = tempDataDir();
    const summaryPath = join(dir, 'summary.json');
    const cli = startCli([
      'run',
      '--rate',
      '200',
      '--duration',
      '1500ms',
      '--status-interval',
      '200ms',
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      summaryPath,
    ]);
    await waitFor('the source to connect', () => cli.stderr().includes('"msg":"source event"'), {
      everyMs: 20,
      describe: cli.stderr,
    });
    // Both readers gone while the run goes on: every later status line and the summary meet EPIPE.
    cli.child.stderr?.destroy();
    cli.child.stdout?.destroy();
    expect(await cli.exited).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ stopReason: 'duration', outcome: 'clean', lost: 0 });
    expect(summary.received).toBeGreaterThan(0);
  });

  it('subscribe on a memory transport waits for its stop, says why nothing arrives, then exits 0', async () => {
    const started = performance.now();
    const cli = startCli(['subscribe', '--transport', 'memory', '--count', '1', '--duration', '600ms']);
    expect(await cli.exited).toBe(0);
    // It used to exit 0 within ~80 ms, with no output and no word of why.
    expect(performance.now() - started).toBeGreaterThan(600);
    expect(cli.stderr()).toContain('a memory transport receives only what this process publishes');
    expect(cli.stderr()).toContain('"reason":"duration"');
  });

  it('exits quietly with 0 when the reader of `cat` hangs up', async () => {
    const dataDir = tempDataDir();
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      day: '2025-01-01',
      sequence: i,
      payload: `{"n":${i},"pad":"${'x'.repeat(60)}"}`,
    }));
    writeRecords(dataDir, 'binance', records);
    const cli = startCli(['cat', '--data-dir', dataDir, '--venue', 'binance']);
    const first = await new Promise<string>((resolve) =>
      cli.child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    expect(first.startsWith('{"n":0,')).toBe(true);
    cli.child.stdout?.destroy();
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toBe('');
    expect(existsSync(join(dataDir, 'binance'))).toBe(true);
  });

  it('places the hot path on --cpu and the recorder on the other CPUs, and says so in the summary', async () => {
    // Linux with two or more CPUs (the CI machines have two); anything less fails here rather than skip.
    const allowed = cpuList(
      /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1],
    );
    expect(allowed.length).toBeGreaterThanOrEqual(2);
    const intake = allowed[allowed.length - 1] as number;
    const dir = tempDataDir();
    const summaryPath = join(dir, 'summary.json');
    const cli = startCli(
      ['run', '--duration', '500ms', '--cpu', `${intake}`, '--data-dir', join(dir, 'data')].concat([
        '--json-summary',
        summaryPath,
        '--log-format',
        'json',
      ]),
    );
    expect(await cli.exited, cli.stderr()).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
    expect(summary.cpus).toEqual({ intake: [intake], recorder: allowed.filter((cpu) => cpu !== intake) });
    expect(cli.stderr()).toContain(`"intakeCpus":"${intake}"`);
    expect(summary.recordsWritten).toBe(summary.received);

    const refused = startCli([
      'run',
      '--duration',
      '500ms',
      '--cpu',
      '1023',
      '--data-dir',
      join(dir, 'data'),
    ]);
    // A CPU this process may not use is an invalid option for this machine: exit 2, as the pipeline refuses it.
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toContain('cpus.intake: CPU 1023 is not one this process may use');
  });

  it('refuses to replay its own record folder (exit 2) and leaves the recording as it was', async () => {
    const dir = tempDataDir();
    const data = join(dir, 'data');
    const recorded = startCli(['run', '--duration', '300ms', '--data-dir', data]);
    expect(await recorded.exited, recorded.stderr()).toBe(0);
    const files = () =>
      readdirSync(join(data, 'binance')).map((f) => [f, statSync(join(data, 'binance', f)).size]);
    const before = files();
    expect(before.length).toBeGreaterThan(0);
    const replay = startCli(['run', '--source', `replay:${join(data, 'binance')}`, '--data-dir', data]);
    // Replaying it into the same data dir would append a second copy of every record to the files it reads.
    expect(await replay.exited, replay.stderr()).toBe(2);
    expect(replay.stderr()).toContain("inside this pipeline's own record folder");
    expect(files()).toEqual(before);
  });

  it('sleeps while its feed is quiet: no thread wakes more than a few times a second', async () => {
    // Linux: per-thread scheduler counts from /proc; anything else fails here rather than skip.
    expect(existsSync('/proc/self/task')).toBe(true);
    const sim = new SimulatorServer({
      protocol: binanceProtocol,
      symbols: ['BTCUSDT'],
      messagesPerSecond: 0,
    });
    const url = await sim.start();
    const dir = tempDataDir();
    const cli = startCli(
      ['run', '--source', 'live', '--url', url, '--symbols', 'BTCUSDT', '--duration', '30s'].concat([
        '--data-dir',
        join(dir, 'data'),
        '--log-format',
        'json',
      ]),
    );
    try {
      await waitFor('the live source to connect', () => sim.stats().openConnections === 1, {
        describe: cli.stderr,
      });
      // Past start-up's compiles, and past the 100 ms after which an idle recorder naps long.
      await sleep(1_500);
      const pid = cli.child.pid as number;
      const before = timeslices(pid);
      const started = performance.now();
      await sleep(1_000);
      const after = timeslices(pid);
      const seconds = (performance.now() - started) / 1000;
      const perSecond = [...after].map(([tid, count]) => ({
        tid,
        wakes: (count - (before.get(tid) ?? 0)) / seconds,
      }));
      // Before: the main thread ran a 2 ms overflow timer (~480 wakes a second) and the recorder polled the empty
      // ring every millisecond (~900), ~50 ms of CPU a second between them for no message at all.
      expect(perSecond.find((thread) => thread.tid === String(pid))?.wakes).toBeLessThan(60);
      expect(Math.max(...perSecond.map((thread) => thread.wakes)), JSON.stringify(perSecond)).toBeLessThan(
        60,
      );
    } finally {
      cli.child.kill('SIGINT');
      expect(await cli.exited, cli.stderr()).toBe(0);
      await sim.stop();
    }
  });

  it('exits 2 with a message for an invalid option', async () => {
    const cli = startCli(['run', '--venue', 'nasdaq']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('invalid --venue "nasdaq" (from command line)');
  });
});
