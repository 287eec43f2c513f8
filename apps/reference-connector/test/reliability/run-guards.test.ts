/**
 * The run refuses what it cannot do, loudly, instead of reporting "clean":
 * a replay source that fails, data dirs and summary folders it cannot write,
 * option values of the wrong type or beyond what a timer can hold, and a
 * SIGHUP that would otherwise end it without draining.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { createHarness } from '../support/cli-harness.js';
import { readSummary } from './support/recordings.js';

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
