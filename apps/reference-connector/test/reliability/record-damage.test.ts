/**
 * Damaged recordings end to end: a replay that skips damaged bytes is a lossy run, and a run that sets a
 * damaged end aside says so (warn line, summary, exit code), leaving it readable by `cat`.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { RunSummary } from '../../src/run/run-summary.js';
import { createHarness } from '../support/cli-harness.js';
import { type FixtureRecord, flipBytes, tempDataDir, writeRecords } from '../support/record-files.js';

/** Binance trades 0..count-1, one block each, as the flusher records them. */
function trades(count: number): FixtureRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    day: '2025-01-01',
    sequence: i,
    payload: `{"e":"trade","E":1660228023980,"T":1660228023973,"s":"BTCUSDT","t":${1000 + i},"p":"24670.90","q":"0.022","m":true}`,
  }));
}

function blockBytes(record: FixtureRecord): number {
  return 16 + 20 + Buffer.byteLength(record.payload as string);
}

describe('damaged recordings', () => {
  it('a replay skips a damaged block, replays the rest, and exits 3 with the skipped bytes in the summary', async () => {
    const recordings = tempDataDir();
    const records = trades(10);
    writeRecords(recordings, 'binance', records);
    const block = blockBytes(records[0]!);
    flipBytes(recordings, 'binance', '2025-01-01', 16 + 4 * block + 40);
    const dir = tempDataDir();
    const harness = createHarness({ realPipeline: true });
    const code = await main(
      [
        'run',
        '--source',
        `replay:${join(recordings, 'binance')}`,
        '--data-dir',
        join(dir, 'data'),
        '--json-summary',
        join(dir, 'summary.json'),
      ],
      harness.context,
    );
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ received: 9, outcome: 'lost', exitCode: 3 });
    expect(summary.lossReasons).toContain(`source.damagedBytes: ${block}`);
    expect(code).toBe(3);
    expect(harness.stderr.text).toContain('replay skipped damaged bytes in a record file');
  });

  it('a run sets a damaged end aside with a warning, counts it, and cat still reads and reports it', async () => {
    const dir = tempDataDir();
    const dataDir = join(dir, 'data');
    const records = trades(3);
    writeRecords(dataDir, 'binance', records);
    const file = join(dataDir, 'binance', '2025-01-01.mprec');
    const intact = readFileSync(file).length;
    // Junk after the last block: no intact block follows it, and it is not a cut block.
    appendFileSync(file, Buffer.alloc(50, 0x5a));
    const replay = tempDataDir();
    writeRecords(replay, 'binance', trades(2));
    const harness = createHarness({ realPipeline: true });
    const code = await main(
      [
        'run',
        '--source',
        `replay:${join(replay, 'binance')}`,
        '--data-dir',
        dataDir,
        '--json-summary',
        join(dir, 'summary.json'),
      ],
      harness.context,
    );
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.recorder.setAsideBytes).toBe(50);
    expect(summary.recorder.unrecoveredBytes).toBe(50);
    expect(summary.lossReasons).toContain('recorder.unrecoveredBytes: 50');
    expect(code).toBe(3);
    expect(harness.stderr.text).toContain('damaged end of a record file set aside');
    expect(existsSync(`${file}.damaged-${intact}`)).toBe(true);

    const cat = createHarness();
    expect(await main(['cat', '--data-dir', dataDir, '--venue', 'binance'], cat.context)).toBe(3);
    expect(cat.stderr.text).toContain(`2025-01-01.mprec.damaged-${intact}: skipped corruption of 50 bytes`);
  });
});
