/**
 * The first connection to NATS, attempt by attempt, with a deadline.
 *
 * nats.js's own `waitOnFirstConnect` retries forever and says nothing, so an
 * unreachable broker (a closed port, a `tls://` server without TLS) looked
 * like a hang. Here every attempt tries each server once; a failed attempt is
 * reported, and attempts repeat after a delay that doubles from the reconnect
 * wait up to 2 s, until the deadline or an abort. Failures that another attempt cannot fix (refused credentials,
 * TLS the server does not offer or a certificate it cannot prove) end the
 * loop at once.
 */
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { TransportConnectError } from '../errors.js';
import {
  describeNatsConnection,
  type NatsConnectionOptions,
  toNatsConnectOptions,
} from './nats-connection.js';
import { natsTransportNode } from './nats-modules.js';

/** Default for {@link NatsConnectionOptions.firstConnectTimeoutMs}. */
export const DEFAULT_FIRST_CONNECT_TIMEOUT_MS = 30_000;

/** Longest pause between two attempts of the first connection, in ms (unless the reconnect wait is longer). */
const MAX_FIRST_CONNECT_DELAY_MS = 2_000;

/** One failed attempt of the first connection, as reported to {@link NatsConnectControl.onAttemptFailed}. */
export interface NatsConnectAttempt {
  /** 1 for the first attempt. */
  attempt: number;
  /** What nats.js reported (its message may name a server URL, never with credentials). */
  error: unknown;
  /** Delay before the next attempt in ms, or `undefined` when this was the last one. */
  retryInMs: number | undefined;
}

/** Run-time hooks of the first connection (as opposed to its settings in {@link NatsConnectionOptions}). */
export interface NatsConnectControl {
  /** Stops retrying: the connect rejects with a {@link TransportConnectError} (a late connection is closed). */
  signal?: AbortSignal;
  /** Called after each failed attempt, e.g. to log it. */
  onAttemptFailed?: (attempt: NatsConnectAttempt) => void;
}

// Failures that are the same on every attempt: refused credentials, TLS required but not offered (nats.js
// errors, by name), bad certificates (Node's TLS codes, which nats.js v3 wraps as a ConnectionError's cause).
const PERMANENT_NAMES = new Set([
  'AuthorizationError',
  'UserAuthenticationExpiredError',
  'InvalidArgumentError',
]);
const PERMANENT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isPermanent(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const { name, code, cause, message } = e as {
      name?: unknown;
      code?: unknown;
      cause?: unknown;
      message?: unknown;
    };
    if (typeof name === 'string' && PERMANENT_NAMES.has(name)) return true;
    // A tls:// URL to a server without TLS: nats.js v3 uses the class of a refused connection, so only the text tells.
    if (
      name === 'ConnectionError' &&
      typeof message === 'string' &&
      message.includes("does not support 'tls'")
    ) {
      return true;
    }
    if (typeof code === 'string' && PERMANENT_CODES.has(code)) return true;
    e = cause;
  }
  return false;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Opens a nats.js connection with `toNatsConnectOptions(options)` plus
 * `extra`, attempting until `options.firstConnectTimeoutMs` (default 30 s)
 * has passed. Once connected, reconnection is nats.js's (forever by default).
 *
 * @throws TransportConnectError when the deadline passes, a permanent failure
 *   occurs or `control.signal` aborts; `cause` is the last attempt's error.
 * @example
 * ```ts
 * const nc = await connectNats(
 *   { servers: 'nats://127.0.0.1:4222', firstConnectTimeoutMs: 10_000 },
 *   { onAttemptFailed: ({ attempt, error }) => console.warn('attempt', attempt, error) },
 * );
 * ```
 */
export async function connectNats(
  options: NatsConnectionOptions,
  control: NatsConnectControl = {},
  extra: Partial<ConnectionOptions> = {},
): Promise<NatsConnection> {
  const base = { ...toNatsConnectOptions(options), ...extra, waitOnFirstConnect: false };
  const perAttemptMs = base.timeout ?? 5_000;
  const deadline = Date.now() + (options.firstConnectTimeoutMs ?? DEFAULT_FIRST_CONNECT_TIMEOUT_MS);
  const baseDelayMs = options.reconnectTimeWaitMs ?? 250;
  const jitterMs = options.reconnectJitterMs ?? 100;
  const { signal } = control;
  const { connect } = natsTransportNode();
  for (let attempt = 1; ; attempt++) {
    let error: unknown;
    if (signal?.aborted) {
      error = signal.reason;
    } else {
      const timeout = Math.max(1, Math.min(perAttemptMs, deadline - Date.now()));
      try {
        return await abortable(connect({ ...base, timeout }), signal);
      } catch (err) {
        error = err;
      }
    }
    const aborted = signal?.aborted === true;
    const left = deadline - Date.now();
    // Doubling up to MAX_FIRST_CONNECT_DELAY_MS: quick retries for a broker that is starting, few log lines after.
    const backoffMs =
      Math.min(baseDelayMs * 2 ** (attempt - 1), Math.max(baseDelayMs, MAX_FIRST_CONNECT_DELAY_MS)) +
      Math.random() * jitterMs;
    const retryInMs = aborted || isPermanent(error) || left <= 0 ? undefined : Math.min(backoffMs, left);
    if (!aborted) control.onAttemptFailed?.({ attempt, error, retryInMs });
    if (retryInMs === undefined) {
      const why = aborted
        ? 'stopped while connecting'
        : isPermanent(error)
          ? 'refused'
          : `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
      throw new TransportConnectError(`${describeNatsConnection(options)} (${why})`, { cause: error });
    }
    await sleep(retryInMs, signal);
  }
}

/** `pending`, unless `signal` aborts first; a connection that arrives after the abort is closed. */
function abortable(
  pending: Promise<NatsConnection>,
  signal: AbortSignal | undefined,
): Promise<NatsConnection> {
  if (signal === undefined) return pending;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason);
      pending.then(
        (nc) => nc.close(),
        () => undefined,
      );
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (nc) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted)
          nc.close().catch(() => undefined); // an unused connection: nothing to report to
        else resolve(nc);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
