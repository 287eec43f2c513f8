/**
 * Suite 5, the flusher: sustained records/s and MB/s from the ring to disk against a plain `fs.writeSync` loop
 * with the same batching, then the highest paced message rate the ring and flusher sustain without overflow.
 */
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DiskFlusher, RingBuffer } from '@marketpipe/connector';
import { prefaultRing } from '../fixtures/ring-warmup.js';
import { makeDataDir, makeRingDir } from '../fixtures/scratch-dirs.js';
import { median } from '../harness/batch-timer.js';
import { BenchPreconditionError } from '../harness/bench-errors.js';
import { type BenchProfile, scaled } from '../harness/bench-profile.js';
import { formatBytes, formatRate, formatRatio } from '../harness/format.js';
import { runSuiteProcess } from '../harness/suite-main.js';
import type { ResultTable } from '../harness/suite-result.js';

const RECORD_BYTES = 200;
const BATCH = 64;
const SLOT_BYTES = 256;
/** 4 MiB of ring, the default ring's memory, cut into slots that fit a 200-byte record. */
const RATE_RING_SLOTS = 1 << 14;
const SUSTAINED_RING_SLOTS = 1 << 16;
const SUSTAINED_RECORDS = 2_000_000;
const PROBE_RATES = [100_000, 250_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000];
const PROBE_SECONDS = 1.5;
const HOLD_SECONDS = 30;

/** A ring with a running flusher in fresh temporary directories. */
interface FlusherRig {
  ring: RingBuffer;
  flusher: DiskFlusher;
  dataDir: string;
  close(): Promise<void>;
}

async function startRig(name: string, slots: number): Promise<FlusherRig> {
  const ringDir = makeRingDir(`flusher-${name}`);
  const dataDir = makeDataDir(`flusher-${name}`);
  const ringPath = join(ringDir, 'bench.ring');
  const geometry = { slotSize: SLOT_BYTES, slotCount: slots };
  const warm = RingBuffer.open(ringPath, geometry);
  prefaultRing(warm, new Uint8Array(RECORD_BYTES));
  warm.close();
  const ring = RingBuffer.open(ringPath, geometry);
  const flusher = await DiskFlusher.start({
    ringPath,
    ringGeometry: geometry,
    dataDir,
    venue: 'bench',
    batchSize: BATCH,
  });
  return {
    ring,
    flusher,
    dataDir,
    async close() {
      try {
        await flusher.stop();
      } finally {
        ring.close();
        rmSync(ringDir, { recursive: true, force: true });
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function record(): Uint8Array {
  const bytes = new Uint8Array(RECORD_BYTES);
  for (let i = 0; i < RECORD_BYTES; i++) bytes[i] = 32 + (i % 90);
  return bytes;
}

/** Writes `count` records as fast as the ring accepts them; returns records/s and bytes/s the flusher wrote. */
async function sustained(
  count: number,
): Promise<{ recordsPerSecond: number; bytesPerSecond: number; bytesPerRecord: number }> {
  const rig = await startRig('sustained', SUSTAINED_RING_SLOTS);
  try {
    const payload = record();
    const { ring, flusher } = rig;
    const before = flusher.status();
    const start = process.hrtime.bigint();
    for (let written = 0; written < count; ) {
      if (ring.tryWrite(payload)) written++;
      else flusher.notify();
    }
    flusher.notify();
    while (flusher.status().recordsWritten - before.recordsWritten < count) {
      if (flusher.status().state !== 'running')
        throw new BenchPreconditionError('flusher stopped during the run');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const after = flusher.status();
    const bytes = after.bytesWritten - before.bytesWritten;
    return {
      recordsPerSecond: count / seconds,
      bytesPerSecond: bytes / seconds,
      bytesPerRecord: bytes / count,
    };
  } finally {
    await rig.close();
  }
}

/** The baseline: the same bytes per record, `BATCH` records per `fs.writeSync`, on the main thread. */
function plainWriteLoop(
  count: number,
  bytesPerRecord: number,
): { recordsPerSecond: number; bytesPerSecond: number } {
  const dir = makeDataDir('flusher-plain');
  try {
    const path = join(dir, 'plain.bin');
    const fd = openSync(path, 'a');
    const payload = record();
    const frame = Math.round(bytesPerRecord);
    const batch = new Uint8Array(frame * BATCH);
    const start = process.hrtime.bigint();
    for (let written = 0; written < count; written += BATCH) {
      // Copy the records in, as the flusher copies them out of the ring, then one write per batch.
      for (let r = 0; r < BATCH; r++) batch.set(payload, r * frame);
      writeSync(fd, batch);
    }
    closeSync(fd);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const bytes = statSync(path).size;
    return { recordsPerSecond: count / seconds, bytesPerSecond: bytes / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Offers records at `rate` for `seconds` with a busy-paced producer; returns the records it offered and how many
 * the ring refused (overflow).
 */
function pacedRun(
  rig: FlusherRig,
  rate: number,
  seconds: number,
): { offered: number; overflow: number; achieved: number } {
  const payload = record();
  const { ring, flusher } = rig;
  const total = Math.round(rate * seconds);
  let offered = 0;
  let overflow = 0;
  const start = performance.now();
  while (offered < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    if (due === offered) continue;
    for (; offered < due; offered++) if (!ring.tryWrite(payload)) overflow++;
    flusher.notify();
  }
  const elapsed = (performance.now() - start) / 1000;
  return { offered, overflow, achieved: offered / elapsed };
}

async function flusherSuite(profile: BenchProfile) {
  const count = scaled(profile, SUSTAINED_RECORDS, 4 * BATCH);
  const runs = profile.smoke ? 1 : 3;
  const flushed: Awaited<ReturnType<typeof sustained>>[] = [];
  const plain: ReturnType<typeof plainWriteLoop>[] = [];
  for (let r = 0; r < runs; r++) {
    const result = await sustained(count);
    flushed.push(result);
    plain.push(plainWriteLoop(count, result.bytesPerRecord));
  }
  const flusherRecords = median(flushed.map((f) => f.recordsPerSecond));
  const flusherBytes = median(flushed.map((f) => f.bytesPerSecond));
  const plainRecords = median(plain.map((p) => p.recordsPerSecond));
  const plainBytes = median(plain.map((p) => p.bytesPerSecond));

  // Rate search: short probes upwards until one overflows, then hold the best rate.
  const probeSeconds = profile.smoke ? 0.05 : PROBE_SECONDS;
  const holdSeconds = profile.smoke ? 0.1 : HOLD_SECONDS;
  const rig = await startRig('rate', RATE_RING_SLOTS);
  const probes: string[][] = [];
  let best = 0;
  let hold: ReturnType<typeof pacedRun> | undefined;
  try {
    for (const rate of PROBE_RATES) {
      const probe = pacedRun(rig, rate, probeSeconds);
      // Let the flusher catch up so each probe starts from an empty ring.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const kept = probe.overflow === 0 && probe.achieved >= rate * 0.98;
      probes.push([
        formatRate(rate),
        formatRate(probe.achieved),
        String(probe.overflow),
        kept ? 'yes' : 'no',
      ]);
      if (!kept) break;
      best = rate;
    }
    if (best > 0) hold = pacedRun(rig, best, holdSeconds);
  } finally {
    await rig.close();
  }

  const tables: ResultTable[] = [
    {
      title: `Flusher throughput: ${count} records of ${RECORD_BYTES} B, batches of ${BATCH} (median of ${runs})`,
      columns: ['writer', 'records/s', 'MB/s', 'vs plain loop'],
      rows: [
        [
          'DiskFlusher worker draining the ring',
          formatRate(flusherRecords),
          (flusherBytes / 1e6).toFixed(1),
          formatRatio(flusherRecords / plainRecords),
        ],
        [
          `plain fs.writeSync loop, ${BATCH} records per write`,
          formatRate(plainRecords),
          (plainBytes / 1e6).toFixed(1),
          '1.00x',
        ],
      ],
      notes: [
        `The producer writes as fast as the ring accepts (ring ${SUSTAINED_RING_SLOTS} slots x ${SLOT_BYTES} B); the time runs until the flusher reports every record written. File bytes per record include the flusher's record header (${formatBytes(flushed[0]!.bytesPerRecord)} per record); the plain loop writes the same bytes per record.`,
        'The plain loop runs on the main thread with nothing else to do; the flusher also pays the ring read, CRC and release, and shares the machine with the producer.',
      ],
    },
    {
      title: `Highest sustained rate without overflow (ring ${RATE_RING_SLOTS} slots x ${SLOT_BYTES} B = 4 MiB, ${RECORD_BYTES}-byte records)`,
      columns: ['offered', 'achieved', 'overflowed records', 'sustained'],
      rows: probes,
      notes: [
        `Probes of ${probeSeconds} s each, stopping at the first rate that overflows or that the paced producer cannot offer; the best rate was then held for ${holdSeconds} s: ${
          hold === undefined
            ? 'no rate was sustained'
            : `${hold.offered} records at ${formatRate(hold.achieved)}, ${hold.overflow} overflowed`
        }.`,
      ],
    },
  ];
  const held = hold !== undefined && hold.overflow === 0 ? best : 0;
  return {
    suite: 'flusher',
    title: '5. Flusher',
    tables,
    targets: [
      {
        name: 'flusher sustained records/s',
        target: '>= 2 M records/s',
        measured: formatRate(flusherRecords),
        met: flusherRecords >= 2e6,
      },
    ],
    latencies: [],
    metrics: {
      flusherRecordsPerSecond: flusherRecords,
      flusherBytesPerSecond: flusherBytes,
      plainRecordsPerSecond: plainRecords,
      plainBytesPerSecond: plainBytes,
      bestSustainedRate: held,
      holdOverflow: hold?.overflow ?? Number.NaN,
    },
    notes: [],
  };
}

runSuiteProcess(flusherSuite);
