/**
 * Crash recovery: a child process produces into the ring (and consumes part
 * of it) until it is killed with SIGKILL at a random moment; the reopened
 * ring must then hold exactly the committed, unreleased records, in order and
 * intact, and the producer must resume at the next sequence.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom as prng } from '@marketpipe/test-support/seeded-random';
import { afterAll, expect, it } from 'vitest';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { fillRecord, firstBadByte, recordLength } from './record-content.js';

const ROUNDS = 12;
const GEOMETRY = { slotSize: 256, slotCount: 64 } as const;
/** Up to 12 slots per record, so kills often land in the middle of a long copy. */
const MAX_RECORD = 3000;
const CHILD = fileURLToPath(new URL('./ring-crash-child.ts', import.meta.url));
const WORKSPACE_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'ring-crash-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface ChildOutcome {
  /** Highest `w` the child reported: every record below it was committed. */
  committed: number;
  /** Highest `r` the child reported: every record below it was released. */
  released: number;
  errors: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the child until it reports `ready`, lets it work for `workMs`, then SIGKILLs it. */
function runAndKill(path: string, seed: number, workMs: number): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@marketpipe/source', '--import', 'tsx', CHILD, path, String(seed), String(MAX_RECORD)],
      { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    const outcome: ChildOutcome = { committed: 0, released: 0, errors: [], signal: null };
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, value] = line.split(' ', 2);
        if (kind === 'ready') setTimeout(() => child.kill('SIGKILL'), workMs);
        else if (kind === 'w') outcome.committed = Math.max(outcome.committed, Number(value));
        else if (kind === 'r') outcome.released = Math.max(outcome.released, Number(value));
        else outcome.errors.push(line);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      children.delete(child);
      outcome.signal = signal;
      if (signal === null) outcome.errors.push(`child exited with code ${code}: ${stderr.trim()}`);
      resolve(outcome);
    });
  });
}

it(`recovers exactly the committed, unreleased records after ${ROUNDS} SIGKILLs`, async () => {
  const seed = Number(process.env.RING_CRASH_SEED ?? Date.now() % 2 ** 31);
  console.log(`ring crash test seed ${seed} (rerun with RING_CRASH_SEED=${seed})`);
  const random = prng(seed);
  const path = join(dir, 'crash.ring');
  RingBuffer.open(path, GEOMETRY).close();
  let releasedBefore = 0;
  let committedBefore = 0;
  let recovered = 0;
  const scratch = new Uint8Array(MAX_RECORD);

  for (let round = 0; round < ROUNDS; round++) {
    const outcome = await runAndKill(path, seed + round, 1 + Math.floor(random() * 150));
    expect(outcome.errors, `round ${round}`).toEqual([]);
    expect(outcome.signal).toBe('SIGKILL');

    const ring = RingBuffer.open(path, GEOMETRY);
    const first = ring.nextReadSequence;
    expect(first, `round ${round}: consumer position went back`).toBeGreaterThanOrEqual(
      Math.max(releasedBefore, outcome.released),
    );
    let next = first;
    const damaged: number[] = [];
    const count = ring.readBatch(Number.POSITIVE_INFINITY, (bytes, start, end, sequence) => {
      expect(sequence, `round ${round}`).toBe(next++);
      if (firstBadByte(bytes, start, end, sequence, MAX_RECORD) !== -1) damaged.push(sequence);
    });
    expect(damaged, `round ${round}: damaged records`).toEqual([]);
    // Nothing the child reported as committed (or the parent wrote last round) may be missing.
    expect(next, `round ${round}: committed records lost`).toBeGreaterThanOrEqual(
      Math.max(committedBefore, outcome.committed),
    );
    recovered += count;

    // The parent consumes part of what survived, then produces one record: the sequence must resume at `next`.
    const release = Math.floor(random() * (count + 1));
    ring.release(release);
    const length = recordLength(next, MAX_RECORD);
    fillRecord(scratch, next, length);
    if (ring.tryWrite(scratch, 0, length)) {
      expect(ring.nextWriteSequence).toBe(next + 1);
      const tail: number[] = [];
      ring.readBatch(Number.POSITIVE_INFINITY, (_bytes, _start, _end, sequence) => tail.push(sequence));
      expect(tail.at(-1)).toBe(next);
      next++;
    }
    releasedBefore = first + release;
    committedBefore = next;
    ring.close();
  }
  console.log(
    `ring crash test: ${ROUNDS} kills, ${recovered} unreleased records recovered, last sequence ${committedBefore}`,
  );
  expect(committedBefore).toBeGreaterThan(ROUNDS);
}, 60_000);
