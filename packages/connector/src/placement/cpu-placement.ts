/**
 * Where a pipeline's threads run (`PipelineOptions.cpus`): the hot path's thread on CPUs of its own within the
 * process, the recorder's threads elsewhere. Linux only; set once at start, through the connector's native
 * binding (`sched_setaffinity` on one thread at a time, so the rest of the process keeps its placement).
 */
import { readdirSync } from 'node:fs';
import { InvalidArgumentError } from '@marketpipe/middleware/errors';
import { CpuPlacementError } from '../errors.js';
import { kernelThreadId, setThreadAffinity, threadAffinity } from '../ring/file-mapping.js';

/** CPUs for the pipeline's threads, by number as the system counts them (`nproc`, `taskset`). */
export interface PipelineCpus {
  /**
   * CPUs for the thread that calls `Pipeline.start`, whose event loop runs the source and the hot path. At start
   * the pipeline pins that thread to them and moves every other thread the process has then (Node's and V8's
   * helper threads, the embedder's own workers) off them, so within the process the hot path has them to
   * itself. Threads started later by that thread inherit its CPUs: start workers of your own before the pipeline,
   * or place them yourself. Other processes are the system's business (`taskset`, cpusets, `isolcpus`).
   */
  intake: readonly number[];
  /**
   * CPUs for the recorder: the flusher worker and its fsync thread. Default: the CPUs the calling thread could use
   * before the start, less `intake` (all of them if that leaves none).
   */
  recorder?: readonly number[];
}

/** The placement a pipeline applied, as its status reports it. */
export interface CpuPlacement {
  /** CPUs of the hot path's thread. */
  intake: number[];
  /** CPUs of the recorder's threads. */
  recorder: number[];
}

function systemError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}

/** The calling thread's allowed CPUs, or a {@link CpuPlacementError} where affinity cannot be read (not Linux). */
function allowedCpus(): number[] {
  if (process.platform !== 'linux')
    throw new CpuPlacementError(`CPU placement needs Linux (this is ${process.platform})`, 'ENOSYS');
  try {
    return threadAffinity(0);
  } catch (err) {
    throw new CpuPlacementError(
      `cannot read this thread's CPUs: ${(err as Error).message}`,
      systemError(err),
      {
        cause: err,
      },
    );
  }
}

/** A compact list, `0-3,6`. */
export function formatCpuList(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === (cpus[j] as number) + 1) j++;
    parts.push(j === i ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function checkList(
  argument: string,
  cpus: readonly number[] | undefined,
  allowed: readonly number[],
): number[] {
  if (!Array.isArray(cpus) || cpus.length === 0)
    throw new InvalidArgumentError(`${argument} must list at least one CPU`, { argument });
  for (const cpu of cpus) {
    if (!Number.isInteger(cpu) || cpu < 0)
      throw new InvalidArgumentError(`${argument}: ${cpu} is not a CPU number`, { argument });
    if (!allowed.includes(cpu))
      throw new InvalidArgumentError(
        `${argument}: CPU ${cpu} is not one this process may use (${formatCpuList(allowed)})`,
        { argument },
      );
  }
  return [...new Set(cpus)].sort((a, b) => a - b);
}

/**
 * Checks a CPU list against the calling thread's allowed CPUs; returns it sorted, without duplicates.
 *
 * @throws {InvalidArgumentError} for an empty list, a non-integer, or a CPU the thread may not use.
 * @throws {CpuPlacementError} off Linux, or when the thread's CPUs cannot be read.
 */
export function checkCpus(argument: string, cpus: readonly number[]): number[] {
  return checkList(argument, cpus, allowedCpus());
}

/**
 * Checks `cpus` against the calling thread's allowed CPUs and works out the recorder's default, without placing
 * anything yet.
 *
 * @throws {InvalidArgumentError} for an empty list, a non-integer, or a CPU the thread may not use.
 * @throws {CpuPlacementError} off Linux, or when the thread's CPUs cannot be read.
 */
export function planCpuPlacement(cpus: PipelineCpus): CpuPlacement {
  if (typeof cpus !== 'object' || cpus === null)
    throw new InvalidArgumentError('cpus must be { intake: number[], recorder?: number[] }', {
      argument: 'cpus',
    });
  const allowed = allowedCpus();
  const intake = checkList('cpus.intake', cpus.intake, allowed);
  if (cpus.recorder !== undefined)
    return { intake, recorder: checkList('cpus.recorder', cpus.recorder, allowed) };
  const rest = allowed.filter((cpu) => !intake.includes(cpu));
  return { intake, recorder: rest.length > 0 ? rest : allowed };
}

function place(tid: number, cpus: readonly number[]): void {
  try {
    setThreadAffinity(tid, cpus);
  } catch (err) {
    // A thread that exited since the listing needs no placement.
    if (tid !== 0 && systemError(err) === 'ESRCH') return;
    throw new CpuPlacementError(
      `cannot place ${tid === 0 ? 'this thread' : `thread ${tid}`} on CPUs ${formatCpuList(cpus)}: ${(err as Error).message}`,
      systemError(err),
      { cause: err },
    );
  }
}

/**
 * Pins the calling thread to `placement.intake` and moves every other thread of the process off those CPUs (to
 * the CPUs it had less `intake`, or to `placement.recorder` when that leaves it none).
 *
 * @throws {CpuPlacementError} when the system refuses a placement.
 */
export function applyIntakePlacement(placement: CpuPlacement): void {
  const self = kernelThreadId();
  const intake = placement.intake;
  for (const name of readdirSync('/proc/self/task')) {
    const tid = Number(name);
    if (tid === self || !Number.isInteger(tid)) continue;
    let cpus: number[];
    try {
      cpus = threadAffinity(tid);
    } catch {
      continue; // exited since the listing
    }
    if (!cpus.some((cpu) => intake.includes(cpu))) continue;
    const rest = cpus.filter((cpu) => !intake.includes(cpu));
    place(tid, rest.length > 0 ? rest : placement.recorder);
  }
  place(0, intake);
}

/**
 * Pins the calling thread (the flusher worker, before it starts its fsync thread, which inherits the CPUs).
 *
 * @throws {CpuPlacementError} when the system refuses it.
 */
export function pinCallingThread(cpus: readonly number[]): void {
  place(0, cpus);
}

/** The calling thread's CPUs now (Linux); the placement tests read it. */
export function callingThreadCpus(): number[] {
  return threadAffinity(0);
}
