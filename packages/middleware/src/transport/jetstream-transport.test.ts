import { describe, expect, it } from 'vitest';
import { MarketpipeError } from '../errors.js';
import { SubjectNotInStreamError } from './jetstream-transport.js';

describe('SubjectNotInStreamError', () => {
  it('carries the subject, the stream, a stable code and the cause', () => {
    const cause = new Error('root');
    const err = new SubjectNotInStreamError('md.other', 'TRADES', { cause });
    expect(err).toBeInstanceOf(MarketpipeError);
    expect(err.name).toBe('SubjectNotInStreamError');
    expect(err.code).toBe('ERR_SUBJECT_NOT_IN_STREAM');
    expect(err.subject).toBe('md.other');
    expect(err.stream).toBe('TRADES');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe(`subject "md.other" is not captured by stream 'TRADES'`);
  });

  it('is recognised by code, also for a copy from another package instance', () => {
    expect(SubjectNotInStreamError.is(new SubjectNotInStreamError('a', 'S'))).toBe(true);
    expect(SubjectNotInStreamError.is({ code: 'ERR_SUBJECT_NOT_IN_STREAM' })).toBe(true);
    expect(SubjectNotInStreamError.is(new Error('ERR_SUBJECT_NOT_IN_STREAM'))).toBe(false);
    expect(SubjectNotInStreamError.is(undefined)).toBe(false);
  });
});
