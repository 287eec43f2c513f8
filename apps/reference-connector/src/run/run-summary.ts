/**
 * The end-of-run report: what came in, what was recorded and published, what
 * was lost, and the exit code that says so. Written as JSON by
 * `--json-summary` and printed as text; it holds no secret (the transport is
 * described by {@link describeTransport}).
 */
import type { PipelineBookStatus, PipelineStatus, PipelineSummary } from '@marketpipe/connector';
import { ExitCode } from '../exit-codes.js';
import { describeSource, type RunConfig } from '../options/run-config.js';
import { describeTransport } from '../options/transport-config.js';
import type { StopRequest } from './stop-trigger.js';

/** Why the run ended: a stop request, the end of a replay, or an error. */
export type StopReason = StopRequest | 'source-finished' | 'error';

/** The JSON written by `--json-summary` (format version 1). */
export interface RunSummary {
  summaryVersion: 1;
  venue: string;
  symbols: string[];
  env: string;
  source: string;
  transport: string;
  startedAt: string;
  durationMs: number;
  stopReason: StopReason;
  /** `clean`: nothing lost; `lost`: see `lossReasons`; `error`: see `error`. */
  outcome: 'clean' | 'lost' | 'error';
  exitCode: ExitCode;
  /** Human-readable reasons for outcome `lost`, e.g. `drops.ringOverflow: 12`. */
  lossReasons: string[];
  received: number;
  bytesReceived: number;
  trades: number;
  nonTrade: number;
  nonTradeByKind: Record<string, number>;
  parseErrors: number;
  gaps: PipelineStatus['gaps'];
  drops: Record<string, number>;
  recordsWritten: number;
  recordedBytes: number;
  /** Messages accepted but neither recorded nor published. */
  lost: number;
  /** How long a replay waited in all for the recorder to catch up, ms (0 for live sources and the simulator). */
  replayWaitedMs: number;
  /**
   * Lines of a line replay that carried no message: empty, or without the timestamp prefix the file's other lines
   * have (a capture's header and client-sent lines). Not a loss: such lines hold no venue message, but a count far
   * above a capture's few header lines says the file mixes formats.
   */
  replaySkippedLines: number;
  published: number;
  transportDropped: number;
  tradesPerSymbol: Record<string, number>;
  /** The channels carried (`trades`, `books`). */
  channels: string[];
  /**
   * With the books channel: BookUpdates published (`updates`, of which `snapshots`), sequence `gaps`,
   * `checksumFailures`, `resyncs`, and book messages not published while waiting for a snapshot (`unsynced`).
   * Book gaps are resynchronized, not lost: the recording holds every message, so they do not make the run lossy.
   */
  books?: PipelineBookStatus;
  latencyNs: PipelineStatus['latency'];
  recorder: PipelineStatus['recorder'];
  /** With `--cpu`: the CPUs of the hot path's thread (`intake`) and of the recorder's threads. */
  cpus?: PipelineStatus['cpus'];
  /** The error that ended the run or broke the shutdown (code and message only). */
  error?: { code: string; message: string };
}

/** Inputs of {@link buildRunSummary}. */
export interface RunSummaryInput {
  config: RunConfig;
  startedAtMs: number;
  stoppedAtMs: number;
  stopReason: StopReason;
  /** What `pipeline.stop()` returned; absent when the pipeline never started or failed to stop. */
  final: PipelineSummary | undefined;
  /** The last status seen, used when `final` is absent. */
  lastStatus: PipelineStatus | undefined;
  error: { code: string; message: string } | undefined;
}

/**
 * Reasons the run counts as lossy: anything lost, dropped, or missing from the venue's sequence, damaged
 * record-file bytes that start-up recovery set aside, or damaged bytes a record replay skipped.
 */
export function lossReasons(status: PipelineStatus, lost: number): string[] {
  const reasons: string[] = [];
  if (lost > 0) reasons.push(`lost: ${lost}`);
  for (const [cause, count] of Object.entries(status.drops))
    if (count > 0) reasons.push(`drops.${cause}: ${count}`);
  // The pipeline's drops already hold the transport's (transportOutage + transportClosed): named once, not twice.
  const transportInDrops = (status.drops.transportOutage ?? 0) + (status.drops.transportClosed ?? 0);
  if (status.transport.dropped > transportInDrops)
    reasons.push(`transport.dropped: ${status.transport.dropped - transportInDrops}`);
  if (status.gaps.missing > 0) reasons.push(`gaps.missing: ${status.gaps.missing}`);
  // Bytes, not messages: how many records damaged bytes held cannot be known.
  // A torn tail whose records the ring wrote again lost nothing; it stays visible in setAsideBytes.
  if (status.recorder.unrecoveredBytes > 0)
    reasons.push(`recorder.unrecoveredBytes: ${status.recorder.unrecoveredBytes}`);
  if (status.source.damagedBytes > 0) reasons.push(`source.damagedBytes: ${status.source.damagedBytes}`);
  return reasons;
}

/**
 * An option the connector refused when the pipeline started (two symbols on one subject, a value out of range): an
 * invalid option, exit 2, like those the CLI refuses itself.
 */
function isUsageError(error: RunSummary['error']): boolean {
  return error !== undefined && INVALID_ARGUMENT_CODES.has(error.code);
}

/** `InvalidArgumentError` and the connector's subclasses of it. */
const INVALID_ARGUMENT_CODES = new Set([
  'MP_ERR_INVALID_ARGUMENT',
  'MP_ERR_INVALID_NAME',
  'MP_ERR_INVALID_VENUE',
  'MP_ERR_INVALID_DAY',
]);

/**
 * The error of a WebSocket run (live or simulator) whose source never opened a connection although its attempts
 * failed: the run received nothing because the venue was never reached, which must not read as a clean run (a
 * NATS server that cannot be reached exits 1 too). A run stopped during its first attempt, before any failure, is
 * not one.
 */
function unreachedVenue(config: RunConfig, status: PipelineStatus): RunSummary['error'] {
  if (config.source.kind === 'replay' || status.source.connections > 0 || status.source.errors === 0)
    return undefined;
  return {
    code: 'MP_ERR_VENUE_UNREACHED',
    message: `the venue was never reached: no connection opened, ${status.source.errors} source errors (see the log)`,
  };
}

/**
 * Builds the summary and decides the exit code: 1 on error (also a venue never reached), 3 when
 * {@link lossReasons} finds anything, else 0.
 *
 * @example
 * ```ts
 * const summary = buildRunSummary({ config, startedAtMs, stoppedAtMs: Date.now(), stopReason: 'SIGINT',
 *   final: await pipeline.stop(), lastStatus: undefined, error: undefined });
 * process.exitCode = summary.exitCode;
 * ```
 */
export function buildRunSummary(input: RunSummaryInput): RunSummary {
  const { config, final } = input;
  const status = final ?? input.lastStatus;
  const lost = final?.lost ?? 0;
  const reasons = status === undefined ? [] : lossReasons(status, lost);
  const error = input.error ?? (status === undefined ? undefined : unreachedVenue(config, status));
  const outcome = error !== undefined ? 'error' : reasons.length > 0 ? 'lost' : 'clean';
  return {
    summaryVersion: 1,
    venue: config.venue,
    symbols: config.symbols,
    env: config.env,
    source: describeSource(config.source),
    transport: describeTransport(config.transport),
    startedAt: new Date(input.startedAtMs).toISOString(),
    durationMs: Math.max(0, input.stoppedAtMs - input.startedAtMs),
    stopReason: input.stopReason,
    outcome,
    exitCode:
      outcome === 'error'
        ? isUsageError(error)
          ? ExitCode.usage
          : ExitCode.error
        : outcome === 'lost'
          ? ExitCode.lost
          : ExitCode.ok,
    lossReasons: reasons,
    received: status?.received ?? 0,
    bytesReceived: status?.bytesReceived ?? 0,
    trades: status?.trades ?? 0,
    nonTrade: status?.nonTrade ?? 0,
    nonTradeByKind: status?.nonTradeByKind ?? {},
    parseErrors: status?.parseErrors ?? 0,
    gaps: status?.gaps ?? { events: 0, missing: 0, late: 0, duplicates: 0, bySymbol: {} },
    drops: status?.drops ?? {},
    recordsWritten: final?.recordsWritten ?? status?.recorder.recordsWritten ?? 0,
    recordedBytes: status?.recorder.bytesWritten ?? 0,
    lost,
    replayWaitedMs: Math.round(status?.source.waitedMs ?? 0),
    replaySkippedLines: status?.source.skippedLines ?? 0,
    published: status?.transport.published ?? 0,
    transportDropped: status?.transport.dropped ?? 0,
    tradesPerSymbol: status?.tradesPerSymbol ?? {},
    channels: config.channels,
    ...(status?.books !== undefined ? { books: status.books } : {}),
    latencyNs: status?.latency ?? { count: 0, p50: 0, p99: 0, p999: 0, max: 0 },
    recorder: status?.recorder ?? {
      state: 'stopped',
      recordsWritten: 0,
      bytesWritten: 0,
      setAsideBytes: 0,
      unrecoveredBytes: 0,
    },
    ...(status?.cpus !== undefined ? { cpus: status.cpus } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}
