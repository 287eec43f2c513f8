/**
 * `marketpipe cat`: the recorded raw messages of a venue, one per line,
 * byte for byte as received (no decoding, no re-encoding), oldest day first
 * and in record order within a day.
 */
import { listRecordDays, readVenueRecords, type TornTail } from '@marketpipe/connector';
import type { CliContext } from '../cli-context.js';
import { RecordingsNotFoundError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import { LineOutput } from './line-output.js';

/** Options of {@link catCommand}. */
export interface CatOptions {
  /** Absolute data directory. */
  dataDir: string;
  venue: string;
  /** One UTC day (`YYYY-MM-DD`); all days when absent. */
  date: string | undefined;
}

/**
 * Streams the records to `context.stdout`. A torn tail (crash mid-write) is
 * reported on stderr and skipped; a reader that goes away ends the command
 * quietly with exit code 0.
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
  const onTornTail = (tail: TornTail): void => {
    context.stderr.write(
      `marketpipe cat: ${tail.file}: skipped a torn tail of ${tail.bytes} bytes at offset ${tail.offset} (${tail.reason})\n`,
    );
  };
  try {
    const range = options.date === undefined ? {} : { from: options.date, to: options.date };
    for (const record of readVenueRecords(options.dataDir, options.venue, range, { onTornTail })) {
      if (!(await out.writeLine(record.payload))) return quietEnd(out);
    }
    await out.finish();
    return quietEnd(out);
  } finally {
    out.dispose();
  }
}

function quietEnd(out: LineOutput): number {
  if (out.failure !== undefined) throw out.failure;
  return ExitCode.ok;
}
