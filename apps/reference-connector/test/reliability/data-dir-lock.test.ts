/**
 * One writer per data dir and venue: a second `run` on the same ring and day
 * files is refused with the holder's pid (exit 1) before it touches them, the
 * first run loses nothing, `cat` and `verify` keep reading beside the writer,
 * and a SIGKILLed holder never blocks the next start (the kernel frees the lock).
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { createHarness } from '../support/cli-harness.js';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { catLines, readSummary, verify } from './support/recordings.js';

const running: CliProcess[] = [];
afterEach(() => {
  for (const cli of running.splice(0)) killIfRunning(cli);
});

function start(args: readonly string[]): CliProcess {
  const cli = startCli(args);
  running.push(cli);
  return cli;
}

function simRun(dataDir: string, extra: readonly string[] = []): string[] {
  return ['run', '--source', 'sim', '--rate', '2000', '--data-dir', dataDir, ...extra];
}

describe('data dir lock (child processes)', () => {
  it('a second run on the same data dir and venue is refused with the holder pid; the first loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-lock-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    // Another spelling of the same folder must not dodge the lock.
    symlinkSync(dataDir, join(dir, 'alias'));
    const first = start(simRun(dataDir, ['--json-summary', join(dir, 'first.json')]));
    await first.waitForLog('"event":"connected"');
    const firstPid = first.child.pid as number;

    const second = start(simRun(join(dir, 'alias'), ['--json-summary', join(dir, 'second.json')]));
    expect(await second.exited, second.stderr()).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toContain(`is in use for venue binance by pid ${firstPid}`);
    expect(readSummary(join(dir, 'second.json'))).toMatchObject({
      outcome: 'error',
      exitCode: 1,
      received: 0,
    });

    // Another venue has its own ring and day files: it may share the data dir.
    const kraken = start(simRun(dataDir, ['--venue', 'kraken', '--duration', '1500ms']));
    expect(await kraken.exited, kraken.stderr()).toEqual({ code: 0, signal: null });

    // Readers take no lock: they work beside the writer.
    await sleep(1500);
    expect((await catLines(dataDir)).length).toBeGreaterThan(0);
    const harness = createHarness();
    expect(await main(['verify', '--data-dir', dataDir, '--venue', 'binance'], harness.context)).toBe(0);

    first.child.kill('SIGTERM');
    expect(await first.exited, first.stderr()).toEqual({ code: 0, signal: null });
    const summary = readSummary(join(dir, 'first.json'));
    expect(summary).toMatchObject({ outcome: 'clean', exitCode: 0, lost: 0 });
    expect(summary.recordsWritten).toBe(summary.received);
    expect((await catLines(dataDir)).length).toBe(summary.received);
    expect((await verify(dataDir)).code).toBe(0);
  }, 60_000);

  it('a SIGKILLed holder never blocks the next start', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mp-lock-kill-')), 'data');
    const holder = start(simRun(dataDir));
    await holder.waitForLog('"event":"connected"');
    holder.child.kill('SIGKILL');
    expect(await holder.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const next = start(simRun(dataDir, ['--duration', '1s']));
    expect(await next.exited, next.stderr()).toEqual({ code: 0, signal: null });
    expect(next.stderr()).not.toContain('is in use');
  }, 60_000);
});
