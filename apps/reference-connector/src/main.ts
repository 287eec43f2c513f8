/**
 * The `marketpipe` program: commander wiring for `run`, `cat`, `verify` and
 * `subscribe`, and the mapping of failures to exit codes. Option values are
 * resolved by the `options/` modules, not by commander, so flags, environment
 * variables and the config file follow one precedence with one set of errors.
 */
import { isAbsolute, resolve } from 'node:path';
import { hasErrorCode } from '@marketpipe/middleware/errors';
import { Command, CommanderError, Option } from 'commander';
import { type CliContext, processContext } from './cli-context.js';
import { ConfigFileError, InvalidOptionError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';
import { answerHelp } from './help.js';
import { type ConfigFile, loadConfigFile } from './options/config-file.js';
import { integerFlag, OptionReader, type OptionSources } from './options/option-reader.js';
import type { LogLevel } from './options/run-config.js';
import { CONFIG_ENV_VAR, RUN_OPTIONS, type RunOptionKey, runOption } from './options/run-option-table.js';
import { VENUE_CHOICES } from './options/venue-defaults.js';
import { checkDate, checkVenue } from './records/record-options.js';
import { LOG_FORMATS, type LogFormat } from './run/pretty-log.js';
import { parseReaderStart } from './subscribe/reader-start.js';
import type { SubscribeOptions } from './subscribe/subscribe-command.js';
import { INLINING_BUDGET_BYTES, INLINING_BUDGET_FLAG, V8_TUNING_ENV_VAR } from './v8-tuning.js';

const SUBSCRIBE_KEYS: readonly RunOptionKey[] = [
  'transport',
  'natsUser',
  'natsPass',
  'natsToken',
  'natsNkeySeed',
  'natsCreds',
  'natsTls',
  'natsCa',
  'natsCert',
  'natsKey',
  'natsConnectTimeout',
  'duration',
  'logLevel',
  'logFormat',
];

const EXIT_CODES_HELP = `
Exit codes:
  0  clean: nothing lost or dropped
  1  error (could not connect, pipeline failure, unwritable summary, data dir in use)
  2  invalid option, environment variable or config file
  3  finished, but something was lost or dropped (see the summary's lossReasons)
  130  forced exit by a second Ctrl-C

Every option can also be set as an environment variable (MARKETPIPE_ + the flag in
upper snake case, e.g. MARKETPIPE_NATS_PASS) or as a camelCase key of the --config
JSON file. Precedence: flags > environment > config file > defaults.

The process raises V8's inlining budget for the hot path (--${INLINING_BUDGET_FLAG}=${INLINING_BUDGET_BYTES});
${V8_TUNING_ENV_VAR}=off leaves V8's defaults.`;

function addTableOption(command: Command, key: RunOptionKey): void {
  const spec = runOption(key);
  const flags = spec.valueName === undefined ? spec.flag : `${spec.flag} ${spec.valueName}`;
  command.addOption(new Option(flags, `${spec.description} [${spec.envVar}]`));
}

function addConfigOption(command: Command): void {
  command.addOption(
    new Option('--config <file>', `JSON file of options (camelCase keys) [${CONFIG_ENV_VAR}]`),
  );
}

/** Flags, environment and config file of a command invocation. */
function optionSources(flags: Record<string, unknown>, context: CliContext): OptionSources {
  const configPath = typeof flags.config === 'string' ? flags.config : nonEmpty(context.env[CONFIG_ENV_VAR]);
  const file: ConfigFile | undefined =
    configPath === undefined ? undefined : loadConfigFile(configPath, context.cwd);
  const given: Partial<Record<RunOptionKey, string | boolean>> = {};
  for (const spec of RUN_OPTIONS) {
    const value = flags[spec.key];
    if (typeof value === 'string' || typeof value === 'boolean') given[spec.key] = value;
  }
  return { flags: given, env: context.env, file, cwd: context.cwd };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function absolute(path: string, context: CliContext): string {
  return isAbsolute(path) ? path : resolve(context.cwd, path);
}

/**
 * Builds the `marketpipe` commander program. Each action stores its exit
 * code through `setExitCode`; errors propagate to {@link main}.
 */
export function createProgram(context: CliContext, setExitCode: (code: number) => void): Command {
  const program = new Command('marketpipe')
    .description(
      'marketpipe reference connector: venue trades in, Cap’n Proto out, every raw message recorded',
    )
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .exitOverride();

  const run = program
    .command('run')
    .description('run the connector (default: the built-in simulator, in-memory transport, ./data)');
  addConfigOption(run);
  for (const spec of RUN_OPTIONS) addTableOption(run, spec.key);
  run.addHelpText('after', EXIT_CODES_HELP).action(async (flags: Record<string, unknown>) => {
    // Each command's modules load when it runs, so `--help` and the other commands do not pay for them.
    const [{ resolveRunConfig }, { runCommand }] = await Promise.all([
      import('./options/run-config.js'),
      import('./run/run-command.js'),
    ]);
    const config = resolveRunConfig(new OptionReader(optionSources(flags, context)), context.cwd);
    setExitCode(await runCommand(config, context));
  });

  program
    .command('cat')
    .description('print the recorded raw messages of a venue, one per line, exactly as received')
    .option('--data-dir <dir>', 'data directory', 'data')
    .requiredOption('--venue <venue>', VENUE_CHOICES)
    .option('--date <YYYY-MM-DD>', 'one UTC day (default: every day, oldest first)')
    .addHelpText(
      'after',
      '\nExit codes: 0 all printed, 1 error, 2 invalid option, 3 damaged bytes skipped (listed on stderr).',
    )
    .action(async (flags: { dataDir: string; venue: string; date?: string }) => {
      const options = {
        dataDir: absolute(flags.dataDir, context),
        venue: checkVenue(flags.venue),
        date: flags.date === undefined ? undefined : checkDate(flags.date),
      };
      const { catCommand } = await import('./records/cat-command.js');
      setExitCode(await catCommand(options, context));
    });

  program
    .command('verify')
    .description('check recordings: sequence continuity across files and days, damage, counts per file')
    .option('--data-dir <dir>', 'data directory', 'data')
    .option('--venue <venue>', 'check one venue (default: every venue found)')
    .addHelpText('after', '\nExit codes: 0 clean, 1 problems found or nothing to check, 2 invalid option.')
    .action(async (flags: { dataDir: string; venue?: string }) => {
      const venues = flags.venue === undefined ? undefined : [checkVenue(flags.venue)];
      const [{ verifyRecordings }, { formatVerifyReport }] = await Promise.all([
        import('./records/verify-recordings.js'),
        import('./records/verify-report-text.js'),
      ]);
      const report = verifyRecordings(absolute(flags.dataDir, context), venues);
      context.stdout.write(formatVerifyReport(report));
      setExitCode(report.clean ? ExitCode.ok : ExitCode.error);
    });

  const subscribe = program
    .command('subscribe')
    .description('print the trades and book updates a connector publishes, decoded, one line each')
    .option(
      '--subject <pattern>',
      'subject pattern, NATS wildcards allowed (default *.*.trade.>, with --book *.*.book.>)',
    )
    .option('--book', 'for book subjects, print the top of the book maintained from the updates')
    .option('--json', 'print JSON lines instead of text')
    .option('--count <n>', 'exit after this many trades or book updates')
    .option('--stream <name>', 'read this JetStream stream instead of subscribing live')
    .option('--from <point>', "with --stream: a sequence, an ISO-8601 time, 'first' (default) or 'new'")
    .option(
      '--durable <name>',
      'with --stream: a durable consumer; the next run with this name resumes after it',
    );
  addConfigOption(subscribe);
  for (const key of SUBSCRIBE_KEYS) addTableOption(subscribe, key);
  subscribe.action(async (flags: Record<string, unknown>) => {
    const reader = new OptionReader(optionSources(flags, context));
    const [{ LOG_LEVELS }, { readTransportConfig }, { subscribeCommand }] = await Promise.all([
      import('./options/run-config.js'),
      import('./options/transport-config.js'),
      import('./subscribe/subscribe-command.js'),
    ]);
    // An in-process transport would show nothing here, so subscribe defaults to a local broker.
    const { transport } = readTransportConfig(reader, 'nats://127.0.0.1:4222');
    setExitCode(
      await subscribeCommand(
        {
          transport,
          subject:
            typeof flags.subject === 'string'
              ? flags.subject
              : flags.book === true
                ? '*.*.book.>'
                : '*.*.trade.>',
          json: flags.json === true,
          book: flags.book === true,
          count: typeof flags.count === 'string' ? integerFlag('--count', flags.count, 1) : undefined,
          durationMs: reader.duration('duration'),
          logLevel: reader.oneOf<LogLevel>('logLevel', LOG_LEVELS) ?? 'info',
          logFormat: reader.oneOf<LogFormat>('logFormat', LOG_FORMATS),
          ...streamOptions(flags),
        },
        context,
      ),
    );
  });

  return program;
}

/** `subscribe --stream/--from/--durable`, checked: the last two only make sense with the first. */
function streamOptions(
  flags: Record<string, unknown>,
): Pick<SubscribeOptions, 'stream' | 'from' | 'durable'> {
  const { stream, from, durable } = flags as { stream?: string; from?: string; durable?: string };
  if (stream === undefined) {
    if (from !== undefined || durable !== undefined) {
      throw new InvalidOptionError(
        from !== undefined ? '--from' : '--durable',
        '--from and --durable need --stream',
      );
    }
    return {};
  }
  for (const [flag, value] of [
    ['--stream', stream],
    ['--durable', durable],
  ] as const) {
    if (value !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
      throw new InvalidOptionError(
        flag,
        `invalid ${flag} ${JSON.stringify(value)}: expected 1-64 characters from [A-Za-z0-9_-]`,
      );
    }
  }
  return {
    stream,
    ...(from !== undefined ? { from: parseReaderStart(from) } : {}),
    ...(durable !== undefined ? { durable } : {}),
  };
}

/** Connector errors that can only come from a bad `--venue` or `--date`. */
function isConnectorUsageError(err: unknown): boolean {
  return hasErrorCode(err, 'MP_ERR_INVALID_VENUE') || hasErrorCode(err, 'MP_ERR_INVALID_DAY');
}

function exitCodeOf(err: unknown, context: CliContext): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or the help).
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  context.stderr.write(`marketpipe: ${message}\n`);
  if (err instanceof InvalidOptionError || err instanceof ConfigFileError || isConnectorUsageError(err))
    return ExitCode.usage;
  return ExitCode.error;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and resolves
 * to the process exit code (see the README's exit-code table). Never calls
 * `process.exit` itself, except through `context.forceExit` on a second Ctrl-C.
 *
 * @example
 * ```ts
 * import { main } from '@marketpipe/reference-connector';
 * process.exitCode = await main(['run', '--source', 'sim', '--duration', '10s']);
 * ```
 */
export async function main(argv: readonly string[], context: Partial<CliContext> = {}): Promise<number> {
  const full: CliContext = { ...processContext(), ...context };
  let exitCode: number = ExitCode.ok;
  const program = createProgram(full, (code) => {
    exitCode = code;
  });
  const answered = answerHelp(program, argv, full);
  if (answered !== undefined) return answered;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    return exitCodeOf(err, full);
  }
}
