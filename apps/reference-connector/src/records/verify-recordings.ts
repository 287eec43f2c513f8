/**
 * The checks behind `marketpipe verify`: for each venue, every day file is
 * read in order and the ring sequence numbers are followed across files and
 * days. Each record's sequence must be exactly one more than the previous
 * one; anything else is a gap (records missing) or a repeat (duplicated or
 * out of order). Torn tails and unreadable headers are reported per file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_RECORD_FILE_EXTENSION,
  listRecordDays,
  type RecordFileSummary,
  readVenueRecords,
  type TornTail,
} from '@marketpipe/connector';
import { RecordingsNotFoundError } from '../cli-errors.js';

/** At most this many sequence problems are listed per venue (all are counted). */
export const MAX_LISTED_PROBLEMS = 50;

/** What one day file holds. */
export interface FileCheck {
  day: string;
  file: string;
  records: number;
  /** First and last sequence in the file; -1 when it has no record. */
  firstSequence: number;
  lastSequence: number;
  /** Bytes of intact records plus the header. */
  validBytes: number;
  tornTail: TornTail | undefined;
  /** Why the file could not be read at all (not a record file, unsupported version). */
  unreadable: string | undefined;
}

/** A break in the sequence: `sequence` followed `previous` in `file`. */
export interface SequenceProblem {
  kind: 'gap' | 'repeat';
  file: string;
  previous: number;
  sequence: number;
  /** Records missing (gaps only). */
  missing: number;
}

/** Result for one venue. */
export interface VenueCheck {
  venue: string;
  files: FileCheck[];
  records: number;
  gaps: number;
  missing: number;
  repeats: number;
  tornTails: number;
  unreadableFiles: number;
  /** The first {@link MAX_LISTED_PROBLEMS} sequence problems. */
  problems: SequenceProblem[];
  /** Torn tails cut off by an earlier recovery and kept beside the day files (`*.torn-<offset>`); informational. */
  preservedTornTails: string[];
  clean: boolean;
}

/** Result of {@link verifyRecordings}. */
export interface VerifyReport {
  dataDir: string;
  venues: VenueCheck[];
  clean: boolean;
}

/**
 * Checks the recordings of `venues` (default: every venue folder with day files).
 *
 * @throws {RecordingsNotFoundError} when there is nothing to check.
 * @example
 * ```ts
 * const report = verifyRecordings('/srv/data');
 * if (!report.clean) process.exitCode = 1;
 * ```
 */
export function verifyRecordings(dataDir: string, venues?: readonly string[]): VerifyReport {
  const names = venues ?? findVenues(dataDir);
  const checks = names.map((venue) => checkVenue(dataDir, venue)).filter((check) => check.files.length > 0);
  if (checks.length === 0) {
    const what = venues === undefined ? 'no recordings' : `no recordings of ${venues.join(', ')}`;
    throw new RecordingsNotFoundError(`${what} in ${dataDir}`);
  }
  return { dataDir, venues: checks, clean: checks.every((check) => check.clean) };
}

/** Venue folders: data-dir children named like a venue, except the ring folder. */
function findVenues(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'ring' && /^[a-z0-9_-]{1,64}$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

function checkVenue(dataDir: string, venue: string): VenueCheck {
  const check: VenueCheck = {
    venue,
    files: [],
    records: 0,
    gaps: 0,
    missing: 0,
    repeats: 0,
    tornTails: 0,
    unreadableFiles: 0,
    problems: [],
    preservedTornTails: [],
    clean: true,
  };
  let previous = -1;
  for (const day of listRecordDays(dataDir, venue)) {
    const file: FileCheck = {
      day,
      file: '',
      records: 0,
      firstSequence: -1,
      lastSequence: -1,
      validBytes: 0,
      tornTail: undefined,
      unreadable: undefined,
    };
    const records = readVenueRecords(dataDir, venue, { from: day, to: day });
    try {
      for (;;) {
        const next = records.next();
        if (next.done === true) {
          const summary = next.value[0] as RecordFileSummary;
          file.file = summary.file;
          file.validBytes = summary.validBytes;
          file.tornTail = summary.tornTail;
          break;
        }
        const sequence = next.value.sequence;
        if (file.records === 0) file.firstSequence = sequence;
        file.records++;
        file.lastSequence = sequence;
        if (previous >= 0 && sequence !== previous + 1) {
          const gap = sequence > previous;
          if (gap) {
            check.gaps++;
            check.missing += sequence - previous - 1;
          } else {
            check.repeats++;
          }
          if (check.problems.length < MAX_LISTED_PROBLEMS) {
            check.problems.push({
              kind: gap ? 'gap' : 'repeat',
              file: day,
              previous,
              sequence,
              missing: gap ? sequence - previous - 1 : 0,
            });
          }
        }
        previous = sequence;
      }
    } catch (err) {
      file.file = join(dataDir, venue, `${day}.${DEFAULT_RECORD_FILE_EXTENSION}`);
      file.unreadable = err instanceof Error ? err.message : String(err);
    }
    check.records += file.records;
    if (file.tornTail !== undefined) check.tornTails++;
    if (file.unreadable !== undefined) check.unreadableFiles++;
    check.files.push(file);
  }
  const venueDir = join(dataDir, venue);
  if (existsSync(venueDir)) {
    check.preservedTornTails = readdirSync(venueDir)
      .filter((name) => /\.torn-\d+$/.test(name))
      .sort();
  }
  check.clean =
    check.gaps === 0 && check.repeats === 0 && check.tornTails === 0 && check.unreadableFiles === 0;
  return check;
}
