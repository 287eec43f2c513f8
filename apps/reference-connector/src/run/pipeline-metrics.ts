/**
 * Prometheus view of a running pipeline. Values are copied from one
 * `pipeline.status()` snapshot per scrape, so the hot path does no metric work
 * at all. The hot path's latency is a real histogram (`_bucket{le}`, `_sum`,
 * `_count`), read per scrape from the `LatencyRecorder` the pipeline records
 * into: cumulative counts, so Prometheus can take quantiles over any window
 * (`histogram_quantile(0.99, rate(..._bucket[1m]))`).
 */
import type { PipelineStatus } from '@marketpipe/connector';
import type { LatencyRecorder } from '@marketpipe/middleware/latency';
import { Counter, Gauge, Registry } from 'prom-client';

const LATENCY_NAME = 'marketpipe_hot_path_latency_seconds';
/** Upper bounds of the latency histogram's buckets, in seconds: the hot path's ~1 µs up to a 1 s stall. */
const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  250e-9, 500e-9, 1e-6, 2.5e-6, 5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 10e-3,
  100e-3, 1,
];
const LATENCY_BUCKETS_NANOS: readonly number[] = LATENCY_BUCKETS_SECONDS.map((s) => Math.round(s * 1e9));
const TRANSPORT_STATES = ['connected', 'reconnecting', 'closed'] as const;
const RECORDER_STATES = ['starting', 'running', 'retrying', 'stopped'] as const;

/**
 * The metric set, registered in its own {@link Registry} (not prom-client's
 * global one, so two pipelines in one process do not clash), plus the latency
 * histogram, which {@link PipelineMetrics.metrics} renders beside the registry.
 *
 * @example
 * ```ts
 * const latency = new LatencyRecorder();
 * const pipeline = await Pipeline.start({ ...options, latency });
 * const metrics = new PipelineMetrics(latency);
 * metrics.update(pipeline.status());
 * const text = await metrics.metrics(); // Prometheus text format
 * ```
 */
export class PipelineMetrics {
  /** The registry holding every metric below. */
  readonly registry = new Registry();
  private readonly counters: Record<string, Counter> = {};
  private readonly drops: Counter<'cause'>;
  private readonly tradesBySymbol: Counter<'symbol'>;
  private readonly gapsBySymbol: Counter<'symbol'>;
  private readonly latencyMax: Gauge;
  private readonly recorder: LatencyRecorder | undefined;
  private readonly ringFill: Gauge;
  private readonly overflowQueued: Gauge;
  private readonly transportState: Gauge<'state'>;
  private readonly recorderState: Gauge<'state'>;
  private readonly uptime: Gauge;

  /**
   * @param latency The recorder the pipeline records the hot path into (`PipelineOptions.latency`), for the latency
   * histogram; without it only the run's maximum is exported.
   */
  constructor(latency?: LatencyRecorder) {
    this.recorder = latency;
    const registers = [this.registry];
    const counter = (name: string, help: string): void => {
      this.counters[name] = new Counter({ name: `marketpipe_${name}`, help, registers });
    };
    counter('messages_received_total', 'Raw messages received from the source.');
    counter('bytes_received_total', 'Raw bytes received from the source.');
    counter('trades_total', 'Trades parsed and published.');
    counter('non_trade_messages_total', 'Messages that were not trades (heartbeats, acks...).');
    counter('parse_errors_total', 'Messages that could not be parsed (still recorded).');
    counter('gap_events_total', 'Venue sequence gaps detected.');
    counter('gap_missing_total', 'Trades missing from the venue sequence.');
    counter('records_written_total', 'Raw messages written to record files.');
    counter('recorded_bytes_total', 'Bytes written to record files.');
    counter('transport_published_total', 'Messages (trades and book updates) handed to the transport.');
    counter('transport_dropped_total', 'Trades the transport dropped.');
    counter('source_reconnects_total', 'Source reconnections.');
    counter('source_wait_seconds_total', 'Time a replay waited for the recorder to catch up.');
    counter('book_updates_total', 'BookUpdates published, snapshots included (books channel).');
    counter('book_snapshots_total', 'Book snapshots published.');
    counter('book_gaps_total', 'Book sequence gaps detected.');
    counter('book_checksum_failures_total', 'Book checksum mismatches detected.');
    counter(
      'book_resyncs_total',
      'Books brought back in sync by a snapshot after a gap or checksum failure.',
    );
    counter('book_unsynced_total', 'Book messages not published while their symbol waited for a snapshot.');
    counter(
      'book_refresh_snapshots_total',
      'Held books republished as snapshots on the --book-refresh interval, for late subscribers.',
    );
    this.drops = new Counter({
      name: 'marketpipe_drops_total',
      help: 'Messages dropped, by cause.',
      labelNames: ['cause'],
      registers,
    });
    this.tradesBySymbol = new Counter({
      name: 'marketpipe_symbol_trades_total',
      help: 'Trades per symbol.',
      labelNames: ['symbol'],
      registers,
    });
    this.gapsBySymbol = new Counter({
      name: 'marketpipe_symbol_gap_missing_total',
      help: 'Trades missing from the venue sequence, per symbol.',
      labelNames: ['symbol'],
      registers,
    });
    this.latencyMax = new Gauge({
      name: 'marketpipe_hot_path_latency_max_seconds',
      help: 'Largest hot-path latency of one message since the pipeline started.',
      registers,
    });
    this.ringFill = new Gauge({ name: 'marketpipe_ring_fill_ratio', help: 'Ring fill, 0 to 1.', registers });
    this.overflowQueued = new Gauge({
      name: 'marketpipe_ring_overflow_queued',
      help: 'Messages waiting in memory for ring space.',
      registers,
    });
    this.transportState = new Gauge({
      name: 'marketpipe_transport_state',
      help: 'Transport state (1 for the current one).',
      labelNames: ['state'],
      registers,
    });
    this.recorderState = new Gauge({
      name: 'marketpipe_recorder_state',
      help: 'Recorder state (1 for the current one).',
      labelNames: ['state'],
      registers,
    });
    this.uptime = new Gauge({
      name: 'marketpipe_uptime_seconds',
      help: 'Seconds since the pipeline started.',
      registers,
    });
  }

  /** Copies a status snapshot into the metrics; call right before rendering a scrape. */
  update(status: PipelineStatus): void {
    this.setCounter('messages_received_total', status.received);
    this.setCounter('bytes_received_total', status.bytesReceived);
    this.setCounter('trades_total', status.trades);
    this.setCounter('non_trade_messages_total', status.nonTrade);
    this.setCounter('parse_errors_total', status.parseErrors);
    this.setCounter('gap_events_total', status.gaps.events);
    this.setCounter('gap_missing_total', status.gaps.missing);
    this.setCounter('records_written_total', status.recorder.recordsWritten);
    this.setCounter('recorded_bytes_total', status.recorder.bytesWritten);
    this.setCounter('transport_published_total', status.transport.published);
    this.setCounter('transport_dropped_total', status.transport.dropped);
    this.setCounter('source_reconnects_total', status.source.reconnects);
    this.setCounter('source_wait_seconds_total', status.source.waitedMs / 1000);
    const books = status.books;
    this.setCounter('book_updates_total', books?.updates ?? 0);
    this.setCounter('book_snapshots_total', books?.snapshots ?? 0);
    this.setCounter('book_gaps_total', books?.gaps ?? 0);
    this.setCounter('book_checksum_failures_total', books?.checksumFailures ?? 0);
    this.setCounter('book_resyncs_total', books?.resyncs ?? 0);
    this.setCounter('book_unsynced_total', books?.unsynced ?? 0);
    this.setCounter('book_refresh_snapshots_total', books?.refreshSnapshots ?? 0);
    setLabelled(this.drops, 'cause', status.drops);
    setLabelled(this.tradesBySymbol, 'symbol', status.tradesPerSymbol);
    const missing: Record<string, number> = {};
    for (const [symbol, gaps] of Object.entries(status.gaps.bySymbol)) missing[symbol] = gaps.missing;
    setLabelled(this.gapsBySymbol, 'symbol', missing);
    this.latencyMax.set(status.latency.max / 1e9);
    this.ringFill.set(status.ring.fill);
    this.overflowQueued.set(status.ring.overflowQueued);
    for (const state of TRANSPORT_STATES)
      this.transportState.set({ state }, status.transport.status === state ? 1 : 0);
    for (const state of RECORDER_STATES)
      this.recorderState.set({ state }, status.recorder.state === state ? 1 : 0);
    this.uptime.set(status.uptimeMs / 1000);
  }

  /**
   * The scrape: every metric of {@link PipelineMetrics.registry} (as of the last {@link PipelineMetrics.update}),
   * then the latency histogram read from the recorder now, in the registry's text format.
   */
  async metrics(): Promise<string> {
    const text = await this.registry.metrics();
    const recorder = this.recorder;
    if (recorder === undefined) return text;
    const counts = recorder.countsAtOrBelow(LATENCY_BUCKETS_NANOS);
    const { count, mean } = recorder.summary();
    const lines = [
      `# HELP ${LATENCY_NAME} Hot-path latency per message (receive, ring hand-off, parse, encode, publish), since the pipeline started.`,
      `# TYPE ${LATENCY_NAME} histogram`,
      ...LATENCY_BUCKETS_SECONDS.map((le, i) => `${LATENCY_NAME}_bucket{le="${le}"} ${counts[i]}`),
      `${LATENCY_NAME}_bucket{le="+Inf"} ${count}`,
      `${LATENCY_NAME}_sum ${(mean * count) / 1e9}`,
      `${LATENCY_NAME}_count ${count}`,
    ];
    return `${text.endsWith('\n') ? text : `${text}\n`}${lines.join('\n')}\n`;
  }

  private setCounter(name: string, value: number): void {
    const counter = this.counters[name] as Counter;
    // The pipeline owns the running total; the counter mirrors it.
    counter.reset();
    counter.inc(value);
  }
}

function setLabelled<L extends string>(counter: Counter<L>, label: L, values: Record<string, number>): void {
  counter.reset();
  for (const [key, value] of Object.entries(values))
    counter.inc({ [label]: key } as Record<L, string>, value);
}
