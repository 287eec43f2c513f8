import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@marketpipe/test-support/seeded-random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFlusher } from '../../src/flusher/disk-flusher.js';
import { readVenueRecords } from '../../src/flusher/record-reader.js';
import { RingBuffer } from '../../src/ring/ring-buffer.js';
import { payloadFor } from './flusher-test-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'flusher-child.ts');
const GEOMETRY = { slotSize: 256, slotCount: 256 };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flusher-crash-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function startChild(ringPath: string, dataDir: string, mode: 'run' | 'exit', count = 0): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@marketpipe/source',
      childScript,
      ringPath,
      dataDir,
      mode,
      String(count),
    ],
    { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves once the child printed its `ready` line (or exited), with everything it wrote to stderr. */
function readyOrExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', () => resolve());
  });
}

/** Drains whatever the children left in the ring with an in-process flusher, then checks the whole stream. */
async function expectExactlyOnce(ringPath: string, dataDir: string, venue: string): Promise<number> {
  const ring = RingBuffer.open(ringPath, GEOMETRY);
  const written = ring.claimProducer();
  try {
    const flusher = await DiskFlusher.start({ ringPath, ringGeometry: GEOMETRY, dataDir, venue });
    await flusher.stop();
    expect(ring.nextReadSequence).toBe(written);
  } finally {
    ring.close();
  }
  const records = [...readVenueRecords(dataDir, venue)];
  const sequences = records.map((r) => r.sequence);
  const lost = written - new Set(sequences).size;
  const duplicated = sequences.length - new Set(sequences).size;
  expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
  expect(sequences).toEqual(Array.from({ length: written }, (_, i) => i));
  for (const r of records) {
    if (!Buffer.from(r.payload).equals(Buffer.from(payloadFor(r.sequence)))) {
      expect.fail(`payload of record ${r.sequence} differs`);
    }
  }
  return written;
}

describe('flusher crash recovery (child processes)', () => {
  it('SIGKILL at random points, 12 rounds: every record on disk exactly once, in order', async () => {
    const seed = Number(process.env.FLUSHER_CRASH_SEED ?? Date.now() % 1_000_000);
    console.log(`flusher crash test seed: ${seed} (rerun with FLUSHER_CRASH_SEED=${seed})`);
    const random = seededRandom(seed);
    const ringPath = join(dir, 'crash.ring');
    const dataDir = join(dir, 'crash-data');
    for (let round = 0; round < 12; round++) {
      const child = startChild(ringPath, dataDir, 'run');
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exit = exited(child);
      // A third of the rounds die during start-up or recovery, the rest while streaming.
      if (random() < 0.33) {
        await sleep(50 + random() * 600);
      } else {
        await readyOrExit(child);
        await sleep(random() * 250);
      }
      child.kill('SIGKILL');
      const { signal } = await exit;
      expect(signal, `round ${round} exited on its own: ${stderr}`).toBe('SIGKILL');
    }
    const written = await expectExactlyOnce(ringPath, dataDir, 'crash');
    console.log(`flusher crash test: ${written} records across 12 SIGKILLed rounds, 0 lost, 0 duplicated`);
    expect(written).toBeGreaterThan(0);
  }, 60_000);

  it('process.exit() without stop(): the exit safety net drains the ring first', async () => {
    const ringPath = join(dir, 'exit.ring');
    const dataDir = join(dir, 'exit-data');
    const child = startChild(ringPath, dataDir, 'exit', 1000);
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    expect((await exited(child)).code, stderr).toBe(0);
    const wrote = Number(/wrote (\d+)/.exec(stdout)?.[1]);
    expect(wrote).toBeGreaterThan(50);
    const records = [...readVenueRecords(dataDir, 'crash')];
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: wrote }, (_, i) => i));
    const ring = RingBuffer.open(ringPath, GEOMETRY);
    try {
      expect(ring.nextReadSequence).toBe(wrote);
    } finally {
      ring.close();
    }
  });
});
