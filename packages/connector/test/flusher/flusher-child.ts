/**
 * Child process for the crash tests: producer and flusher on one ring file,
 * continuing the numbered stream from the ring's write position.
 *
 * Usage: node --import tsx --conditions=@marketpipe/source flusher-child.ts <ring> <dataDir> <mode> [count]
 * - mode `run`: writes records forever (until killed); prints `ready <firstSequence>` once flushing.
 * - mode `exit`: while the flusher naps, writes up to `count` records (as many as fit), prints
 *   `wrote <n>`, then calls process.exit(0) without stopping the flusher.
 */
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { DiskFlusher } from '../../src/flusher/disk-flusher.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { payloadFor } from './flusher-test-support.js';

const [ringPath, dataDir, mode, countArg] = process.argv.slice(2) as [string, string, string, string?];
const geometry = { slotSize: 256, slotCount: 256 };
const ring = RingBuffer.open(ringPath, geometry);
// In `exit` mode the worker naps long, so the records below are still in the ring at exit.
const flusher = await DiskFlusher.start({
  ringPath,
  ringGeometry: geometry,
  dataDir,
  venue: 'crash',
  fsync: 'none',
  idleWaitMs: mode === 'exit' ? 5_000 : 5,
});
const first = ring.claimProducer();
process.stdout.write(`ready ${first}\n`);

if (mode === 'exit') {
  await sleep(100);
  let sequence = first;
  while (sequence < first + Number(countArg) && ring.tryWrite(payloadFor(sequence))) sequence++;
  process.stdout.write(`wrote ${sequence - first}\n`);
  process.exit(0);
}
let sequence = first;
for (;;) {
  // Write in bursts, yielding between them so the kill can land anywhere in the stream.
  for (let burst = 0; burst < 32; burst++) {
    if (!ring.tryWrite(payloadFor(sequence))) break;
    sequence++;
  }
  flusher.notify();
  await yieldToLoop();
}
