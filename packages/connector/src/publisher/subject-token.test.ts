import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../errors.js';
import { tickerToSubjectToken, validateName } from './subject-token.js';

describe('tickerToSubjectToken', () => {
  it('maps the pair separator and keeps plain tickers', () => {
    expect(tickerToSubjectToken('BTC/USD')).toBe('BTC-USD');
    expect(tickerToSubjectToken('BTCUSDT')).toBe('BTCUSDT');
    expect(tickerToSubjectToken('BTC-28APR23-29500-C')).toBe('BTC-28APR23-29500-C');
    expect(tickerToSubjectToken('AAPLx/USD')).toBe('AAPLx-USD');
  });

  it('maps separators, wildcards, whitespace and control characters to _', () => {
    expect(tickerToSubjectToken('a.b*c>d e\tf\0g')).toBe('a_b_c_d_e_f_g');
    expect(tickerToSubjectToken('../etc')).toBe('__-etc');
    expect(tickerToSubjectToken('')).toBe('_');
  });

  it('keeps distinct unicode tickers distinct', () => {
    expect(tickerToSubjectToken('这是测试币456')).toBe('_8FD9__662F__6D4B__8BD5__5E01_456');
    expect(tickerToSubjectToken('这是测试币456')).not.toBe(tickerToSubjectToken('其是测试币456'));
  });

  it('never yields a token that could add a subject level or a wildcard', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (ticker) => {
        const token = tickerToSubjectToken(ticker);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('validateName', () => {
  it('accepts lower-case names', () => {
    expect(validateName('env', 'prod')).toBe('prod');
    expect(validateName('venue', 'binance_us-2')).toBe('binance_us-2');
  });

  it.each(['', 'Prod', 'a.b', 'a*', '>', 'a b', '../x', 'x\0', 'x'.repeat(65)])('rejects %j', (name) => {
    expect(() => validateName('venue', name)).toThrow(InvalidNameError);
    try {
      validateName('env', name);
    } catch (err) {
      expect(err instanceof InvalidNameError).toBe(true);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err).toMatchObject({ code: 'MP_ERR_INVALID_NAME', argument: 'env' });
    }
  });
});
