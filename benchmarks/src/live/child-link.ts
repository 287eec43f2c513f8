/**
 * The processes of the live-path suite talk over Node's IPC channel: the parent starts each with {@link startChild}
 * and exchanges small typed messages; timing arrays go through files (they are large).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchPreconditionError } from '../harness/bench-errors.js';

/** A message between the suite and one of its processes. */
export interface LinkMessage {
  type: string;
  [key: string]: unknown;
}

/** A running helper process with a message queue. */
export interface ChildLink {
  readonly child: ChildProcess;
  send(message: LinkMessage): void;
  /** Resolves with the next message of `type` (messages of other types are dropped). */
  next(type: string, timeoutMs?: number): Promise<LinkMessage>;
  /** Kills the process unless it has exited. */
  kill(): void;
}

// From source (vitest, tsx) the processes are src/live/*.ts; built, dist/live/*.js. This module is bundled into
// dist/suites/*.js, so the path goes up one level either way.
const fromSource = import.meta.url.endsWith('.ts');

/** Starts `live/<name>` as a child process with an IPC channel. */
export function startChild(name: string, args: readonly string[]): ChildLink {
  const file = fileURLToPath(new URL(`../live/${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const execArgv = fromSource ? ['--import', 'tsx', '--conditions=@marketpipe/source'] : [];
  // For investigations, e.g. LIVE_PATH_RELAY_FLAGS='--trace-gc' or '--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const extra = process.env[`LIVE_PATH_${name.replace(/-/g, '_').toUpperCase()}_FLAGS`];
  if (extra) execArgv.push(...extra.split(' ').filter((flag) => flag.length > 0));
  const child = fork(file, [...args], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: LinkMessage[] = [];
  const waiters: (() => void)[] = [];
  let exited = false;
  child.on('message', (message) => {
    queue.push(message as LinkMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  child.once('exit', () => {
    exited = true;
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    send: (message) => child.send(message),
    next: (type, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = (): void => {
          const index = queue.findIndex((message) => message.type === type);
          if (index >= 0) {
            clearTimeout(timer);
            resolve(queue.splice(index, 1)[0] as LinkMessage);
          } else if (exited) {
            clearTimeout(timer);
            reject(new BenchPreconditionError(`live/${name} exited before sending "${type}"`));
          } else if (Date.now() < deadline) waiters.push(check);
        };
        const timer = setTimeout(() => {
          reject(new BenchPreconditionError(`live/${name} sent no "${type}" within ${timeoutMs} ms`));
        }, timeoutMs);
        check();
      }),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** In a helper process: sends `message` to the suite. */
export function tellParent(message: LinkMessage): void {
  process.send?.(message);
}

/** In a helper process: calls `handler` for every message from the suite. */
export function onParent(handler: (message: LinkMessage) => void): void {
  process.on('message', (message) => handler(message as LinkMessage));
}

/** Writes a timing array (ns, NaN for "never") to `path`. */
export function writeTimes(path: string, times: Float64Array): void {
  writeFileSync(path, new Uint8Array(times.buffer, times.byteOffset, times.byteLength));
}

/** Reads a timing array written by {@link writeTimes}. */
export function readTimes(path: string): Float64Array {
  const bytes = readFileSync(path);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
