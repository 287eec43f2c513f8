import { describe, expect, it } from 'vitest';
import { createHarness } from '../test/support/cli-harness.js';
import { InvalidOptionError } from './cli-errors.js';
import {
  type CommandSpec,
  commandHelp,
  flagKey,
  helpWidth,
  parseFlags,
  programHelp,
} from './command-line.js';
import { main, PROGRAM } from './main.js';
import { RUN_OPTIONS } from './options/run-option-table.js';

const CAT_LIKE: CommandSpec = {
  name: 'cat',
  description: 'print things',
  flags: [
    {
      flag: '--data-dir',
      valueName: '<dir>',
      description: 'data directory',
      defaultValue: 'data',
    },
    { flag: '--venue', valueName: '<venue>', description: 'the venue', required: true },
    { flag: '--json', description: 'print JSON lines' },
  ],
};

function usageError(args: string[]): InvalidOptionError {
  try {
    parseFlags(CAT_LIKE, args);
  } catch (err) {
    if (err instanceof InvalidOptionError) return err;
    throw err;
  }
  throw new Error(`${JSON.stringify(args)} parsed`);
}

describe('parseFlags', () => {
  it('reads --flag value, --flag=value and switches, keeps the last of a repeated flag and fills defaults', () => {
    expect(parseFlags(CAT_LIKE, ['--venue', 'okx'])).toEqual({
      help: false,
      flags: { dataDir: 'data', venue: 'okx' },
    });
    expect(parseFlags(CAT_LIKE, ['--venue=kraken', '--json', '--data-dir', '/d', '--venue', 'a=b'])).toEqual({
      help: false,
      flags: { dataDir: '/d', venue: 'a=b', json: true },
    });
    // A value is the next argument whatever it looks like, as in commander: the option's own check then names it.
    expect(parseFlags(CAT_LIKE, ['--venue', '--json'])).toEqual({
      help: false,
      flags: { dataDir: 'data', venue: '--json' },
    });
    expect(parseFlags(CAT_LIKE, ['--venue=', '--'])).toEqual({
      help: false,
      flags: { dataDir: 'data', venue: '' },
    });
  });

  it('never repeats a word that follows a secret value (it may be the rest of a password)', async () => {
    const harness = createHarness();
    expect(await main(['run', '--nats-pass', 'correct', 'horse'], harness.context)).toBe(2);
    expect(harness.stderr.text).toBe(
      "marketpipe: unexpected argument after the value of --nats-pass (not shown) for 'run': it takes only options; " +
        "see 'marketpipe help run'\n",
    );
    const other = createHarness();
    expect(await main(['run', '--nats-user', 'alice', 'stray'], other.context)).toBe(2);
    expect(other.stderr.text).toContain("unexpected argument 'stray' for 'run'");
  });

  it('answers -h and --help anywhere with the help, before any other check', () => {
    expect(parseFlags(CAT_LIKE, ['--nope', '-h'])).toEqual({ help: true });
    expect(parseFlags(CAT_LIKE, ['--help'])).toEqual({ help: true });
  });

  it.each([
    [
      ['--venu', 'okx'],
      '--venu',
      "unknown option '--venu' for 'cat' (did you mean --venue?); see 'marketpipe help cat'",
    ],
    [['--venue', 'okx', '--frobnicate=1'], '--frobnicate', "unknown option '--frobnicate' for 'cat'; see"],
    [['-v'], '-v', "unknown option '-v' for 'cat'"],
    [['--venue'], '--venue', "option '--venue <venue>' argument missing"],
    [['--venue', 'okx', '--json=yes'], '--json', "option '--json' takes no value (given '--json=yes')"],
    [['--venue', 'okx', 'extra'], 'extra', "unexpected argument 'extra' for 'cat': it takes only options"],
    [['--venue', 'okx', '--', 'x'], 'x', "unexpected argument 'x'"],
    [['--json'], '--venue', "required option '--venue <venue>' not specified"],
  ])('refuses %j: a typed error naming %s', (args, option, message) => {
    const err = usageError(args);
    expect(err.option).toBe(option);
    expect(err.message).toContain(message);
  });

  it('turns flags into the keys of the option table', () => {
    expect(flagKey('--data-dir')).toBe('dataDir');
    expect(flagKey('--nats-nkey-seed')).toBe('natsNkeySeed');
    // The parsed flags are keyed by flagKey; the option table's resolver reads them by its own keys.
    for (const spec of RUN_OPTIONS) expect(spec.key, spec.flag).toBe(flagKey(spec.flag));
  });
});

describe('help layout', () => {
  it('pads terms to the longest, wraps descriptions to the width, and shows defaults', () => {
    const text = commandHelp('marketpipe', CAT_LIKE, 80);
    expect(text).toBe(
      'Usage: marketpipe cat [options]\n\nprint things\n\nOptions:\n' +
        '  --data-dir <dir>  data directory (default: "data")\n' +
        '  --venue <venue>   the venue\n' +
        '  --json            print JSON lines\n' +
        '  -h, --help        display help for command\n',
    );
    const narrow = commandHelp(
      'marketpipe',
      { ...CAT_LIKE, flags: [{ flag: '--x', description: `${'word '.repeat(20)}end` }] },
      60,
    );
    const lines = narrow.split('\n').filter((line) => line.includes('word'));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    // Continuation lines start under the descriptions: 2 + the longest term (`-h, --help`) + 2.
    expect(lines[1]).toMatch(/^ {14}word/);
  });

  it('uses the terminal width on a terminal, 80 anywhere else', () => {
    expect(helpWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(helpWidth({ isTTY: false, columns: 132 })).toBe(80);
    expect(helpWidth({})).toBe(80);
    const wide = programHelp(PROGRAM, 200);
    expect(wide).toContain(
      '  run [options]        run the connector (default: the built-in simulator, in-memory transport, ./data)\n',
    );
    expect(programHelp(PROGRAM, 80)).toContain(
      '  run [options]        run the connector (default: the built-in simulator,\n',
    );
  });

  it('main prints the help at the terminal width of its stdout', async () => {
    const harness = createHarness();
    Object.assign(harness.stdout, { isTTY: true, columns: 200 });
    expect(await main(['help', 'run'], harness.context)).toBe(0);
    expect(harness.stdout.text).toContain(
      '  --venue <venue>                    binance | coinbase | kraken | bybit | okx (default binance) [MARKETPIPE_VENUE]\n',
    );
  });

  it('every command help ends with its own text and lists -h, --help last among the options', async () => {
    for (const command of PROGRAM.commands) {
      const harness = createHarness();
      expect(await main([command.name, '--help'], harness.context)).toBe(0);
      const text = harness.stdout.text;
      expect(text.startsWith(`Usage: marketpipe ${command.name} [options]\n`)).toBe(true);
      for (const flag of command.flags) expect(text).toContain(`  ${flag.flag}`);
      const options = text.slice(text.indexOf('Options:\n'));
      const lastOption = options
        .split('\n')
        .filter((line) => /^ {2}-/.test(line))
        .at(-1);
      expect(lastOption).toMatch(/^ {2}-h, --help +display help for command$/);
      if (command.helpAfter !== undefined) expect(text.endsWith(`${command.helpAfter}\n`)).toBe(true);
    }
  });

  it('main answers help help with the program help, as commander did', async () => {
    const harness = createHarness();
    expect(await main(['help', 'help'], harness.context)).toBe(0);
    expect(harness.stdout.text).toBe(programHelp(PROGRAM, 80));
  });

  it('main refuses an option before any command, exit 2', async () => {
    const harness = createHarness();
    expect(await main(['--verbose'], harness.context)).toBe(2);
    expect(harness.stderr.text).toBe("marketpipe: unknown option '--verbose'; see 'marketpipe --help'\n");
  });
});
