import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHarness } from '../test/support/cli-harness.js';
import { nearestCommand } from './help.js';
import { main } from './main.js';

const COMMANDS = ['run', 'cat', 'verify', 'subscribe'];

describe('nearestCommand', () => {
  it('finds the command a typo, a transposition or a prefix meant, and nothing for a word far from all', () => {
    expect(nearestCommand('rn', COMMANDS)).toBe('run');
    expect(nearestCommand('subscibe', COMMANDS)).toBe('subscribe');
    expect(nearestCommand('cta', COMMANDS)).toBe('cat');
    expect(nearestCommand('verfiy', COMMANDS)).toBe('verify');
    expect(nearestCommand('sub', COMMANDS)).toBe('subscribe');
    expect(nearestCommand('RUN', COMMANDS)).toBe('run');
    expect(nearestCommand('frobnicate', COMMANDS)).toBeUndefined();
    expect(nearestCommand('x', COMMANDS)).toBeUndefined();
  });
});

describe('marketpipe without a known command', () => {
  it('alone: prints the usage and the first steps on stdout, exit 0', async () => {
    const harness = createHarness();
    expect(await main([], harness.context)).toBe(0);
    expect(harness.stdout.text).toMatch(/^Usage: marketpipe/);
    for (const name of COMMANDS) expect(harness.stdout.text).toContain(`  ${name} `);
    expect(harness.stdout.text).toContain('First steps:');
    expect(harness.stderr.text).toBe('');
  });

  it('--version and -V: print the app, connector, middleware and Node versions, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const harness = createHarness();
      expect(await main([flag], harness.context)).toBe(0);
      expect(harness.stdout.text).toMatch(
        new RegExp(
          `^marketpipe ${version.replaceAll('.', '\\.')} \\(@marketpipe/connector \\d+\\.\\d+\\.\\d+\\S*, @marketpipe/middleware \\d+\\.\\d+\\.\\d+\\S*, Node ${process.version.replaceAll('.', '\\.')}\\)\n$`,
        ),
      );
    }
  });

  it('help <command>: prints that command’s usage, exit 0', async () => {
    for (const name of COMMANDS) {
      const harness = createHarness();
      expect(await main(['help', name], harness.context)).toBe(0);
      expect(harness.stdout.text).toMatch(new RegExp(`^Usage: marketpipe ${name} `));
    }
  });

  it('an unknown command, also after help: names the nearest command and lists them all, exit 2', async () => {
    for (const argv of [['subscibe'], ['help', 'subscibe']]) {
      const harness = createHarness();
      expect(await main(argv, harness.context)).toBe(2);
      expect(harness.stderr.text).toBe(
        "marketpipe: unknown command 'subscibe'. Did you mean 'subscribe'?\n" +
          "Commands: run, cat, verify, subscribe. See 'marketpipe help <command>'.\n",
      );
    }
    const harness = createHarness();
    expect(await main(['frobnicate'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain(
      "unknown command 'frobnicate'.\nCommands: run, cat, verify, subscribe.",
    );
  });
});
