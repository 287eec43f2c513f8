/** Nanosecond epoch timestamps as ISO-8601 with all nine fraction digits (`Date` would keep only three). */

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * `1736000000123456789n` -> `2025-01-04T14:13:20.123456789Z`.
 *
 * @example
 * ```ts
 * formatEpochNanos(view.timestampNanos);
 * ```
 */
export function formatEpochNanos(nanos: bigint): string {
  const seconds = nanos / NANOS_PER_SECOND;
  const fraction = nanos % NANOS_PER_SECOND;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(9, '0')}Z`;
}
