/**
 * The one rule that turns a venue ticker into a NATS subject token, and the
 * validation of the `env` and `venue` names that prefix every subject.
 *
 * Rule, applied per character of the ticker:
 * - `A-Z`, `a-z`, `0-9`, `-` and `_` are kept;
 * - `/` becomes `-` (`BTC/USD` -> `BTC-USD`, the usual pair separator);
 * - every other printable ASCII character (`.`, `*`, `>`, `:`, ...), whitespace and control characters become `_`;
 * - every non-ASCII code point becomes `_` followed by its code point in upper-case hex and `_`
 *   (`币` -> `_5E01_`), so distinct unicode tickers stay distinct;
 * - an empty ticker becomes `_`.
 *
 * The result can never contain a `.`, a wildcard or whitespace, so a ticker can never add a subject token or
 * widen a subscription. The mapping is not injective (`BTC.USD` and `BTC_USD` both give `BTC_USD`): the
 * {@link Publisher} detects such collisions and reports them instead of sharing a subject silently.
 */
import { InvalidNameError } from '../errors.js';

const KEEP = /^[A-Za-z0-9_-]$/;

/** Maps a venue ticker to a subject token by the rule documented in this module. */
export function tickerToSubjectToken(ticker: string): string {
  if (ticker.length === 0) return '_';
  let out = '';
  for (const ch of ticker) {
    const cp = ch.codePointAt(0) ?? 0;
    if (KEEP.test(ch)) out += ch;
    else if (ch === '/') out += '-';
    else if (cp < 0x80) out += '_';
    else out += `_${cp.toString(16).toUpperCase()}_`;
  }
  return out;
}

const NAME = /^[a-z0-9_-]{1,64}$/;

/**
 * Validates an `env` or `venue` name: 1-64 characters from `[a-z0-9_-]`. The
 * same rule keeps a venue name safe as a directory name under the data dir.
 *
 * @throws InvalidNameError when the name does not match.
 */
export function validateName(kind: 'env' | 'venue', value: string): string {
  if (!NAME.test(value)) throw new InvalidNameError(kind, value);
  return value;
}
