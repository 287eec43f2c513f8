/**
 * What `marketpipe` says to someone who does not know its commands yet: the
 * usage for `marketpipe` alone, `help <command>` for any command, and for an
 * unknown command the nearest one. Commander answers the rest (`--help`, a
 * misspelt option).
 */
import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { ExitCode } from './exit-codes.js';

const FIRST_STEPS = `
First steps:
  marketpipe run          trade a simulated Binance market; Ctrl-C stops and prints the summary
  marketpipe help run     every option of run (flags, MARKETPIPE_* variables, config file)
  marketpipe subscribe    print the trades (and books) of a run started with --transport nats://127.0.0.1:4222`;

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

function unknownCommand(word: string, names: readonly string[], context: CliContext): number {
  const nearest = nearestCommand(word, names);
  context.stderr.write(
    `marketpipe: unknown command '${word}'.${nearest === undefined ? '' : ` Did you mean '${nearest}'?`}\n` +
      `Commands: ${names.join(', ')}. See 'marketpipe help <command>'.\n`,
  );
  return ExitCode.usage;
}

/**
 * Adds the first steps to the top-level help, then answers what needs no
 * command to run: `marketpipe` alone prints the usage (exit 0), `help` with
 * an unknown command and an unknown command say which command was meant
 * (exit 2). Returns `undefined` when commander should parse `argv`.
 */
export function answerHelp(
  program: Command,
  argv: readonly string[],
  context: CliContext,
): number | undefined {
  program.addHelpText('after', FIRST_STEPS);
  const names = program.commands.map((command) => command.name());
  const [first, second] = argv;
  if (first === undefined) {
    program.outputHelp();
    return ExitCode.ok;
  }
  if (first === 'help') {
    return second === undefined || second.startsWith('-') || names.includes(second)
      ? undefined
      : unknownCommand(second, names, context);
  }
  if (!first.startsWith('-') && !names.includes(first)) return unknownCommand(first, names, context);
  return undefined;
}
