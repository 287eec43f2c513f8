import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every workspace package. Each project resolves
 * `@marketpipe/*` imports to TypeScript source through the
 * `@marketpipe/source` export condition, so tests never need a build.
 *
 * Two test files at a time even on two cores (vitest's default is cores - 1,
 * one file at a time there): most of the suite's time is spent waiting on
 * child processes, nats-servers and timers, not on the CPU. On the 2-core CI
 * machine the whole suite on Node 26 took 240-261 s in three runs with two
 * workers, against 411 s with one.
 */
export default defineConfig({
  test: {
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: ['packages/*', 'apps/*', 'benchmarks'],
  },
});
