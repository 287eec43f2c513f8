/**
 * How much machine code a workload runs, from CPU samples: the distinct 64-byte lines of code that received at least
 * one sample, per function. A lower bound (lines that ran but were never sampled are missing), and far steadier from
 * run to run than a timing: the same build gives the same count within ~2-3% (502-518 lines in seven runs of one build), where the step table's runner moves by
 * 5-10% between processes. Used by `dist/hot-path-footprint.js` (docs/design/latency-tail.md, "The hot path is
 * fetch-bound").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** `perf` is missing or may not record here (not installed, or `perf_event_paranoid` forbids it). */
export class PerfUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PerfUnavailableError';
  }
}

/** What the step rig runs between batches (its untimed ring drain), not the hot path: kept apart. */
const RIG_DRAIN = new Set(['readBatch', 'release', 'drainRing', 'Builtins_AtomicsLoad']);

/** A symbol without V8's tier marks: `JS:*'scan` (TurboFan), `JS:o*run` (on-stack replacement) -> `scan`, `run`. */
export function functionName(symbol: string): string {
  return symbol.replace(/^JS:o?[*~^+]'?/, '');
}

/** {@link CodeLines} of a step-rig run, split into the hot path and the rig's ring drain. */
export interface StepCodeLines extends CodeLines {
  /** Lines of the hot path's functions: every counted function but the drain's. */
  hotLines: number;
  /** The drain's functions (left out of {@link StepCodeLines.hotLines}). */
  drain: CodeLines['functions'];
}

function runTool(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.error !== undefined) {
    throw new PerfUnavailableError(`${command} could not run (${result.error.message}); install linux-perf`);
  }
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.slice(0, 2).join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/**
 * Records `true` first: a perf that cannot record here (not installed for this kernel, or refused by
 * `perf_event_paranoid`) fails on that, and is then unavailable; a failure of the real recording after it is the
 * measured process's.
 */
function checkPerfRecords(perf: string, data: string): void {
  try {
    runTool(perf, ['record', '-q', '-e', 'cpu-clock', '-o', data, 'true']);
  } catch (error) {
    if (error instanceof PerfUnavailableError) throw error;
    throw new PerfUnavailableError(`perf cannot record here: ${(error as Error).message}`);
  }
}

/**
 * Runs `node <nodeArgs>` (this process's Node, with `--perf-basic-prof` so V8 names its code) under
 * `perf record -e cpu-clock -F 20000`, and counts the code lines its main thread ran ({@link countCodeLines}).
 * V8's `/tmp/perf-<pid>.map` is removed afterwards. `perf` names the perf binary.
 *
 * @throws {PerfUnavailableError} when `perf` cannot run or record here (checked on `true` first).
 * @throws {Error} when the recording of the measured process fails.
 */
export function recordCodeLines(nodeArgs: readonly string[], perf = 'perf'): StepCodeLines {
  const dir = mkdtempSync(join(tmpdir(), 'code-lines-'));
  try {
    const data = join(dir, 'perf.data');
    checkPerfRecords(perf, data);
    runTool(perf, [
      'record',
      '-q',
      '-e',
      'cpu-clock',
      '-F',
      '20000',
      '-o',
      data,
      process.execPath,
      '--perf-basic-prof',
      ...nodeArgs,
    ]);
    const samples = parsePerfScript(runTool(perf, ['script', '-i', data, '-F', 'pid,tid,time,ip,sym']));
    for (const pid of new Set(samples.map((s) => s.pid))) rmSync(`/tmp/perf-${pid}.map`, { force: true });
    const counted = countCodeLines(samples);
    const isDrain = (name: string): boolean => RIG_DRAIN.has(functionName(name));
    const functions = counted.functions.filter((f) => !isDrain(f.name));
    return {
      samples: counted.samples,
      functions,
      hotLines: functions.reduce((sum, f) => sum + f.lines, 0),
      drain: counted.functions.filter((f) => isDrain(f.name)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The L1 instruction cache of CPU 0 in KiB, from sysfs; undefined where the kernel does not say. */
export function l1InstructionCacheKiB(root = '/sys/devices/system/cpu/cpu0/cache'): number | undefined {
  for (let index = 0; index < 8; index++) {
    try {
      const dir = join(root, `index${index}`);
      if (readFileSync(join(dir, 'level'), 'utf8').trim() !== '1') continue;
      if (readFileSync(join(dir, 'type'), 'utf8').trim() !== 'Instruction') continue;
      const size = /^(\d+)K$/.exec(readFileSync(join(dir, 'size'), 'utf8').trim());
      return size === null ? undefined : Number(size[1]);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
