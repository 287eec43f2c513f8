/**
 * A data dir holding a ring of another geometry (the old 1 KiB default, or a different `--ring-slot-bytes`): the
 * pipeline drains the old ring, records each of its records once, and continues its sequence in the new ring.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@marketpipe/middleware';
import { afterEach, describe, expect, it } from 'vitest';
import { TradeView } from '../../src/codec/trade-view.js';
import { DiskFlusher } from '../../src/flusher/disk-flusher.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { DEFAULT_RING_GEOMETRY } from '../../src/ring/ring-geometry.js';
import { Pipeline } from '../../src/runner/pipeline.js';
import { createFormatOneRing } from '../ring/format-one-ring.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function numbered(n: number): string {
  return (
    `{"stream":"btcusdt@trade","data":{"e":"trade","E":1736000000000,"s":"BTCUSDT","t":${n},` +
    `"p":"40000.${n % 100}","q":"0.01","T":1736000000000,"m":true,"M":true}}`
  );
}

function writeNumbered(ring: RingBuffer, first: number, last: number): void {
  for (let n = first; n <= last; n++) expect(ring.tryWrite(Buffer.from(numbered(n)))).toBe(true);
}

async function flushAll(
  ringPath: string,
  dataDir: string,
  slotSize: number,
  slotCount: number,
): Promise<void> {
  const flusher = await DiskFlusher.start({
    ringPath,
    ringGeometry: { slotSize, slotCount },
    dataDir,
    venue: 'binance',
  });
  await flusher.stop();
}

describe('ring geometry migration', () => {
  it('drains an old-geometry ring (unwritten and already-written records), records each once, continues the sequence', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-migrate-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'ring'));
    const ringPath = join(dataDir, 'ring', 'binance.ring');
    const old = { slotSize: 1024, slotCount: 256 };

    // 1..100 on disk and released, as after a clean run.
    let ring = RingBuffer.open(ringPath, old);
    writeNumbered(ring, 1, 100);
    ring.close();
    await flushAll(ringPath, dataDir, old.slotSize, old.slotCount);
    // 101..150 on disk but still in the ring (a crash between the write and the release), 151..200 only in the ring.
    ring = RingBuffer.open(ringPath, old);
    writeNumbered(ring, 101, 150);
    ring.close();
    copyFileSync(ringPath, `${ringPath}.before-flush`);
    await flushAll(ringPath, dataDir, old.slotSize, old.slotCount);
    copyFileSync(`${ringPath}.before-flush`, ringPath);
    rmSync(`${ringPath}.before-flush`);
    ring = RingBuffer.open(ringPath, old);
    writeNumbered(ring, 151, 200);
    ring.close();

    const replay = join(dataDir, 'replay.jsonl');
    const lines: string[] = [];
    for (let n = 201; n <= 300; n++) lines.push(numbered(n));
    writeFileSync(replay, `${lines.join('\n')}\n`);
    const logs: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const logger = {
      info: (obj: object, msg?: string) => logs.push({ obj: obj as Record<string, unknown>, msg }),
      warn() {},
      error() {},
    };
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'replay', path: replay, pace: 'fast' },
      transport: new InMemoryTransport(),
      env: 'test',
      dataDir,
      logger,
    });
    await pipeline.done;
    const summary = await pipeline.stop();
    expect(summary.lost).toBe(0);

    const migrated = logs.find((log) => log.msg === 'ring migrated');
    expect(migrated?.obj).toEqual({
      from: old,
      to: { ...DEFAULT_RING_GEOMETRY },
      fromFormatVersion: 2,
      toFormatVersion: 2,
      recordsDrained: 100,
      nextSequence: 200,
    });
    const recorded = [...readVenueRecords(dataDir, 'binance')];
    expect(recorded.map((r) => r.sequence)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(recorded.map((r) => Buffer.from(r.payload).toString())).toEqual(
      Array.from({ length: 300 }, (_, i) => numbered(i + 1)),
    );
    const reopened = RingBuffer.open(ringPath);
    expect(reopened.geometry).toEqual(DEFAULT_RING_GEOMETRY);
    reopened.close();
  });

  it('drains a ring of format version 1 (no receive times) and recreates it in version 2, same geometry', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-migrate-'));
    dirs.push(dataDir);
    mkdirSync(join(dataDir, 'ring'));
    const ringPath = join(dataDir, 'ring', 'binance.ring');
    // 0..49 left unwritten in an old build's ring (a crash), with the geometry the pipeline is asked for.
    const old = Array.from({ length: 50 }, (_, i) => Buffer.from(numbered(i + 1)));
    createFormatOneRing(ringPath, { slotSize: 256, slotCount: 64 }, old);
    const replay = join(dataDir, 'replay.jsonl');
    writeFileSync(replay, `${Array.from({ length: 50 }, (_, i) => numbered(i + 51)).join('\n')}\n`);
    const logs: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const transport = new InMemoryTransport();
    const published: bigint[] = [];
    const view = new TradeView();
    transport.subscribe('>', (payload) => {
      view.wrap(payload);
      published.push(view.receivedNanos);
    });
    const startedAt = BigInt(Date.now()) * 1_000_000n;
    const pipeline = await Pipeline.start({
      venue: 'binance',
      symbols: ['BTCUSDT'],
      source: { kind: 'replay', path: replay, pace: 'fast' },
      transport,
      env: 'test',
      dataDir,
      ring: { slotSize: 256, slotCount: 64 },
      logger: {
        info: (obj, msg) => logs.push({ obj: obj as Record<string, unknown>, msg }),
        warn() {},
        error() {},
      },
    });
    await pipeline.done;
    expect((await pipeline.stop()).lost).toBe(0);

    expect(logs.find((log) => log.msg === 'ring migrated')?.obj).toEqual({
      from: { slotSize: 256, slotCount: 64 },
      to: { slotSize: 256, slotCount: 64 },
      fromFormatVersion: 1,
      toFormatVersion: 2,
      recordsDrained: 50,
      nextSequence: 50,
    });
    const recorded = [...readVenueRecords(dataDir, 'binance')];
    expect(recorded.map((r) => r.sequence)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(recorded.map((r) => Buffer.from(r.payload).toString())).toEqual(
      Array.from({ length: 100 }, (_, i) => numbered(i + 1)),
    );
    // The old records carry no receive time: stamped when the migration wrote them. The new ones carry theirs.
    for (const record of recorded.slice(0, 50)) expect(record.wallNanos).toBeGreaterThanOrEqual(startedAt);
    expect(recorded.slice(50).map((r) => r.wallNanos)).toEqual(published);
    const reopened = RingBuffer.open(ringPath);
    expect(reopened.formatVersion).toBe(2);
    reopened.close();
    await transport.close();
  });

  it('leaves a ring of the wanted geometry alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'marketpipe-migrate-'));
    dirs.push(dataDir);
    const logs: (string | undefined)[] = [];
    const start = () =>
      Pipeline.start({
        venue: 'binance',
        symbols: ['BTCUSDT'],
        source: { kind: 'replay', path: join(dataDir, 'empty.jsonl'), pace: 'fast' },
        transport: new InMemoryTransport(),
        env: 'test',
        dataDir,
        ring: { slotSize: 512, slotCount: 1024 },
        logger: { info: (_obj: object, msg?: string) => logs.push(msg), warn() {}, error() {} },
      });
    writeFileSync(join(dataDir, 'empty.jsonl'), '');
    for (let run = 0; run < 2; run++) {
      const pipeline = await start();
      await pipeline.done;
      await pipeline.stop();
    }
    expect(logs).not.toContain('ring migrated');
  });
});
