/**
 * The JSON a suite process writes: tables already formatted for the report, raw numbers for machines, target
 * checks and latency distributions for the chart.
 */
import type { HostCpuShare } from './host-cpu.js';

/** One table of the report; cells are preformatted strings. */
export interface ResultTable {
  title: string;
  columns: string[];
  rows: string[][];
  /** Sentences printed under the table (what was compared, caveats). */
  notes?: string[];
}

/** One target of the issue, checked against a measured value. */
export interface TargetCheck {
  /** What is measured, e.g. `hot path p50 (Binance trade)`. */
  name: string;
  /** The target as written in the issue, e.g. `<= 300 ns`. */
  target: string;
  /** The measured value, formatted. */
  measured: string;
  met: boolean;
  /**
   * For a target this machine misses: why, with the same run's measurement that shows it (the report lists it
   * under the targets table). Leave it out where the suite has no such measurement.
   */
  why?: string;
}

/** A latency distribution for the chart: latency (ns) at increasing percentiles. */
export interface LatencySeries {
  label: string;
  points: { percentile: number; ns: number }[];
}

/** Everything one suite reports. */
export interface SuiteResult {
  /** Suite id, e.g. `hot-path`. */
  suite: string;
  /** Heading in the report. */
  title: string;
  smoke: boolean;
  /** Wall time of the suite process's measurement, in ms. */
  durationMs: number;
  /** `process.versions.node` of the suite's process, set by `runSuiteProcess` (suite-main.ts). */
  node?: string;
  tables: ResultTable[];
  targets: TargetCheck[];
  latencies: LatencySeries[];
  /** Raw numbers by stable key (ns, counts, rates), for tools reading `latest.json`. */
  metrics: Record<string, number>;
  notes: string[];
  /**
   * The host's CPU steal and busy shares while the suite's process ran, set by the runner that spawned it (the
   * suite itself leaves it out): how much of the machine a noisy neighbour took during these figures.
   */
  host?: HostCpuShare;
}
