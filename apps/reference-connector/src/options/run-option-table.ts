/**
 * Every `marketpipe run` option in one table: its flag, environment variable
 * and config-file key. The command line's flags and help (`main.ts`), the
 * precedence resolver and the README are all driven from it, so the three
 * spellings cannot drift.
 */

import { VENUE_CHOICES } from './venue-defaults.js';

/** Config-file keys (camelCase) of the `run` options; each maps to a flag and a `MARKETPIPE_*` variable. */
export type RunOptionKey =
  | 'venue'
  | 'symbols'
  | 'allowUnlistedSymbols'
  | 'channels'
  | 'depth'
  | 'bookSnapshotUrl'
  | 'bookRefresh'
  | 'source'
  | 'url'
  | 'pace'
  | 'rate'
  | 'seed'
  | 'transport'
  | 'natsUser'
  | 'natsPass'
  | 'natsToken'
  | 'natsNkeySeed'
  | 'natsCreds'
  | 'natsTls'
  | 'natsCa'
  | 'natsCert'
  | 'natsKey'
  | 'natsConnectTimeout'
  | 'jetstreamStream'
  | 'env'
  | 'dataDir'
  | 'duration'
  | 'stopFlushTimeout'
  | 'parser'
  | 'fsync'
  | 'overflowPolicy'
  | 'overflowMaxMessages'
  | 'overflowMaxBytes'
  | 'ringSlotBytes'
  | 'ringSlots'
  | 'cpu'
  | 'recorderCpu'
  | 'jsonSummary'
  | 'metricsPort'
  | 'metricsHost'
  | 'logLevel'
  | 'logFormat'
  | 'statusInterval';

/** How one option is spelled in each place it can be set. */
export interface RunOptionSpec {
  /** Config-file key. */
  readonly key: RunOptionKey;
  /** Command-line flag, e.g. `--data-dir`. */
  readonly flag: string;
  /** Environment variable, e.g. `MARKETPIPE_DATA_DIR`. */
  readonly envVar: string;
  /** Placeholder shown in `--help`; absent for on/off switches. */
  readonly valueName: string | undefined;
  /** One line for `--help`. */
  readonly description: string;
  /** The value is a credential: never echoed in errors, logs or summaries. */
  readonly secret: boolean;
  /** The value is a file path; from a config file it is relative to that file's folder. */
  readonly path: boolean;
}

type Row = [
  key: RunOptionKey,
  valueName: string | undefined,
  description: string,
  traits?: 'secret' | 'path',
];

const ROWS: readonly Row[] = [
  ['venue', '<venue>', `${VENUE_CHOICES} (default binance)`],
  ['symbols', '<list>', 'comma-separated venue tickers (default: two majors of the venue)'],
  [
    'allowUnlistedSymbols',
    undefined,
    'also publish tickers not in --symbols (default: only for a replay without --symbols)',
  ],
  [
    'channels',
    '<list>',
    'trades, books or trades,books (default trades); books publish BookUpdates on {env}.{venue}.book.{SYMBOL}',
  ],
  ['depth', '<n>', 'book levels per side wanted; each venue gets its nearest allowed depth (default 100)'],
  [
    'bookSnapshotUrl',
    '<url>',
    'Binance REST depth endpoint for book snapshots (default https://api.binance.com/api/v3/depth)',
  ],
  [
    'bookRefresh',
    '<duration>',
    'republish each in-sync book as a snapshot this often, for subscribers that start late, or off (default 5s)',
  ],
  ['source', '<source>', 'live | sim | replay:<path> (default sim)'],
  ['url', '<ws-url>', 'WebSocket URL overriding the venue endpoint of a live source'],
  ['pace', '<pace>', 'replay pace: fast | recorded (default fast)'],
  ['rate', '<msgs/s>', 'simulator messages per second (default 1000)'],
  ['seed', '<n>', 'simulator random seed (default 1)'],
  [
    'transport',
    '<transport>',
    'memory | nats://[token@|user:pass@]host:port[,...] (default memory); tls://host:port requires TLS',
  ],
  ['natsUser', '<user>', 'NATS user name'],
  ['natsPass', '<password>', 'NATS password (prefer MARKETPIPE_NATS_PASS: flags show in ps)', 'secret'],
  ['natsToken', '<token>', 'NATS token (prefer MARKETPIPE_NATS_TOKEN)', 'secret'],
  ['natsNkeySeed', '<seed>', 'NATS NKey seed, SU... (prefer MARKETPIPE_NATS_NKEY_SEED)', 'secret'],
  ['natsCreds', '<file>', 'NATS .creds file (JWT + NKey seed)', 'path'],
  ['natsTls', undefined, 'require TLS to NATS with the system CAs'],
  ['natsCa', '<file>', 'CA certificate for NATS TLS (implies TLS)', 'path'],
  ['natsCert', '<file>', 'client certificate for NATS TLS (implies TLS)', 'path'],
  ['natsKey', '<file>', 'client key for NATS TLS (implies TLS)', 'path'],
  [
    'natsConnectTimeout',
    '<duration>',
    'give up (exit 1) when NATS cannot be reached within this (default 10s)',
  ],
  [
    'jetstreamStream',
    '<stream>',
    'publish trades exactly once into this JetStream stream (created if absent; needs a nats:// transport)',
  ],
  ['env', '<name>', 'environment token, first subject token, [a-z0-9_-] (default dev)'],
  ['dataDir', '<dir>', 'where the ring and the record files live (default ./data)', 'path'],
  ['duration', '<duration>', 'stop after this long, as on SIGTERM: 500ms, 30s, 5m, 1h'],
  [
    'stopFlushTimeout',
    '<duration>',
    'at a stop, wait this long for the broker to confirm trades (default 10s); what it holds then is lost',
  ],
  ['parser', '<parser>', 'scanner | json | simdjson (default: the measured fastest)'],
  [
    'fsync',
    '<policy>',
    'record-file fsync: none | batch | <interval, e.g. 1s> (default 1s); an interval also fsyncs after 32 MiB',
  ],
  ['overflowPolicy', '<policy>', 'when the ring is full: drop-newest | drop-oldest'],
  ['overflowMaxMessages', '<n>', 'messages queued in memory while the ring is full'],
  ['overflowMaxBytes', '<n>', 'bytes queued in memory while the ring is full'],
  [
    'ringSlotBytes',
    '<n>',
    'ring slot size, a power of two from 64 (default 256); another size migrates the ring',
  ],
  ['ringSlots', '<n>', 'ring slot count, a power of two (default 65536: 16 MiB with 256-byte slots)'],
  [
    'cpu',
    '<list>',
    "Linux: CPUs for the hot path's thread, e.g. 1 or 2-3; the process's other threads move off them",
  ],
  ['recorderCpu', '<list>', 'Linux: CPUs for the recorder thread (default: the others, with --cpu)'],
  ['jsonSummary', '<file>', 'also write the final summary to this file as JSON', 'path'],
  ['metricsPort', '<port>', 'serve Prometheus metrics on this port (0: any free port)'],
  ['metricsHost', '<host>', 'address the metrics endpoint binds to (default 127.0.0.1)'],
  ['logLevel', '<level>', 'fatal | error | warn | info | debug | trace | silent (default info)'],
  ['logFormat', '<format>', 'json | pretty (default: pretty on a terminal, JSON lines otherwise)'],
  ['statusInterval', '<duration>', 'period of status log lines when stdout is not a terminal (default 5s)'],
];

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The `run` options in `--help` order. */
export const RUN_OPTIONS: readonly RunOptionSpec[] = ROWS.map(([key, valueName, description, traits]) => ({
  key,
  flag: `--${kebab(key)}`,
  envVar: `MARKETPIPE_${kebab(key).replace(/-/g, '_').toUpperCase()}`,
  valueName,
  description,
  secret: traits === 'secret',
  path: traits === 'path',
}));

/** Looks up an option by config key. */
export function runOption(key: RunOptionKey): RunOptionSpec {
  return RUN_OPTIONS.find((spec) => spec.key === key) as RunOptionSpec;
}

/** Environment variable naming the config file when `--config` is not given. */
export const CONFIG_ENV_VAR = 'MARKETPIPE_CONFIG';
