/**
 * The naive pipeline as a whole process, for the whole-process comparison: a line file of Binance messages
 * through the peers suite's straightforward pipeline (`JSON.parse`, a trade object, the capnp-es builder, a
 * subject string per message, `fs.appendFileSync` of each raw message), published on an in-memory transport.
 *
 * Args: `<replay-file> <record-file>`.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InMemoryTransport } from '@marketpipe/middleware';
import { appendFileRecorder, StraightforwardBinancePipeline } from '../peers/naive-pipeline.js';

const [replay = '', record = ''] = process.argv.slice(2);
const transport = new InMemoryTransport();
const pipeline = new StraightforwardBinancePipeline(JSON.parse, transport, appendFileRecorder(record));
const encoder = new TextEncoder();
let bytes = 0;
const lines = createInterface({ input: createReadStream(replay), crlfDelay: Number.POSITIVE_INFINITY });
lines.on('line', (line) => {
  if (line.length > 0) bytes += pipeline.handle(encoder.encode(line));
});
lines.on('close', () => {
  process.stdout.write(`${bytes}\n`);
});
