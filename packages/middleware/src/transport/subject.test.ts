import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../errors.js';
import {
  findSubjectProblem,
  subjectMatches,
  subjectPatternCovers,
  validatePublishSubject,
  validateSubscribePattern,
} from './subject.js';

/** Reference matcher written the obvious (allocating) way, to check the in-place one against. */
function referenceMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

const token = fc.constantFrom('a', 'b', 'ab', 'trades', 'BTC-USD', 'é', '1');
const subjectArb = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join('.'));
const patternArb = fc
  .tuple(fc.array(fc.oneof(token, fc.constant('*')), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([tokens, tail]) => (tail ? [...tokens, '>'] : tokens).join('.'));

describe('subject rules', () => {
  it.each([
    ['a', undefined],
    ['trades.binance.BTCUSDT', undefined],
    ['a-b_c.é.123', undefined],
    ['', 'empty'],
    ['.a', 'empty-token'],
    ['a.', 'empty-token'],
    ['a..b', 'empty-token'],
    ['a b', 'whitespace'],
    ['a\nb', 'whitespace'],
    ['a\u00a0b', 'whitespace'],
    ['a\u3000b', 'whitespace'],
    ['a\u0001b', 'control-character'],
    ['a\u007fb', 'control-character'],
    ['a.*', 'wildcard-in-publish'],
    ['>', 'wildcard-in-publish'],
    ['a*', 'partial-wildcard'],
    ['a.b>', 'partial-wildcard'],
  ])('publish subject %j -> %s', (subject, problem) => {
    expect(findSubjectProblem(subject, false)).toBe(problem);
  });

  it.each([
    ['a.*.c', undefined],
    ['>', undefined],
    ['*', undefined],
    ['a.>', undefined],
    ['*.*.>', undefined],
    ['a.>.c', 'full-wildcard-not-last'],
    ['>.a', 'full-wildcard-not-last'],
    ['a.**', 'partial-wildcard'],
    ['a.*b', 'partial-wildcard'],
    ['a..*', 'empty-token'],
  ])('subscribe pattern %j -> %s', (pattern, problem) => {
    expect(findSubjectProblem(pattern, true)).toBe(problem);
  });

  it('throws InvalidSubjectError carrying subject and reason', () => {
    let caught: unknown;
    try {
      validatePublishSubject('a.*');
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof InvalidSubjectError).toBe(true);
    expect(caught).toMatchObject({
      name: 'InvalidSubjectError',
      code: 'MP_ERR_INVALID_SUBJECT',
      subject: 'a.*',
      reason: 'wildcard-in-publish',
    });
    expect(() => validateSubscribePattern('a.*')).not.toThrow();
    expect(() => validateSubscribePattern('a.>.b')).toThrow(InvalidSubjectError);
    expect(new Error('x') instanceof InvalidSubjectError).toBe(false);
  });

  it('accepts every generated valid subject and pattern', () => {
    fc.assert(
      fc.property(subjectArb, patternArb, (subject, pattern) => {
        expect(findSubjectProblem(subject, false)).toBeUndefined();
        expect(findSubjectProblem(pattern, true)).toBeUndefined();
      }),
    );
  });

  it('never throws on arbitrary strings and only accepts what it should', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        if (findSubjectProblem(text, true) !== undefined) return true;
        const tokens = text.split('.');
        const wildcardsWhole = tokens.every(
          (t, i) => !/[*>]/.test(t) || t === '*' || (t === '>' && i === tokens.length - 1),
        );
        const noControl = [...text].every((ch) => {
          const code = ch.codePointAt(0) ?? 0;
          return code >= 0x20 && !(code >= 0x7f && code <= 0x9f);
        });
        return tokens.every((t) => t.length > 0) && !/\s/.test(text) && noControl && wildcardsWhole;
      }),
    );
  });
});

describe('subjectMatches', () => {
  it.each([
    ['a.b', 'a.b', true],
    ['a.b', 'a.bc', false],
    ['a.b', 'a', false],
    ['a', 'a.b', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['*', 'x', true],
    ['a.>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['>', 'a.b', true],
    ['*.b.>', 'x.b.c', true],
    ['*.b.>', 'x.c.c', false],
  ])('%s vs %s -> %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  it('agrees with a split-based reference on random subjects and patterns', () => {
    fc.assert(
      fc.property(patternArb, subjectArb, (pattern, subject) => {
        expect(subjectMatches(pattern, subject)).toBe(referenceMatches(pattern, subject));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('subjectPatternCovers', () => {
  it.each([
    ['dev.kraken.trade.>', 'dev.kraken.trade.*', true],
    ['dev.*.trade.*', 'dev.kraken.trade.*', true],
    ['>', 'dev.kraken.trade.*', true],
    ['dev.>', 'dev.kraken.trade.>', true],
    ['dev.kraken.trade.*', 'dev.kraken.trade.>', false],
    ['dev.kraken.trade.BTC', 'dev.kraken.trade.*', false],
    ['dev.kraken.*', 'dev.kraken.trade.*', false],
    ['dev.kraken.trade.*.x', 'dev.kraken.trade.*', false],
    ['prod.>', 'dev.kraken.trade.*', false],
    ['a.b', 'a.b', true],
  ])('%s covers %s -> %s', (covering, pattern, expected) => {
    expect(subjectPatternCovers(covering, pattern)).toBe(expected);
  });

  it('when it says covered, every subject the pattern matches is matched by the covering pattern', () => {
    const instance = (pattern: string, fill: string[]): string =>
      pattern
        .split('.')
        .map((token, i) => (token === '*' ? fill[i % fill.length] : token === '>' ? fill.join('.') : token))
        .join('.');
    const fillArb = fc.array(fc.constantFrom('a', 'b', 'x', 'zz'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(patternArb, patternArb, fillArb, (covering, pattern, fill) => {
        if (!subjectPatternCovers(covering, pattern)) return;
        const subject = instance(pattern, fill);
        expect(subjectMatches(pattern, subject)).toBe(true);
        expect(subjectMatches(covering, subject)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });
});
