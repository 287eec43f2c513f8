/**
 * The real `marketpipe` executable in a child process (source run through
 * tsx, as `test/process.test.ts` does), with everything it prints kept, so
 * reliability tests can kill it, signal it and read every byte it wrote.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../../..', import.meta.url));

/** How a child process ended. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `marketpipe` child process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far (pino JSON logs). */
  stderr(): string;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exited: Promise<CliExit>;
  /** Resolves once stderr contains `text`; rejects when the process exits first or after `timeoutMs`. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `node src/cli.ts <args>` through tsx with the source export condition.
 * The environment is the test's own minus every `MARKETPIPE_*` variable, plus `env`.
 *
 * @example
 * ```ts
 * const cli = startCli(['run', '--source', 'replay:/tmp/in.jsonl', '--data-dir', dir]);
 * await cli.waitForLog('pipeline started');
 * cli.child.kill('SIGKILL');
 * ```
 */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('MARKETPIPE_')) base[key] = value;
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@marketpipe/source', '--import', 'tsx', 'src/cli.ts', ...args],
    { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env } },
  );
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    for (const wake of waiters) wake();
  });
  const exited = new Promise<CliExit>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLog: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stderr.includes(text)) finish();
          else if (child.exitCode !== null || child.signalCode !== null)
            finish(new Error(`the process exited before logging ${JSON.stringify(text)}:\n${stderr}`));
        };
        const timer = setTimeout(
          () => finish(new Error(`timed out waiting for ${JSON.stringify(text)}:\n${stderr}`)),
          timeoutMs,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Sends SIGKILL unless the process already ended; for `afterEach` clean-up. */
export function killIfRunning(cli: CliProcess | undefined): void {
  if (cli !== undefined && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGKILL');
  }
}
