/**
 * The ring's memory map: a small Node-API binding of our own (`native/mapping.cc`), which also sets a thread's
 * CPU affinity for a pipeline given CPUs of its own (`runner/cpu-placement.ts`).
 * Node-API is ABI-stable, so one binary, prebuilt into the package or compiled
 * at install, loads on every supported Node line. Loaded on first use, so
 * importing the package never needs it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RingBindingError } from '../errors.js';

interface MappingBinding {
  map(fd: number, length: number): ArrayBuffer;
  allocate(fd: number, offset: number, length: number): boolean;
  sync(buffer: ArrayBuffer, offset: number, length: number): void;
  advise(buffer: ArrayBuffer, offset: number, length: number, advice: number): void;
  close(buffer: ArrayBuffer): void;
  advice: Record<MappingAdvice, number>;
  setAffinity(tid: number, cpus: number[]): void;
  getAffinity(tid: number): number[];
  threadId(): number;
}

/** `madvise` hints the binding passes on. */
export type MappingAdvice = 'normal' | 'random' | 'sequential' | 'willNeed' | 'dontNeed';

let binding: MappingBinding | undefined;

/** The package root: the nearest folder up from this module that holds `binding.gyp` (src/ring or dist). */
function packageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

function load(): MappingBinding {
  if (binding) return binding;
  const root = packageRoot();
  try {
    const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as (dir: string) => unknown;
    binding = nodeGypBuild(root) as MappingBinding;
  } catch (err) {
    throw new RingBindingError(
      `cannot load the memory-map binding of @marketpipe/connector (${process.platform}-${process.arch}, ` +
        `Node ${process.version}) from ${root}: no prebuilt binary fits and none was built at install. ` +
        'Reinstall the package with python3, make and a C++ compiler available.',
      { cause: err },
    );
  }
  return binding;
}

/** Maps `length` bytes of the open file `fd` read/write and shared (`MAP_SHARED`); the caller may close `fd` after. */
export function mapFile(fd: number, length: number): ArrayBuffer {
  return load().map(fd, length);
}

/**
 * Allocates the blocks of bytes `[offset, offset + length)` of the open file `fd` without writing them
 * (`fallocate`, Linux), growing the file to cover them; the new range reads as zeros. Returns false where the file
 * system or platform cannot (the caller writes zeros instead). Throws the `ENOSPC` a full disk gives.
 */
export function allocateFile(fd: number, offset: number, length: number): boolean {
  return load().allocate(fd, offset, length);
}

/** Writes the pages holding bytes `[offset, offset + length)` of a mapping back to the file (`msync`, `MS_SYNC`). */
export function syncMapping(buffer: ArrayBuffer, offset: number, length: number): void {
  load().sync(buffer, offset, length);
}

/** Passes an access-pattern hint for bytes `[offset, offset + length)` to the kernel (`madvise`). */
export function adviseMapping(
  buffer: ArrayBuffer,
  offset: number,
  length: number,
  advice: MappingAdvice,
): void {
  const b = load();
  b.advise(buffer, offset, length, b.advice[advice]);
}

/** The CPUs thread `tid` of this process may run on (`sched_getaffinity`; 0: the calling thread), ascending. */
export function threadAffinity(tid: number): number[] {
  return load().getAffinity(tid);
}

/** Restricts thread `tid` of this process (0: the calling thread) to `cpus` (`sched_setaffinity`). */
export function setThreadAffinity(tid: number, cpus: readonly number[]): void {
  load().setAffinity(tid, [...cpus]);
}

/** The calling thread's kernel thread id (`gettid`). */
export function kernelThreadId(): number {
  return load().threadId();
}

/**
 * Unmaps the file now: the range becomes private zeroed memory until `buffer` is garbage collected, so a view of
 * it kept elsewhere reads zeros and its stores reach no file, instead of touching freed pages. `buffer` is not
 * detached, and keeps its length: detaching any `ArrayBuffer` invalidates V8's ArrayBufferDetaching protector for
 * the whole isolate, which deoptimizes every function that reads a typed array and compiles them from then on with
 * a check on every access (docs/design/ring-buffer.md, "Closing"). Safe to call again.
 */
export function unmapFile(buffer: ArrayBuffer): void {
  load().close(buffer);
}
