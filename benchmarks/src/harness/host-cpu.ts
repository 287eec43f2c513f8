/**
 * How much of this machine's CPU time the hypervisor gave to someone else: the `steal` column of Linux's
 * `/proc/stat`, which counts the time a virtual CPU was ready to run while the host ran another guest. On a shared
 * 2-vCPU VM it is the one direct measurement of a noisy neighbour: our own processes cannot cause it, and every
 * figure taken while it is high runs on less CPU than the wall clock says.
 */
import { readFileSync } from 'node:fs';

/** The all-CPU counters of `/proc/stat` at one moment, in clock ticks (USER_HZ) summed over every CPU. */
export interface HostCpuSample {
  /** Time the hypervisor ran something else while a virtual CPU was ready to run. */
  steal: number;
  /** Time spent running: user, nice, system, irq and softirq (guest time is inside user). */
  busy: number;
  /** Every column that adds up to the CPUs' time: busy, idle, iowait and steal. */
  total: number;
}

/** What happened between two samples, as shares of the CPUs' time in that interval. */
export interface HostCpuShare {
  /** Percent of the CPUs' time the hypervisor took (0-100). */
  stealPercent: number;
  /** Percent of the CPUs' time spent running (anything in this guest, the benchmark included). */
  busyPercent: number;
}

/**
 * Reads the aggregate `cpu` line of a `/proc/stat` text; undefined when there is none (not Linux) or it is too short
 * to hold the steal column (kernels before 2.6.11).
 */
export function parseHostCpu(statText: string): HostCpuSample | undefined {
  const line = statText.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const busy = user + nice + system + irq + softirq;
  return { steal, busy, total: busy + idle + iowait + steal };
}

/** This machine's counters now; undefined where there is no `/proc/stat`. */
export function readHostCpu(): HostCpuSample | undefined {
  try {
    return parseHostCpu(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The shares between `before` and `after`; undefined when either is missing or no tick passed between them (an
 * interval under ~10 ms).
 */
export function hostCpuShare(
  before: HostCpuSample | undefined,
  after: HostCpuSample | undefined,
): HostCpuShare | undefined {
  if (before === undefined || after === undefined) return undefined;
  const total = after.total - before.total;
  if (!(total > 0)) return undefined;
  return {
    stealPercent: (100 * (after.steal - before.steal)) / total,
    busyPercent: (100 * (after.busy - before.busy)) / total,
  };
}

/** `18.2%` (one decimal), or `-` when there is no measurement (undefined or NaN, as a median of none). */
export function formatStealPercent(percent: number | undefined): string {
  return percent === undefined || Number.isNaN(percent) ? '-' : `${percent.toFixed(1)}%`;
}

/** `steal 18.2%`, or `steal -` when there is no measurement. */
export function formatSteal(share: HostCpuShare | undefined): string {
  return `steal ${formatStealPercent(share?.stealPercent)}`;
}
