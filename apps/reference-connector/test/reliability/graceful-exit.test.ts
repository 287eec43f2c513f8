/**
 * SIGTERM and SIGINT while messages pour in at full rate: the app stops
 * intake, drains the ring, flushes, exits 0 and loses nothing. What it
 * recorded is exactly what it received: for a replay, byte for byte the first
 * `received` lines of the file.
 *
 * (`test/process.test.ts` covers SIGINT at a gentle 200 msg/s.)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { numberOf, writeNumberedReplay } from './support/numbered-replay.js';
import { catBytes, catLines, readSummary, verify } from './support/recordings.js';

let current: CliProcess | undefined;
afterEach(() => killIfRunning(current));

describe('graceful exit at full rate (child processes)', () => {
  it('SIGTERM in the middle of a fast replay: drains, flushes, exits 0, records exactly the lines received', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-sigterm-'));
    const replay = join(dir, 'in.jsonl');
    const total = 150_000;
    writeNumberedReplay(replay, 1, total);
    const cli = startCli([
      'run',
      '--source',
      `replay:${replay}`,
      '--symbols',
      'BTCUSDT',
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      join(dir, 'summary.json'),
    ]);
    current = cli;
    await cli.waitForLog('"msg":"pipeline started"');
    await sleep(150);
    cli.child.kill('SIGTERM');
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });

    const summary = readSummary(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ stopReason: 'SIGTERM', outcome: 'clean', exitCode: 0, lost: 0 });
    // The signal must have landed mid-intake, or this proves nothing about draining.
    expect(summary.received).toBeGreaterThan(0);
    expect(summary.received).toBeLessThan(total);
    expect(summary.recordsWritten).toBe(summary.received);
    expect(summary.published).toBe(summary.received);
    const file = readFileSync(replay);
    let end = 0;
    for (let i = 0; i < summary.received; i++) end = file.indexOf(0x0a, end) + 1;
    expect((await catBytes(join(dir, 'data'))).equals(file.subarray(0, end))).toBe(true);
  }, 60_000);

  it('SIGINT while the simulator streams at 20 000 msg/s: drains, flushes, exits 0, nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-sigint-'));
    const dataDir = join(dir, 'data');
    const cli = startCli([
      'run',
      '--source',
      'sim',
      '--rate',
      '20000',
      '--data-dir',
      dataDir,
      '--json-summary',
      join(dir, 'summary.json'),
    ]);
    current = cli;
    await cli.waitForLog('"event":"connected"');
    await sleep(1500);
    cli.child.kill('SIGINT');
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });

    const summary = readSummary(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ stopReason: 'SIGINT', outcome: 'clean', exitCode: 0, lost: 0 });
    expect(summary.received).toBeGreaterThan(5_000);
    expect(summary.recordsWritten).toBe(summary.received);
    expect(summary.gaps.missing).toBe(0);
    const lines = await catLines(dataDir);
    expect(lines).toHaveLength(summary.received);
    // Per symbol, the recorded trade ids follow each other without a hole.
    const last = new Map<string, number>();
    for (const line of lines) {
      const symbol = /"s":"([A-Z]+)"/.exec(line)?.[1] ?? '?';
      const id = numberOf(line);
      const before = last.get(symbol);
      if (before !== undefined) expect(id).toBe(before + 1);
      last.set(symbol, id);
    }
    expect([...last.keys()].sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect((await verify(dataDir)).code).toBe(0);
  }, 60_000);
});
