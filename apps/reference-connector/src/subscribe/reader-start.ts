/** `subscribe --from`, parsed without loading the NATS client (the CLI loads commands lazily). */
import type { ReaderStart } from '@marketpipe/middleware/journal';
import { InvalidOptionError } from '../cli-errors.js';

/**
 * Parses `--from`: a stream sequence (`1234`), an ISO-8601 time (`2026-12-03T09:30:00Z`), `first` or `new`.
 *
 * @throws {InvalidOptionError} for anything else.
 */
export function parseReaderStart(text: string): ReaderStart {
  if (text === 'first' || text === 'new') return text;
  if (/^[0-9]+$/.test(text)) {
    const sequence = Number(text);
    if (Number.isSafeInteger(sequence) && sequence >= 1) return { sequence };
  } else if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text)) {
    const time = new Date(text);
    if (!Number.isNaN(time.getTime())) return { time };
  }
  throw new InvalidOptionError(
    '--from',
    `invalid --from ${JSON.stringify(text)}: expected a stream sequence (>= 1), an ISO-8601 time, 'first' or 'new'`,
  );
}
