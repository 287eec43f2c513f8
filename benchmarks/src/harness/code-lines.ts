/**
 * How much machine code a workload runs, from CPU samples: the distinct 64-byte lines of code that received at least
 * one sample, per function. A lower bound (lines that ran but were never sampled are missing), and far steadier from
 * run to run than a timing: the same build gives the same count within ~1-2%, where the step table's runner moves by
 * 5-10% between processes. Used by `dist/hot-path-footprint.js` (docs/design/latency-tail.md, "The hot path is
 * fetch-bound").
 */

/** One sample of `perf script -F pid,tid,time,ip,sym`: its thread, seconds, instruction address, symbol (may be empty). */
export interface CodeSample {
  pid: number;
  tid: number;
  time: number;
  ip: bigint;
  symbol: string;
}

/** Code lines per function, most lines first. */
export interface CodeLines {
  /** Samples counted (after the warm-up cut). */
  samples: number;
  functions: { name: string; lines: number; samplesShare: number }[];
}

const LINE_SHIFT = 6n;
/** Kernel addresses: not the process's code. */
const KERNEL_START = 0xffff_0000_0000_0000n;

/**
 * Parses `perf script -F pid,tid,time,ip,sym` output. Lines that are not a sample (blank, headers) are skipped. A symbol
 * is shortened to its name: V8's `--perf-basic-prof` names JS code `JS:*'name file:///...:line:col`, and the file
 * part is dropped, so versions of one function compiled at different addresses count as one.
 */
export function parsePerfScript(text: string): CodeSample[] {
  const samples: CodeSample[] = [];
  for (const raw of text.split('\n')) {
    const match = /^\s*(\d+)\/(\d+)\s+(\d+\.\d+):\s+([0-9a-f]+)\s*(.*)$/.exec(raw);
    if (match === null) continue;
    const symbol = match[5]!.trim().split(' file://')[0]!.trim();
    samples.push({
      pid: Number(match[1]),
      tid: Number(match[2]),
      time: Number(match[3]),
      ip: BigInt(`0x${match[4]}`),
      symbol,
    });
  }
  return samples;
}

/**
 * Counts the distinct 64-byte code lines with a sample, per function, on the main thread (the thread whose id is
 * the process id: V8's compiler and GC threads are left out), over the samples after the first `warmupFraction` of
 * the run's time (code compiled and then replaced during warm-up would otherwise count too). Kernel addresses are
 * left out, and so are functions below `minShare` of the counted samples.
 */
export function countCodeLines(
  samples: readonly CodeSample[],
  warmupFraction = 0.5,
  minShare = 0.001,
): CodeLines {
  if (samples.length === 0) return { samples: 0, functions: [] };
  const first = samples[0]!.time;
  const last = samples[samples.length - 1]!.time;
  const from = first + (last - first) * warmupFraction;
  const lines = new Map<string, Set<bigint>>();
  const counts = new Map<string, number>();
  let counted = 0;
  for (const { pid, tid, time, ip, symbol } of samples) {
    if (tid !== pid || time < from || ip >= KERNEL_START) continue;
    counted++;
    const name = symbol === '' ? '[unknown]' : symbol;
    let set = lines.get(name);
    if (set === undefined) {
      set = new Set();
      lines.set(name, set);
    }
    set.add(ip >> LINE_SHIFT);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const functions = [...lines.entries()]
    .map(([name, set]) => ({ name, lines: set.size, samplesShare: (counts.get(name) ?? 0) / counted }))
    .filter((f) => f.samplesShare >= minShare)
    .sort((a, b) => b.lines - a.lines || b.samplesShare - a.samplesShare);
  return { samples: counted, functions };
}
