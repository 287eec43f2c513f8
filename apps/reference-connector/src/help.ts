/**
 * What `marketpipe` says to someone who mistyped a name: the command (or
 * flag) it most likely meant.
 */

/** Edit distance with adjacent transpositions (`cta` is one step from `cat`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The command `word` was most likely meant to be: one it starts, else the
 * closest by edit distance when that is at most a third of the name (plus
 * one); `undefined` when nothing is close.
 *
 * @example
 * ```ts
 * nearestCommand('subscibe', ['run', 'cat', 'verify', 'subscribe']); // 'subscribe'
 * nearestCommand('frobnicate', ['run', 'cat']); // undefined
 * ```
 */
export function nearestCommand(word: string, commands: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length >= 2) {
    const started = commands.find((name) => name.startsWith(lower));
    if (started !== undefined) return started;
  }
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of commands) {
    const distance = editDistance(lower, name);
    if (distance < bestDistance && distance <= Math.floor(name.length / 3) + 1) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * The message for an unknown command `word`: the nearest of `names`, if any,
 * and the list of them all.
 *
 * @example
 * ```ts
 * unknownCommandMessage('subscibe', ['run', 'subscribe']);
 * // "marketpipe: unknown command 'subscibe'. Did you mean 'subscribe'?\nCommands: run, subscribe. ..."
 * ```
 */
export function unknownCommandMessage(word: string, names: readonly string[]): string {
  const nearest = nearestCommand(word, names);
  return (
    `marketpipe: unknown command '${word}'.${nearest === undefined ? '' : ` Did you mean '${nearest}'?`}\n` +
    `Commands: ${names.join(', ')}. See 'marketpipe help <command>'.\n`
  );
}
