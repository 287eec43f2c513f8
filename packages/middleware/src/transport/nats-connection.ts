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
import type { Authenticator, ConnectionOptions, TlsOptions } from '@nats-io/nats-core';
import { natsCore } from './nats-modules.js';

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
  /** Timeout of one connection attempt in ms (default 5000). */
  timeoutMs?: number;
  /**
   * Give up the first connection after this long in ms (default 30 000),
   * attempting every server again until then, after a delay that doubles from
   * `reconnectTimeWaitMs` up to 2 s.
   */
  firstConnectTimeoutMs?: number;
}

function authenticator(options: NatsConnectionOptions): Authenticator | undefined {
  if (options.credsFile)
    return natsCore().credsAuthenticator(new Uint8Array(readFileSync(options.credsFile)));
  if (options.nkeySeed) return natsCore().nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed));
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
  /** The URLs without their `userinfo@`. */
  servers: string[];
  /** The (decoded) user and password of a `user:password@` URL, if any. */
  user?: string;
  pass?: string;
  /** The (decoded) token of a `token@` URL (userinfo without a colon), if any. */
  token?: string;
  /** True when two URLs carry different credentials. */
  conflict: boolean;
}

/**
 * Splits the userinfo out of NATS server URLs. nats.js ignores credentials
 * inside server URLs, so {@link toNatsConnectOptions} passes them on as the
 * connection's auth instead. As in the NATS clients that read them (nats.go,
 * nats.java), `user:password@` is a user and password, while a lone
 * `token@` (no colon) is a token, never a user name.
 *
 * @example
 * ```ts
 * splitServerCredentials(['nats://alice:s3cret@a:4222', 'nats://b:4222']);
 * // { servers: ['nats://a:4222', 'nats://b:4222'], user: 'alice', pass: 's3cret', conflict: false }
 * splitServerCredentials('nats://T0ken@a:4222');
 * // { servers: ['nats://a:4222'], token: 'T0ken', conflict: false }
 * ```
 */
export function splitServerCredentials(servers: string | readonly string[]): ServerCredentials {
  const list = typeof servers === 'string' ? [servers] : [...servers];
  let found: { user?: string; pass?: string; token?: string } | undefined;
  let conflict = false;
  for (const server of list) {
    const userinfo = /^[a-z]+:\/\/([^@/]*)@/i.exec(server)?.[1];
    if (userinfo === undefined) continue;
    const colon = userinfo.indexOf(':');
    const next =
      colon < 0
        ? { token: decodeURIComponent(userinfo) }
        : {
            user: decodeURIComponent(userinfo.slice(0, colon)),
            pass: decodeURIComponent(userinfo.slice(colon + 1)),
          };
    if (
      found !== undefined &&
      (found.user !== next.user || found.pass !== next.pass || found.token !== next.token)
    ) {
      conflict = true;
    }
    found = next;
  }
  return {
    servers: list.map(withoutCredentials),
    ...(found?.user !== undefined ? { user: found.user } : {}),
    ...(found?.pass !== undefined ? { pass: found.pass } : {}),
    ...(found?.token !== undefined ? { token: found.token } : {}),
    conflict,
  };
}

/**
 * True when any of `servers` is a `tls://` URL. nats.js ignores the scheme,
 * so without this a `tls://` server that offers no TLS would get a plaintext
 * connection (and the credentials in it).
 */
export function requiresTlsScheme(servers: string | readonly string[]): boolean {
  const list = typeof servers === 'string' ? [servers] : servers;
  return list.some((server) => /^tls:\/\//i.test(server.trim()));
}

/**
 * Maps marketpipe's connection options to nats.js `ConnectionOptions`.
 * Reconnection is always enabled and the client waits on first connect.
 * Credentials inside server URLs become the user and password, or the token
 * (nats.js would ignore them), unless `user` or `token` is given. A `tls://`
 * server URL requires TLS for the connection (nats.js checks the server's
 * INFO and refuses before sending CONNECT, so no credential goes out in
 * plaintext).
 */
export function toNatsConnectOptions(options: NatsConnectionOptions): ConnectionOptions {
  const split = splitServerCredentials(options.servers);
  const servers = split.servers;
  const fromUrl = options.user === undefined && split.user !== undefined;
  const user = fromUrl ? split.user : options.user;
  const pass = fromUrl ? split.pass : options.pass;
  const token = options.token ?? split.token;
  const auth = authenticator(options);
  const tls = tlsOptions(options.tls ?? (requiresTlsScheme(options.servers) ? true : undefined));
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
    ...(token !== undefined ? { token } : {}),
    ...(auth ? { authenticator: auth } : {}),
    ...(tls ? { tls } : {}),
  };
}

/**
 * A one-line, secret-free description of the connection for logs and status:
 * servers (with any `user:pass@` or `token@` stripped) and which auth method
 * is in use. A token is never shown, not even in part.
 */
export function describeNatsConnection(options: NatsConnectionOptions): string {
  const { servers, user, token } = splitServerCredentials(options.servers);
  const shownUser = options.user ?? user;
  const auth = options.credsFile
    ? 'creds'
    : options.nkeySeed
      ? 'nkey'
      : (options.token ?? token) !== undefined
        ? 'token'
        : shownUser !== undefined
          ? `user ${shownUser}`
          : 'none';
  const tls = options.tls !== undefined || requiresTlsScheme(options.servers);
  return `${servers.join(',')} (auth: ${auth}${tls ? ', tls' : ''})`;
}
