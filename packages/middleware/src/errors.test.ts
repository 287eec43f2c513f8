import { describe, expect, it } from 'vitest';
import { hasErrorCode, MarketpipeError } from './errors.js';

class SampleError extends MarketpipeError {
  override readonly name = 'SampleError' as const;
  readonly code = 'ERR_SAMPLE' as const;
}

describe('hasErrorCode', () => {
  it('matches typed errors by code, not by class identity', () => {
    expect(hasErrorCode(new SampleError('x'), 'ERR_SAMPLE')).toBe(true);
    expect(hasErrorCode({ code: 'ERR_SAMPLE' }, 'ERR_SAMPLE')).toBe(true);
  });

  it('rejects other codes and non-objects', () => {
    expect(hasErrorCode(new SampleError('x'), 'ERR_OTHER')).toBe(false);
    expect(hasErrorCode(new Error('plain'), 'ERR_SAMPLE')).toBe(false);
    expect(hasErrorCode(null, 'ERR_SAMPLE')).toBe(false);
    expect(hasErrorCode('ERR_SAMPLE', 'ERR_SAMPLE')).toBe(false);
  });
});
