/**
 * `marketpipe cat`: the recorded raw messages of a venue, one per line,
 * byte for byte as received (no decoding, no re-encoding), oldest day first
 * and in record order within a day.
 */
import { join } from 'node:path';
import { listRecordDays } from '@marketpipe/connector';
import {
  DEFAULT_RECORD_FILE_EXTENSION,
  type RecordDamage,
  readRecordFile,
} from '@marketpipe/connector/recording';
import type { CliContext } from '../cli-context.js';
import { RecordingsNotFoundError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { LineOutput } from './line-output.js';
import { isSetAsideTornTail } from './set-aside-damage.js';

/** Options of {@link catCommand}. */
export interface CatOptions {
  /** Absolute data directory. */
  dataDir: string;
  venue: string;
  /** One UTC day (`YYYY-MM-DD`); all days when absent. */
  date: string | undefined;
}

/**
 * Streams the records to `context.stdout`, set-aside damaged ends included
 * (in their place). Damaged bytes (a torn tail, corruption) are skipped,
 * each range reported on stderr, and reading goes on at the next intact
 * block; the exit code is then 3 ({@link ExitCode.lost}). The torn tail of a
 * set-aside file is skipped quietly: recovery already counted it, and it holds
 * no complete record (see `set-aside-damage.ts`; `verify` lists it). A reader
 * that goes away ends the command quietly.
 *
 * @throws {RecordingsNotFoundError} when there is no record file to print.
 * @example
 * ```ts
 * await catCommand({ dataDir: '/srv/data', venue: 'binance', date: '2025-01-02' }, processContext());
 * ```
 */
export async function catCommand(options: CatOptions, context: CliContext): Promise<number> {
  const days = listRecordDays(options.dataDir, options.venue).filter(
    (day) => options.date === undefined || day === options.date,
  );
  if (days.length === 0) {
    throw new RecordingsNotFoundError(
      `no recordings of ${options.venue}${options.date === undefined ? '' : ` on ${options.date}`} in ${options.dataDir}`,
    );
  }
  const out = new LineOutput(context.stdout);
  let damaged = 0;
  let dayFile = '';
  const onDamage = (damage: RecordDamage): void => {
    if (isSetAsideTornTail(damage, dayFile)) return;
    damaged++;
    context.stderr.write(`marketpipe cat: ${describeDamage(damage)}\n`);
  };
  try {
    for (const day of days) {
      dayFile = join(options.dataDir, options.venue, `${day}.${DEFAULT_RECORD_FILE_EXTENSION}`);
      for (const record of readRecordFile(dayFile, { onDamage })) {
        if (!(await out.writeLine(record.payload))) return quietEnd(out, damaged);
      }
    }
    await out.finish();
    return quietEnd(out, damaged);
  } finally {
    out.dispose();
  }
}

function quietEnd(out: LineOutput, damaged: number): number {
  if (out.failure !== undefined) throw out.failure;
  return damaged > 0 ? ExitCode.lost : ExitCode.ok;
}

/** One damaged range as a line of text: file, offset, size, kind. */
export function describeDamage(damage: RecordDamage): string {
  const what = damage.kind === 'tornTail' ? 'a torn tail' : 'corruption';
  return `${damage.file}: skipped ${what} of ${damage.bytes} bytes at offset ${damage.offset} (${damage.reason})`;
}
