/**
 * Why the start-up target is missed, from the same run: Node's own start and marketpipe's share beside it, measured
 * in alternating pairs so that both see the same host.
 */
import { median } from '../harness/batch-timer.js';

/** One pair: spawn to the first message of a one-message replay, and `node -e 0` spawned the same way, in ms. */
export interface StartupPair {
  firstMessageMs: number;
  nodeAloneMs: number;
}

function range(values: readonly number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)} ms`;
}

/** The paragraph for the report, given the pairs and the target in ms. */
export function startupWhy(pairs: readonly StartupPair[], targetMs: number): string {
  const first = pairs.map((p) => p.firstMessageMs);
  const node = pairs.map((p) => p.nodeAloneMs);
  const own = pairs.map((p) => p.firstMessageMs - p.nodeAloneMs);
  const met = first.filter((ms) => ms < targetMs).length;
  const nodeMedian = median(node);
  return (
    `Start-up is Node's own start and then marketpipe's. In ${pairs.length} alternating pairs, Node alone ` +
    `(\`node -e 0\`, spawned the same way) took ${range(node)} (median ${nodeMedian.toFixed(0)} ms) and ` +
    `marketpipe's first message ${range(first)} (median ${median(first).toFixed(0)} ms; under ${targetMs} ms in ` +
    `${met} of ${pairs.length}). marketpipe's own share, each pair's difference, was ${range(own)} (median ` +
    `${median(own).toFixed(0)} ms), against the ${(targetMs - nodeMedian).toFixed(0)} ms the target leaves beside ` +
    "this run's Node. docs/design/startup.md has where that share goes."
  );
}
