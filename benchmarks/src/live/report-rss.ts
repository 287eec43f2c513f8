/**
 * Preloaded (`--import`) into a measured process: at exit, its main thread prints the process's peak RSS, its own
 * on-CPU time, how long it waited for a core, and the whole process's CPU time as one JSON line on stderr, so the
 * suite can compare whole processes without an external `time` tool. The main thread's figures are the first two
 * fields of Linux's per-thread schedstat (on-CPU, and waiting on a run queue: ready to run while both cores ran
 * something else); unlike wall time, on-CPU time does not grow while the thread waits. They are absent where there
 * is no /proc. The process's CPU time (`process.cpuUsage()`) includes threads that already ended, such as a worker.
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** The main thread's on-CPU and run-queue time in ms, from its schedstat. */
function mainThreadSchedMs(): { cpu: number; waited: number } | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return { cpu: Number(fields[0]) / 1e6, waited: Number(fields[1]) / 1e6 };
  } catch {
    return undefined;
  }
}

if (isMainThread) {
  process.on('exit', () => {
    const sched = mainThreadSchedMs();
    const usage = process.cpuUsage();
    const report = {
      maxRssKiB: process.resourceUsage().maxRSS,
      mainCpuMs: sched?.cpu,
      mainWaitedMs: sched?.waited,
      processCpuMs: (usage.user + usage.system) / 1000,
    };
    process.stderr.write(`${JSON.stringify(report)}\n`);
  });
}
