/**
 * Per-second rates from two cumulative status snapshots, so the status line
 * shows what happened in the last interval rather than a run-long average.
 */
import type { PipelineStatus } from '@marketpipe/connector';

/** Rates over the interval between two {@link RateMeter.sample} calls. */
export interface StatusRates {
  messagesPerSecond: number;
  tradesPerSecond: number;
  bytesPerSecond: number;
}

/**
 * Remembers the previous snapshot and turns counters into rates.
 *
 * @example
 * ```ts
 * const meter = new RateMeter();
 * setInterval(() => console.log(meter.sample(pipeline.status(), performance.now()).messagesPerSecond), 1000);
 * ```
 */
export class RateMeter {
  private received = 0;
  private trades = 0;
  private bytes = 0;
  private atMs: number | undefined;

  /** Rates since the previous call (over the uptime on the first call). */
  sample(status: PipelineStatus, nowMs: number): StatusRates {
    const elapsedSeconds = this.atMs === undefined ? status.uptimeMs / 1000 : (nowMs - this.atMs) / 1000;
    const rates: StatusRates =
      elapsedSeconds > 0
        ? {
            messagesPerSecond: Math.max(0, status.received - this.received) / elapsedSeconds,
            tradesPerSecond: Math.max(0, status.trades - this.trades) / elapsedSeconds,
            bytesPerSecond: Math.max(0, status.bytesReceived - this.bytes) / elapsedSeconds,
          }
        : { messagesPerSecond: 0, tradesPerSecond: 0, bytesPerSecond: 0 };
    this.received = status.received;
    this.trades = status.trades;
    this.bytes = status.bytesReceived;
    this.atMs = nowMs;
    return rates;
  }
}
