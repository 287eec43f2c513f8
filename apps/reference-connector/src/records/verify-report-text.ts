/** `marketpipe verify`'s report as text: per file counts, then each problem, then the verdict. */
import { basename } from 'node:path';
import type { RecordDamage } from '@marketpipe/connector/recording';
import { formatBytes, formatCount } from '../format/units.js';
import type { FileCheck, VenueCheck, VerifyReport } from './verify-recordings.js';

function fileLine(file: FileCheck): string {
  const name = basename(file.file);
  if (file.unreadable !== undefined) return `  ${name}  UNREADABLE: ${file.unreadable}`;
  const range = file.records === 0 ? 'no records' : `seq ${file.firstSequence}..${file.lastSequence}`;
  const aside =
    file.setAsideFiles.length === 0
      ? ''
      : `  (with set-aside ${file.setAsideFiles.map((f) => basename(f)).join(', ')})`;
  return `  ${name}  ${formatCount(file.records)} records  ${range}  ${formatBytes(file.validBytes)}${aside}`;
}

function damageLine(damage: RecordDamage): string {
  const what = damage.kind === 'tornTail' ? 'TORN TAIL' : 'CORRUPTION';
  return `    ${what}: ${basename(damage.file)}: ${damage.bytes} bytes at offset ${damage.offset} (${damage.reason})`;
}

function setAsideTornTailLine(damage: RecordDamage): string {
  return `    torn tail set aside by recovery (a cut write, not counted): ${basename(damage.file)}: ${damage.bytes} bytes`;
}

function venueLines(check: VenueCheck): string[] {
  const lines = [`${check.venue}: ${check.clean ? 'clean' : 'PROBLEMS'}`];
  for (const file of check.files) {
    lines.push(
      fileLine(file),
      ...file.damage.map(damageLine),
      ...file.setAsideTornTails.map(setAsideTornTailLine),
    );
  }
  for (const problem of check.problems) {
    lines.push(
      problem.kind === 'gap'
        ? `  gap in ${problem.file}: ${problem.previous} -> ${problem.sequence} (${formatCount(problem.missing)} missing)`
        : `  repeat in ${problem.file}: ${problem.sequence} after ${problem.previous} (duplicate or out of order)`,
    );
  }
  const unlisted = check.gaps + check.repeats - check.problems.length;
  if (unlisted > 0) lines.push(`  ... and ${formatCount(unlisted)} more sequence problems`);
  lines.push(
    `  total ${formatCount(check.records)} records in ${check.files.length} files; ` +
      `${check.gaps} gaps (${formatCount(check.missing)} missing), ${check.repeats} repeats, ` +
      `${check.tornTails} torn tails, ${check.corruptions} corruptions (${formatBytes(check.damagedBytes)} skipped), ` +
      `${check.unreadableFiles} unreadable files` +
      (check.setAsideTornTails === 0 ? '' : `; ${check.setAsideTornTails} torn tails set aside by recovery`),
  );
  return lines;
}

/**
 * The whole report, one venue after another.
 *
 * @example
 * ```ts
 * process.stdout.write(formatVerifyReport(verifyRecordings('data')));
 * ```
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = report.venues.flatMap(venueLines);
  const bad = report.venues.filter((venue) => !venue.clean).length;
  lines.push(
    report.clean
      ? `verify: clean (${report.venues.length} venues in ${report.dataDir})`
      : `verify: NOT CLEAN (${bad} of ${report.venues.length} venues with problems in ${report.dataDir})`,
  );
  return `${lines.join('\n')}\n`;
}
