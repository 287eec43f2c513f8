/**
 * The transport's connection, told in the log: every failed attempt of the
 * first connection, then each disconnect (warn) and reconnect (info). A
 * flapping link is aggregated: after a few lines per window, the rest are
 * counted and summed up in one line when the window ends.
 */
import type { Transport, TransportStatus } from '@marketpipe/middleware';
import type { NatsConnectAttempt, NatsConnectControl } from '@marketpipe/middleware/transport';
import type { CliContext } from '../cli-context.js';
import type { TransportConfig } from '../options/transport-config.js';
import { type CliLogger, errorFields } from './cli-logger.js';
import { closeUnused, type StopTrigger } from './stop-trigger.js';

/**
 * Connects the configured transport unless a stop (signal, `--duration`) comes first, logging each failed
 * attempt at warn. Resolves to undefined when stopped; rejects when the connection fails for good.
 */
export async function connectUnlessStopped(options: {
  context: CliContext;
  config: TransportConfig;
  trigger: StopTrigger;
  logger: CliLogger;
  secrets: readonly string[];
}): Promise<Transport | undefined> {
  const { context, config, trigger, logger, secrets } = options;
  const control: NatsConnectControl = {
    signal: trigger.signal,
    onAttemptFailed: ({ attempt, error, retryInMs }: NatsConnectAttempt) => {
      logger.warn(
        { attempt, retryInMs, error: errorFields(error, secrets) },
        retryInMs === undefined
          ? 'NATS connection attempt failed; giving up'
          : 'NATS connection attempt failed',
      );
    },
  };
  return trigger.unlessStopped(context.connectTransport(config, control), closeUnused);
}

/** Options of {@link TransportConnectionLog}. */
export interface TransportConnectionLogOptions {
  /** Length of an aggregation window in ms (default 30 000). */
  windowMs?: number;
  /** Disconnect lines logged one by one per window before the rest are only counted (default 3). */
  linesPerWindow?: number;
  /** Wall clock in ms; tests pass their own. */
  now?: () => number;
}

/**
 * Logs a transport's status changes. Call {@link stop} before closing the transport, so the intended close
 * is not logged as a failure.
 *
 * @example
 * ```ts
 * const log = new TransportConnectionLog(transport, logger);
 * // ... run ...
 * log.stop();
 * await transport.close();
 * ```
 */
export class TransportConnectionLog {
  private readonly windowMs: number;
  private readonly linesPerWindow: number;
  private readonly now: () => number;
  private readonly off: () => void;
  private windowStart = 0;
  private linesInWindow = 0;
  private quietDisconnects = 0;
  private quietReconnects = 0;
  private disconnectedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    transport: Pick<Transport, 'onStatus'>,
    private readonly logger: CliLogger,
    options: TransportConnectionLogOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 30_000;
    this.linesPerWindow = options.linesPerWindow ?? 3;
    this.now = options.now ?? Date.now;
    this.off = transport.onStatus((status) => this.onStatus(status));
  }

  /** Stops listening and logs what is still only counted. */
  stop(): void {
    this.off();
    clearTimeout(this.timer);
    this.summarize();
  }

  private onStatus(status: TransportStatus): void {
    const now = this.now();
    if (status === 'reconnecting') {
      this.disconnectedAt = now;
      if (now - this.windowStart >= this.windowMs) {
        this.summarize();
        this.windowStart = now;
        this.linesInWindow = 0;
      }
      if (this.linesInWindow < this.linesPerWindow) {
        this.linesInWindow++;
        this.logger.warn(
          { transport: status },
          'transport disconnected; buffering trades until it reconnects',
        );
      } else {
        this.quietDisconnects++;
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.summarize();
        }, this.windowMs).unref();
      }
    } else if (status === 'connected') {
      const outageMs = this.disconnectedAt === undefined ? undefined : now - this.disconnectedAt;
      this.disconnectedAt = undefined;
      if (this.quietDisconnects > 0) this.quietReconnects++;
      else this.logger.info({ transport: status, outageMs }, 'transport reconnected');
    } else {
      this.logger.error(
        { transport: status },
        'transport closed by the client; trades are no longer published',
      );
    }
  }

  private summarize(): void {
    if (this.quietDisconnects === 0 && this.quietReconnects === 0) return;
    this.logger.warn(
      {
        disconnects: this.quietDisconnects,
        reconnects: this.quietReconnects,
        windowMs: this.windowMs,
        transport: this.disconnectedAt === undefined ? 'connected' : 'reconnecting',
      },
      'transport connection is flapping; further disconnects and reconnects counted, not logged one by one',
    );
    this.quietDisconnects = 0;
    this.quietReconnects = 0;
  }
}
