/**
 * Replay files of numbered Binance trade messages: the trade id `t` is the
 * message's number, so a recording shows exactly which messages entered the
 * ring, how often and in which order.
 */
import { writeFileSync } from 'node:fs';

/** One combined-stream Binance trade message whose trade id is `n`. */
export function numberedTrade(n: number, symbol = 'BTCUSDT'): string {
  const price = (40_000 + (n % 1000) / 4).toFixed(2);
  return (
    `{"stream":"${symbol.toLowerCase()}@trade","data":{"e":"trade","E":1736000000000,"s":"${symbol}",` +
    `"t":${n},"p":"${price}","q":"0.01","T":1736000000000,"m":${n % 2 === 0},"M":true}}`
  );
}

/**
 * Writes the messages numbered `first .. first + count - 1`, one per line, to `path`.
 *
 * @example
 * ```ts
 * writeNumberedReplay('/tmp/round-3.jsonl', 3_000_001, 20_000);
 * ```
 */
export function writeNumberedReplay(path: string, first: number, count: number): void {
  const lines: string[] = [];
  for (let n = first; n < first + count; n++) lines.push(numberedTrade(n));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The trade id of a recorded numbered message (`-1` when the line is not one). */
export function numberOf(line: string): number {
  const match = /"t":(\d+),/.exec(line);
  return match?.[1] === undefined ? -1 : Number(match[1]);
}
