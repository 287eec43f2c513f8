/**
 * Starts a private `nats-server` for tests: loopback only, a port chosen by the
 * server itself (`-p -1`, no race for a "free" port), JetStream storage in a
 * temporary directory. Never assumes a server is already running.
 *
 * When the binary is missing the start fails loudly (tests never skip): run
 * `scripts/setup-system.sh` as root, which the test command does under CI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options for {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enable JetStream (`-js`) with storage in a temporary directory. */
  jetstream?: boolean;
  /** Extra command-line arguments, e.g. `['--user', 'u', '--pass', 'p']`. */
  args?: readonly string[];
}

/** A running private nats-server. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Process id of the running server; undefined while stopped (for CPU accounting in benchmarks). */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and storage directory. */
  restart(): Promise<void>;
  /** Stops the server and removes its storage directory. */
  dispose(): Promise<void>;
}

const LISTEN_RE = /Listening for client connections on [^\s:]+:(\d+)/;

/** Throws a clear error when `nats-server` is not on the PATH. */
export function assertNatsServerInstalled(): void {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'nats-server is not installed; run `sudo bash scripts/setup-system.sh` (the test command does this when CI=true)',
    );
  }
}

/** Spawns `nats-server args` and resolves once it listens for clients, with the port it chose. */
export function launchNatsServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not start within 10 s:\n${log}`));
    }, 10_000);
    child.stderr?.setEncoding('utf8');
    const onData = (chunk: string) => {
      log += chunk;
      const match = LISTEN_RE.exec(log);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with code ${code} before listening:\n${log}`));
    });
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts a private nats-server and resolves once it accepts connections.
 *
 * @example
 * ```ts
 * const server = await startNatsServer({ jetstream: true });
 * try { ...connect to server.url... } finally { await server.dispose(); }
 * ```
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  assertNatsServerInstalled();
  const storeDir = mkdtempSync(join(tmpdir(), 'marketpipe-nats-'));
  const base = [
    '-a',
    '127.0.0.1',
    ...(options.jetstream ? ['-js', '-sd', storeDir] : []),
    ...(options.args ?? []),
  ];
  let { child, port } = await launchNatsServer([...base, '-p', '-1']);
  let current: ChildProcess | undefined = child;
  // A test that timed out goes on running after its afterAll: a restart then would leak a server past the run.
  let disposed = false;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get pid() {
      return current?.pid;
    },
    stop: async () => {
      await stopChild(current);
      current = undefined;
    },
    restart: async () => {
      if (disposed)
        throw new Error('nats-server restarted after dispose(): the test outlived its suite (a timeout?)');
      await stopChild(current);
      ({ child, port } = await launchNatsServer([...base, '-p', String(port)]));
      current = child;
    },
    dispose: async () => {
      disposed = true;
      await stopChild(current);
      current = undefined;
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
