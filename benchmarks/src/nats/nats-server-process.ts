/**
 * A private nats-server for the NATS suite, started the way the repository's test support does: loopback only,
 * a port the server picks itself (`-p -1`), never a server that happens to be running already.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchPreconditionError } from '../harness/bench-errors.js';

const LISTEN_RE = /Listening for client connections on [^\s:]+:(\d+)/;
const START_TIMEOUT_MS = 10_000;

/** A running private nats-server. */
export interface NatsServerProcess {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enables JetStream, stored in a private temporary directory removed by `stop()`. */
  jetstream?: boolean;
}

/**
 * Starts `nats-server -a 127.0.0.1 -p -1` (with `-js -sd <temp dir>` when asked) and resolves once it listens.
 *
 * @throws BenchPreconditionError when `nats-server` is missing or does not start within 10 s.
 * @example
 * ```ts
 * const server = await startNatsServer();
 * try { await benchAgainst(server.url); } finally { await server.stop(); }
 * ```
 */
export function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  return new Promise((resolve, reject) => {
    const storeDir = options.jetstream ? mkdtempSync(join(tmpdir(), 'marketpipe-bench-js-')) : undefined;
    const removeStore = (): void => {
      if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
    };
    const args = ['-a', '127.0.0.1', '-p', '-1', ...(storeDir === undefined ? [] : ['-js', '-sd', storeDir])];
    const child = spawn('nats-server', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const fail = (message: string, cause?: unknown): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      removeStore();
      reject(new BenchPreconditionError(`nats-server did not start: ${message}`, { cause }));
    };
    const timer = setTimeout(
      () => fail(`no listening line within ${START_TIMEOUT_MS} ms:\n${log}`),
      START_TIMEOUT_MS,
    );
    child.stderr.setEncoding('utf8');
    const onData = (chunk: string): void => {
      log += chunk;
      const port = LISTEN_RE.exec(log)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      child.stderr.resume();
      child.removeAllListeners('exit');
      resolve({ url: `nats://127.0.0.1:${port}`, stop: () => stopChild(child).then(removeStore) });
    };
    child.stderr.on('data', onData);
    child.once('error', (err) =>
      fail('is nats-server installed? (scripts/setup-system.sh installs it)', err),
    );
    child.once('exit', (code) => fail(`exited with code ${code}:\n${log}`));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
