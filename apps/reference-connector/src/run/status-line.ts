/**
 * What `run` shows while it works: one terminal line redrawn every second,
 * or, when stdout is not a terminal, the same numbers as a structured log
 * object. Both are built from one `pipeline.status()` snapshot and the rates and latency of the interval since the
 * previous one (`RateMeter`).
 */
import type { PipelineStatus } from '@marketpipe/connector';
import { formatBytes, formatCount, formatNanos, formatPercent, formatRate } from '../format/units.js';
import type { StatusRates } from './rate-meter.js';

/** Moves to the start of the line and clears it, so the next status overwrites the last. */
export const CLEAR_LINE = '\r\u001b[2K';

/** Sum of the drop counters of a status (every cause). */
export function totalDrops(status: PipelineStatus): number {
  let total = 0;
  for (const count of Object.values(status.drops)) total += count;
  return total;
}

/**
 * The one-line status: rates and hot-path latency over the last interval (`-` for a latency when no message came
 * in it), ring fill, bytes recorded,
 * drops, parse errors, gaps, the books section (with the books channel) and
 * transport state. Cut to `columns` when given
 * (a wrapped line cannot be redrawn in place).
 *
 * @example
 * ```ts
 * stdout.write(CLEAR_LINE + formatStatusLine(pipeline.status(), meter.sample(status, now), stdout.columns));
 * ```
 */
export function formatStatusLine(status: PipelineStatus, rates: StatusRates, columns?: number): string {
  const { latency } = rates;
  const quantile = (ns: number) => (latency.count === 0 ? '-' : formatNanos(ns));
  const line =
    `${status.state} ${formatRate(rates.messagesPerSecond)} msg/s ${formatRate(rates.tradesPerSecond)} trades/s` +
    ` | p50 ${quantile(latency.p50)} p99 ${quantile(latency.p99)} p99.9 ${quantile(latency.p999)}` +
    ` | ring ${formatPercent(status.ring.fill)} | rec ${formatBytes(status.recorder.bytesWritten)}` +
    ` | drops ${formatCount(totalDrops(status))} parse-err ${formatCount(status.parseErrors)}` +
    ` gaps ${formatCount(status.gaps.events)}` +
    (status.books === undefined
      ? ''
      : ` | books ${formatCount(status.books.updates)} upd gaps ${formatCount(status.books.gaps)}` +
        ` cksum ${formatCount(status.books.checksumFailures)} resync ${formatCount(status.books.resyncs)}` +
        ` unsynced ${formatCount(status.books.unsynced)}`) +
    ` | ${status.transport.status}`;
  return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
}

/**
 * The status as a log object, for output that is not a terminal. Rates and `latencyNs` (count, p50, p99, p999,
 * max) cover the interval since the previous status; the other fields are totals since the start.
 */
export function statusLogFields(status: PipelineStatus, rates: StatusRates): Record<string, unknown> {
  return {
    state: status.state,
    messagesPerSecond: Math.round(rates.messagesPerSecond),
    tradesPerSecond: Math.round(rates.tradesPerSecond),
    received: status.received,
    trades: status.trades,
    latencyNs: rates.latency,
    ringFill: status.ring.fill,
    recordedBytes: status.recorder.bytesWritten,
    recorder: status.recorder.state,
    drops: status.drops,
    parseErrors: status.parseErrors,
    gaps: { events: status.gaps.events, missing: status.gaps.missing },
    transport: status.transport.status,
    source: status.source.state,
    ...(status.books === undefined
      ? {}
      : {
          books: {
            updates: status.books.updates,
            snapshots: status.books.snapshots,
            gaps: status.books.gaps,
            checksumFailures: status.books.checksumFailures,
            resyncs: status.books.resyncs,
            unsynced: status.books.unsynced,
            refreshSnapshots: status.books.refreshSnapshots,
          },
        }),
  };
}
