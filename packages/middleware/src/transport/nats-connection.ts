/**
 * Connection settings shared by {@link NatsTransport} and the JetStream
 * journal, mapped once to nats.js `ConnectionOptions`.
 *
 * Secrets (password, token, NKey seed, creds) are held in the options object
 * only; {@link describeNatsConnection} gives a loggable summary with every
 * secret removed, and nothing in this package ever formats the raw options
 * into a message.
 */
import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  type ConnectionOptions,
  credsAuthenticator,
  nkeyAuthenticator,
  type TlsOptions,
} from 'nats';

/** How to reach and authenticate to a NATS cluster. */
export interface NatsConnectionOptions {
  /** One or more server URLs, e.g. `nats://127.0.0.1:4222`. */
  servers: string | readonly string[];
  /** Client name shown in the server's connection list. */
  name?: string;
  /** User and password authentication. */
  user?: string;
  pass?: string;
  /** Token authentication. */
  token?: string;
  /** NKey seed (the `SU...` string) for NKey challenge authentication. */
  nkeySeed?: string;
  /** Path to a `.creds` file (JWT + NKey seed) for decentralized auth. */
  credsFile?: string;
  /** TLS settings; `true` requires TLS with the system CAs. */
  tls?: true | { caFile?: string; certFile?: string; keyFile?: string };
  /** Give up after this many reconnect attempts; `-1` (default) retries forever. */
  maxReconnectAttempts?: number;
  /** Base delay between reconnect attempts in ms (default 250), grown with jitter by nats.js. */
  reconnectTimeWaitMs?: number;
  /** Random jitter added to each reconnect delay in ms (default 100). */
  reconnectJitterMs?: number;
  /** Connection timeout in ms (default 5000). */
  timeoutMs?: number;
}

function authenticator(options: NatsConnectionOptions): Authenticator | undefined {
  if (options.credsFile) return credsAuthenticator(new Uint8Array(readFileSync(options.credsFile)));
  if (options.nkeySeed) return nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed));
  return undefined;
}

function tlsOptions(tls: NatsConnectionOptions['tls']): TlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (tls === true) return {};
  return {
    ...(tls.caFile ? { caFile: tls.caFile } : {}),
    ...(tls.certFile ? { certFile: tls.certFile } : {}),
    ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
  };
}

/** `text` (a server URL, or a list of them) with every `user:password@` removed, safe to print. */
export function withoutCredentials(text: string): string {
  return text.replace(/\/\/[^@/]*@/g, '//');
}

/** Server URLs with their credentials split out. */
export interface ServerCredentials {
  /** The URLs without `user:password@`. */
  servers: string[];
  /** The (decoded) user and password the URLs carried, if any. */
  user?: string;
  pass?: string;
  /** True when two URLs carry different credentials. */
  conflict: boolean;
}

/**
 * Splits `user:password@` out of NATS server URLs. nats.js ignores
 * credentials inside server URLs, so {@link toNatsConnectOptions} passes them
 * as the connection's user and password instead (unless `user` is set).
 *
 * @example
 * ```ts
 * splitServerCredentials(['nats://alice:s3cret@a:4222', 'nats://b:4222']);
 * // { servers: ['nats://a:4222', 'nats://b:4222'], user: 'alice', pass: 's3cret', conflict: false }
 * ```
 */
export function splitServerCredentials(servers: string | readonly string[]): ServerCredentials {
  const list = typeof servers === 'string' ? [servers] : [...servers];
  let user: string | undefined;
  let pass: string | undefined;
  let conflict = false;
  for (const server of list) {
    const found = /^[a-z]+:\/\/([^@/]*)@/i.exec(server)?.[1];
    if (found === undefined) continue;
    const colon = found.indexOf(':');
    const u = decodeURIComponent(colon < 0 ? found : found.slice(0, colon));
    const p = colon < 0 ? undefined : decodeURIComponent(found.slice(colon + 1));
    if ((user !== undefined && user !== u) || (pass !== undefined && pass !== p)) conflict = true;
    user = u;
    pass = p;
  }
  return {
    servers: list.map(withoutCredentials),
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    conflict,
  };
}

/**
 * Maps marketpipe's connection options to nats.js `ConnectionOptions`.
 * Reconnection is always enabled and the client waits on first connect.
 * Credentials inside server URLs become the user and password (nats.js
 * would ignore them) unless `user` is given.
 */
export function toNatsConnectOptions(options: NatsConnectionOptions): ConnectionOptions {
  const split = splitServerCredentials(options.servers);
  const servers = split.servers;
  const fromUrl = options.user === undefined && split.user !== undefined;
  const user = fromUrl ? split.user : options.user;
  const pass = fromUrl ? split.pass : options.pass;
  const auth = authenticator(options);
  const tls = tlsOptions(options.tls);
  return {
    servers,
    name: options.name ?? 'marketpipe',
    reconnect: true,
    waitOnFirstConnect: true,
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 250,
    reconnectJitter: options.reconnectJitterMs ?? 100,
    timeout: options.timeoutMs ?? 5_000,
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(auth ? { authenticator: auth } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * A one-line, secret-free description of the connection for logs and status:
 * servers (with any `user:pass@` stripped) and which auth method is in use.
 */
export function describeNatsConnection(options: NatsConnectionOptions): string {
  const { servers, user } = splitServerCredentials(options.servers);
  const shownUser = options.user ?? user;
  const auth = options.credsFile
    ? 'creds'
    : options.nkeySeed
      ? 'nkey'
      : options.token !== undefined
        ? 'token'
        : shownUser !== undefined
          ? `user ${shownUser}`
          : 'none';
  return `${servers.join(',')} (auth: ${auth}${options.tls ? ', tls' : ''})`;
}
