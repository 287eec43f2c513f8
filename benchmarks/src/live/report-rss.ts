/**
 * Preloaded (`--import`) into a measured process: at exit, its main thread prints the process's peak RSS and its
 * own on-CPU time as one JSON line on stderr, so the suite can compare whole processes without an external `time`
 * tool. On-CPU time is the first field of Linux's per-thread schedstat: unlike wall time, it does not grow while
 * the thread waits for one of the two shared cores (absent where there is no /proc).
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

function mainThreadCpuMs(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(fields[0]) / 1e6;
  } catch {
    return undefined;
  }
}

if (isMainThread) {
  process.on('exit', () => {
    const report = { maxRssKiB: process.resourceUsage().maxRSS, mainCpuMs: mainThreadCpuMs() };
    process.stderr.write(`${JSON.stringify(report)}\n`);
  });
}
