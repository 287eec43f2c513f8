/**
 * Per-second rates and latency percentiles from two status samples, so the status line shows what happened in the
 * last interval rather than a run-long average.
 */
import type { PipelineStatus } from '@marketpipe/connector';
import { InvalidArgumentError, LatencyRecorder } from '@marketpipe/middleware/latency';

/** Hot-path latency over one interval, in ns (all 0 when no message was measured in it). */
export interface IntervalLatency {
  /** Messages measured in the interval. */
  count: number;
  p50: number;
  p99: number;
  p999: number;
  /** Within the recorder's precision (3 significant digits). */
  max: number;
}

/** Rates and latency over the interval between two {@link RateMeter.sample} calls. */
export interface StatusRates {
  messagesPerSecond: number;
  tradesPerSecond: number;
  bytesPerSecond: number;
  latency: IntervalLatency;
}

/**
 * Remembers the previous sample and turns counters into rates, and the pipeline's latency recorder (which counts
 * for the whole run) into the percentiles of the interval.
 *
 * @example
 * ```ts
 * const latency = new LatencyRecorder();
 * const pipeline = await Pipeline.start({ ...options, latency });
 * const meter = new RateMeter(latency);
 * setInterval(() => console.log(meter.sample(pipeline.status(), performance.now()).latency.p99), 1000);
 * ```
 */
export class RateMeter {
  private received = 0;
  private trades = 0;
  private bytes = 0;
  private atMs: number | undefined;
  /**
   * The pipeline's recorder, a copy of it as it was at the previous sample, and the scratch copy the interval is
   * computed in.
   */
  private readonly latency:
    | { recorder: LatencyRecorder; previous: LatencyRecorder; interval: LatencyRecorder }
    | undefined;

  /**
   * @param latency The recorder the pipeline records into (`PipelineOptions.latency`); without it, the status's
   * run-long latency is reported as the interval's.
   */
  constructor(latency?: LatencyRecorder) {
    if (latency !== undefined) {
      const options = {
        lowestDiscernibleNanos: latency.lowestDiscernibleNanos,
        highestTrackableNanos: latency.highestTrackableNanos,
        significantDigits: latency.significantDigits as 1 | 2 | 3 | 4 | 5,
      };
      this.latency = {
        recorder: latency,
        previous: new LatencyRecorder(options),
        interval: new LatencyRecorder(options),
      };
    }
  }

  /** Rates and latency since the previous call (over the uptime on the first call). */
  sample(status: PipelineStatus, nowMs: number): StatusRates {
    const elapsedSeconds = this.atMs === undefined ? status.uptimeMs / 1000 : (nowMs - this.atMs) / 1000;
    const latency = this.sampleLatency(status);
    const rates: StatusRates =
      elapsedSeconds > 0
        ? {
            messagesPerSecond: Math.max(0, status.received - this.received) / elapsedSeconds,
            tradesPerSecond: Math.max(0, status.trades - this.trades) / elapsedSeconds,
            bytesPerSecond: Math.max(0, status.bytesReceived - this.bytes) / elapsedSeconds,
            latency,
          }
        : { messagesPerSecond: 0, tradesPerSecond: 0, bytesPerSecond: 0, latency };
    this.received = status.received;
    this.trades = status.trades;
    this.bytes = status.bytesReceived;
    this.atMs = nowMs;
    return rates;
  }

  private sampleLatency(status: PipelineStatus): IntervalLatency {
    if (this.latency === undefined) {
      const { count, p50, p99, p999, max } = status.latency;
      return { count, p50, p99, p999, max };
    }
    const { recorder, previous, interval } = this.latency;
    recorder.copyInto(interval);
    try {
      interval.subtract(previous);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      // The recorder was reset since the last sample (an embedder may): the interval is what it holds now.
      recorder.copyInto(interval);
    }
    recorder.copyInto(previous);
    const { count, p50, p99, p999, max } = interval.summary();
    return { count, p50, p99, p999, max };
  }
}
