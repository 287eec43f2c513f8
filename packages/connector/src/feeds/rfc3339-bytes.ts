/**
 * RFC 3339 UTC times (`2021-04-17T16:43:37.089723Z`, as Coinbase and Kraken
 * send them) read from bytes without a `Date`: the calendar arithmetic is
 * Howard Hinnant's `days_from_civil`, and the fraction keeps every digit down
 * to the nanosecond.
 */

/** Where {@link parseRfc3339} writes its result; reused, never allocated per call. */
export interface EpochTime {
  /** Whole milliseconds since the Unix epoch. */
  ms: number;
  /** Nanoseconds within the millisecond, 0..999999. */
  subMsNanos: number;
}

function twoDigits(bytes: Uint8Array, at: number): number {
  const a = bytes[at]! - 0x30;
  const b = bytes[at + 1]! - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Reads `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` from `bytes[start..stop)` into `out`.
 * Returns false (leaving `out` unspecified) for any other shape, an invalid
 * calendar date, a leap second, more than nine fraction digits, a numeric UTC
 * offset, or a time before 1970.
 */
export function parseRfc3339(bytes: Uint8Array, start: number, stop: number, out: EpochTime): boolean {
  const length = stop - start;
  if (length < 20 || length === 21 || length > 30) return false;
  const yHigh = twoDigits(bytes, start);
  const yLow = twoDigits(bytes, start + 2);
  const month = twoDigits(bytes, start + 5);
  const day = twoDigits(bytes, start + 8);
  const hour = twoDigits(bytes, start + 11);
  const minute = twoDigits(bytes, start + 14);
  const second = twoDigits(bytes, start + 17);
  if ((yHigh | yLow | month | day | hour | minute | second) < 0) return false;
  if (
    bytes[start + 4] !== 0x2d ||
    bytes[start + 7] !== 0x2d ||
    bytes[start + 10] !== 0x54 ||
    bytes[start + 13] !== 0x3a ||
    bytes[start + 16] !== 0x3a ||
    bytes[stop - 1] !== 0x5a
  ) {
    return false;
  }
  const year = yHigh * 100 + yLow;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  let nanos = 0;
  if (length > 20) {
    if (bytes[start + 19] !== 0x2e) return false;
    let digits = 0;
    for (let i = start + 20; i < stop - 1; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) return false;
      nanos = nanos * 10 + d;
      digits++;
    }
    for (; digits < 9; digits++) nanos *= 10;
  } else if (bytes[start + 19] !== 0x5a) {
    return false;
  }
  const millisOfSecond = Math.floor(nanos / 1_000_000);
  out.ms =
    daysFromCivil(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000 +
    millisOfSecond;
  out.subMsNanos = nanos - millisOfSecond * 1_000_000;
  return true;
}
