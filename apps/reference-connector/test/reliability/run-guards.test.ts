/**
 * The run refuses what it cannot do, loudly, instead of reporting "clean":
 * a replay source that fails, data dirs and summary folders it cannot write,
 * option values of the wrong type or beyond what a timer can hold, and a
 * SIGHUP that would otherwise end it without draining.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { createHarness } from '../support/cli-harness.js';
import { writeRecords } from '../support/record-files.js';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { catLines, readSummary } from './support/recordings.js';
import { mountTmpfs, type TinyFilesystem } from './support/tiny-filesystem.js';

const mounts: TinyFilesystem[] = [];
let current: CliProcess | undefined;
afterEach(() => {
  killIfRunning(current);
  for (const mount of mounts.splice(0)) mount.unmount();
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mp-guards-'));
}

describe('a source that fails is a failed run', () => {
  it('a text replay whose first line begins MPRECORD: exit 1, outcome error, the reason in the summary', async () => {
    const dir = tempDir();
    const replay = join(dir, 'in.txt');
    writeFileSync(replay, 'MPRECORD is how this note starts\n{"e":"trade"}\n');
    const harness = createHarness({ realPipeline: true });
    const code = await main(
      [
        'run',
        '--source',
        `replay:${replay}`,
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 's.json'),
      ],
      harness.context,
    );
    expect(code, harness.stderr.text).toBe(1);
    const summary = readSummary(join(dir, 's.json'));
    expect(summary).toMatchObject({ outcome: 'error', exitCode: 1, received: 0 });
    expect(summary.error?.message).toContain(replay);
    expect(harness.stdout.text).not.toContain('clean');
  });
});

describe('what the run cannot write is refused with its path', () => {
  it('a read-only data dir: exit 1, "not writable" with the path, not ENOENT', async () => {
    const dir = tempDir();
    const readOnly = join(dir, 'ro');
    mkdirSync(readOnly);
    mounts.push(mountTmpfs(readOnly, 1024 * 1024));
    execFileSync('mount', ['-o', 'remount,ro', readOnly]);
    const harness = createHarness({ realPipeline: true });
    const dataDir = join(readOnly, 'data');
    const code = await main(['run', '--duration', '1s', '--data-dir', dataDir], harness.context);
    expect(code, harness.stderr.text).toBe(1);
    expect(harness.stderr.text).toContain(`data dir ${join(dataDir, 'ring')} is not writable`);
    expect(harness.stderr.text).toContain('read-only filesystem (EROFS)');
    expect(harness.stderr.text).not.toContain('ENOENT');
  });

  it('--json-summary into a folder that does not exist: exit 2 before anything runs, no folder created', async () => {
    const dir = tempDir();
    const harness = createHarness({ realPipeline: true });
    const summary = join(dir, 'nonexistent', 'dir', 's.json');
    const code = await main(
      ['run', '--duration', '1s', '--data-dir', join(dir, 'data'), '--json-summary', summary],
      harness.context,
    );
    expect(code).toBe(2);
    expect(harness.stderr.text).toContain(`folder ${join(dir, 'nonexistent', 'dir')} does not exist`);
    expect(existsSync(join(dir, 'nonexistent'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});

describe('option values are type-checked and bounded', () => {
  it('"natsTls": "false" (a string) in the config file is refused, exit 2', async () => {
    const dir = tempDir();
    const config = join(dir, 'marketpipe.json');
    writeFileSync(config, JSON.stringify({ transport: 'nats://127.0.0.1:4222', natsTls: 'false' }));
    const harness = createHarness();
    expect(await main(['run', '--config', config, '--duration', '1s'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain('invalid --nats-tls "false"');
    expect(harness.stderr.text).toContain('a JSON boolean, not a string');
    expect(harness.pipelines).toEqual([]);
  });

  it('--rate 1e12 is refused for being too high, not for not being a number', async () => {
    const harness = createHarness();
    expect(await main(['run', '--rate', '1e12', '--duration', '1s'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain('invalid --rate "1e12"');
    expect(harness.stderr.text).toContain('at most 10000000');
    const ok = createHarness({ setup: (pipeline) => setImmediate(() => pipeline.finish()) });
    expect(await main(['run', '--rate', '2e3'], ok.context)).toBe(0);
    expect(ok.pipelines[0]?.options.source).toMatchObject({ kind: 'sim', rate: 2000 });
  });

  it('--status-interval 600h (beyond a timer) is refused at parse time, exit 2', async () => {
    const harness = createHarness();
    expect(await main(['run', '--status-interval', '600h'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain('invalid --status-interval "600h"');
    expect(harness.stderr.text).toContain('at most 596h31m23.6s');
  });

  it('--metrics-host beyond loopback is said at warn with the bound address; the default stays loopback', async () => {
    const open = createHarness({ setup: (pipeline) => setTimeout(() => pipeline.finish(), 20) });
    expect(await main(['run', '--metrics-port', '0', '--metrics-host', '0.0.0.0'], open.context)).toBe(0);
    const warned = open.stderr.logs.find(
      (log) => log.level === 40 && String(log.msg).includes('beyond loopback'),
    );
    expect(warned?.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/metrics$/);

    const local = createHarness({ setup: (pipeline) => setTimeout(() => pipeline.finish(), 20) });
    expect(await main(['run', '--metrics-port', '0'], local.context)).toBe(0);
    const listening = local.stderr.logs.find((log) => log.msg === 'metrics endpoint listening');
    expect(listening).toMatchObject({ level: 30 });
    expect(listening?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(local.stderr.logs.some((log) => log.level === 40)).toBe(false);
  });
});

describe('long durations and SIGHUP (child processes)', () => {
  it('--duration 600h runs on (no timer overflow, stderr stays JSON) until stopped', async () => {
    const dir = tempDir();
    const cli = startCli(['run', '--duration', '600h', '--data-dir', join(dir, 'data')]);
    current = cli;
    await cli.waitForLog('"event":"connected"');
    await sleep(1500);
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill('SIGTERM');
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
    for (const line of cli.stderr().trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
    expect(cli.stderr()).not.toContain('TimeoutOverflowWarning');
  }, 30_000);

  it('a recorded-pace replay of record files waits out a 45-day gap instead of firing at once', async () => {
    const dir = tempDir();
    const recorded = join(dir, 'recorded');
    writeRecords(recorded, 'binance', [
      { day: '2026-01-01', sequence: 0, payload: '{"n":0}' },
      { day: '2026-02-15', sequence: 1, payload: '{"n":1}' },
    ]);
    const harness = createHarness({ realPipeline: true });
    const run = main(
      [
        'run',
        '--source',
        `replay:${join(recorded, 'binance')}`,
        '--pace',
        'recorded',
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 's.json'),
      ],
      harness.context,
    );
    await waitFor('the pipeline to start', () =>
      harness.stderr.logs.some((log) => log.msg === 'pipeline started'),
    );
    await sleep(1000);
    harness.signals.fire('SIGTERM');
    expect(await run, harness.stderr.text).toBe(0);
    expect(readSummary(join(dir, 's.json'))).toMatchObject({ stopReason: 'SIGTERM', received: 1, lost: 0 });
  }, 30_000);

  it('SIGHUP drains, flushes, writes the summary and exits 0, like SIGTERM', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const cli = startCli(['run', '--data-dir', dataDir, '--json-summary', join(dir, 's.json')]);
    current = cli;
    await cli.waitForLog('"event":"connected"');
    await sleep(1000);
    cli.child.kill('SIGHUP');
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
    const summary = readSummary(join(dir, 's.json'));
    expect(summary).toMatchObject({ stopReason: 'SIGHUP', outcome: 'clean', exitCode: 0, lost: 0 });
    expect(summary.received).toBeGreaterThan(0);
    expect(summary.recordsWritten).toBe(summary.received);
    expect((await catLines(dataDir)).length).toBe(summary.received);
  }, 30_000);
});
