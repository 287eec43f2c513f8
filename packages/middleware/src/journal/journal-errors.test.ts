import { describe, expect, it } from 'vitest';
import { MarketpipeError } from '../errors.js';
import {
  InvalidJournalRangeError,
  JournalAppendError,
  JournalClosedError,
  JournalOpenError,
  JournalPayloadTooLargeError,
  SequenceEvictedError,
} from './journal-errors.js';

describe('journal errors', () => {
  const cause = new Error('socket closed');
  const cases = [
    [
      new SequenceEvictedError(3, 9, { cause }),
      SequenceEvictedError,
      'SequenceEvictedError',
      'ERR_SEQUENCE_EVICTED',
    ],
    [
      new JournalClosedError('append', { cause }),
      JournalClosedError,
      'JournalClosedError',
      'ERR_JOURNAL_CLOSED',
    ],
    [
      new InvalidJournalRangeError('bad', { cause }),
      InvalidJournalRangeError,
      'InvalidJournalRangeError',
      'ERR_INVALID_JOURNAL_RANGE',
    ],
    [
      new JournalPayloadTooLargeError(10, 5, { cause }),
      JournalPayloadTooLargeError,
      'JournalPayloadTooLargeError',
      'ERR_JOURNAL_PAYLOAD_TOO_LARGE',
    ],
    [
      new JournalAppendError('a.b', 'p-1', { cause }),
      JournalAppendError,
      'JournalAppendError',
      'ERR_JOURNAL_APPEND',
    ],
    [new JournalOpenError('nope', { cause }), JournalOpenError, 'JournalOpenError', 'ERR_JOURNAL_OPEN'],
  ] as const;

  it.each(cases)(
    '%s has its name, code and cause, and a guard that matches by code',
    (err, type, name, code) => {
      expect(err).toBeInstanceOf(MarketpipeError);
      expect(err.name).toBe(name);
      expect(err.code).toBe(code);
      expect(err.cause).toBe(cause);
      expect(type.is(err)).toBe(true);
      expect(type.is({ code })).toBe(true);
      expect(type.is(new Error(code))).toBe(false);
      for (const [other, otherType] of cases) if (other !== err) expect(otherType.is(err)).toBe(false);
    },
  );

  it('carries the details a caller needs to react', () => {
    expect(new SequenceEvictedError(3, 9)).toMatchObject({ sequence: 3, firstSequence: 9 });
    expect(new JournalAppendError('a.b', 'p-1', { cause }).message).toContain('socket closed');
    expect(new JournalAppendError('a.b', 'p-1')).toMatchObject({ subject: 'a.b', msgId: 'p-1' });
    expect(new JournalPayloadTooLargeError(10, 5)).toMatchObject({ size: 10, limit: 5 });
  });
});
