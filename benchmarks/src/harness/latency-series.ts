/**
 * Turns a {@link LatencyRecorder} into the percentile points of a chart series.
 */
import type { LatencyRecorder } from '@marketpipe/middleware/latency';
import type { LatencySeries } from './suite-result.js';

/** Percentiles drawn for every series: dense in the tail, where latency stories are told. */
export const CHART_PERCENTILES: readonly number[] = [
  0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100,
];

/** The chart series of `recorder` under `label`. */
export function latencySeries(label: string, recorder: LatencyRecorder): LatencySeries {
  return {
    label,
    points: CHART_PERCENTILES.map((percentile) => ({ percentile, ns: recorder.percentile(percentile) })),
  };
}
