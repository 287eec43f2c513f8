/**
 * Child of cpu-placement.test.ts, run on the built package (what users run; under tsx a worker's loader thread
 * would show up as one more thread): starts a pipeline with the CPU placement given as JSON in argv[2] (a simulated
 * feed, in-memory transport, its own data dir in argv[3]), lets it record for a moment, then prints one JSON line:
 * every thread's allowed CPUs (from /proc), this thread's id, the pipeline's reported placement, and what it
 * recorded. Pinning happens in this process only, never in the test runner's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { InMemoryTransport } from '@marketpipe/middleware';
import { Pipeline } from '../../dist/index.js';

function allowed(tid) {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

const cpus = JSON.parse(process.argv[2]);
const pipeline = await Pipeline.start({
  venue: 'binance',
  symbols: ['BTCUSDT'],
  source: { kind: 'sim', rate: 2000 },
  transport: new InMemoryTransport(),
  env: 'test',
  dataDir: process.argv[3],
  cpus,
});
await pipeline.recorderReady;
await new Promise((resolve) => setTimeout(resolve, 300));
const threads = Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, allowed(tid)]));
const status = pipeline.status();
const summary = await pipeline.stop();
process.stdout.write(
  `${JSON.stringify({ pid: process.pid, threads, placement: status.cpus, received: summary.received, recorded: summary.recordsWritten, lost: summary.lost })}\n`,
);
