import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyStatus } from '../../test/support/cli-harness.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { PipelineMetrics } from './pipeline-metrics.js';

function status() {
  return {
    ...emptyStatus(),
    received: 42,
    trades: 40,
    drops: { ringOverflow: 3 },
    tradesPerSymbol: { BTCUSDT: 30, 'BTC/USD': 10 },
    gaps: { events: 1, missing: 2, late: 0, duplicates: 0, bySymbol: { BTCUSDT: { events: 1, missing: 2 } } },
    latency: { count: 42, p50: 1_000, p99: 5_000, p999: 9_000, max: 20_000 },
    ring: { fill: 0.25, overflowQueued: 7 },
    source: {
      state: 'running',
      reconnects: 0,
      connections: 0,
      errors: 0,
      damagedBytes: 0,
      skippedLines: 0,
      waitedMs: 1_250,
    },
  };
}

describe('PipelineMetrics', () => {
  it('mirrors a status snapshot in Prometheus text format', async () => {
    const metrics = new PipelineMetrics();
    metrics.update(status());
    const text = await metrics.registry.metrics();
    expect(text).toContain('marketpipe_messages_received_total 42');
    expect(text).toContain('marketpipe_trades_total 40');
    expect(text).toContain('marketpipe_drops_total{cause="ringOverflow"} 3');
    expect(text).toContain('marketpipe_symbol_trades_total{symbol="BTC/USD"} 10');
    expect(text).toContain('marketpipe_symbol_gap_missing_total{symbol="BTCUSDT"} 2');
    expect(text).toContain('marketpipe_hot_path_latency_max_seconds 0.00002');
    expect(text).toContain('marketpipe_ring_fill_ratio 0.25');
    expect(text).toContain('marketpipe_source_wait_seconds_total 1.25');
    expect(text).toContain('marketpipe_transport_state{state="connected"} 1');
    expect(text).toContain('marketpipe_transport_state{state="closed"} 0');
  });

  it("exports the hot path's latency as a Prometheus histogram read from the pipeline's recorder", async () => {
    const latency = new LatencyRecorder();
    for (const ns of [800, 900, 1_200, 30_000, 3_000_000_000]) latency.record(ns);
    const metrics = new PipelineMetrics(latency);
    metrics.update(status());
    const text = await metrics.metrics();
    const lines = text.split('\n').filter((line) => line.startsWith('marketpipe_hot_path_latency_seconds'));
    expect(text).toContain('# TYPE marketpipe_hot_path_latency_seconds histogram');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="5e-7"} 0');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="0.000001"} 2');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="0.0000025"} 3');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="0.00005"} 4');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="1"} 4');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_bucket{le="+Inf"} 5');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_count 5');
    expect(lines).toContain('marketpipe_hot_path_latency_seconds_sum 3.0000329');
    // Cumulative, never decreasing: what histogram_quantile expects.
    const buckets = lines
      .filter((line) => line.includes('_bucket'))
      .map((line) => Number(line.split(' ')[1]));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    // The registry's own metrics come first, unchanged.
    expect(text.startsWith(await metrics.registry.metrics())).toBe(true);
    // Without the recorder, only the maximum.
    expect(await new PipelineMetrics().metrics()).not.toContain('marketpipe_hot_path_latency_seconds');
  });

  it('carries the books section, and zeros without the books channel', async () => {
    const metrics = new PipelineMetrics();
    metrics.update(status());
    expect(await metrics.registry.metrics()).toContain('marketpipe_book_updates_total 0');
    metrics.update({
      ...status(),
      books: {
        updates: 120,
        snapshots: 3,
        gaps: 2,
        checksumFailures: 1,
        resyncs: 2,
        unsynced: 7,
        stale: 0,
        malformed: 0,
        symbolsOverCap: 0,
        levelsOverCap: 0,
        unlisted: 0,
        subjectCollision: 0,
        publishErrors: 0,
        restSnapshots: 0,
        outOfSync: { gap: 2, checksumFailure: 1 },
        refreshSnapshots: 4,
        heldLevelsOverCap: 0,
        snapshotRequests: 0,
        snapshotErrors: 0,
        resubscribes: 3,
      },
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('marketpipe_book_updates_total 120');
    expect(text).toContain('marketpipe_book_snapshots_total 3');
    expect(text).toContain('marketpipe_book_gaps_total 2');
    expect(text).toContain('marketpipe_book_checksum_failures_total 1');
    expect(text).toContain('marketpipe_book_resyncs_total 2');
    expect(text).toContain('marketpipe_book_unsynced_total 7');
    expect(text).toContain('marketpipe_book_refresh_snapshots_total 4');
  });

  it('follows the counters from scrape to scrape', async () => {
    const metrics = new PipelineMetrics();
    metrics.update(status());
    metrics.update({ ...status(), received: 50, drops: { ringOverflow: 4 } });
    const text = await metrics.registry.metrics();
    expect(text).toContain('marketpipe_messages_received_total 50');
    expect(text).toContain('marketpipe_drops_total{cause="ringOverflow"} 4');
  });
});

describe('startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics on 127.0.0.1, reading the status once per scrape', async () => {
    let scrapes = 0;
    const latency = new LatencyRecorder();
    latency.record(1_500);
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      latency,
      status: () => {
        scrapes++;
        return { ...status(), received: scrapes };
      },
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const first = await fetch(server.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/plain');
    const firstText = await first.text();
    expect(firstText).toContain('marketpipe_messages_received_total 1');
    expect(firstText).toContain('marketpipe_hot_path_latency_seconds_count 1');
    expect(await (await fetch(server.url)).text()).toContain('marketpipe_messages_received_total 2');
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    expect(scrapes).toBe(2);
  });

  it('answers 503 while the pipeline has no status yet', async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, status: () => undefined });
    const response = await fetch(server.url);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('starting\n');
  });
});
