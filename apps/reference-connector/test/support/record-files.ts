/**
 * Writes record files for `cat` / `verify` tests with the connector's own
 * record writer, so the fixtures are exactly what the flusher produces.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Internal: the writer's wall-clock seam (not in the public RecordFileWriter options) puts records on chosen days.
import { createRecordFileWriter } from '@marketpipe/connector/internal';

/** One record to write: its UTC day, ring sequence and raw bytes. */
export interface FixtureRecord {
  day: string;
  sequence: number;
  payload: Uint8Array | string;
}

/** A fresh temporary data directory. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'mp-records-'));
}

/** Epoch nanoseconds of noon on `day` (UTC). */
function noonNanos(day: string): bigint {
  return BigInt(Date.parse(`${day}T12:00:00Z`)) * 1_000_000n;
}

/** Appends `records` for `venue` under `dataDir` in the given order, as the flusher would. */
export function writeRecords(dataDir: string, venue: string, records: readonly FixtureRecord[]): void {
  let now = 0n;
  const writer = createRecordFileWriter({ dataDir, venue, fsync: 'none', wallNanos: () => now });
  writer.recover();
  writer.acceptAllSequences();
  for (const record of records) {
    now = noonNanos(record.day);
    const bytes =
      typeof record.payload === 'string' ? new TextEncoder().encode(record.payload) : record.payload;
    if (!writer.append(bytes, 0, bytes.length, record.sequence)) {
      // A repeated or lower sequence: written anyway, to build damaged recordings.
      writer.acceptAllSequences();
      writer.append(bytes, 0, bytes.length, record.sequence);
    }
    writer.writePending();
  }
  writer.close();
}

/** Appends `bytes` of garbage to a day file: what a crash mid-write leaves. */
export function tearTail(dataDir: string, venue: string, day: string, bytes = 10): void {
  appendFileSync(join(dataDir, venue, `${day}.mprec`), new Uint8Array(bytes).fill(0x5a));
}

/** Flips every bit of `bytes` bytes at `offset` of a day file: damage in place, the file keeps its size. */
export function flipBytes(dataDir: string, venue: string, day: string, offset: number, bytes = 4): void {
  const path = join(dataDir, venue, `${day}.mprec`);
  const content = readFileSync(path);
  for (let i = offset; i < offset + bytes; i++) content[i] = content[i]! ^ 0xff;
  writeFileSync(path, content);
}
