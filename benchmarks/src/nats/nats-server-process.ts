/**
 * A private nats-server for the NATS suites: the workspace's one launcher (`@marketpipe/test-support`, loopback
 * only, a port the server picks itself), with a failure to start reported as a benchmark precondition.
 */
import { startNatsServer as startPrivateNatsServer } from '@marketpipe/test-support/nats-server';
import { BenchPreconditionError } from '../harness/bench-errors.js';

/** A running private nats-server. */
export interface NatsServerProcess {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  /** Process id of the server, for CPU accounting. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its storage. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Enables JetStream, stored in a private temporary directory removed by `stop()`. */
  jetstream?: boolean;
}

/**
 * Starts a private nats-server (JetStream on, in a temporary directory, when asked) and resolves once it listens.
 *
 * @throws BenchPreconditionError when `nats-server` is missing or does not start.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  try {
    const server = await startPrivateNatsServer(options);
    return { url: server.url, pid: server.pid, stop: () => server.dispose() };
  } catch (cause) {
    throw new BenchPreconditionError(
      `nats-server did not start: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
