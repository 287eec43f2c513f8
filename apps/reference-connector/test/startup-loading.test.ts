/**
 * Start-up to the first message (issue 15): `marketpipe run` on the in-memory transport loads neither nats.js nor
 * hdr-histogram-js (with pako), in the main thread or in the flusher's worker thread. A preloaded probe lists the
 * heavy CommonJS packages each thread had loaded when the replay file was opened, and when it exited.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const probe = fileURLToPath(new URL('./support/loaded-packages-probe.cjs', import.meta.url));

interface ProbeLine {
  thread: string;
  moment: 'first message' | 'exit';
  packages: string[];
}

async function runProbed(
  args: string[],
): Promise<{ code: number | null; lines: ProbeLine[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mp-startup-loading-'));
  const out = join(dir, 'probe.jsonl');
  writeFileSync(out, '');
  const child = spawn(
    process.execPath,
    ['--conditions=@marketpipe/source', '--import', 'tsx', '--require', probe, 'src/cli.ts', ...args],
    {
      cwd: appDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, MARKETPIPE_LOADED_PROBE: out },
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = readFileSync(out, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ProbeLine);
  return { code, lines, stderr };
}

describe('what `marketpipe run` loads before its first message', () => {
  it('on the in-memory transport: no nats.js, hdr-histogram-js or pako in the main or the flusher thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-startup-loading-'));
    const replay = join(dir, 'trades.jsonl');
    writeFileSync(
      replay,
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1736000000000,"s":"BTCUSDT","t":1,"p":"40000.00",' +
        '"q":"0.01","T":1736000000000,"m":true,"M":true}}\n',
    );
    const run = await runProbed(['run', '--source', `replay:${replay}`, '--data-dir', join(dir, 'data')]);
    expect(run.code, run.stderr).toBe(0);
    const firstMessage = run.lines.find((l) => l.thread === 'main' && l.moment === 'first message');
    expect(firstMessage?.packages).toEqual([]);
    const workers = run.lines.filter((l) => l.thread !== 'main' && l.moment === 'exit');
    // The flusher's thread exits before the process does; its fsync thread is ended with it.
    expect(workers.length).toBeGreaterThanOrEqual(1);
    for (const worker of workers) expect(worker.packages, worker.thread).toEqual([]);
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
