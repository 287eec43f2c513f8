/**
 * What a person at a terminal sees: the real executable (source run through
 * tsx) under a pseudo-terminal made by `script` (util-linux; Debian's
 * essential `bsdutils`), Ctrl-C sent as the ^C byte through the terminal, as
 * a keyboard would. And the same run under pipes, as CI sees it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { describe, expect, it } from 'vitest';
import { CLEAR_LINE } from '../src/run/status-line.js';
import { tempDataDir } from './support/record-files.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const CLI = [process.execPath, '--conditions=@marketpipe/source', '--import', 'tsx', 'src/cli.ts'];
/** The status line as drawn: carriage return and erase-line, then the state. */
const STATUS_DRAW = `${CLEAR_LINE}running `;
const CTRL_C = '\u0003';
/** tsx start-up and the pipeline's start can take seconds each on a loaded machine. */
const PROCESS_TEST_TIMEOUT_MS = 90_000;

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function collect(child: ChildProcess): Started {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** `marketpipe run` on a pseudo-terminal (stdin, stdout and stderr); everything it shows comes back on stdout. */
function startOnTerminal(args: string[]): Started {
  const command = `exec ${[...CLI, 'run', ...args].map(shellQuote).join(' ')}`;
  // -e: exit with the app's code; -f: flush at once; the typescript file is not wanted.
  return collect(
    spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: appDir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, COLUMNS: '200', NO_COLOR: '1' },
    }),
  );
}

function draws(screen: string): number {
  return screen.split(STATUS_DRAW).length - 1;
}

describe('marketpipe run as a person sees it', () => {
  it('`script` is installed (util-linux): this suite needs a real pseudo-terminal', () => {
    expect(execFileSync('script', ['--version'], { encoding: 'utf8' })).toMatch(/util-linux/);
  });

  it(
    'on a terminal: readable logs, a status line redrawn in place, and Ctrl-C ends with the summary',
    async () => {
      const run = startOnTerminal(['--rate', '200', '--data-dir', join(tempDataDir(), 'data')]);
      await waitFor('three status line draws', () => draws(run.stdout()) >= 3, {
        timeoutMs: 60_000,
        everyMs: 20,
        describe: () => JSON.stringify(run.stdout()),
      });
      run.child.stdin?.write(CTRL_C);
      expect(await run.exited).toBe(0);
      run.child.stdin?.end();
      const screen = run.stdout();

      // Lines as the terminal shows them: a carriage return starts the line over.
      const lines = screen
        .split('\r\n')
        .map((line) => line.slice(line.lastIndexOf('\r') + 1).replaceAll(CLEAR_LINE.slice(1), ''));
      expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
      expect(screen).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}transport connected transport=memory\r\n/);

      // In place: every draw starts by erasing the line, and no status line is ever ended by a newline.
      expect(draws(screen)).toBeGreaterThanOrEqual(3);
      expect(screen).not.toMatch(/running [^\r]*\r\n/);

      // The summary, ending with its exit code, is the last thing on the screen.
      const shown = lines.filter((line) => line.trim().length > 0);
      const header = shown.findIndex((line) => line.startsWith('marketpipe run summary:'));
      expect(header).toBeGreaterThan(0);
      expect(shown[header]).toContain('stopped by SIGINT');
      expect(shown.slice(header + 1).every((line) => line.startsWith('  '))).toBe(true);
      expect(shown.at(-1)).toBe('  exit code     0 (clean: nothing lost)');
      expect(shown.slice(0, header).some((line) => / INFO {2}source disconnected /.test(line))).toBe(true);
      expect(screen).not.toMatch(/WARN/);
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'under pipes: every log line is JSON, and the status is a log line, not a redraw',
    async () => {
      const run = collect(
        spawn(
          CLI[0] as string,
          [
            ...CLI.slice(1),
            'run',
            '--rate',
            '200',
            '--duration',
            '2500ms',
            '--status-interval',
            '500ms',
            '--data-dir',
            join(tempDataDir(), 'data'),
          ],
          {
            cwd: appDir,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      );
      expect(await run.exited).toBe(0);
      const lines = run
        .stderr()
        .split('\n')
        .filter((line) => line.length > 0);
      expect(lines.length).toBeGreaterThan(4);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(lines.some((line) => (JSON.parse(line) as { msg: string }).msg === 'status')).toBe(true);
      expect(run.stdout()).not.toContain('\r');
      expect(run.stdout().trimEnd().split('\n').at(-1)).toBe('  exit code     0 (clean: nothing lost)');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
