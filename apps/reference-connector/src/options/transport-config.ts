/**
 * `--transport` and the NATS connection options: `memory` (the default, an
 * in-process transport) or a comma list of `nats://` / `tls://` server URLs
 * plus the `--nats-*` auth and TLS options.
 */
import type { NatsConnectionOptions } from '@marketpipe/middleware';
import { withoutCredentials } from '@marketpipe/middleware/internal';
import { describeNatsConnection, splitServerCredentials } from '@marketpipe/middleware/transport';
import { InvalidOptionError } from '../cli-errors.js';
import type { OptionReader } from './option-reader.js';
import { runOption } from './run-option-table.js';

/**
 * Which transport `run` and `subscribe` use. With `jetstream`, trades are published exactly once into that
 * JetStream stream (message ids, in-order re-sends after an outage) instead of core NATS's at-most-once.
 */
export type TransportConfig =
  | { kind: 'memory' }
  | {
      kind: 'nats';
      connection: NatsConnectionOptions;
      /** `subjects` create the stream when absent; every stream must capture `required` (the publish subjects). */
      jetstream?: { stream: string; subjects: string[]; required: string[] };
    };

/** How long `run` and `subscribe` try to reach NATS before they give up (exit 1). */
export const DEFAULT_NATS_CONNECT_TIMEOUT_MS = 10_000;

const NATS_ONLY = [
  'natsUser',
  'natsPass',
  'natsToken',
  'natsNkeySeed',
  'natsCreds',
  'natsTls',
  'natsCa',
  'natsCert',
  'natsKey',
  'natsConnectTimeout',
  'jetstreamStream',
] as const;

function parseServers(text: string): { servers: string[]; tls: boolean; mixed: boolean } | undefined {
  const servers = text.split(',').map((s) => s.trim());
  const schemes = new Set<string>();
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return undefined;
    }
    if ((url.protocol !== 'nats:' && url.protocol !== 'tls:') || url.hostname.length === 0) return undefined;
    schemes.add(url.protocol);
  }
  return { servers, tls: schemes.has('tls:'), mixed: schemes.size > 1 };
}

/**
 * Reads `--transport` (default `fallback`) and the `--nats-*` options. NATS options given with the
 * memory transport are reported in `ignored` (by flag, never by value).
 *
 * @throws {InvalidOptionError} for a malformed server list or NATS option.
 */
export function readTransportConfig(
  reader: OptionReader,
  fallback = 'memory',
): { transport: TransportConfig; ignored: string[] } {
  const text = reader.string('transport') ?? fallback;
  if (text === 'memory') {
    const ignored = NATS_ONLY.filter((key) => reader.has(key)).map((key) => runOption(key).flag);
    return { transport: { kind: 'memory' }, ignored };
  }
  const parsed = parseServers(text);
  if (parsed === undefined) {
    throw new InvalidOptionError(
      '--transport',
      `invalid --transport ${JSON.stringify(withoutCredentials(text))} (from ${reader.origin('transport')}): ` +
        'expected memory or nats://host:port[,nats://host:port...] (tls:// also accepted)',
    );
  }
  // tls:// must mean TLS for every server; a list that mixes it with nats:// says two things at once.
  if (parsed.mixed) {
    throw new InvalidOptionError(
      '--transport',
      `invalid --transport ${JSON.stringify(withoutCredentials(text))} (from ${reader.origin('transport')}): ` +
        'mixes tls:// and nats:// servers; use tls:// for all (or --nats-tls)',
    );
  }
  // nats.js ignores credentials inside server URLs: take them out of the URLs and pass them as
  // user/password, or as the token for a lone `token@` (as the NATS clients that read URLs do).
  const fromUrls = splitServerCredentials(parsed.servers);
  const connection: NatsConnectionOptions = {
    servers: fromUrls.servers,
    name: 'marketpipe',
    firstConnectTimeoutMs: reader.duration('natsConnectTimeout') ?? DEFAULT_NATS_CONNECT_TIMEOUT_MS,
  };
  const user = reader.string('natsUser') ?? fromUrls.user;
  const pass = reader.string('natsPass') ?? fromUrls.pass;
  const token = reader.string('natsToken') ?? fromUrls.token;
  if (
    fromUrls.conflict ||
    (fromUrls.user !== undefined && user !== fromUrls.user) ||
    (fromUrls.token !== undefined && token !== fromUrls.token)
  ) {
    throw new InvalidOptionError(
      '--transport',
      `invalid --transport ${JSON.stringify(withoutCredentials(text))} (from ${reader.origin('transport')}): ` +
        'its server URLs carry different credentials, or a user or token other than --nats-user or --nats-token',
    );
  }
  const nkeySeed = reader.string('natsNkeySeed');
  const credsFile = reader.path('natsCreds');
  if (pass !== undefined && user === undefined) reader.reject('natsPass', 'needs --nats-user as well');
  if (nkeySeed !== undefined && !/^SU[A-Z2-7]+$/.test(nkeySeed)) {
    reader.reject('natsNkeySeed', 'expected a user NKey seed (base32, starting with SU)');
  }
  if (user !== undefined) connection.user = user;
  if (pass !== undefined) connection.pass = pass;
  if (token !== undefined) connection.token = token;
  if (nkeySeed !== undefined) connection.nkeySeed = nkeySeed;
  if (credsFile !== undefined) connection.credsFile = credsFile;
  const caFile = reader.path('natsCa');
  const certFile = reader.path('natsCert');
  const keyFile = reader.path('natsKey');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    reader.reject(certFile === undefined ? 'natsKey' : 'natsCert', 'needs both --nats-cert and --nats-key');
  }
  if (caFile !== undefined || certFile !== undefined) {
    connection.tls = {
      ...(caFile !== undefined ? { caFile } : {}),
      ...(certFile !== undefined ? { certFile } : {}),
      ...(keyFile !== undefined ? { keyFile } : {}),
    };
  } else if (reader.boolean('natsTls') === true || parsed.tls) {
    connection.tls = true;
  }
  const stream = reader.string('jetstreamStream');
  if (stream !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    reader.reject('jetstreamStream', 'expected 1-64 characters from [A-Za-z0-9_-]');
  }
  return {
    transport: {
      kind: 'nats',
      connection,
      ...(stream !== undefined ? { jetstream: { stream, subjects: [], required: [] } } : {}),
    },
    ignored: [],
  };
}

/** One secret-free line naming the transport, for logs and summaries. */
export function describeTransport(transport: TransportConfig): string {
  if (transport.kind === 'memory') return 'memory';
  const jetstream = transport.jetstream ? ` jetstream ${transport.jetstream.stream}` : '';
  return `nats ${describeNatsConnection(transport.connection)}${jetstream}`;
}

/** The secret strings in `transport` (passwords, token, seed, URL passwords and tokens), for scrubbing output. */
export function transportSecrets(transport: TransportConfig): string[] {
  if (transport.kind === 'memory') return [];
  const { pass, token, nkeySeed, servers } = transport.connection;
  const secrets = [pass, token, nkeySeed].filter((s): s is string => s !== undefined && s.length > 0);
  for (const server of typeof servers === 'string' ? [servers] : servers) {
    const { pass: urlPass, token: urlToken } = splitServerCredentials(server);
    for (const secret of [urlPass, urlToken]) {
      if (secret) secrets.push(secret, encodeURIComponent(secret));
    }
  }
  return secrets;
}
