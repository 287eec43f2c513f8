import { LatencyRecorder } from '@marketpipe/middleware/latency';
import { describe, expect, it } from 'vitest';
import { emptyStatus } from '../../test/support/cli-harness.js';
import { RateMeter } from './rate-meter.js';
import { CLEAR_LINE, formatStatusLine, statusLogFields, totalDrops } from './status-line.js';

/** The hot path's latency over the last interval. */
const intervalLatency = { count: 1_000, p50: 850, p99: 12_500, p999: 1_250_000, max: 2_000_000 };

function busyStatus() {
  return {
    ...emptyStatus(),
    received: 12_000,
    bytesReceived: 3_000_000,
    trades: 9_000,
    parseErrors: 2,
    gaps: { events: 1, missing: 3, late: 0, duplicates: 0, bySymbol: { BTCUSDT: { events: 1, missing: 3 } } },
    drops: { ringOverflow: 4, oversize: 1 },
    // Run-long figures: the status line shows the interval's instead.
    latency: { count: 12_000, p50: 1, p99: 2, p999: 3, max: 4 },
    ring: { fill: 0.004, overflowQueued: 0 },
    recorder: {
      state: 'running' as const,
      recordsWritten: 11_000,
      bytesWritten: 5 * 1024 * 1024,
      setAsideBytes: 0,
      unrecoveredBytes: 0,
    },
    transport: { status: 'reconnecting' as const, published: 8_000, dropped: 0 },
  };
}

describe('formatStatusLine', () => {
  it('shows rates, latency quantiles, ring fill, bytes recorded, drops, parse errors, gaps and transport state', () => {
    const line = formatStatusLine(busyStatus(), {
      messagesPerSecond: 1234.4,
      tradesPerSecond: 7.25,
      bytesPerSecond: 0,
      latency: intervalLatency,
    });
    expect(line).toBe(
      'running 1,234 msg/s 7.3 trades/s | p50 850ns p99 13µs p99.9 1.3ms | ring 0.4% | rec 5.0 MiB' +
        ' | drops 5 parse-err 2 gaps 1 | reconnecting',
    );
  });

  it('shows no latency for an interval without messages', () => {
    const idle = { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
    const line = formatStatusLine(busyStatus(), {
      messagesPerSecond: 0,
      tradesPerSecond: 0,
      bytesPerSecond: 0,
      latency: idle,
    });
    expect(line).toContain('| p50 - p99 - p99.9 - |');
  });

  it('adds the books section with the books channel', () => {
    const books = {
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
      refreshSnapshots: 4,
      heldLevelsOverCap: 0,
      outOfSync: { gap: 2, checksumFailure: 1 },
      snapshotRequests: 0,
      snapshotErrors: 0,
      resubscribes: 3,
    };
    const rates = { messagesPerSecond: 10, tradesPerSecond: 0, bytesPerSecond: 0, latency: intervalLatency };
    expect(formatStatusLine({ ...busyStatus(), books }, rates)).toContain(
      '| books 120 upd gaps 2 cksum 1 resync 2 unsynced 7 | reconnecting',
    );
    expect(statusLogFields({ ...busyStatus(), books }, rates).books).toEqual({
      updates: 120,
      snapshots: 3,
      gaps: 2,
      checksumFailures: 1,
      resyncs: 2,
      unsynced: 7,
      refreshSnapshots: 4,
    });
  });

  it('is cut to the terminal width so it can be redrawn in place', () => {
    const line = formatStatusLine(
      busyStatus(),
      { messagesPerSecond: 1, tradesPerSecond: 1, bytesPerSecond: 1, latency: intervalLatency },
      40,
    );
    expect(line).toHaveLength(39);
    expect(line).not.toContain('\n');
  });

  it('clears the line with a carriage return and an erase', () => {
    expect(CLEAR_LINE).toBe('\r\x1b[2K');
  });
});

describe('statusLogFields', () => {
  it('carries the same numbers for non-terminal output', () => {
    const fields = statusLogFields(busyStatus(), {
      messagesPerSecond: 99.6,
      tradesPerSecond: 50.2,
      bytesPerSecond: 0,
      latency: intervalLatency,
    });
    expect(fields).toMatchObject({
      messagesPerSecond: 100,
      tradesPerSecond: 50,
      latencyNs: intervalLatency,
      drops: { ringOverflow: 4, oversize: 1 },
      gaps: { events: 1, missing: 3 },
      transport: 'reconnecting',
      recordedBytes: 5 * 1024 * 1024,
    });
    expect(totalDrops(busyStatus())).toBe(5);
  });
});

describe('RateMeter', () => {
  it('measures the interval since the previous sample', () => {
    const meter = new RateMeter();
    const first = meter.sample({ ...emptyStatus(), uptimeMs: 2000, received: 200, trades: 100 }, 10_000);
    expect(first.messagesPerSecond).toBe(100);
    const second = meter.sample({ ...emptyStatus(), received: 700, trades: 350 }, 10_500);
    expect(second).toMatchObject({ messagesPerSecond: 1000, tradesPerSecond: 500, bytesPerSecond: 0 });
    expect(meter.sample({ ...emptyStatus(), received: 700 }, 10_500).messagesPerSecond).toBe(0);
  });
});

describe('RateMeter latency', () => {
  it("gives the percentiles of each interval from the run's recorder, which keeps counting", () => {
    const recorder = new LatencyRecorder();
    const meter = new RateMeter(recorder);
    // A slow start (the JIT's warm-up), then a steady second, then a second without messages.
    for (let i = 0; i < 100; i++) recorder.record(50_000);
    const first = meter.sample(emptyStatus(), 1_000).latency;
    expect(first).toMatchObject({ count: 100, p50: 50_000, p99: 50_000 });
    for (let i = 0; i < 1_000; i++) recorder.record(800 + (i % 10));
    const second = meter.sample(emptyStatus(), 2_000).latency;
    expect(second.count).toBe(1_000);
    expect(second.p99).toBe(809);
    expect(second.max).toBe(809);
    expect(recorder.summary().p99).toBe(50_000);
    expect(meter.sample(emptyStatus(), 3_000).latency).toEqual({ count: 0, p50: 0, p99: 0, p999: 0, max: 0 });
  });

  it('starts over when the recorder was reset between samples', () => {
    const recorder = new LatencyRecorder();
    const meter = new RateMeter(recorder);
    for (let i = 0; i < 10; i++) recorder.record(5_000);
    meter.sample(emptyStatus(), 1_000);
    recorder.reset();
    recorder.record(700);
    expect(meter.sample(emptyStatus(), 2_000).latency).toMatchObject({ count: 1, p50: 700, max: 700 });
  });

  it("reports the status's run-long figures without a recorder", () => {
    const status = { ...emptyStatus(), latency: { count: 5, p50: 1, p99: 2, p999: 3, max: 4 } };
    expect(new RateMeter().sample(status, 1_000).latency).toEqual(status.latency);
  });
});
