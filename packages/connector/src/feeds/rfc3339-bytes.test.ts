import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EpochTime, parseRfc3339 } from './rfc3339-bytes.js';

const out: EpochTime = { ms: 0, subMsNanos: 0 };
const parse = (text: string): EpochTime | null => {
  const bytes = new TextEncoder().encode(text);
  return parseRfc3339(bytes, 0, bytes.length, out) ? { ...out } : null;
};

describe('parseRfc3339', () => {
  it('agrees with Date for every millisecond from 1970 to 9999 and keeps the sub-ms digits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_999 }),
        fc.integer({ min: 0, max: 999_999 }),
        (ms, ns) => {
          const iso = new Date(ms).toISOString();
          expect(parse(`${iso.slice(0, 23)}${String(ns).padStart(6, '0')}Z`)).toEqual({ ms, subMsNanos: ns });
          expect(parse(`${iso.slice(0, 19)}Z`)).toEqual({ ms: ms - (ms % 1000), subMsNanos: 0 });
        },
      ),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('reads 1 to 9 fraction digits', () => {
    expect(parse('2021-04-17T16:43:37.1Z')).toEqual({
      ms: Date.parse('2021-04-17T16:43:37.100Z'),
      subMsNanos: 0,
    });
    expect(parse('2021-04-17T16:43:37.089723Z')).toEqual({
      ms: Date.parse('2021-04-17T16:43:37.089Z'),
      subMsNanos: 723_000,
    });
    expect(parse('2021-04-17T16:43:37.123456789Z')?.subMsNanos).toBe(456_789);
  });

  it('rejects invalid dates, offsets, leap seconds, pre-1970 times and other shapes', () => {
    for (const text of [
      '2021-02-29T00:00:00Z',
      '2021-04-31T00:00:00Z',
      '2021-13-01T00:00:00Z',
      '2021-04-17T24:00:00Z',
      '2016-12-31T23:59:60Z',
      '1969-12-31T23:59:59.999999Z',
      '0001-01-01T00:00:00.000000Z',
      '2021-04-17T16:43:37.089723+01:00',
      '2021-04-17 16:43:37Z',
      '2021-04-17T16:43:37.Z',
      '2021-04-17T16:43:37.1234567890Z',
      '2021-04-17T16:43:37',
      '2021-04-17t16:43:37z',
      '',
    ]) {
      expect(parse(text), text).toBeNull();
    }
    expect(parse('2000-02-29T00:00:00Z')).not.toBeNull();
  });
});
