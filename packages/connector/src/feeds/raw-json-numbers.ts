/**
 * A JSON parse that keeps the digits of integers beyond 2^53, for the rare
 * message whose numeric trade id a double cannot hold (Node 20's `JSON.parse`
 * has no access to the source text of a number).
 *
 * The text, already known to be valid JSON, is rewritten token by token:
 * every number becomes the string `"#<digits>"` and every string value gets a
 * `$` prefix, so the two cannot be confused; a reviver then turns them back
 * into numbers, {@link RawJsonNumber}s and strings. Keys are left alone.
 */

/** An integer literal too large for a double, with its text as sent. */
export class RawJsonNumber {
  constructor(
    /** The number token exactly as it appeared in the message. */
    readonly text: string,
  ) {}
}

function isIntegerLiteral(text: string): boolean {
  return /^-?\d+$/.test(text);
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.charCodeAt(0) === 0x24) return value.slice(1);
  const text = value.slice(1);
  const number = Number(text);
  return isIntegerLiteral(text) && !Number.isSafeInteger(number) ? new RawJsonNumber(text) : number;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Parses `text` like `JSON.parse`, except that integer literals beyond 2^53
 * become {@link RawJsonNumber}. Throws `SyntaxError` exactly when `JSON.parse`
 * would.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  // Only valid JSON is rewritten: the rewrite could otherwise make invalid input valid (a bare number key).
  JSON.parse(text);
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      let k = j + 1;
      while (k < length && isWhitespace(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) !== 0x3a) {
        parts.push(text.slice(copied, i + 1), '$');
        copied = i + 1;
      }
      i = j + 1;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < length) {
        const d = text.charCodeAt(j);
        if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d))
          break;
        j++;
      }
      parts.push(text.slice(copied, i), '"#', text.slice(i, j), '"');
      copied = j;
      i = j;
    } else {
      i++;
    }
  }
  parts.push(text.slice(copied));
  return JSON.parse(parts.join(''), revive);
}
