/**
 * The command line's grammar and help: each command's flags parsed from
 * `argv`, and the usage text of the program and of each command.
 *
 * Our own rather than commander's: loading commander (and `node:child_process`,
 * which it requires) took ~28 ms of every start on Node 20, a quarter of
 * `--help` and of the time to a run's first message (docs/design/startup.md).
 * The grammar is the small one this CLI needs: long flags only (`--name value`,
 * `--name=value`, switches without a value), `-h`/`--help`, no positional
 * arguments. The layout of the help is commander's, which users already know.
 */
import { InvalidOptionError } from './cli-errors.js';
import { nearestCommand } from './help.js';

/** One flag of a command. */
export interface FlagSpec {
  /** The flag as typed, `--data-dir`. */
  readonly flag: string;
  /** Placeholder of its value in the help (`<dir>`); absent for a switch, which takes no value. */
  readonly valueName?: string;
  /** One line for the help (wrapped to the terminal). */
  readonly description: string;
  /** The command refuses to run without it. */
  readonly required?: boolean;
  /** Its value when not given; shown in the help as `(default: "data")`. */
  readonly defaultValue?: string;
  /** Its value is a credential: no error message repeats it, nor a word that follows it. */
  readonly secret?: boolean;
}

/** A command's name, help and flags. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the program's help and the command's own. */
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** Text printed after the options in the command's help. */
  readonly helpAfter?: string;
}

/** The program: its name, its help and its commands. */
export interface ProgramSpec {
  readonly name: string;
  readonly description: string;
  readonly commands: readonly CommandSpec[];
  /** Text printed after the command list in the program's help. */
  readonly helpAfter?: string;
}

/**
 * Flags as given, keyed by the flag in camelCase ({@link flagKey}: `--data-dir` -> `dataDir`): a string for a
 * flag with a value, `true` for a switch; absent when neither given nor defaulted.
 */
export type ParsedFlags = Record<string, string | true>;

/** What {@link parseFlags} found: the flags, or a request for the command's help. */
export type ParsedCommandLine =
  | { readonly help: true }
  | { readonly help: false; readonly flags: ParsedFlags };

const HELP_FLAGS: ReadonlySet<string> = new Set(['-h', '--help']);
const HELP_TERM = '-h, --help';
const HELP_DESCRIPTION = 'display help for command';
/** The help's width when the output is not a terminal (commander's). */
const DEFAULT_WIDTH = 80;
/** Below this many columns for descriptions, they are not wrapped at all (commander's rule). */
const MIN_DESCRIPTION_COLUMNS = 40;

/** `--data-dir` -> `dataDir`. */
export function flagKey(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function term(flag: FlagSpec): string {
  return flag.valueName === undefined ? flag.flag : `${flag.flag} ${flag.valueName}`;
}

function unknownOption(command: CommandSpec, given: string): InvalidOptionError {
  const name = given.includes('=') ? given.slice(0, given.indexOf('=')) : given;
  const nearest = name.startsWith('--')
    ? nearestCommand(
        name,
        command.flags.map((flag) => flag.flag),
      )
    : undefined;
  return new InvalidOptionError(
    name,
    `unknown option '${name}' for '${command.name}'${nearest === undefined ? '' : ` (did you mean ${nearest}?)`}; ` +
      `see 'marketpipe help ${command.name}'`,
  );
}

/**
 * `args` (what follows the command's name) against `command`'s flags.
 * `-h` or `--help` anywhere asks for the help, whatever else is given.
 * A flag given twice keeps its last value.
 *
 * @throws {InvalidOptionError} for an unknown flag, a flag without its value,
 *   a value given to a switch, a positional argument, or a required flag missing.
 *
 * @example
 * ```ts
 * parseFlags(catSpec, ['--venue', 'okx', '--date=2026-01-02']);
 * // { help: false, flags: { dataDir: 'data', venue: 'okx', date: '2026-01-02' } }
 * ```
 */
export function parseFlags(command: CommandSpec, args: readonly string[]): ParsedCommandLine {
  if (args.some((arg) => HELP_FLAGS.has(arg))) return { help: true };
  const byFlag = new Map(command.flags.map((flag) => [flag.flag, flag]));
  const flags: ParsedFlags = {};
  for (const flag of command.flags)
    if (flag.defaultValue !== undefined) flags[flagKey(flag.flag)] = flag.defaultValue;
  // The flag whose value came last, when that value is a secret: a stray word after it may be the secret's rest
  // (`--nats-pass two words`), so it is not repeated.
  let afterSecret: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      const extra = arg === '--' ? args[i + 1] : arg;
      if (extra === undefined) continue;
      const shown =
        afterSecret === undefined ? `'${extra}'` : `after the value of ${afterSecret} (not shown)`;
      throw new InvalidOptionError(
        afterSecret === undefined ? extra : afterSecret,
        `unexpected argument ${shown} for '${command.name}': it takes only options; see 'marketpipe help ${command.name}'`,
      );
    }
    afterSecret = undefined;
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    const spec = byFlag.get(name);
    if (spec === undefined) throw unknownOption(command, arg);
    if (spec.valueName === undefined) {
      if (equals !== -1)
        throw new InvalidOptionError(name, `option '${name}' takes no value (given '${arg}')`);
      flags[flagKey(spec.flag)] = true;
      continue;
    }
    const value = equals === -1 ? args[++i] : arg.slice(equals + 1);
    if (value === undefined) throw new InvalidOptionError(name, `option '${term(spec)}' argument missing`);
    flags[flagKey(spec.flag)] = value;
    if (spec.secret === true) afterSecret = name;
  }
  for (const flag of command.flags) {
    if (flag.required === true && flags[flagKey(flag.flag)] === undefined) {
      throw new InvalidOptionError(flag.flag, `required option '${term(flag)}' not specified`);
    }
  }
  return { help: false, flags };
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line.length > 0 && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line.length === 0 ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines;
}

type Rows = ReadonlyArray<readonly [string, string]>;

function longestTerm(...tables: Rows[]): number {
  return Math.max(...tables.flatMap((rows) => rows.map(([left]) => left.length)));
}

/** Two-column rows (term, description) as commander lays them out: terms padded to `termWidth`, descriptions wrapped. */
function table(rows: Rows, width: number, termWidth = longestTerm(rows)): string {
  const indent = 2 + termWidth + 2;
  const columns = width - indent;
  return rows
    .map(([left, right]) => {
      const lines = columns < MIN_DESCRIPTION_COLUMNS ? [right] : wrap(right, columns);
      return `  ${left.padEnd(termWidth)}  ${lines.join(`\n${' '.repeat(indent)}`)}`.trimEnd();
    })
    .join('\n');
}

/** The help's width for an output: its columns on a terminal, else 80. */
export function helpWidth(output: { isTTY?: boolean; columns?: number }): number {
  return output.isTTY === true && output.columns !== undefined && output.columns > 0
    ? output.columns
    : DEFAULT_WIDTH;
}

/**
 * The program's help: usage, description, the commands and `helpAfter`.
 *
 * @example
 * ```ts
 * process.stdout.write(programHelp(program, helpWidth(process.stdout)));
 * ```
 */
export function programHelp(program: ProgramSpec, width: number): string {
  const rows: Array<readonly [string, string]> = program.commands.map((command) => [
    `${command.name} [options]`,
    command.description,
  ]);
  rows.push(['help [command]', HELP_DESCRIPTION]);
  const options: Rows = [[HELP_TERM, HELP_DESCRIPTION]];
  // Both sections share one column for the descriptions, as in commander's help.
  const termWidth = longestTerm(options, rows);
  return (
    `Usage: ${program.name} [options] [command]\n\n${wrap(program.description, width).join('\n')}\n\n` +
    `Options:\n${table(options, width, termWidth)}\n\n` +
    `Commands:\n${table(rows, width, termWidth)}\n${program.helpAfter === undefined ? '' : `${program.helpAfter}\n`}`
  );
}

/**
 * A command's help: usage, description, every flag with its description
 * (and default), then `helpAfter`.
 *
 * @example
 * ```ts
 * process.stdout.write(commandHelp('marketpipe', catSpec, 80));
 * ```
 */
export function commandHelp(programName: string, command: CommandSpec, width: number): string {
  const rows: Array<readonly [string, string]> = command.flags.map((flag) => [
    term(flag),
    flag.defaultValue === undefined
      ? flag.description
      : `${flag.description} (default: ${JSON.stringify(flag.defaultValue)})`,
  ]);
  rows.push([HELP_TERM, HELP_DESCRIPTION]);
  return (
    `Usage: ${programName} ${command.name} [options]\n\n${wrap(command.description, width).join('\n')}\n\n` +
    `Options:\n${table(rows, width)}\n${command.helpAfter === undefined ? '' : `${command.helpAfter}\n`}`
  );
}
