import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, InvalidOptionError } from '../cli-errors.js';
import { loadConfigFile } from './config-file.js';
import { OptionReader, type OptionSources } from './option-reader.js';
import { type RunConfig, resolveRunConfig } from './run-config.js';
import { RUN_OPTIONS } from './run-option-table.js';
import { describeTransport, transportSecrets } from './transport-config.js';

const CWD = '/srv/marketpipe';

function resolveWith(sources: Partial<OptionSources>): RunConfig {
  return resolveRunConfig(
    new OptionReader({ flags: {}, env: {}, file: undefined, cwd: CWD, ...sources }),
    CWD,
  );
}

function errorOf(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidOptionError) return err;
    throw err;
  }
  throw new Error('expected an InvalidOptionError');
}

function tempConfig(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-config-'));
  const path = join(dir, 'marketpipe.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('resolveRunConfig defaults', () => {
  it('runs the simulator for binance into ./data over the in-memory transport, env dev', () => {
    const config = resolveWith({});
    expect(config).toMatchObject({
      venue: 'binance',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      source: { kind: 'sim', rate: 1000, seed: 1 },
      transport: { kind: 'memory' },
      env: 'dev',
      dataDir: '/srv/marketpipe/data',
      durationMs: undefined,
      stopFlushTimeoutMs: undefined,
      parser: undefined,
      metrics: undefined,
      logLevel: 'info',
      statusIntervalMs: 5000,
      ignored: [],
    });
  });

  it.each([
    ['coinbase', ['BTC-USD', 'ETH-USD']],
    ['kraken', ['BTC/USD', 'ETH/USD']],
    ['bybit', ['BTCUSDT', 'ETHUSDT']],
    ['okx', ['BTC-USDT', 'ETH-USDT']],
  ])('defaults the symbols of %s to %j', (venue, symbols) => {
    expect(resolveWith({ flags: { venue } }).symbols).toEqual(symbols);
  });
});

describe('ring geometry options', () => {
  it('leaves the geometry to the pipeline by default and passes what is set', () => {
    expect(resolveWith({}).ring).toBeUndefined();
    expect(resolveWith({ flags: { ringSlotBytes: '512' } }).ring).toEqual({ slotSize: 512 });
    expect(resolveWith({ env: { MARKETPIPE_RING_SLOTS: '1024' } }).ring).toEqual({ slotCount: 1024 });
  });
});

describe('CPU placement options', () => {
  it('places nothing by default and reads CPU lists as taskset writes them', () => {
    expect(resolveWith({}).cpus).toBeUndefined();
    expect(resolveWith({ flags: { cpu: '1' } }).cpus).toEqual({ intake: [1] });
    expect(resolveWith({ flags: { cpu: '3, 0-1,1', recorderCpu: '4-6' } }).cpus).toEqual({
      intake: [0, 1, 3],
      recorder: [4, 5, 6],
    });
    expect(resolveWith({ env: { MARKETPIPE_CPU: '2', MARKETPIPE_RECORDER_CPU: '0' } }).cpus).toEqual({
      intake: [2],
      recorder: [0],
    });
    const file = tempConfig({ cpu: 1, recorderCpu: [0, 2] });
    expect(resolveWith({ file: loadConfigFile(file) }).cpus).toEqual({ intake: [1], recorder: [0, 2] });
  });

  it.each([
    [{ cpu: '' }, '--cpu'],
    [{ cpu: 'one' }, '--cpu'],
    [{ cpu: '1,' }, '--cpu'],
    [{ cpu: '-1' }, '--cpu'],
    [{ cpu: '3-1' }, '--cpu'],
    [{ cpu: '1024' }, '--cpu'],
    [{ cpu: '1', recorderCpu: '0-' }, '--recorder-cpu'],
    [{ recorderCpu: '0' }, '--recorder-cpu'],
  ])('rejects %j naming %s', (flags, option) => {
    const err = errorOf(() => resolveWith({ flags }));
    expect(err.option).toBe(option);
    expect(err.message).toContain(`invalid ${option}`);
  });
});

describe('channels and book options', () => {
  it('carries trades only by default, books when asked, with the depth and the snapshot URL', () => {
    expect(resolveWith({})).toMatchObject({ channels: ['trades'], depth: 100, bookSnapshotUrl: undefined });
    expect(
      resolveWith({
        flags: {
          channels: 'trades,books',
          depth: '20',
          bookSnapshotUrl: 'http://127.0.0.1:8080/api/v3/depth',
        },
      }),
    ).toMatchObject({
      channels: ['trades', 'books'],
      depth: 20,
      bookSnapshotUrl: 'http://127.0.0.1:8080/api/v3/depth',
      ignored: [],
    });
    expect(resolveWith({ env: { MARKETPIPE_CHANNELS: 'books' } }).channels).toEqual(['books']);
  });

  it('reads the refresh snapshot interval: a duration, or off (0); the default is the pipeline one', () => {
    expect(resolveWith({ flags: { channels: 'books' } }).bookSnapshotIntervalMs).toBeUndefined();
    expect(resolveWith({ flags: { channels: 'books', bookRefresh: '1m30s' } }).bookSnapshotIntervalMs).toBe(
      90_000,
    );
    expect(
      resolveWith({ flags: { channels: 'books' }, env: { MARKETPIPE_BOOK_REFRESH: 'off' } })
        .bookSnapshotIntervalMs,
    ).toBe(0);
    for (const bad of ['5', '0s', 'never']) {
      const err = errorOf(() => resolveWith({ flags: { channels: 'books', bookRefresh: bad } }));
      expect(err.option).toBe('--book-refresh');
      expect(err.message).toContain('expected off or a duration');
    }
    expect(resolveWith({ flags: { bookRefresh: '1s' } }).ignored).toEqual(['--book-refresh']);
  });

  it('refuses unknown and repeated channels, a bad depth or URL; book options without books are ignored', () => {
    expect(errorOf(() => resolveWith({ flags: { channels: 'quotes' } })).message).toContain('--channels');
    expect(errorOf(() => resolveWith({ flags: { channels: 'books,books' } })).message).toContain(
      '--channels',
    );
    expect(errorOf(() => resolveWith({ flags: { channels: 'books', depth: '0' } })).message).toContain(
      '--depth',
    );
    expect(
      errorOf(() => resolveWith({ flags: { channels: 'books', bookSnapshotUrl: 'ftp://x' } })).message,
    ).toContain('--book-snapshot-url');
    expect(resolveWith({ flags: { depth: '10' } }).ignored).toEqual(['--depth']);
  });

  it('makes a JetStream stream capture the book subjects too', () => {
    const config = resolveWith({
      flags: { channels: 'trades,books', transport: 'nats://127.0.0.1:4222', jetstreamStream: 'MD' },
    });
    expect(config.transport).toMatchObject({
      jetstream: { subjects: ['dev.binance.trade.>', 'dev.binance.book.>'] },
    });
  });
});

describe('precedence: flags > env > config file > defaults', () => {
  const file = {
    path: 'cfg.json',
    dir: '/etc/mp',
    values: { venue: 'kraken', env: 'fromfile', dataDir: 'rec' },
  };

  it('takes the config file over the defaults, with paths relative to the file', () => {
    const config = resolveWith({ file });
    expect(config.venue).toBe('kraken');
    expect(config.env).toBe('fromfile');
    expect(config.dataDir).toBe('/etc/mp/rec');
  });

  it('takes the environment over the config file, and flags over both', () => {
    const env = { MARKETPIPE_VENUE: 'okx', MARKETPIPE_ENV: 'fromenv', MARKETPIPE_DATA_DIR: 'envdata' };
    const fromEnv = resolveWith({ file, env });
    expect([fromEnv.venue, fromEnv.env, fromEnv.dataDir]).toEqual([
      'okx',
      'fromenv',
      '/srv/marketpipe/envdata',
    ]);
    const fromFlags = resolveWith({ file, env, flags: { venue: 'bybit', env: 'fromflag' } });
    expect([fromFlags.venue, fromFlags.env, fromFlags.dataDir]).toEqual([
      'bybit',
      'fromflag',
      '/srv/marketpipe/envdata',
    ]);
  });

  it('treats an empty environment variable as unset', () => {
    expect(resolveWith({ file, env: { MARKETPIPE_VENUE: '' } }).venue).toBe('kraken');
  });

  it('names the source of a bad value in the error', () => {
    expect(errorOf(() => resolveWith({ env: { MARKETPIPE_VENUE: 'nasdaq' } })).message).toBe(
      'invalid --venue "nasdaq" (from environment variable MARKETPIPE_VENUE): expected one of binance, coinbase, kraken, bybit, okx',
    );
    expect(errorOf(() => resolveWith({ file: { ...file, values: { venue: 'nasdaq' } } })).message).toContain(
      '(from config file cfg.json, key "venue")',
    );
    expect(errorOf(() => resolveWith({ flags: { venue: 'nasdaq' } })).message).toContain(
      '(from command line)',
    );
  });
});

describe('option values', () => {
  it('reads every source kind', () => {
    const config = resolveWith({
      flags: {
        symbols: ' BTCUSDT , SOLUSDT ',
        source: 'sim',
        rate: '2500',
        seed: '7',
        duration: '1m30s',
        stopFlushTimeout: '2s',
        parser: 'json',
        fsync: 'batch',
        overflowPolicy: 'drop-oldest',
        overflowMaxMessages: '1000',
        // The summary's folder must exist.
        jsonSummary: join(tmpdir(), 'summary.json'),
        metricsPort: '0',
        logLevel: 'warn',
        statusInterval: '250ms',
      },
    });
    expect(config).toMatchObject({
      symbols: ['BTCUSDT', 'SOLUSDT'],
      source: { kind: 'sim', rate: 2500, seed: 7 },
      durationMs: 90_000,
      stopFlushTimeoutMs: 2000,
      parser: 'json',
      fsync: 'batch',
      overflow: { overflowPolicy: 'drop-oldest', maxMessages: 1000 },
      jsonSummary: join(tmpdir(), 'summary.json'),
      metrics: { host: '127.0.0.1', port: 0 },
      logLevel: 'warn',
      statusIntervalMs: 250,
    });
  });

  it('reads an fsync interval and a live source with a URL override', () => {
    const config = resolveWith({ flags: { fsync: '200ms', source: 'live', url: 'ws://127.0.0.1:9000/ws' } });
    expect(config.fsync).toEqual({ intervalMs: 200 });
    expect(config.source).toEqual({ kind: 'live', url: 'ws://127.0.0.1:9000/ws' });
  });

  it('reads a replay source relative to where it was written, with its pace', () => {
    const path = tempConfig({ source: 'replay:marketpipe.json', pace: 'recorded' });
    const file = loadConfigFile(path);
    expect(resolveWith({ file }).source).toEqual({ kind: 'replay', path, pace: 'recorded' });
    expect(errorOf(() => resolveWith({ flags: { source: 'replay:missing.txt' } })).message).toMatch(
      /^invalid --source "replay:missing.txt" \(from command line\): replay file or folder .*missing.txt does not exist$/,
    );
  });

  it('refuses a --json-summary path that is a folder, before the run rather than after it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'summary-folder-'));
    expect(errorOf(() => resolveWith({ flags: { jsonSummary: folder } })).message).toMatch(
      /^invalid --json-summary ".*summary-folder-.*" \(from command line\): .*summary-folder-\w+ is a folder$/,
    );
  });

  it('accepts JSON types from the config file', () => {
    const file = {
      path: 'c.json',
      dir: '/c',
      values: { symbols: ['A', 'B'], rate: 50, metricsPort: 9100, natsTls: true },
    };
    const config = resolveWith({ file: { ...file, values: { ...file.values, transport: 'nats://h:4222' } } });
    expect(config.symbols).toEqual(['A', 'B']);
    expect(config.source).toMatchObject({ rate: 50 });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(config.transport).toEqual({
      kind: 'nats',
      connection: {
        servers: ['nats://h:4222'],
        name: 'marketpipe',
        firstConnectTimeoutMs: 10_000,
        tls: true,
      },
    });
  });

  it('lists options that have no effect instead of failing', () => {
    expect(resolveWith({ flags: { pace: 'fast', natsUser: 'u', metricsHost: '0.0.0.0' } }).ignored).toEqual([
      '--pace',
      '--metrics-host',
      '--nats-user',
    ]);
  });

  it.each([
    [{ source: 'file' }, '--source', 'expected live, sim or replay:<path>'],
    [{ source: 'replay:' }, '--source', 'expected live, sim or replay:<path>'],
    [{ pace: 'slow', source: `replay:${process.cwd()}` }, '--pace', 'expected one of fast, recorded'],
    [{ rate: '0' }, '--rate', 'expected a number greater than 0'],
    [{ rate: 'fast' }, '--rate', 'expected a number greater than 0'],
    [{ seed: '1.5' }, '--seed', 'expected an integer from 0 to 2147483647'],
    [
      { symbols: 'BTCUSDT,,ETHUSDT' },
      '--symbols',
      'expected a comma-separated list of non-empty names, e.g. BTCUSDT',
    ],
    [{ symbols: 'BTCUSDT,ETHUSDT,BTCUSDT' }, '--symbols', 'BTCUSDT is listed twice'],
    [{ symbols: 'btcusdt' }, '--symbols', 'btcusdt: every venue sends tickers in upper case (BTCUSDT)'],
    [{ channels: '' }, '--channels', 'expected a comma-separated list of non-empty names, e.g. trades,books'],
    [{ env: 'Prod' }, '--env', 'expected 1-64 characters from [a-z0-9_-]'],
    [{ env: 'a.b' }, '--env', 'expected 1-64 characters from [a-z0-9_-]'],
    [{ duration: '30' }, '--duration', 'expected a duration such as 500ms, 30s, 5m or 1h'],
    [{ parser: 'fastest' }, '--parser', 'expected one of scanner, json, simdjson'],
    [{ fsync: 'always' }, '--fsync', 'expected a duration'],
    [{ metricsPort: '70000' }, '--metrics-port', 'expected an integer from 0 to 65535'],
    [
      { logLevel: 'verbose' },
      '--log-level',
      'expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ transport: 'redis://h:1' }, '--transport', 'expected memory or nats://host:port'],
    [{ transport: 'nats://a:1,' }, '--transport', 'expected memory or nats://host:port'],
    [{ url: 'http://x', source: 'live' }, '--url', 'expected a ws:// or wss:// URL'],
    [{ overflowMaxBytes: '-1' }, '--overflow-max-bytes', 'expected an integer from 0'],
    [{ ringSlotBytes: '32' }, '--ring-slot-bytes', 'expected an integer from 64'],
    [{ ringSlotBytes: '300' }, '--ring-slot-bytes', 'expected a power of two'],
    [{ ringSlots: '1000' }, '--ring-slots', 'expected a power of two'],
    [{ ringSlotBytes: '16384', ringSlots: '131072' }, '--ring-slots', 'must not exceed 1 GiB'],
  ])('rejects %j naming %s', (flags, option, expected) => {
    const err = errorOf(() => resolveWith({ flags }));
    expect(err.option).toBe(option);
    expect(err.code).toBe('MP_ERR_INVALID_OPTION');
    expect(err.message).toContain(`invalid ${option}`);
    expect(err.message).toContain(expected);
  });
});

describe('NATS options', () => {
  const secret = 's3cr3t-Value';

  it('builds the connection options from flags and environment', () => {
    const config = resolveWith({
      flags: { transport: 'tls://a:4222, tls://b:4443', natsUser: 'alice', natsCa: 'ca.pem' },
      env: { MARKETPIPE_NATS_PASS: secret, MARKETPIPE_NATS_TOKEN: 'tok' },
    });
    expect(config.transport).toEqual({
      kind: 'nats',
      connection: {
        servers: ['tls://a:4222', 'tls://b:4443'],
        name: 'marketpipe',
        firstConnectTimeoutMs: 10_000,
        user: 'alice',
        pass: secret,
        token: 'tok',
        tls: { caFile: '/srv/marketpipe/ca.pem' },
      },
    });
    expect(describeTransport(config.transport)).not.toContain(secret);
    expect(transportSecrets(config.transport)).toEqual([secret, 'tok']);
  });

  it('never repeats a secret value in an error message', () => {
    const err = errorOf(() =>
      resolveWith({ flags: { transport: 'nats://a:1' }, env: { MARKETPIPE_NATS_PASS: secret } }),
    );
    expect(err.message).toBe(
      'invalid --nats-pass (from environment variable MARKETPIPE_NATS_PASS): needs --nats-user as well',
    );
    const seed = errorOf(() => resolveWith({ flags: { transport: 'nats://a:1', natsNkeySeed: secret } }));
    expect(seed.message).not.toContain(secret);
    expect(seed.message).toContain('--nats-nkey-seed');
  });

  it('strips credentials from a server URL it rejects', () => {
    const err = errorOf(() => resolveWith({ flags: { transport: `nats://bob:${secret}@host:4222,bad` } }));
    expect(err.message).not.toContain(secret);
    expect(err.message).toContain('nats://host:4222,bad');
  });

  it("publishes into a JetStream stream capturing exactly this run's trade subjects", () => {
    const config = resolveWith({
      flags: { transport: 'nats://a:4222', jetstreamStream: 'TRADES', env: 'prod', venue: 'okx' },
    });
    expect(config.transport).toEqual({
      kind: 'nats',
      connection: { servers: ['nats://a:4222'], name: 'marketpipe', firstConnectTimeoutMs: 10_000 },
      jetstream: { stream: 'TRADES', subjects: ['prod.okx.trade.>'], required: ['prod.okx.trade.*'] },
    });
    expect(describeTransport(config.transport)).toBe('nats nats://a:4222 (auth: none) jetstream TRADES');
    expect(
      errorOf(() => resolveWith({ flags: { transport: 'nats://a:1', jetstreamStream: 'a.b' } })).message,
    ).toContain('--jetstream-stream');
    expect(resolveWith({ flags: { jetstreamStream: 'TRADES' } }).ignored).toContain('--jetstream-stream');
  });

  it('moves credentials out of server URLs into user and password (nats.js ignores them there)', () => {
    const config = resolveWith({
      flags: { transport: `nats://bob:${encodeURIComponent(secret)}@a:4222,nats://b:4222` },
    });
    expect(config.transport).toEqual({
      kind: 'nats',
      connection: {
        servers: ['nats://a:4222', 'nats://b:4222'],
        name: 'marketpipe',
        firstConnectTimeoutMs: 10_000,
        user: 'bob',
        pass: secret,
      },
    });
    expect(describeTransport(config.transport)).not.toContain(secret);
    const err = errorOf(() =>
      resolveWith({ flags: { transport: `nats://bob:${secret}@a:1,nats://eve:x@b:2` } }),
    );
    expect(err.message).not.toContain(secret);
    expect(err.message).toContain('different credentials');
  });

  it('reads a lone userinfo as a token, never as a user name, and keeps it out of every message', () => {
    const config = resolveWith({ flags: { transport: `nats://${secret}@a:4222`, natsConnectTimeout: '3s' } });
    expect(config.transport).toEqual({
      kind: 'nats',
      connection: {
        servers: ['nats://a:4222'],
        name: 'marketpipe',
        firstConnectTimeoutMs: 3_000,
        token: secret,
      },
    });
    expect(describeTransport(config.transport)).toBe('nats nats://a:4222 (auth: token)');
    expect(transportSecrets(config.transport)).toContain(secret);
    const other = errorOf(() =>
      resolveWith({ flags: { transport: `nats://${secret}@a:4222`, natsToken: 'another-token' } }),
    );
    expect(other.message).not.toContain(secret);
    expect(other.message).toContain('token other than');
  });

  it('makes tls:// require TLS, and refuses a list that mixes it with nats://', () => {
    const config = resolveWith({ flags: { transport: 'tls://u:p@a:4222' } });
    expect(config.transport).toMatchObject({ connection: { servers: ['tls://a:4222'], tls: true } });
    expect(describeTransport(config.transport)).toBe('nats tls://a:4222 (auth: user u, tls)');
    const mixed = errorOf(() => resolveWith({ flags: { transport: 'nats://a:1,tls://b:2' } }));
    expect(mixed.message).toContain('mixes tls:// and nats://');
  });

  it('requires a client certificate and key together', () => {
    expect(
      errorOf(() => resolveWith({ flags: { transport: 'nats://a:1', natsCert: 'c.pem' } })).message,
    ).toBe('invalid --nats-cert "c.pem" (from command line): needs both --nats-cert and --nats-key');
  });
});

describe('loadConfigFile', () => {
  it('reads a JSON object of options', () => {
    const path = tempConfig({ venue: 'okx', symbols: ['BTC-USDT'] });
    expect(loadConfigFile(path).values).toEqual({ venue: 'okx', symbols: ['BTC-USDT'] });
  });

  it.each([
    ['{"venue": ', /is not valid JSON/],
    ['[1,2]', /must hold a JSON object/],
    ['{"venu": "okx"}', /unknown option "venu"; allowed keys: venue, symbols/],
  ])('rejects %j', (content, message) => {
    const path = tempConfig(content);
    expect(() => loadConfigFile(path)).toThrow(ConfigFileError);
    expect(() => loadConfigFile(path)).toThrow(message);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadConfigFile('/nonexistent/mp.json')).toThrow(
      'config file /nonexistent/mp.json: cannot be read (ENOENT)',
    );
  });
});

describe('option table', () => {
  it('derives flag and variable names from the config key', () => {
    const seed = RUN_OPTIONS.find((spec) => spec.key === 'natsNkeySeed');
    expect(seed).toMatchObject({
      flag: '--nats-nkey-seed',
      envVar: 'MARKETPIPE_NATS_NKEY_SEED',
      secret: true,
    });
    expect(new Set(RUN_OPTIONS.map((spec) => spec.flag)).size).toBe(RUN_OPTIONS.length);
  });
});
