/**
 * RecordReplaySource over real record files written by the connector's own writer: order across day files,
 * the shared lifecycle (single start, idempotent stop, failure through `done`) and a throwing handler.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageHandlerError, ReplayFileError, SourceStateError } from '../../src/errors.js';
import { createRecordFileWriter } from '../../src/flusher/record-file-writer.js';
import type { SourceEvent } from '../../src/sources/message-source.js';
import { RecordReplaySource } from '../../src/sources/record-replay-source.js';

const root = mkdtempSync(join(tmpdir(), 'marketpipe-record-replay-'));
let dirNumber = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `payloads` as records of `venue`, one per day in `days` order, cycling; returns the venue folder. */
function recordings(payloads: readonly string[], days: readonly string[] = ['2025-01-01']): string {
  const dataDir = join(root, `data-${dirNumber++}`);
  // A writer per day, oldest day first: a writer's stamps never go back (nor before what is on disk), while these
  // days need not come in order.
  for (const day of [...new Set(days)].sort()) {
    let now = 0n;
    const writer = createRecordFileWriter({ dataDir, venue: 'binance', fsync: 'none', wallNanos: () => now });
    writer.recover();
    writer.acceptAllSequences();
    payloads.forEach((payload, i) => {
      if (days[i % days.length] !== day) return;
      now = BigInt(Date.parse(`${day}T12:00:00Z`)) * 1_000_000n + BigInt(i) * 1_000_000n;
      const bytes = Buffer.from(payload);
      writer.append(bytes, 0, bytes.length, i);
      writer.writePending();
    });
    writer.close();
  }
  return join(dataDir, 'binance');
}

function collect(source: RecordReplaySource): { seen: string[]; events: SourceEvent[] } {
  const seen: string[] = [];
  const events: SourceEvent[] = [];
  source.onMessage((bytes) => seen.push(Buffer.from(bytes).toString()));
  source.onEvent((event) => events.push(event));
  return { seen, events };
}

describe('RecordReplaySource', () => {
  it('replays every record of every day file, oldest day first, and ends with done', async () => {
    const payloads = Array.from({ length: 40 }, (_, i) => `{"n":${i}}`);
    // Day files are written out of order (day 2 first): replay order is by file name.
    const path = recordings(payloads, ['2025-01-02', '2025-01-01']);
    const source = new RecordReplaySource({ path, batch: 7 });
    const { seen, events } = collect(source);
    source.start();
    expect(await source.done).toEqual({ reason: 'end' });
    const odd = payloads.filter((_, i) => i % 2 === 1);
    const even = payloads.filter((_, i) => i % 2 === 0);
    expect(seen).toEqual([...odd, ...even]);
    expect(events).toEqual([]);
    expect(source.status()).toEqual({
      state: 'done',
      messages: 40,
      bytes: payloads.reduce((sum, p) => sum + p.length, 0),
      errors: 0,
      handlerErrors: 0,
      files: 2,
      damagedRanges: 0,
      damagedBytes: 0,
      pauses: 0,
      pausedMs: 0,
    });
  });

  it('starts once: a second start() throws SourceStateError', async () => {
    const source = new RecordReplaySource({ path: recordings(['a']) });
    source.start();
    expect(() => source.start()).toThrow(SourceStateError);
    expect(await source.done).toEqual({ reason: 'end' });
  });

  it('stop() from the handler ends the run as stopped, twice is harmless, and nothing more is delivered', async () => {
    const source = new RecordReplaySource({ path: recordings(['a', 'b', 'c', 'd']) });
    const seen: string[] = [];
    const stops: Promise<void>[] = [];
    source.onMessage((bytes) => {
      seen.push(Buffer.from(bytes).toString());
      if (seen.length === 2) stops.push(source.stop(), source.stop());
    });
    source.start();
    expect(await source.done).toEqual({ reason: 'stopped' });
    await Promise.all(stops);
    expect(stops[0]).toBe(stops[1]);
    expect(seen).toEqual(['a', 'b']);
    expect(source.status()).toMatchObject({ state: 'stopped', messages: 2 });
    expect(() => source.start()).toThrow(SourceStateError);
  });

  it('stop() before start() settles as stopped', async () => {
    const source = new RecordReplaySource({ path: join(root, 'never-read') });
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(source.status().state).toBe('stopped');
  });

  it('survives a throwing handler: reports MessageHandlerError with the cause and goes on', async () => {
    const source = new RecordReplaySource({ path: recordings(['a', 'b', 'c']) });
    const boom = new Error('bad record');
    const { seen, events } = collect(source);
    source.onMessage((bytes) => {
      const text = Buffer.from(bytes).toString();
      seen.push(text);
      if (text === 'b') throw boom;
    });
    source.start();
    expect(await source.done).toEqual({ reason: 'end' });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(events.length).toBe(1);
    const event = events[0];
    expect(event?.type === 'error' && event.error instanceof MessageHandlerError).toBe(true);
    expect(event?.type === 'error' && event.error.cause).toBe(boom);
    expect(source.status()).toMatchObject({ state: 'done', messages: 3, errors: 1, handlerErrors: 1 });
  });

  it('reports a missing path through done and an error event, without throwing', async () => {
    const source = new RecordReplaySource({ path: join(root, 'does-not-exist') });
    const { events } = collect(source);
    source.start();
    const end = await source.done;
    expect(end.reason).toBe('error');
    expect(end.error?.message).toContain('ENOENT');
    expect(events).toEqual([{ type: 'error', error: end.error }]);
    expect(source.status()).toMatchObject({ state: 'failed', errors: 1 });
  });

  it('fails, not ends clean, on a folder with no record file (a data dir root, a folder of line files)', async () => {
    const folder = mkdtempSync(join(root, 'no-records-'));
    appendFileSync(join(folder, 'capture.jsonl'), '{"e":"trade"}\n');
    appendFileSync(join(folder, 'notes-2025-01-01.mprec.txt'), 'x');
    const source = new RecordReplaySource({ path: folder });
    collect(source);
    source.start();
    const end = await source.done;
    expect(end.reason).toBe('error');
    expect(end.error).toBeInstanceOf(ReplayFileError);
    expect(end.error?.message).toContain('holds no record file');
    expect(source.status()).toMatchObject({ state: 'failed', messages: 0 });
  });

  it('skips a damaged tail, counts it and announces it once per file', async () => {
    const path = recordings(['a', 'b']);
    appendFileSync(join(path, '2025-01-01.mprec'), Buffer.alloc(10, 0x5a));
    const source = new RecordReplaySource({ path });
    const { seen, events } = collect(source);
    source.start();
    expect(await source.done).toEqual({ reason: 'end' });
    expect(seen).toEqual(['a', 'b']);
    expect(events).toEqual([{ type: 'damage', file: join(path, '2025-01-01.mprec'), ranges: 1, bytes: 10 }]);
    expect(source.status()).toMatchObject({ damagedRanges: 1, damagedBytes: 10, errors: 0 });
  });

  it('stop() from a damage listener ends the run before the next file, without a warning', async () => {
    const path = recordings(['a', 'b', 'c', 'd'], ['2025-01-01', '2025-01-02']);
    appendFileSync(join(path, '2025-01-01.mprec'), Buffer.alloc(10, 0x5a));
    const source = new RecordReplaySource({ path });
    const { seen } = collect(source);
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      let stopping: Promise<void> | undefined;
      source.onEvent((event) => {
        if (event.type === 'damage') stopping = source.stop();
      });
      source.start();
      expect(await source.done).toEqual({ reason: 'stopped' });
      await stopping;
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual(['a', 'c']);
      expect(source.status()).toMatchObject({ state: 'stopped', files: 1, damagedRanges: 1 });
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('rejects a speed or batch it cannot use', () => {
    expect(() => new RecordReplaySource({ path: 'x', speed: 0 })).toThrow(InvalidArgumentError);
    expect(() => new RecordReplaySource({ path: 'x', speed: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new RecordReplaySource({ path: 'x', batch: 0 })).toThrow(InvalidArgumentError);
    expect(() => new RecordReplaySource({ path: 'x', batch: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe('RecordReplaySource backpressure', () => {
  it('delivers nothing while the consumer is backed up, then every record in order', async () => {
    const payloads = Array.from({ length: 300 }, (_, i) => `{"n":${i}}`);
    const source = new RecordReplaySource({ path: recordings(payloads), batch: 64 });
    const { seen } = collect(source);
    let released = false;
    source.setBackpressure(() => seen.length >= 10 && !released);
    source.start();
    await waitFor('the first wait', () => source.status().pauses === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen.length).toBe(10);
    released = true;
    expect(await source.done).toEqual({ reason: 'end' });
    expect(seen).toEqual(payloads);
    expect(source.status().pauses).toBe(1);
    expect(source.status().pausedMs).toBeGreaterThanOrEqual(25);
  });

  it('stops promptly while waiting for the consumer', async () => {
    const source = new RecordReplaySource({ path: recordings(['{"n":0}', '{"n":1}', '{"n":2}']) });
    const { seen } = collect(source);
    source.setBackpressure(() => true);
    source.start();
    await waitFor('the wait', () => source.status().pauses === 1);
    await source.stop();
    expect(await source.done).toEqual({ reason: 'stopped' });
    expect(seen).toEqual(['{"n":0}']);
    // The wait ended with the stop: it no longer grows.
    const waited = source.status().pausedMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.status().pausedMs).toBe(waited);
  });
});
