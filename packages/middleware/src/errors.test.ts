import { describe, expect, it } from 'vitest';
import {
  hasErrorCode,
  InvalidArgumentError,
  JournalAppendError,
  JournalClosedError,
  JournalOpenError,
  JournalPayloadTooLargeError,
  MarketpipeError,
  SequenceEvictedError,
  SubjectNotInStreamError,
} from './errors.js';
import { MonotonicClock } from './latency/clock.js';
import { Interner } from './latency/interner.js';
import { LatencyRecorder } from './latency/latency-recorder.js';
import { ManualClock } from './latency/manual-clock.js';
import { checkInteger, checkNumber, checkOneOf } from './validate.js';

class SampleError extends MarketpipeError {
  override readonly name = 'SampleError' as const;
  static readonly code = 'MP_ERR_SAMPLE' as const;
  readonly code = SampleError.code;
}

/** A second, separately evaluated copy of this module: what two installed copies of the package look like. */
async function loadAnotherCopy(): Promise<typeof import('./errors.js')> {
  const specifier = './errors.js?another-copy';
  return (await import(/* @vite-ignore */ specifier)) as typeof import('./errors.js');
}

describe('hasErrorCode', () => {
  it('matches typed errors by code, not by class identity', () => {
    expect(hasErrorCode(new SampleError('x'), 'MP_ERR_SAMPLE')).toBe(true);
    expect(hasErrorCode({ code: 'MP_ERR_SAMPLE' }, 'MP_ERR_SAMPLE')).toBe(true);
  });

  it('rejects other codes and non-objects', () => {
    expect(hasErrorCode(new SampleError('x'), 'MP_ERR_OTHER')).toBe(false);
    expect(hasErrorCode(new Error('plain'), 'MP_ERR_SAMPLE')).toBe(false);
    expect(hasErrorCode(null, 'MP_ERR_SAMPLE')).toBe(false);
    expect(hasErrorCode('MP_ERR_SAMPLE', 'MP_ERR_SAMPLE')).toBe(false);
  });
});

describe('instanceof across package copies', () => {
  it('recognises an error thrown by another copy of the package', async () => {
    const copy = await loadAnotherCopy();
    expect(copy.SubjectNotInStreamError).not.toBe(SubjectNotInStreamError);
    const foreign = new copy.SubjectNotInStreamError('md.x', 'TRADES');
    expect(Object.getPrototypeOf(foreign)).not.toBe(SubjectNotInStreamError.prototype);
    expect(foreign instanceof SubjectNotInStreamError).toBe(true);
    expect(foreign instanceof MarketpipeError).toBe(true);
    expect(new SubjectNotInStreamError('a', 'S') instanceof copy.SubjectNotInStreamError).toBe(true);
    expect(new SampleError('x') instanceof copy.MarketpipeError).toBe(true);
  });

  it('does not confuse kinds, plain errors or look-alike objects', async () => {
    const copy = await loadAnotherCopy();
    expect(new copy.JournalOpenError('x') instanceof SubjectNotInStreamError).toBe(false);
    expect(new SampleError('x') instanceof InvalidArgumentError).toBe(false);
    expect(new Error('MP_ERR_SUBJECT_NOT_IN_STREAM') instanceof SubjectNotInStreamError).toBe(false);
    // A bare object with the right code is not an error of the kind; hasErrorCode still matches it by code.
    expect({ code: 'MP_ERR_SUBJECT_NOT_IN_STREAM' } instanceof SubjectNotInStreamError).toBe(false);
    expect(new Error('x') instanceof MarketpipeError).toBe(false);
    expect((undefined as unknown) instanceof SubjectNotInStreamError).toBe(false);
    expect((null as unknown) instanceof MarketpipeError).toBe(false);
  });

  it('keeps subclass relations: a subclass of a kind is an instance of that kind', () => {
    class DetailedSampleError extends SampleError {}
    expect(new DetailedSampleError('x') instanceof SampleError).toBe(true);
    expect(new SampleError('x') instanceof DetailedSampleError).toBe(false);
  });
});

describe('SubjectNotInStreamError', () => {
  it('carries the subject, the stream, a stable code and the cause', () => {
    const cause = new Error('root');
    const err = new SubjectNotInStreamError('md.other', 'TRADES', { cause });
    expect(err).toBeInstanceOf(MarketpipeError);
    expect(err.name).toBe('SubjectNotInStreamError');
    expect(err.code).toBe('MP_ERR_SUBJECT_NOT_IN_STREAM');
    expect(err.subject).toBe('md.other');
    expect(err.stream).toBe('TRADES');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe(`subject "md.other" is not captured by stream 'TRADES'`);
  });
});

describe('journal errors', () => {
  const cause = new Error('socket closed');
  const cases = [
    [
      new SequenceEvictedError(3, 9, { cause }),
      SequenceEvictedError,
      'SequenceEvictedError',
      'MP_ERR_SEQUENCE_EVICTED',
    ],
    [
      new JournalClosedError('append', { cause }),
      JournalClosedError,
      'JournalClosedError',
      'MP_ERR_JOURNAL_CLOSED',
    ],
    [
      new InvalidArgumentError('bad', { cause }),
      InvalidArgumentError,
      'InvalidArgumentError',
      'MP_ERR_INVALID_ARGUMENT',
    ],
    [
      new JournalPayloadTooLargeError(10, 5, { cause }),
      JournalPayloadTooLargeError,
      'JournalPayloadTooLargeError',
      'MP_ERR_JOURNAL_PAYLOAD_TOO_LARGE',
    ],
    [
      new JournalAppendError('a.b', 'p-1', { cause }),
      JournalAppendError,
      'JournalAppendError',
      'MP_ERR_JOURNAL_APPEND',
    ],
    [new JournalOpenError('nope', { cause }), JournalOpenError, 'JournalOpenError', 'MP_ERR_JOURNAL_OPEN'],
  ] as const;

  it.each(cases)(
    '%s has its name, code and cause, and instanceof matches its kind only',
    (err, type, name, code) => {
      expect(err).toBeInstanceOf(MarketpipeError);
      expect(err.name).toBe(name);
      expect(err.code).toBe(code);
      expect(type.code).toBe(code);
      expect(err.cause).toBe(cause);
      expect(err instanceof type).toBe(true);
      expect(hasErrorCode({ code }, code)).toBe(true);
      expect(new Error(code) instanceof type).toBe(false);
      for (const [other, otherType] of cases) if (other !== err) expect(err instanceof otherType).toBe(false);
    },
  );

  it('carries the details a caller needs to react', () => {
    expect(new SequenceEvictedError(3, 9)).toMatchObject({ sequence: 3, firstSequence: 9 });
    expect(new JournalAppendError('a.b', 'p-1', { cause }).message).toContain('socket closed');
    expect(new JournalAppendError('a.b', 'p-1')).toMatchObject({ subject: 'a.b', msgId: 'p-1' });
    expect(new JournalPayloadTooLargeError(10, 5)).toMatchObject({ size: 10, limit: 5 });
  });
});

describe('shared validators', () => {
  function caught(run: () => unknown): unknown {
    try {
      run();
    } catch (err) {
      return err;
    }
    throw new Error('expected a throw');
  }

  it('checkInteger accepts safe integers in range and names the argument otherwise', () => {
    expect(checkInteger('n', 3, 1, 5)).toBe(3);
    expect(checkInteger('n', 1, 1)).toBe(1);
    for (const bad of [0, 6, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      const err = caught(() => checkInteger('n', bad, 1, 5));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).argument).toBe('n');
      expect((err as InvalidArgumentError).message).toMatch(/^n must be an integer in 1\.\.5, got /);
    }
    expect((caught(() => checkInteger('count', -1, 0)) as Error).message).toBe(
      'count must be an integer >= 0, got -1',
    );
  });

  it('checkNumber accepts finite numbers in range, with an exclusive minimum when asked', () => {
    expect(checkNumber('x', 0, 0)).toBe(0);
    expect(checkNumber('x', 0.5, 0, 1)).toBe(0.5);
    expect(caught(() => checkNumber('x', 0, 0, Number.MAX_VALUE, true))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => checkNumber('x', Number.NaN, 0))).toBeInstanceOf(InvalidArgumentError);
    expect(caught(() => checkNumber('x', Number.POSITIVE_INFINITY, 0))).toBeInstanceOf(InvalidArgumentError);
    expect((caught(() => checkNumber('speed', 0, 0, Number.MAX_VALUE, true)) as Error).message).toBe(
      'speed must be a finite number > 0, got 0',
    );
  });

  it('checkOneOf accepts the listed values and lists them otherwise', () => {
    expect(checkOneOf('backend', 'json', ['scanner', 'json'])).toBe('json');
    const err = caught(() => checkOneOf('backend', 'xml', ['scanner', 'json']));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe('unknown backend "xml": expected one of scanner, json');
    expect((err as InvalidArgumentError).argument).toBe('backend');
  });
});

describe('InvalidArgumentError.argument outside the shared validators', () => {
  function argumentOf(run: () => unknown): string | undefined {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      return (err as InvalidArgumentError).argument;
    }
    throw new Error('expected a throw');
  }

  it('names the parameter or option the caller passed', () => {
    const recorder = new LatencyRecorder();
    expect(argumentOf(() => recorder.percentile(101))).toBe('p');
    expect(argumentOf(() => recorder.countsAtOrBelow([10, 5]))).toBe('boundsNanos');
    expect(argumentOf(() => recorder.merge(new LatencyRecorder({ significantDigits: 2 })))).toBe('other');
    expect(
      argumentOf(() => new LatencyRecorder({ lowestDiscernibleNanos: 2 ** 30, significantDigits: 5 })),
    ).toBe('lowestDiscernibleNanos');
    expect(argumentOf(() => new MonotonicClock({ reanchorIntervalMs: -1 }))).toBe('reanchorIntervalMs');
    expect(argumentOf(() => MonotonicClock.attach(new SharedArrayBuffer(3)))).toBe('sharedAnchor');
    const manual = new ManualClock({ monoNanos: Number.MAX_SAFE_INTEGER - 1 });
    expect(argumentOf(() => manual.advance(-1))).toBe('nanos');
    expect(argumentOf(() => manual.advance(2))).toBe('nanos');
    const bytes = new Uint8Array(4);
    const interner = new Interner();
    expect(argumentOf(() => interner.lookupBytes(bytes, -1, 2))).toBe('start');
    expect(argumentOf(() => interner.lookupBytes(bytes, 0, 5))).toBe('end');
    expect(argumentOf(() => interner.internBytes(bytes, 3, 1))).toBe('end');
  });
});
