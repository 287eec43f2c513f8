/**
 * The `marketpipe` program: the commands `run`, `cat`, `verify` and
 * `subscribe`, their flags and help, and the mapping of failures to exit
 * codes. The command line is only parsed here (`command-line.ts`); option
 * values are resolved by the `options/` modules, so flags, environment
 * variables and the config file follow one precedence with one set of errors.
 */
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { hasErrorCode } from '@marketpipe/middleware/errors';
import { type CliContext, processContext } from './cli-context.js';
import { ConfigFileError, InvalidOptionError } from './cli-errors.js';
import {
  type CommandSpec,
  commandHelp,
  type FlagSpec,
  helpWidth,
  type ParsedFlags,
  type ProgramSpec,
  parseFlags,
  programHelp,
} from './command-line.js';
import { ExitCode } from './exit-codes.js';
import { unknownCommandMessage } from './help.js';
import { type ConfigFile, loadConfigFile } from './options/config-file.js';
import { integerFlag, OptionReader, type OptionSources } from './options/option-reader.js';
import type { LogLevel } from './options/run-config.js';
import { CONFIG_ENV_VAR, RUN_OPTIONS, type RunOptionKey, runOption } from './options/run-option-table.js';
import { VENUE_CHOICES } from './options/venue-defaults.js';
import { checkDate, checkVenue } from './records/record-options.js';
import { LOG_FORMATS, type LogFormat } from './run/pretty-log.js';
import { parseReaderStart } from './subscribe/reader-start.js';
import type { SubscribeOptions } from './subscribe/subscribe-command.js';
import {
  INLINING_BUDGET_BYTES,
  INLINING_BUDGET_FLAG,
  TIER_UP_FLAG,
  TIER_UP_INVOCATIONS,
  V8_TUNING_ENV_VAR,
} from './v8-tuning.js';

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

The process raises V8's inlining budget for the hot path (--${INLINING_BUDGET_FLAG}=${INLINING_BUDGET_BYTES})
and, on Node 24 and later, moves it to TurboFan sooner (--${TIER_UP_FLAG}=${TIER_UP_INVOCATIONS});
${V8_TUNING_ENV_VAR}=off leaves V8's defaults.`;

const PROGRAM_NAME = 'marketpipe';

const FIRST_STEPS = `
marketpipe --version prints its version and the versions of the packages it runs.

First steps:
  marketpipe run          trade a simulated Binance market; Ctrl-C stops and prints the summary
  marketpipe help run     every option of run (flags, MARKETPIPE_* variables, config file)
  marketpipe subscribe    print the trades (and books) of a run started with --transport nats://127.0.0.1:4222`;

/** A command: its spec, and what it does with its parsed flags (resolving to the exit code). */
interface Command extends CommandSpec {
  run(flags: ParsedFlags, context: CliContext): Promise<number>;
}

function tableFlag(key: RunOptionKey): FlagSpec {
  const spec = runOption(key);
  return {
    flag: spec.flag,
    ...(spec.valueName !== undefined ? { valueName: spec.valueName } : {}),
    description: `${spec.description} [${spec.envVar}]`,
    ...(spec.secret ? { secret: true } : {}),
  };
}

const CONFIG_FLAG: FlagSpec = {
  flag: '--config',
  valueName: '<file>',
  description: `JSON file of options (camelCase keys) [${CONFIG_ENV_VAR}]`,
};

const DATA_DIR_FLAG: FlagSpec = {
  flag: '--data-dir',
  valueName: '<dir>',
  description: 'data directory',
  defaultValue: 'data',
};

/** Flags, environment and config file of a command invocation. */
function optionSources(flags: ParsedFlags, context: CliContext): OptionSources {
  const configPath = typeof flags.config === 'string' ? flags.config : nonEmpty(context.env[CONFIG_ENV_VAR]);
  const file: ConfigFile | undefined =
    configPath === undefined ? undefined : loadConfigFile(configPath, context.cwd);
  const given: Partial<Record<RunOptionKey, string | boolean>> = {};
  for (const spec of RUN_OPTIONS) {
    const value = flags[spec.key];
    if (value !== undefined) given[spec.key] = value;
  }
  return { flags: given, env: context.env, file, cwd: context.cwd };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function absolute(path: string, context: CliContext): string {
  return isAbsolute(path) ? path : resolve(context.cwd, path);
}

/** A flag's value when it was given with one (every flag of `cat`, `verify` and `subscribe` but the switches). */
function text(flags: ParsedFlags, key: string): string | undefined {
  const value = flags[key];
  return typeof value === 'string' ? value : undefined;
}

const RUN: Command = {
  name: 'run',
  description: 'run the connector (default: the built-in simulator, in-memory transport, ./data)',
  flags: [CONFIG_FLAG, ...RUN_OPTIONS.map((spec) => tableFlag(spec.key))],
  helpAfter: EXIT_CODES_HELP,
  async run(flags, context) {
    // Each command's modules load when it runs, so `--help` and the other commands do not pay for them.
    const [{ resolveRunConfig }, { runCommand }] = await Promise.all([
      import('./options/run-config.js'),
      import('./run/run-command.js'),
    ]);
    const config = resolveRunConfig(new OptionReader(optionSources(flags, context)), context.cwd);
    return runCommand(config, context);
  },
};

const CAT: Command = {
  name: 'cat',
  description: 'print the recorded raw messages of a venue, one per line, exactly as received',
  flags: [
    DATA_DIR_FLAG,
    { flag: '--venue', valueName: '<venue>', description: VENUE_CHOICES, required: true },
    {
      flag: '--date',
      valueName: '<YYYY-MM-DD>',
      description: 'one UTC day (default: every day, oldest first)',
    },
  ],
  helpAfter:
    '\nExit codes: 0 all printed, 1 error, 2 invalid option, 3 damaged bytes skipped (listed on stderr).',
  async run(flags, context) {
    const date = text(flags, 'date');
    const options = {
      dataDir: absolute(text(flags, 'dataDir') as string, context),
      venue: checkVenue(text(flags, 'venue') as string),
      date: date === undefined ? undefined : checkDate(date),
    };
    const { catCommand } = await import('./records/cat-command.js');
    return catCommand(options, context);
  },
};

const VERIFY: Command = {
  name: 'verify',
  description: 'check recordings: sequence continuity across files and days, damage, counts per file',
  flags: [
    DATA_DIR_FLAG,
    {
      flag: '--venue',
      valueName: '<venue>',
      description: 'check one venue (default: every venue found)',
    },
  ],
  helpAfter: '\nExit codes: 0 clean, 1 problems found or nothing to check, 2 invalid option.',
  async run(flags, context) {
    const venue = text(flags, 'venue');
    const venues = venue === undefined ? undefined : [checkVenue(venue)];
    const [{ verifyRecordings }, { formatVerifyReport }] = await Promise.all([
      import('./records/verify-recordings.js'),
      import('./records/verify-report-text.js'),
    ]);
    const report = verifyRecordings(absolute(text(flags, 'dataDir') as string, context), venues);
    context.stdout.write(formatVerifyReport(report));
    return report.clean ? ExitCode.ok : ExitCode.error;
  },
};

const SUBSCRIBE: Command = {
  name: 'subscribe',
  description: 'print the trades and book updates a connector publishes, decoded, one line each',
  flags: [
    {
      flag: '--subject',
      valueName: '<pattern>',
      description: 'subject pattern, NATS wildcards allowed (default *.*.trade.>, with --book *.*.book.>)',
    },
    {
      flag: '--book',
      description: 'for book subjects, print the top of the book maintained from the updates',
    },
    { flag: '--json', description: 'print JSON lines instead of text' },
    {
      flag: '--count',
      valueName: '<n>',
      description: 'exit after this many trades or book updates',
    },
    {
      flag: '--stream',
      valueName: '<name>',
      description: 'read this JetStream stream instead of subscribing live',
    },
    {
      flag: '--from',
      valueName: '<point>',
      description: "with --stream: a sequence, an ISO-8601 time, 'first' (default) or 'new'",
    },
    {
      flag: '--durable',
      valueName: '<name>',
      description: 'with --stream: a durable consumer; the next run with this name resumes after it',
    },
    CONFIG_FLAG,
    // The shared table's --transport line gives run's default (memory); subscribe's is a local broker.
    ...SUBSCRIBE_KEYS.map((key) =>
      key === 'transport'
        ? {
            ...tableFlag(key),
            description:
              'nats://[token@|user:pass@]host:port[,...] (default nats://127.0.0.1:4222), or memory (this process only); tls://host:port requires TLS [MARKETPIPE_TRANSPORT]',
          }
        : tableFlag(key),
    ),
  ],
  async run(flags, context) {
    const reader = new OptionReader(optionSources(flags, context));
    const [{ LOG_LEVELS }, { readTransportConfig }, { subscribeCommand }] = await Promise.all([
      import('./options/run-config.js'),
      import('./options/transport-config.js'),
      import('./subscribe/subscribe-command.js'),
    ]);
    // An in-process transport would show nothing here, so subscribe defaults to a local broker.
    const { transport } = readTransportConfig(reader, 'nats://127.0.0.1:4222');
    const count = text(flags, 'count');
    return subscribeCommand(
      {
        transport,
        subject: text(flags, 'subject') ?? (flags.book === true ? '*.*.book.>' : '*.*.trade.>'),
        json: flags.json === true,
        book: flags.book === true,
        count: count === undefined ? undefined : integerFlag('--count', count, 1),
        durationMs: reader.duration('duration'),
        logLevel: reader.oneOf<LogLevel>('logLevel', LOG_LEVELS) ?? 'info',
        logFormat: reader.oneOf<LogFormat>('logFormat', LOG_FORMATS),
        ...streamOptions(flags),
      },
      context,
    );
  },
};

const COMMANDS: readonly Command[] = [RUN, CAT, VERIFY, SUBSCRIBE];

/** The `marketpipe` program: its commands and its help. */
export const PROGRAM: ProgramSpec = {
  name: PROGRAM_NAME,
  description: 'marketpipe reference connector: venue trades in, Cap’n Proto out, every raw message recorded',
  commands: COMMANDS,
  helpAfter: FIRST_STEPS,
};

/** `subscribe --stream/--from/--durable`, checked: the last two only make sense with the first. */
function streamOptions(flags: ParsedFlags): Pick<SubscribeOptions, 'stream' | 'from' | 'durable'> {
  const [stream, from, durable] = [text(flags, 'stream'), text(flags, 'from'), text(flags, 'durable')];
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

/**
 * `marketpipe 0.1.0 (@marketpipe/connector 0.1.0, @marketpipe/middleware 0.1.0, Node v26.12.1)`: what a bug report
 * needs, read from the installed packages' manifests (the app's own is two folders up from `src/` and `dist/`).
 */
function versionText(): string {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => (require(name) as { version: string }).version;
  return (
    `marketpipe ${version('../package.json')} (@marketpipe/connector ${version('@marketpipe/connector/package.json')}, ` +
    `@marketpipe/middleware ${version('@marketpipe/middleware/package.json')}, Node ${process.version})\n`
  );
}

/** Connector errors that can only come from a bad `--venue` or `--date`. */
function isConnectorUsageError(err: unknown): boolean {
  return hasErrorCode(err, 'MP_ERR_INVALID_VENUE') || hasErrorCode(err, 'MP_ERR_INVALID_DAY');
}

function exitCodeOf(err: unknown, context: CliContext): number {
  const message = err instanceof Error ? err.message : String(err);
  context.stderr.write(`marketpipe: ${message}\n`);
  if (err instanceof InvalidOptionError || err instanceof ConfigFileError || isConnectorUsageError(err))
    return ExitCode.usage;
  return ExitCode.error;
}

function unknownCommand(word: string, context: CliContext): number {
  context.stderr.write(
    unknownCommandMessage(
      word,
      COMMANDS.map((command) => command.name),
    ),
  );
  return ExitCode.usage;
}

/**
 * Answers `argv`: the program's help for nothing, `-h`, `--help` or `help`;
 * a command's help for `help <command>` or `<command> --help`; the nearest
 * command for an unknown one; else runs the command.
 */
async function dispatch(argv: readonly string[], context: CliContext): Promise<number> {
  const width = helpWidth(context.stdout);
  const print = (text: string): number => {
    context.stdout.write(text);
    return ExitCode.ok;
  };
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return print(programHelp(PROGRAM, width));
  if (first === '--version' || first === '-V') return print(versionText());
  if (first === 'help') {
    const [name] = rest;
    if (name === undefined || name.startsWith('-') || name === 'help')
      return print(programHelp(PROGRAM, width));
    const command = COMMANDS.find((candidate) => candidate.name === name);
    return command === undefined
      ? unknownCommand(name, context)
      : print(commandHelp(PROGRAM_NAME, command, width));
  }
  if (first.startsWith('-')) {
    throw new InvalidOptionError(first, `unknown option '${first}'; see 'marketpipe --help'`);
  }
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (command === undefined) return unknownCommand(first, context);
  const parsed = parseFlags(command, rest);
  if (parsed.help) return print(commandHelp(PROGRAM_NAME, command, width));
  return command.run(parsed.flags, context);
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
  try {
    return await dispatch(argv, full);
  } catch (err) {
    return exitCodeOf(err, full);
  }
}
