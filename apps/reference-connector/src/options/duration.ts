/**
 * Human durations for `--duration`, `--status-interval` and `--fsync`:
 * `500ms`, `30s`, `5m`, `1h`, or a sum of them such as `1m30s`. A unit is
 * required, so `30` is rejected rather than guessed as seconds or ms.
 */

/** The longest delay a Node timer holds (2^31-1 ms, about 596h); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/**
 * Milliseconds of `text`, or `undefined` when it is not a duration.
 *
 * @example
 * ```ts
 * parseDuration('1m30s'); // 90_000
 * parseDuration('250ms'); // 250
 * parseDuration('30');    // undefined: the unit is required
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (match === null) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** `90000` -> `1m30s`; the inverse of {@link parseDuration} for messages and summaries. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.round(ms / 100) / 10;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 10) / 10;
  return `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 || (hours === 0 && minutes === 0) ? `${seconds}s` : ''}`;
}
