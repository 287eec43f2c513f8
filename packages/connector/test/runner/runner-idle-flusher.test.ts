/**
 * The runner and a real flusher worker after a quiet spell: the worker naps long once the ring stayed empty, and
 * the runner's wake (a 1 ms timer after the first record) gets that record written at once, not when the nap ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport, Interner } from '@marketpipe/middleware';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { createParser } from '../../src/feeds/venues.js';
import { DiskFlusher } from '../../src/flusher/disk-flusher.js';
import { Publisher } from '../../src/publisher/publisher.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { Runner } from '../../src/runner/runner.js';

const utf8 = new TextEncoder();
let dir: string | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Runner with an idle DiskFlusher', () => {
  it('wakes the napping worker for the first record after a quiet spell', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mp-runner-idle-'));
    const ringPath = join(dir, 'binance.ring');
    const geometry = { slotSize: 256, slotCount: 1024 };
    const ring = RingBuffer.open(ringPath, geometry);
    const flusher = await DiskFlusher.start({
      ringPath,
      ringGeometry: geometry,
      dataDir: join(dir, 'data'),
      venue: 'binance',
      fsync: 'none',
    });
    cleanup = async () => {
      await flusher.stop();
      ring.close();
    };
    const interner = new Interner();
    const runner = new Runner({
      parser: createParser('binance'),
      publisher: new Publisher({
        transport: new InMemoryTransport(),
        interner,
        env: 'test',
        venue: 'binance',
      }),
      interner,
      ring,
      flusher,
    });
    const delays: number[] = [];
    for (let id = 1; id <= 7; id++) {
      await waitFor('the worker to nap long', () => flusher.idle, { timeoutMs: 10_000 });
      const start = performance.now();
      runner.onMessage(
        utf8.encode(
          `{"e":"trade","E":1700000000000,"s":"BTCUSDT","t":${id},"p":"1.5","q":"2","T":1700000000000,"m":true,"M":true}`,
        ),
      );
      await waitFor('the record', () => flusher.status().recordsWritten === id, { everyMs: 1 });
      delays.push(performance.now() - start);
    }
    // A long nap lasts 100 ms: a record left for the nap's end would wait ~100 ms here (the nap has just begun).
    delays.sort((a, b) => a - b);
    expect(delays[3]).toBeLessThan(30);
    expect(runner.counters()).toMatchObject({ received: 7, trades: 7, recorded: 7 });
  });
});
