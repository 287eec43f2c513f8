/**
 * A disk that fills up under the running app, on a real (tiny) filesystem:
 * the app keeps running, holds the records in the ring, reports the recorder
 * as `retrying` with `ENOSPC`, and writes everything once space returns.
 *
 * Injected ENOSPC and EIO (no real EIO device here) are covered at the
 * flusher level by `packages/connector/test/flusher/disk-flusher.test.ts`;
 * the app has no switch for the flusher's test-only fault injection.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, type PipelineStatus } from '@marketpipe/connector';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { createHarness } from '../support/cli-harness.js';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { catLines, readSummary, verify } from './support/recordings.js';
import { fillUp, mountTmpfs, type TinyFilesystem } from './support/tiny-filesystem.js';

const mounts: TinyFilesystem[] = [];
let current: CliProcess | undefined;
afterEach(() => {
  killIfRunning(current);
  for (const mount of mounts.splice(0)) mount.unmount();
});

describe('disk trouble on a real tiny filesystem', () => {
  it('the record folder fills up: the app keeps running, reports ENOSPC, holds the data and catches up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-full-'));
    const dataDir = join(dir, 'data');
    // Only the record folder is tiny: the ring stays on the real disk (see the next test for why).
    mkdirSync(join(dataDir, 'binance'), { recursive: true });
    mounts.push(mountTmpfs(join(dataDir, 'binance'), 1024 * 1024));

    const harness = createHarness({ realPipeline: true });
    let pipeline: Pipeline | undefined;
    harness.context.startPipeline = async (options) => {
      pipeline = await Pipeline.start(options);
      return pipeline;
    };
    const running = main(
      [
        'run',
        '--rate',
        '400',
        '--data-dir',
        dataDir,
        '--json-summary',
        join(dir, 'summary.json'),
        '--status-interval',
        '100ms',
      ],
      harness.context,
    );
    const status = (): PipelineStatus => {
      if (pipeline === undefined) throw new Error('the pipeline has not started');
      return pipeline.status();
    };
    await waitFor('records on disk', () => pipeline !== undefined && status().recorder.recordsWritten > 50);

    const filler = join(dataDir, 'binance', 'filler');
    fillUp(filler);
    // The worker's state word flips before its error message reaches the main thread: wait for both.
    await waitFor(
      'the recorder to notice the full disk',
      () => status().recorder.state === 'retrying' && status().recorder.lastError !== undefined,
    );
    expect(status().recorder.lastError?.code).toBe('ENOSPC');
    const stuckAt = status().recorder.recordsWritten;
    await sleep(1000);
    // Intake goes on, nothing reaches the disk, and the ring holds the difference.
    const held = status();
    expect(held.state).toBe('running');
    expect(held.received).toBeGreaterThan(stuckAt + 100);
    expect(held.recorder.recordsWritten).toBe(stuckAt);
    expect(held.recorder.state).toBe('retrying');
    expect(held.ring.fill).toBeGreaterThan(0);
    expect(Object.values(held.drops).every((n) => n === 0)).toBe(true);

    rmSync(filler);
    await waitFor('the recorder to resume', () => status().recorder.state === 'running');
    await waitFor('the backlog to be written', () => status().recorder.recordsWritten >= held.received);
    // Long enough for a status line to show the recovery.
    await sleep(300);
    harness.signals.fire('SIGTERM');
    expect(await running).toBe(0);

    const summary = readSummary(join(dir, 'summary.json'));
    expect(summary).toMatchObject({ outcome: 'clean', lost: 0, stopReason: 'SIGTERM' });
    expect(summary.recordsWritten).toBe(summary.received);
    expect(await catLines(dataDir)).toHaveLength(summary.received);
    expect((await verify(dataDir)).code).toBe(0);
    // The condition was visible while it lasted, in the structured status lines.
    const recorderStates = harness.stderr.logs.filter((l) => l.msg === 'status').map((l) => l.recorder);
    expect(recorderStates).toContain('retrying');
    expect(recorderStates.at(-1)).toBe('running');
  }, 60_000);

  // The ring file was once created sparse (ftruncate): on a full filesystem the first store into a page with no
  // block raised SIGBUS and killed the process. RingBuffer.open now allocates every block when it creates the file
  // (fallocate, or zeros written where the file system has none; ring/ring-file.ts), so a full disk is an ENOSPC
  // there, which Pipeline.start reports (exit 1).
  it('a data dir too small for the ring: the app refuses to start with an error, it is not killed by SIGBUS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-tiny-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    mounts.push(mountTmpfs(dataDir, 2 * 1024 * 1024));
    const cli = startCli([
      'run',
      '--rate',
      '2000',
      '--duration',
      '3s',
      '--data-dir',
      dataDir,
      '--json-summary',
      join(dir, 'summary.json'),
    ]);
    current = cli;
    const exit = await cli.exited;
    expect(exit.signal, cli.stderr()).toBeNull();
    expect(exit.code).toBe(1);
    expect(readSummary(join(dir, 'summary.json')).error?.message).toMatch(/ENOSPC|no space/i);
  }, 30_000);

  it('a disk too full for the ring: no half-made ring file stays behind, however often the run is retried', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mp-tiny-ring-')), 'data');
    mkdirSync(dataDir);
    mounts.push(mountTmpfs(dataDir, 2 * 1024 * 1024));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const harness = createHarness({ realPipeline: true });
      const code = await main(['run', '--duration', '1s', '--data-dir', dataDir], harness.context);
      expect(code, harness.stderr.text).toBe(1);
      expect(harness.stderr.text).toMatch(/ENOSPC/);
      // A leftover temporary would keep the disk full and make every retry fail the same way.
      expect(readdirSync(join(dataDir, 'ring')), `after attempt ${attempt}`).toEqual([]);
    }
  }, 30_000);
});
