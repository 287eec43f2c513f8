/**
 * The checks behind `marketpipe verify`: for each venue, every day file is
 * read in order and the ring sequence numbers are followed across files and
 * days. Each record's sequence must be exactly one more than the previous
 * one; anything else is a gap (records missing) or a repeat (duplicated or
 * out of order). Damage (torn tails, corruption) and unreadable headers are
 * reported per file; set-aside damaged ends are read in their place, their
 * torn tails listed apart and not counted (see `set-aside-damage.ts`).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listRecordDays, readVenueRecords } from '@marketpipe/connector';
import {
  DEFAULT_RECORD_FILE_EXTENSION,
  type RecordDamage,
  type RecordFileSummary,
} from '@marketpipe/connector/recording';
import { RecordingsNotFoundError } from '../cli-errors.js';
import { isSetAsideTornTail } from './set-aside-damage.js';

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
  /** Bytes of the day file up to its last intact block. */
  validBytes: number;
  /** Damaged ranges skipped and counted, in the day file and in its set-aside files. */
  damage: RecordDamage[];
  /** Torn tails of set-aside files: cut writes that recovery already set aside and counted; listed, not counted. */
  setAsideTornTails: RecordDamage[];
  /** Set-aside damaged ends of the day file (`*.torn-<offset>`, `*.damaged-<offset>`), read in their place. */
  setAsideFiles: string[];
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
  /** Torn tails of set-aside files (see {@link FileCheck.setAsideTornTails}); not a problem, not in `damagedBytes`. */
  setAsideTornTails: number;
  /** Damaged ranges that are not torn tails. */
  corruptions: number;
  /** Bytes in all damaged ranges. */
  damagedBytes: number;
  unreadableFiles: number;
  /** The first {@link MAX_LISTED_PROBLEMS} sequence problems. */
  problems: SequenceProblem[];
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

/** Venue folders: data-dir children named like a venue, except the ring folder; symlinks followed, as `cat` does. */
function findVenues(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  return readdirSync(dataDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.name !== 'ring' &&
        /^[a-z0-9_-]{1,64}$/.test(entry.name) &&
        (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(join(dataDir, entry.name)))),
    )
    .map((entry) => entry.name)
    .sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link holds no recordings
  }
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
    setAsideTornTails: 0,
    corruptions: 0,
    damagedBytes: 0,
    unreadableFiles: 0,
    problems: [],
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
      damage: [],
      setAsideTornTails: [],
      setAsideFiles: [],
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
          file.damage = summary.damage.filter((damage) => !isSetAsideTornTail(damage, summary.file));
          file.setAsideTornTails = summary.damage.filter((damage) =>
            isSetAsideTornTail(damage, summary.file),
          );
          file.setAsideFiles = summary.setAsideFiles;
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
    check.setAsideTornTails += file.setAsideTornTails.length;
    for (const damage of file.damage) {
      if (damage.kind === 'tornTail') check.tornTails++;
      else check.corruptions++;
      check.damagedBytes += damage.bytes;
    }
    if (file.unreadable !== undefined) check.unreadableFiles++;
    check.files.push(file);
  }
  check.clean =
    check.gaps === 0 &&
    check.repeats === 0 &&
    check.tornTails === 0 &&
    check.corruptions === 0 &&
    check.unreadableFiles === 0;
  return check;
}
