/**
 * Intake starts while the flusher worker boots (issue 15): records wait in the ring until the worker has
 * recovered, a recreated ring is still told apart, and a worker that cannot start is reported. After a crash
 * that left records in the ring, start waits for the recovery instead. The worker's
 * boot is held with the test-only `holdNextFlusherStart`, so "before ready" is a fact here, not a race.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { FlusherWorkerError } from '../../src/errors.js';
import { holdNextFlusherStart } from '../../src/flusher/disk-flusher.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { Pipeline, type PipelineOptions } from '../../src/runner/pipeline.js';

const RING = { slotSize: 256, slotCount: 256 };
const dirs: string[] = [];
const releases: (() => void)[] = [];
afterEach(() => {
  // A failed test must not leave a worker waiting at its gate.
  for (const release of releases.splice(0)) release();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'marketpipe-startup-'));
  dirs.push(dir);
  return dir;
}

function hold(): () => void {
  const release = holdNextFlusherStart();
  releases.push(release);
  return release;
}

/** Distinct Binance trades `from .. to-1` (trade id = n), one per line. */
function trades(from: number, to: number): string[] {
  const lines: string[] = [];
  for (let n = from; n < to; n++) {
    lines.push(
      `{"e":"trade","E":${1_700_000_000_000 + n},"s":"BTCUSDT","t":${n},"p":"42000.5","q":"0.01","T":${1_700_000_000_000 + n},"m":true,"M":true}`,
    );
  }
  return lines;
}

function replayFile(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return path;
}

function options(dataDir: string, replay: string, extra: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    venue: 'binance',
    symbols: ['BTCUSDT'],
    source: { kind: 'replay', path: replay, pace: 'fast' },
    transport: new InMemoryTransport(),
    env: 'test',
    dataDir,
    ring: RING,
    fsync: 'none',
    ...extra,
  };
}

/** Runs a whole replay with the worker ready from the start. */
async function runToEnd(dataDir: string, lines: string[]): Promise<void> {
  const pipeline = await Pipeline.start(options(dataDir, replayFile(dataDir, 'run.jsonl', lines)));
  await pipeline.done;
  expect((await pipeline.stop()).lost).toBe(0);
}

function recorded(dataDir: string): { sequences: number[]; lines: string[] } {
  const records = [...readVenueRecords(dataDir, 'binance')];
  return {
    sequences: records.map((r) => r.sequence),
    lines: records.map((r) => Buffer.from(r.payload).toString()),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('Pipeline start-up: intake before the recorder is ready', () => {
  it('after a crash, waits for the recovery of what the ring holds before intake, then records all once, in order', async () => {
    const dataDir = tempDir();
    const first = trades(0, 5);
    await runToEnd(dataDir, first);
    // A run killed after 3 messages reached the ring and before its flusher wrote them.
    const left = trades(5, 8);
    const crashed = RingBuffer.open(join(dataDir, 'ring', 'binance.ring'), RING);
    for (const line of left) expect(crashed.tryWrite(Buffer.from(line))).toBe(true);
    crashed.close();

    const release = hold();
    const later = trades(8, 28);
    let started = false;
    const starting = Pipeline.start(options(dataDir, replayFile(dataDir, 'later.jsonl', later))).then((p) => {
      started = true;
      return p;
    });
    // Held before it opens the ring, the worker has not recovered: start must not have returned (intake would
    // have begun). A correct start cannot resolve here however long this waits.
    await sleep(300);
    expect(started).toBe(false);
    release();
    const pipeline = await starting;
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(summary).toMatchObject({ lost: 0, recordsWritten: 23 });
    expect(recorded(dataDir)).toEqual({ sequences: range(0, 28), lines: [...first, ...left, ...later] });
  });

  it('tells a recreated ring apart although intake wrote more records than the old ring ever had', async () => {
    const dataDir = tempDir();
    const first = trades(0, 5);
    await runToEnd(dataDir, first);
    rmSync(join(dataDir, 'ring', 'binance.ring'));

    const release = hold();
    // 20 records numbered 0..19 in the new ring: read at the worker's boot, the ring would look like the old one
    // (disk ends at 4, ring at 20) and 0..4 would be skipped as already written.
    const later = trades(5, 25);
    const pipeline = await Pipeline.start(options(dataDir, replayFile(dataDir, 'later.jsonl', later)));
    await pipeline.done;
    expect(pipeline.status().recorder.recordsWritten).toBe(0);
    release();
    const summary = await pipeline.stop();
    expect(summary).toMatchObject({ lost: 0, recordsWritten: 20 });
    expect(recorded(dataDir)).toEqual({
      sequences: [...range(0, 5), ...range(0, 20)],
      lines: [...first, ...later],
    });
  });

  it('holds a replay back while the worker boots, instead of dropping what the ring cannot hold', async () => {
    const dataDir = tempDir();
    const release = hold();
    // Several of the replay's 1 MiB read chunks, each waited on in the middle.
    const lines = trades(0, 20_000);
    const pipeline = await Pipeline.start(
      options(dataDir, replayFile(dataDir, 'many.jsonl', lines), {
        ring: { slotSize: 256, slotCount: 64 },
        overflow: { maxMessages: 5000, overflowPolicy: 'drop-newest' },
      }),
    );
    await waitFor('the replay to wait', () => pipeline.status().source.waitedMs > 0);
    const during = pipeline.status();
    expect(during.ring.fill).toBe(1);
    expect(during.received).toBeLessThan(1000);
    expect(during.drops.ringOverflow).toBe(0);
    expect(during.source.waitedMs).toBeGreaterThan(0);
    release();
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(summary).toMatchObject({ received: 20_000, recordsWritten: 20_000, lost: 0 });
    expect(recorded(dataDir)).toEqual({ sequences: range(0, 20_000), lines });
  });

  it('counts what the ring and the overflow queue cannot hold while the worker boots, from a source that cannot wait', async () => {
    const dataDir = tempDir();
    const release = hold();
    const pipeline = await Pipeline.start(
      options(dataDir, '', {
        symbols: ['BTCUSDT', 'ETHUSDT'],
        source: { kind: 'sim', rate: 20_000 },
        ring: { slotSize: 256, slotCount: 64 },
        overflow: { maxMessages: 500, overflowPolicy: 'drop-newest' },
      }),
    );
    await waitFor('drops while the worker is held', () => (pipeline.status().drops.ringOverflow ?? 0) > 0);
    const during = pipeline.status();
    expect(during.ring.fill).toBe(1);
    expect(during.source.waitedMs).toBe(0);
    release();
    const summary = await pipeline.stop();
    // Nothing vanishes: each message is on disk or counted as dropped.
    expect(summary.recordsWritten + summary.lost).toBe(summary.received);
    expect(summary.drops.ringOverflow).toBeGreaterThan(0);
    expect(recorded(dataDir).sequences).toEqual(range(0, summary.recordsWritten));
  });

  it('lets a replay go on, counting what it drops, once the recorder has failed: waiting would never end', async () => {
    const dataDir = tempDir();
    const day = new Date().toISOString().slice(0, 10);
    mkdirSync(join(dataDir, 'binance'), { recursive: true });
    writeFileSync(join(dataDir, 'binance', `${day}.mprec`), 'hello, not a record file');
    const logger = { info() {}, warn() {}, error() {} };
    const pipeline = await Pipeline.start(
      options(dataDir, replayFile(dataDir, 'many.jsonl', trades(0, 2000)), {
        logger,
        ring: { slotSize: 256, slotCount: 64 },
        overflow: { maxMessages: 100 },
      }),
    );
    await expect(pipeline.recorderReady).rejects.toBeInstanceOf(FlusherWorkerError);
    await pipeline.done;
    const status = pipeline.status();
    expect(status.received).toBe(2000);
    expect(status.drops.ringOverflow).toBeGreaterThan(0);
    await expect(pipeline.stop()).rejects.toBeInstanceOf(FlusherWorkerError);
  });

  it('reports a recorder that fails its start-up recovery, and keeps what was taken in in the ring', async () => {
    const dataDir = tempDir();
    const day = new Date().toISOString().slice(0, 10);
    const foreign = join(dataDir, 'binance', `${day}.mprec`);
    mkdirSync(join(dataDir, 'binance'), { recursive: true });
    writeFileSync(foreign, 'hello, not a record file');
    const errors: { obj: object; msg: string | undefined }[] = [];
    const logger = { info() {}, warn() {}, error: (obj: object, msg?: string) => errors.push({ obj, msg }) };
    const lines = trades(0, 20);
    const pipeline = await Pipeline.start(
      options(dataDir, replayFile(dataDir, 'in.jsonl', lines), { logger }),
    );
    await expect(pipeline.recorderReady).rejects.toSatisfy(
      (e: unknown) =>
        e instanceof FlusherWorkerError &&
        (e.cause as { code?: string } | undefined)?.code === 'MP_ERR_RECORD_FILE_HEADER',
    );
    await pipeline.done;
    expect(pipeline.status().recorder).toMatchObject({
      state: 'stopped',
      recordsWritten: 0,
      lastError: { code: 'MP_ERR_RECORD_FILE_HEADER' },
    });
    expect(errors.map((e) => e.msg)).toContainEqual(expect.stringContaining('recorder failed to start'));
    await expect(pipeline.stop()).rejects.toSatisfy((e: unknown) => e instanceof FlusherWorkerError);
    expect(pipeline.status().state).toBe('stopped');

    // Nothing was lost: the next run, on a data dir without the foreign file, writes it all.
    renameSync(foreign, `${foreign}.bad`);
    const next = await Pipeline.start(options(dataDir, replayFile(dataDir, 'empty.jsonl', [])));
    await next.recorderReady;
    await next.done;
    expect(await next.stop()).toMatchObject({ lost: 0, recordsWritten: 20 });
    expect(recorded(dataDir)).toEqual({ sequences: range(0, 20), lines });
  });
});
