/**
 * NATS subject rules, checked on our side so a bad subject fails with a typed
 * error before anything reaches a transport (nats.js would send it and let the
 * server drop the connection or silently never match).
 *
 * Rules: tokens separated by `.`, no empty token, no whitespace or control
 * character. `*` (one token) and `>` (one or more trailing tokens) are
 * wildcards only in subscription patterns and only as a whole token; `>` must
 * be the last token. A token such as `a*` is legal in NATS but almost always a
 * typo, so it is rejected here too.
 *
 * The checks scan char codes in place and allocate nothing unless they fail,
 * so they are safe on a publish path.
 */
import { InvalidSubjectError } from '../errors.js';

/** Which subject rule was broken; carried by {@link InvalidSubjectError}. */
export type SubjectProblem =
  | 'empty'
  | 'empty-token'
  | 'whitespace'
  | 'control-character'
  | 'wildcard-in-publish'
  | 'partial-wildcard'
  | 'full-wildcard-not-last';

const DOT = 46;
const STAR = 42;
const GT = 62;

/** Same set as the regular-expression class `\s`, so no Unicode space slips into a subject. */
function isWhitespace(code: number): boolean {
  if (code < 0x80) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isControl(code: number): boolean {
  return code < 32 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Returns the first rule `subject` breaks, or `undefined` when it is valid.
 * Never throws and never allocates; used by the `validate*` functions and by
 * transports that want to count rather than throw.
 *
 * @param allowWildcards true for subscription patterns, false for publish subjects.
 */
export function findSubjectProblem(subject: string, allowWildcards: boolean): SubjectProblem | undefined {
  const length = subject.length;
  if (length === 0) return 'empty';
  let tokenStart = 0;
  let wildcardInToken = false;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? DOT : subject.charCodeAt(i);
    if (code === DOT) {
      if (i === tokenStart) return 'empty-token';
      if (wildcardInToken) {
        if (i - tokenStart !== 1) return 'partial-wildcard';
        if (!allowWildcards) return 'wildcard-in-publish';
        if (subject.charCodeAt(tokenStart) === GT && i !== length) return 'full-wildcard-not-last';
        wildcardInToken = false;
      }
      tokenStart = i + 1;
    } else if (code === STAR || code === GT) {
      wildcardInToken = true;
    } else if (isWhitespace(code)) {
      return 'whitespace';
    } else if (isControl(code)) {
      return 'control-character';
    }
  }
  return undefined;
}

/**
 * Throws {@link InvalidSubjectError} unless `subject` is a concrete subject
 * one can publish to (no wildcards).
 *
 * @example
 * ```ts
 * validatePublishSubject('trades.binance.BTCUSDT'); // ok
 * validatePublishSubject('trades.*');               // throws, reason 'wildcard-in-publish'
 * ```
 */
export function validatePublishSubject(subject: string): void {
  const problem = findSubjectProblem(subject, false);
  if (problem !== undefined) throw new InvalidSubjectError(subject, problem);
}

/**
 * Throws {@link InvalidSubjectError} unless `pattern` is a valid subscription
 * pattern (concrete tokens, whole-token `*`, and `>` as the last token).
 *
 * @example
 * ```ts
 * validateSubscribePattern('trades.*.BTCUSDT'); // ok
 * validateSubscribePattern('trades.>.x');       // throws, reason 'full-wildcard-not-last'
 * ```
 */
export function validateSubscribePattern(pattern: string): void {
  const problem = findSubjectProblem(pattern, true);
  if (problem !== undefined) throw new InvalidSubjectError(pattern, problem);
}

function tokenEnd(text: string, from: number): number {
  const dot = text.indexOf('.', from);
  return dot === -1 ? text.length : dot;
}

/**
 * True when the concrete `subject` matches the subscription `pattern` with
 * NATS semantics. Both are assumed valid (see the `validate*` functions);
 * compares tokens in place without splitting, so it allocates nothing.
 *
 * @example
 * ```ts
 * subjectMatches('trades.*', 'trades.btc');     // true
 * subjectMatches('trades.*', 'trades.btc.usd'); // false
 * subjectMatches('trades.>', 'trades.btc.usd'); // true
 * ```
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const patternLength = pattern.length;
  const subjectLength = subject.length;
  let p = 0;
  let s = 0;
  for (;;) {
    // The pattern still has a token but the subject has run out.
    if (s > subjectLength) return false;
    const pEnd = tokenEnd(pattern, p);
    const sEnd = tokenEnd(subject, s);
    const pLength = pEnd - p;
    if (pLength === 1 && pattern.charCodeAt(p) === GT) return true;
    if (pLength !== 1 || pattern.charCodeAt(p) !== STAR) {
      if (pLength !== sEnd - s) return false;
      for (let i = 0; i < pLength; i++) {
        if (pattern.charCodeAt(p + i) !== subject.charCodeAt(s + i)) return false;
      }
    }
    p = pEnd + 1;
    s = sEnd + 1;
    if (p > patternLength) return s > subjectLength;
  }
}

/**
 * True when every subject `pattern` matches is also matched by `covering`
 * (both valid patterns), by the NATS token rules: `>` covers one or more
 * remaining tokens, `*` any one token, a literal only itself.
 *
 * @example
 * ```ts
 * subjectPatternCovers('prod.>', 'prod.binance.trade.*');         // true
 * subjectPatternCovers('prod.*.trade.*', 'prod.binance.trade.>'); // false: '>' spans several tokens
 * subjectPatternCovers('prod.binance.trade.BTC', 'prod.binance.trade.*'); // false
 * ```
 */
export function subjectPatternCovers(covering: string, pattern: string): boolean {
  const cover = covering.split('.');
  const wanted = pattern.split('.');
  for (let i = 0; i < wanted.length; i++) {
    const c = cover[i];
    const w = wanted[i];
    if (c === undefined) return false;
    if (c === '>') return true;
    if (w === '>') return false;
    if (c !== '*' && (w === '*' || c !== w)) return false;
  }
  return cover.length === wanted.length;
}

/** True when `pattern` contains a `*` or `>` wildcard token (assumes a valid pattern). */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('>');
}
