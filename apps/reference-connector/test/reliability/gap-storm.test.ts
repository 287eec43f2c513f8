/**
 * A gap storm: a replay whose trade ids skip one at every message, with a
 * malformed line every tenth message. One warning line per message used to
 * cost ~20 µs each (1M messages: 27 s instead of 2.5 s). The app must log a
 * bounded number of lines, whatever the message count, and its logs must
 * still add up exactly to the counts in the summary.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { numberedTrade } from './support/numbered-replay.js';
import { readSummary } from './support/recordings.js';

let current: CliProcess | undefined;
afterEach(() => killIfRunning(current));

interface LogLine {
  msg: string;
  symbol?: string;
  venue?: string;
  missing?: number;
  suppressed?: number;
}

describe('gap storm (child process)', () => {
  it('logs a bounded number of lines for 60 000 gaps and parse errors, and the lines add up to the exact counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-gap-storm-'));
    const replay = join(dir, 'storm.jsonl');
    const trades = 60_000;
    const lines: string[] = [];
    for (let n = 0; n < trades; n++) {
      // Ids 1, 3, 5...: one missing id before every trade but the first.
      lines.push(numberedTrade(2 * n + 1, n % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT'));
      if (n % 10 === 9) lines.push('{"stream":"btcusdt@trade","data":{"e":"trade","s":');
    }
    writeFileSync(replay, `${lines.join('\n')}\n`);
    const cli = startCli([
      'run',
      '--source',
      `replay:${replay}`,
      '--symbols',
      'BTCUSDT,ETHUSDT',
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      join(dir, 'summary.json'),
    ]);
    current = cli;
    // Exit 3: the run reports the venue's missing ids as data lost.
    expect(await cli.exited).toEqual({ code: 3, signal: null });
    const summary = readSummary(join(dir, 'summary.json'));
    // Per symbol, ids step by 4 (the symbols alternate over odd ids): 3 missing ids per gap.
    expect(summary.gaps.events).toBe(trades - 2);
    expect(summary.gaps.missing).toBe(3 * (trades - 2));
    expect(summary.parseErrors).toBe(trades / 10);

    const logs = cli
      .stderr()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogLine);
    // A handful of lifecycle lines plus at most two per kind and key per 10 s interval; a run this short has one.
    expect(logs.length).toBeLessThan(20);
    const gapLines = logs.filter((l) => l.msg.startsWith('trade id gap'));
    const events = gapLines.reduce((sum, l) => sum + (l.suppressed ?? 1), 0);
    const missing = gapLines.reduce((sum, l) => sum + (l.missing ?? 0), 0);
    expect(events).toBe(summary.gaps.events);
    expect(missing).toBe(summary.gaps.missing);
    expect(new Set(gapLines.map((l) => l.symbol))).toEqual(new Set(['BTCUSDT', 'ETHUSDT']));
    const malformed = logs.filter((l) => l.msg.startsWith('malformed message'));
    expect(malformed.reduce((sum, l) => sum + (l.suppressed ?? 1), 0)).toBe(summary.parseErrors);
  }, 60_000);
});
