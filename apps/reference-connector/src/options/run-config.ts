/**
 * The validated settings of one `marketpipe run`, resolved from flags,
 * environment variables and the config file (in that precedence) over the
 * defaults: the simulator source, the in-memory transport, `./data`, env
 * `dev`, venue binance.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PipelineOptions, SourceSpec, VenueName } from '@marketpipe/connector';
import type { Channel, ParserBackend } from '@marketpipe/connector/feeds';
import { VENUE_NAMES, VENUES } from '@marketpipe/connector/venues';
import { LOG_FORMATS, type LogFormat } from '../run/pretty-log.js';
import { MAX_TIMER_MS, parseDuration } from './duration.js';
import type { OptionReader } from './option-reader.js';
import { type RunOptionKey, runOption } from './run-option-table.js';
import { describeTransport, readTransportConfig, type TransportConfig } from './transport-config.js';

/** Log levels accepted by `--log-level` (pino's names and order). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const PARSERS = ['scanner', 'json', 'simdjson'] as const satisfies readonly ParserBackend[];
const PACES = ['fast', 'recorded'] as const;
const CHANNELS = ['trades', 'books'] as const satisfies readonly Channel[];
/** Book levels per side when `--depth` is not given. */
export const DEFAULT_DEPTH = 100;
const OVERFLOW_POLICIES = ['drop-newest', 'drop-oldest'] as const;

/** Simulator rate when `--rate` is not given, in messages per second. */
export const DEFAULT_SIM_RATE = 1_000;
/** Highest `--rate`: far beyond what one connector takes in; above it the simulator's ticks would never end. */
export const MAX_SIM_RATE = 10_000_000;
/** Period of status log lines when stdout is not a terminal. */
export const DEFAULT_STATUS_INTERVAL_MS = 5_000;

/** Everything `run` needs, validated. Paths are absolute. */
export interface RunConfig {
  venue: VenueName;
  symbols: string[];
  /** Publish trades of tickers not in `symbols` too (default: only for a replay without `--symbols`). */
  allowUnlistedSymbols: boolean;
  source: SourceSpec;
  /** `trades`, `books` or both (default trades). */
  channels: Channel[];
  /** Book levels wanted per side (default 100). */
  depth: number;
  /** Binance REST depth endpoint override. */
  bookSnapshotUrl: string | undefined;
  /** Refresh snapshot interval in ms (0: off); undefined: the pipeline's default. */
  bookSnapshotIntervalMs: number | undefined;
  transport: TransportConfig;
  env: string;
  dataDir: string;
  /** Stop after this many ms, as on SIGTERM; undefined runs until a signal (or the end of a replay). */
  durationMs: number | undefined;
  /** How long a stop waits for the transport's flush (`PipelineOptions.stopFlushTimeoutMs`); undefined: its default. */
  stopFlushTimeoutMs: number | undefined;
  parser: ParserBackend | undefined;
  fsync: PipelineOptions['fsync'];
  overflow: PipelineOptions['overflow'];
  ring: PipelineOptions['ring'];
  cpus: PipelineOptions['cpus'];
  jsonSummary: string | undefined;
  metrics: { host: string; port: number } | undefined;
  logLevel: LogLevel;
  /** Undefined: pretty on a terminal, JSON lines otherwise. */
  logFormat: LogFormat | undefined;
  statusIntervalMs: number;
  /** Options that were set but have no effect with this configuration, by flag. */
  ignored: string[];
}

/**
 * Resolves and validates every `run` option.
 *
 * @throws {InvalidOptionError} naming the first invalid option, its source and the allowed values.
 * @example
 * ```ts
 * const config = resolveRunConfig(new OptionReader({ flags: {}, env: {}, file: undefined, cwd: '/srv' }));
 * config.source; // { kind: 'sim', rate: 1000, seed: 1 }
 * config.dataDir; // '/srv/data'
 * ```
 */
export function resolveRunConfig(reader: OptionReader, cwd: string): RunConfig {
  const venue = reader.oneOf('venue', VENUE_NAMES) ?? 'binance';
  const listed = reader.list('symbols');
  const twice = listed?.find((symbol, index) => listed.indexOf(symbol) !== index);
  // Caught here rather than by the simulator or the publisher, which failed the run (exit 1) or counted drops.
  if (twice !== undefined) reader.reject('symbols', `${twice} is listed twice`);
  // Every supported venue sends its tickers in upper case: a lower-case one would match no trade (each counted as
  // drops.unlistedSymbol), though the simulator, which echoes what it is given, would not show it.
  const lower = listed?.find((symbol) => symbol !== symbol.toUpperCase());
  if (lower !== undefined)
    reader.reject('symbols', `${lower}: every venue sends tickers in upper case (${lower.toUpperCase()})`);
  const symbols = listed ?? [...VENUES[venue].defaultSymbols];
  const { source, ignored } = readSource(reader);
  // A recording holds whatever was recorded: without --symbols, replay all of it (listed subjects stay reserved).
  const allowUnlistedSymbols =
    reader.boolean('allowUnlistedSymbols') ?? (source.kind === 'replay' && listed === undefined);
  const { transport, ignored: ignoredNats } = readTransportConfig(reader);
  const env = reader.string('env') ?? 'dev';
  if (!/^[a-z0-9_-]{1,64}$/.test(env)) reader.reject('env', 'expected 1-64 characters from [a-z0-9_-]');
  const channels = readChannels(reader);
  const depth = reader.integer('depth', 1, 5000) ?? DEFAULT_DEPTH;
  const bookSnapshotUrl = reader.string('bookSnapshotUrl');
  if (bookSnapshotUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(bookSnapshotUrl))
    reader.reject('bookSnapshotUrl', 'expected an http:// or https:// URL');
  const bookSnapshotIntervalMs = readBookSnapshotInterval(reader);
  if (!channels.includes('books')) {
    for (const key of ['depth', 'bookSnapshotUrl', 'bookRefresh'] as const)
      if (reader.has(key)) ignored.push(runOption(key).flag);
  }
  // The stream captures exactly this run's subjects (always four tokens: a ticker is one token).
  if (transport.kind === 'nats' && transport.jetstream) {
    const kinds = channels.map((c) => (c === 'trades' ? 'trade' : 'book'));
    transport.jetstream.subjects = kinds.map((kind) => `${env}.${venue}.${kind}.>`);
    transport.jetstream.required = kinds.map((kind) => `${env}.${venue}.${kind}.*`);
  }
  const port = reader.integer('metricsPort', 0, 65_535);
  const host = reader.string('metricsHost');
  if (host !== undefined && port === undefined) ignored.push('--metrics-host');
  return {
    venue,
    symbols,
    allowUnlistedSymbols,
    source,
    channels,
    depth,
    bookSnapshotUrl,
    bookSnapshotIntervalMs,
    transport,
    env,
    dataDir: reader.path('dataDir') ?? resolve(cwd, 'data'),
    durationMs: reader.duration('duration'),
    // One timer: beyond its limit Node would fire it at once.
    stopFlushTimeoutMs: reader.duration('stopFlushTimeout', MAX_TIMER_MS),
    parser: reader.oneOf('parser', PARSERS),
    fsync: readFsync(reader),
    overflow: readOverflow(reader),
    ring: readRing(reader),
    cpus: readCpus(reader),
    jsonSummary: readJsonSummary(reader),
    metrics: port === undefined ? undefined : { host: host ?? '127.0.0.1', port },
    logLevel: reader.oneOf('logLevel', LOG_LEVELS) ?? 'info',
    logFormat: reader.oneOf('logFormat', LOG_FORMATS),
    // An interval is one timer: beyond its limit Node would fire it every millisecond.
    statusIntervalMs: reader.duration('statusInterval', MAX_TIMER_MS) ?? DEFAULT_STATUS_INTERVAL_MS,
    ignored: [...ignored, ...ignoredNats],
  };
}

function readSource(reader: OptionReader): { source: SourceSpec; ignored: string[] } {
  const text = reader.string('source') ?? 'sim';
  const ignored: string[] = [];
  const unused = (...keys: RunOptionKey[]): void => {
    for (const key of keys) if (reader.has(key)) ignored.push(runOption(key).flag);
  };
  if (text === 'sim') {
    unused('url', 'pace');
    return {
      source: {
        kind: 'sim',
        rate: reader.positiveNumber('rate', MAX_SIM_RATE) ?? DEFAULT_SIM_RATE,
        seed: reader.integer('seed', 0, 2 ** 31 - 1) ?? 1,
      },
      ignored,
    };
  }
  if (text === 'live') {
    unused('rate', 'seed', 'pace');
    const url = reader.string('url');
    if (url !== undefined && !/^wss?:\/\/[^/\s]+/.test(url))
      reader.reject('url', 'expected a ws:// or wss:// URL');
    return { source: url === undefined ? { kind: 'live' } : { kind: 'live', url }, ignored };
  }
  if (text.startsWith('replay:') && text.length > 'replay:'.length) {
    unused('rate', 'seed', 'url');
    // Relative to where --source was written: the working folder, or the config file's.
    const path = reader.pathFrom('source', text.slice('replay:'.length));
    if (!existsSync(path)) reader.reject('source', `replay file or folder ${path} does not exist`);
    return { source: { kind: 'replay', path, pace: reader.oneOf('pace', PACES) ?? 'fast' }, ignored };
  }
  return reader.reject('source', 'expected live, sim or replay:<path>');
}

function readChannels(reader: OptionReader): Channel[] {
  const listed = reader.list('channels');
  if (listed === undefined) return ['trades'];
  const channels: Channel[] = [];
  for (const name of listed) {
    const channel = CHANNELS.find((c) => c === name);
    if (channel === undefined || channels.includes(channel))
      reader.reject('channels', 'expected trades, books or trades,books');
    channels.push(channel);
  }
  if (channels.length === 0) reader.reject('channels', 'expected trades, books or trades,books');
  return channels;
}

/**
 * The summary file's folder must exist (creating folders from a mistyped path scatters them over the disk), and
 * the path must not be a folder itself: found only when the summary is written, that failed the whole run after
 * it was done.
 */
function readJsonSummary(reader: OptionReader): string | undefined {
  const path = reader.path('jsonSummary');
  if (path === undefined) return undefined;
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) {
    reader.reject('jsonSummary', `folder ${dirname(path)} does not exist`);
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    reader.reject('jsonSummary', `${path} is a folder`);
  return path;
}

function readBookSnapshotInterval(reader: OptionReader): number | undefined {
  const text = reader.string('bookRefresh');
  if (text === undefined) return undefined;
  if (text === 'off') return 0;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || ms > MAX_TIMER_MS)
    reader.reject('bookRefresh', 'expected off or a duration such as 1s, 5s or 1m');
  return ms;
}

function readFsync(reader: OptionReader): PipelineOptions['fsync'] {
  const text = reader.string('fsync');
  if (text === undefined) return undefined;
  if (text === 'none' || text === 'batch') return text;
  const intervalMs = reader.duration('fsync');
  return { intervalMs: intervalMs as number };
}

function readOverflow(reader: OptionReader): PipelineOptions['overflow'] {
  const policy = reader.oneOf('overflowPolicy', OVERFLOW_POLICIES);
  const maxMessages = reader.integer('overflowMaxMessages', 0, Number.MAX_SAFE_INTEGER);
  const maxBytes = reader.integer('overflowMaxBytes', 0, Number.MAX_SAFE_INTEGER);
  if (policy === undefined && maxMessages === undefined && maxBytes === undefined) return undefined;
  return {
    ...(policy !== undefined ? { overflowPolicy: policy } : {}),
    ...(maxMessages !== undefined ? { maxMessages } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  };
}

function readRing(reader: OptionReader): PipelineOptions['ring'] {
  const slotSize = reader.integer('ringSlotBytes', 64, 1 << 24);
  const slotCount = reader.integer('ringSlots', 2, 1 << 30);
  const powerOfTwo = (n: number) => (n & (n - 1)) === 0;
  if (slotSize !== undefined && !powerOfTwo(slotSize))
    reader.reject('ringSlotBytes', 'expected a power of two');
  if (slotCount !== undefined && !powerOfTwo(slotCount))
    reader.reject('ringSlots', 'expected a power of two');
  // With one of the two left to the default, the pipeline checks the size (the connector is not loaded here).
  if (slotSize !== undefined && slotCount !== undefined && slotSize * slotCount > 1 << 30)
    reader.reject('ringSlots', 'the ring must not exceed 1 GiB');
  if (slotSize === undefined && slotCount === undefined) return undefined;
  return {
    ...(slotSize !== undefined ? { slotSize } : {}),
    ...(slotCount !== undefined ? { slotCount } : {}),
  };
}

/** Checked against the CPUs this process may use when the pipeline starts (the connector is not loaded here). */
function readCpus(reader: OptionReader): PipelineOptions['cpus'] {
  const intake = reader.cpuList('cpu');
  const recorder = reader.cpuList('recorderCpu');
  if (intake === undefined) {
    if (recorder !== undefined) reader.reject('recorderCpu', 'needs --cpu (the hot path placed first)');
    return undefined;
  }
  return recorder === undefined ? { intake } : { intake, recorder };
}

/** A secret-free description of the source, for logs and summaries. */
export function describeSource(source: SourceSpec): string {
  if (source.kind === 'sim') return `sim ${source.rate} msg/s seed ${source.seed ?? 1}`;
  if (source.kind === 'live') return source.url === undefined ? 'live' : `live ${source.url}`;
  return `replay ${source.path} (${source.pace})`;
}

/** A loggable view of `config` with no secret in it. */
export function describeRunConfig(config: RunConfig): Record<string, unknown> {
  return {
    venue: config.venue,
    symbols: config.symbols,
    allowUnlistedSymbols: config.allowUnlistedSymbols,
    source: describeSource(config.source),
    channels: config.channels,
    ...(config.channels.includes('books') ? { depth: config.depth } : {}),
    transport: describeTransport(config.transport),
    env: config.env,
    dataDir: config.dataDir,
    parser: config.parser ?? 'default',
    duration: config.durationMs,
  };
}
