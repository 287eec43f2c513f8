/**
 * What a run left behind, read through the app's own commands (`cat`,
 * `verify`, run in-process) and its JSON summary.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main } from '../../../src/main.js';
import type { RunSummary } from '../../../src/run/run-summary.js';
import { createHarness } from '../../support/cli-harness.js';

/** The bytes `marketpipe cat` prints for `venue` (throws unless it exits 0). */
export async function catBytes(dataDir: string, venue = 'binance'): Promise<Buffer> {
  const harness = createHarness();
  const code = await main(['cat', '--data-dir', dataDir, '--venue', venue], harness.context);
  if (code !== 0) throw new Error(`cat exited ${code}: ${harness.stderr.text}`);
  return harness.stdout.bytes;
}

/**
 * Null when `recorded` (what `marketpipe cat` printed) equals `expected` byte for byte; otherwise where and how
 * they part (sizes, line counts, the first differing line and its lengths), so a failure can be diagnosed from
 * the test output alone.
 */
export function recordingDifference(recorded: Buffer, expected: Buffer): string | null {
  if (recorded.equals(expected)) return null;
  const lines = (bytes: Buffer): number => bytes.reduce((n, b) => (b === 0x0a ? n + 1 : n), 0);
  let at = 0;
  while (at < recorded.length && at < expected.length && recorded[at] === expected[at]) at++;
  const line = lines(expected.subarray(0, at));
  const lineStart = expected.lastIndexOf(0x0a, at - 1) + 1;
  const lineEnd = (bytes: Buffer): number => {
    const end = bytes.indexOf(0x0a, lineStart);
    return end < 0 ? bytes.length : end;
  };
  return (
    `recorded ${recorded.length} B in ${lines(recorded)} lines, expected ${expected.length} B in ` +
    `${lines(expected)} lines; first difference at byte ${at}, in line ${line} (0-based), which is ` +
    `${lineEnd(recorded) - lineStart} B recorded vs ${lineEnd(expected) - lineStart} B expected`
  );
}

/** The lines `marketpipe cat` prints (raw messages, one per line). */
export async function catLines(dataDir: string, venue = 'binance'): Promise<string[]> {
  const text = (await catBytes(dataDir, venue)).toString('utf8');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/** `marketpipe verify` on `dataDir`: its exit code and report. */
export async function verify(dataDir: string): Promise<{ code: number; report: string }> {
  const harness = createHarness();
  const code = await main(['verify', '--data-dir', dataDir], harness.context);
  return { code, report: harness.stdout.text + harness.stderr.text };
}

/** Parses a `--json-summary` file. */
export function readSummary(path: string): RunSummary {
  return JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
}

/** Every file under `root`, as sorted paths relative to it (folders end in `/`). */
export function fileTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        out.push(`${relative(root, path)}/`);
        walk(path);
      } else {
        out.push(relative(root, path));
      }
    }
  };
  walk(root);
  return out.sort();
}
