/**
 * Child process of ring-crash.test.ts: produces numbered records into the ring
 * as fast as it can, half of them staged and committed in batches of random
 * size, while consuming and releasing some of them, until the parent kills it
 * with SIGKILL at a random moment (the records staged then are lost, as a
 * record half written is).
 *
 * Usage: node --import tsx ring-crash-child.ts <ring path> <seed> <max record bytes>
 *
 * Stdout protocol (line based): `ready`, then `w <n>` after a write or a
 * commit that left nothing staged (every record committed below n), `r <n>` after a release (everything below n was
 * released), `error <text>` if what it read was wrong (then it exits 1).
 * The lines the parent received before the kill are lower bounds it checks
 * the reopened ring against.
 */
import { writeSync } from 'node:fs';
import { seededRandom as prng } from '@marketpipe/test-support/seeded-random';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { RECORD_PATTERN, recordLength, recordPatternOffset } from './record-content.js';

function say(line: string): void {
  writeSync(1, `${line}\n`);
}

/** Progress lines are only lower bounds: when the pipe is full, dropping one is better than blocking. */
function report(line: string): void {
  try {
    say(line);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EAGAIN') throw err;
  }
}

function run(path: string, seed: number, maxRecord: number): void {
  const random = prng(seed);
  const ring = RingBuffer.open(path);
  let expected = ring.nextReadSequence;
  let failure = '';
  const check = (_bytes: Uint8Array, start: number, end: number, sequence: number): void => {
    if (failure !== '') return;
    if (sequence !== expected) failure = `child read sequence ${sequence}, expected ${expected}`;
    // Bytes are the parent's job (it checks every survivor); the length stands in here to keep the loop tight.
    else if (end - start !== recordLength(sequence, maxRecord))
      failure = `record ${sequence} has a wrong length`;
    expected++;
  };
  // Take the producer role first: before it, nextWriteSequence is only the published value, which the previous
  // (killed) child may have left behind its last commit.
  ring.claimProducer();
  say('ready');
  for (;;) {
    const sequence = ring.nextWriteSequence;
    const length = recordLength(sequence, maxRecord);
    // Copied straight from the pattern table, so most of the loop's time is spent inside tryWrite (or stage).
    const offset = recordPatternOffset(sequence);
    const written =
      random() < 0.5
        ? ring.tryWrite(RECORD_PATTERN, offset, offset + length)
        : ring.stage(RECORD_PATTERN, offset, offset + length);
    // A full ring of staged records frees nothing until they are committed.
    if (!written || random() < 0.15) ring.commit();
    if (written && ring.stagedRecords === 0 && random() < 0.02) report(`w ${ring.nextWriteSequence}`);
    if (!written || random() < 0.1) {
      expected = ring.nextReadSequence;
      const visited = ring.readBatch(1 + Math.floor(random() * 8), check);
      if (failure !== '') {
        say(`error ${failure}`);
        process.exit(1);
      }
      ring.release(Math.floor(random() * (visited + 1)));
      if (random() < 0.1) report(`r ${ring.nextReadSequence}`);
    }
  }
}

const [path, seed, maxRecord] = process.argv.slice(2);
if (path === undefined || seed === undefined || maxRecord === undefined) {
  throw new Error('usage: ring-crash-child.ts <ring path> <seed> <max record bytes>');
}
run(path, Number(seed), Number(maxRecord));
