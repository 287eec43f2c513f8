/**
 * On-CPU time of a process's threads from Linux's per-thread schedstat (ns the thread actually ran). Unlike wall
 * time it hardly moves with the machine's load, so the NATS suites use it to say which process and thread spends
 * what per message.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** On-CPU ns so far: the process's main thread and all its other threads (V8 GC and compiler, workers, libuv). */
export interface ThreadCpu {
  main: number;
  others: number;
}

/** Reads every thread of `pid`; zeros when /proc is not there (not Linux) or the process is gone. */
export function threadCpuNs(pid: number | undefined): ThreadCpu {
  let main = 0;
  let others = 0;
  if (pid === undefined) return { main, others };
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { main, others };
  }
  for (const tid of tids) {
    let ns: number;
    try {
      ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      continue; // the thread ended meanwhile
    }
    if (Number(tid) === pid) main += ns;
    else others += ns;
  }
  return { main, others };
}

/** One thread's counters so far: on-CPU ns, and how often it gave up the CPU itself (slept) or was preempted. */
export interface ThreadSample {
  tid: number;
  ns: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
}

/** Every thread of `pid` with its own counters (empty when /proc is not there or the process is gone). */
export function threadSamples(pid: number): ThreadSample[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const samples: ThreadSample[] = [];
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      samples.push({
        tid: Number(tid),
        ns,
        voluntarySwitches: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
        involuntarySwitches: Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0),
      });
    } catch {
      // the thread ended meanwhile
    }
  }
  return samples;
}

/**
 * What each thread of `after` did since `before`, two {@link threadSamples} of one process: its counters' growth (a
 * thread that started in between counts from zero).
 */
export function threadSampleDeltas(
  before: readonly ThreadSample[],
  after: readonly ThreadSample[],
): ThreadSample[] {
  const start = new Map(before.map((t) => [t.tid, t]));
  return after.map((t) => {
    const s = start.get(t.tid);
    return {
      tid: t.tid,
      ns: t.ns - (s?.ns ?? 0),
      voluntarySwitches: t.voluntarySwitches - (s?.voluntarySwitches ?? 0),
      involuntarySwitches: t.involuntarySwitches - (s?.involuntarySwitches ?? 0),
    };
  });
}

/** Thread ids of `pid` now (empty when /proc is not there or the process is gone). */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** On-CPU ns so far of the threads `tids` of `pid` (a thread that ended counts 0). */
export function threadsCpuNs(pid: number, tids: readonly number[]): number {
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return ns;
}
