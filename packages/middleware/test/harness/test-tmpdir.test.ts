import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The workspace's vitest global setup (tools/test-support/src/scratch-tmpdir.ts) points TMPDIR at one folder per
// run and removes it at the end. The suites' mkdtemp calls and their child processes rely on that to leave nothing
// behind in the system's temporary folder.
describe('the test run temporary folder', () => {
  const runDir = process.env.MARKETPIPE_TEST_TMPDIR;

  it('is set, exists and is what os.tmpdir() returns in a test worker', () => {
    expect(runDir).toMatch(/mp-test-[^/]+$/);
    expect(statSync(runDir as string).isDirectory()).toBe(true);
    expect(tmpdir()).toBe(runDir);
    const made = mkdtempSync(join(tmpdir(), 'harness-'));
    expect(dirname(made)).toBe(runDir);
  });

  it('is inherited by the processes a test spawns', () => {
    const seen = execFileSync(process.execPath, ['-p', 'require("node:os").tmpdir()'], { encoding: 'utf8' });
    expect(seen.trim()).toBe(runDir);
  });
});
