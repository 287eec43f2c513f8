/**
 * Child process of counters-past-2-31.test.ts, run with `--allow-natives-syntax --no-concurrent-recompilation`
 * (and tsx, source conditions). Optimizes a hot-path function while its counters are below 2^31, drives them past
 * it, and prints whether V8 still runs the function optimized, as JSON on stdout.
 *
 * - `runner-bytes`: `Runner.onMessage` on 4 MiB messages (too large for the ring and not JSON, so each is a counted
 *   oversize record and a parse error) until `bytesReceived` passes 2^31.
 * - `ring-positions`: `RingBuffer.tryWrite`, `stage` and `commit` on a ring whose consumer state was set just below 2^31 slots and
 *   records, written (and drained) past it, as a ring file is after 2^31 records. It also reports `readBatch` and
 *   `release`, the consumer's side (in the flusher's thread), which still deoptimize there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport, Interner } from '@marketpipe/middleware';
import {
  isOptimized,
  neverOptimize,
  optimizeOnNextCall,
  prepareFunctionForOptimization as prepare,
} from '@marketpipe/test-support/v8-optimization';
import { createParser } from '../../src/feeds/venues.js';
import { Publisher } from '../../src/publisher/publisher.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { Runner } from '../../src/runner/runner.js';
import { createRingAt } from '../ring/ring-at.js';

const dir = mkdtempSync(join(tmpdir(), 'marketpipe-2-31-'));
try {
  const which = process.argv[2];
  if (which === 'runner-bytes') runnerBytes();
  else if (which === 'ring-positions') ringPositions();
  else throw new Error(`unknown case ${which}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function runnerBytes(): void {
  const ring = RingBuffer.open(join(dir, 'runner.ring'), { slotSize: 256, slotCount: 1024 });
  const interner = new Interner();
  const publisher = new Publisher({
    transport: new InMemoryTransport(),
    interner,
    env: 'test',
    venue: 'binance',
  });
  let issues = 0;
  const runner = new Runner({
    parser: createParser('binance'),
    publisher,
    interner,
    ring,
    onIssue: () => {
      issues++;
    },
  });
  const message = new Uint8Array(4 * 1024 * 1024).fill(0x78);
  const onMessage = runner.onMessage;
  prepare(onMessage);
  for (let i = 0; i < 20; i++) onMessage(message);
  optimizeOnNextCall(onMessage);
  onMessage(message);
  const before = isOptimized(onMessage);
  while (runner.counters().bytesReceived < 2 ** 31 + 64 * message.length) onMessage(message);
  const after = isOptimized(onMessage);
  const { bytesReceived, received } = runner.counters();
  ring.close();
  process.stdout.write(`${JSON.stringify({ before, after, bytesReceived, received, issues })}\n`);
}

function ringPositions(): void {
  const path = join(dir, 'positions.ring');
  // Eleven laps of 1 000 records to optimize in, then the crossing: fewer records than the ring holds.
  const start = 2 ** 31 - 12_000;
  // An empty ring whose consumer stands at `start` slots and records: where the producer and the consumer resume.
  createRingAt(path, { slotSize: 256, slotCount: 4096 }, start);

  const ring = RingBuffer.open(path);
  const record = new Uint8Array(100).fill(7);
  let read = 0;
  const count = () => {
    read++;
  };
  // As the runner writes (staged, committed every 64 records), and every 8th record through tryWrite. Never
  // optimized itself, so it calls the watched functions' own code, not copies inlined into it.
  const write = (i: number): void => {
    if (!(i % 8 === 0 ? ring.tryWrite(record) : ring.stage(record))) throw new Error('ring full');
    if (i % 64 === 63) ring.commit();
  };
  neverOptimize(write);
  const lap = (): void => {
    for (let i = 0; i < 1_000; i++) write(i);
    ring.commit();
    for (let n = ring.readBatch(16, count); n > 0; n = ring.readBatch(16, count)) ring.release(n);
  };
  const producer = [ring.tryWrite, ring.stage, ring.commit];
  const consumer = [ring.readBatch, ring.release];
  for (const fn of [...producer, ...consumer]) prepare(fn);
  for (let i = 0; i < 10; i++) lap();
  for (const fn of [...producer, ...consumer]) optimizeOnNextCall(fn);
  lap();
  const before = producer.every(isOptimized);
  // Past 2^31 by a few records only, then looked at at once: given a few thousand more calls, V8 would optimize a
  // deoptimized function again, and that would hide the deoptimization.
  for (let i = 0; ring.nextWriteSequence < 2 ** 31 + 8; i++) write(i);
  ring.commit();
  for (let n = ring.readBatch(16, count); n > 0; n = ring.readBatch(16, count)) ring.release(n);
  const after = producer.every(isOptimized);
  const consumerAfter = consumer.map(isOptimized);
  const nextWrite = ring.nextWriteSequence;
  const nextRead = ring.nextReadSequence;
  ring.close();
  process.stdout.write(
    `${JSON.stringify({ before, after, consumerAfter, read, start, nextWrite, nextRead })}\n`,
  );
}
