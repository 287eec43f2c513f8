/**
 * Child process of ring-close-protector.test.ts, run with `--allow-natives-syntax --no-concurrent-recompilation`
 * (and tsx, source conditions). Optimizes two hot-path functions that read typed arrays (the Binance parser's
 * `parse` and the ring's `tryWrite`), then does one thing and prints, as JSON on stdout, whether V8 still runs both
 * optimized.
 *
 * - `ring-close`: opens a second ring, writes to it and closes it, as a stopped pipeline or a ring migration does.
 * - `detach`: detaches an unrelated `ArrayBuffer` (a transfer), which invalidates V8's ArrayBufferDetaching
 *   protector: the control that shows the check sees what it looks for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isOptimized,
  optimizeOnNextCall,
  prepareFunctionForOptimization as prepare,
} from '@marketpipe/test-support/v8-optimization';
import { createParser } from '../../src/feeds/venues.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';

const MESSAGE =
  '{"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}}';

const dir = mkdtempSync(join(tmpdir(), 'marketpipe-ring-close-'));
try {
  const which = process.argv[2];
  if (which !== 'ring-close' && which !== 'detach') throw new Error(`unknown case ${which}`);
  const ring = RingBuffer.open(join(dir, 'hot.ring'), { slotSize: 256, slotCount: 1024 });
  const parser = createParser('binance');
  const message = new TextEncoder().encode(MESSAGE);
  let trades = 0;
  const sink = {
    onTrade(): void {
      trades++;
    },
  };
  const step = (): void => {
    parser.parse(message, 0, message.length, sink);
    if (!ring.tryWrite(message)) throw new Error('ring full');
    for (let n = ring.readBatch(16, () => undefined); n > 0; n = ring.readBatch(16, () => undefined)) {
      ring.release(n);
    }
  };
  const watched = [parser.parse, ring.tryWrite];
  for (const fn of watched) prepare(fn);
  for (let i = 0; i < 200; i++) step();
  for (const fn of watched) optimizeOnNextCall(fn);
  step();
  const before = watched.map(isOptimized);

  if (which === 'ring-close') {
    const other = RingBuffer.open(join(dir, 'other.ring'), { slotSize: 256, slotCount: 64 });
    other.tryWrite(message);
    other.close();
  } else {
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
  }

  // Looked at at once, before V8 could optimize a deoptimized function again.
  const after = watched.map(isOptimized);
  ring.close();
  process.stdout.write(`${JSON.stringify({ before, after, trades })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
