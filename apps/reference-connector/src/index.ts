import { Command } from 'commander';

/** What {@link main} writes to; injectable so tests capture output. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Builds the `marketpipe` command-line program.
 *
 * @param io - where the commands print; defaults to stdout and stderr.
 */
export function createProgram(io: CliIo = defaultIo): Command {
  const program = new Command('marketpipe')
    .description(
      'marketpipe reference connector: venue trades in, Cap’n Proto out, every raw message recorded',
    )
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();

  program
    .command('run')
    .description('run the connector (default source: the built-in simulator, in-memory transport)')
    .action(() => {
      io.out('marketpipe run: the connector pipeline is not assembled yet; nothing to run.');
    });

  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and resolves to
 * the process exit code.
 *
 * @example
 * ```ts
 * import { main } from '@marketpipe/reference-connector';
 * process.exitCode = await main(['run']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    const exitCode = (err as { exitCode?: unknown }).exitCode;
    return typeof exitCode === 'number' ? exitCode : 1;
  }
}
