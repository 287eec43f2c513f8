/**
 * Where the live-path suite's processes run when it measures the consumer's hot path on a core of its own: the
 * consumer's main thread alone on one CPU, everything else (venue server, nats-server, subscriber, the consumer's
 * other threads) on the others. marketpipe places its own threads (`PipelineOptions.cpus`); the other contenders
 * and the helper processes are placed with `taskset`, which does the same to a thread from outside.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The consumer's hot-path CPU and the CPUs of everything else. */
export interface Placement {
  intake: number;
  others: number[];
}

/** `1:0` (intake CPU, then the others) as a relay argument. */
export function placementArg(placement: Placement): string {
  return `${placement.intake}:${placement.others.join(',')}`;
}

/** The inverse of {@link placementArg}; undefined for an empty argument (nothing pinned). */
export function parsePlacementArg(text: string): Placement | undefined {
  if (text === '') return undefined;
  const [intake, others] = text.split(':') as [string, string];
  return { intake: Number(intake), others: others.split(',').map(Number) };
}

/** This process's CPUs (`Cpus_allowed_list`), e.g. [0, 1]. */
export function allowedCpus(): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [first, last] = part.split('-').map(Number) as [number, number | undefined];
    return Array.from({ length: (last ?? first) - first + 1 }, (_, i) => first + i);
  });
}

/** The last allowed CPU for the consumer's hot path, the rest for everything else; undefined below two CPUs. */
export function isolatedPlacement(): Placement | undefined {
  const cpus = allowedCpus();
  if (cpus.length < 2) return undefined;
  return { intake: cpus[cpus.length - 1] as number, others: cpus.slice(0, -1) };
}

/** Attempts of one `taskset` call before its failure is the suite's. */
const TASKSET_ATTEMPTS = 5;

/**
 * Runs `taskset` with `args`, again when it fails: `-a` lists the process's threads and then sets each, so a thread
 * that ends in between (Node starts and ends helper threads of its own) fails the call with "No such process".
 */
function taskset(args: readonly string[]): void {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      return;
    } catch (err) {
      if (attempt >= TASKSET_ATTEMPTS) throw err;
    }
  }
}

/** Every thread of process `pid` onto `cpus` (`taskset -a -p`). */
export function placeProcess(pid: number, cpus: readonly number[]): void {
  taskset(['-a', '-p', '-c', cpus.join(','), `${pid}`]);
}

/**
 * What `PipelineOptions.cpus` does for marketpipe, done from outside for another consumer: its main thread onto
 * the intake CPU, every other thread it has onto the others.
 */
export function placeConsumer(pid: number, placement: Placement): void {
  placeProcess(pid, placement.others);
  taskset(['-p', '-c', `${placement.intake}`, `${pid}`]);
}
