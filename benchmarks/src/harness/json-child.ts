/**
 * One of the bench's own entry points run in a process of its own: for a measurement that must not share a process
 * with the code a suite ran before it (V8's type feedback is per process, and the first shapes a function sees
 * decide how it is compiled for the rest of the process).
 */
import { spawnSync } from 'node:child_process';
import { BenchPreconditionError } from './bench-errors.js';

/** What every such entry point prints: its result, and the Node version it ran on. */
export interface ChildResult {
  node: string;
}

/**
 * Runs `file` (a bench entry point; from source, the tsx loader in `process.execArgv` does the same) under this
 * process's Node and flags (its `execArgv`, and the V8 flags of an inherited NODE_OPTIONS), and returns the JSON
 * object of the last line it printed.
 *
 * @param label How errors name the run, e.g. `books-trade --case wired`.
 * @throws BenchPreconditionError when the process fails, prints no JSON, or ran on another Node version.
 */
export function runJsonChild<T extends ChildResult>(file: string, args: readonly string[], label: string): T {
  const run = spawnSync(process.execPath, [...process.execArgv, file, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  if (run.status !== 0) {
    throw new BenchPreconditionError(
      `${label} failed: ${run.error?.message ?? `exit ${run.status ?? run.signal}`}`,
    );
  }
  const last = run.stdout.trim().split('\n').pop() ?? '';
  let result: T;
  try {
    result = JSON.parse(last) as T;
  } catch {
    throw new BenchPreconditionError(`${label} printed no result: ${JSON.stringify(last)}`);
  }
  if (result.node !== process.versions.node) {
    throw new BenchPreconditionError(`${label} ran on Node ${result.node}, not ${process.versions.node}`);
  }
  return result;
}
