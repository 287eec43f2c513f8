/**
 * Where the flusher's worker script lives in the built package. Runs from TypeScript source take
 * `flusher-worker-location.source.ts` instead, through the `#flusher-worker-location` import map's
 * `@marketpipe/source` condition, so nothing built here loads a dev dependency.
 */
import type { WorkerOptions } from 'node:worker_threads';

/** First two arguments for `new Worker(...)`. */
export interface FlusherWorkerLocation {
  /** The worker script, or bootstrap code when `options.eval` is set. */
  script: URL | string;
  /** Worker options to merge in (`eval`, `execArgv`). */
  options: WorkerOptions;
}

/**
 * The `flusher-worker` tsup entry next to this bundle (`dist/flusher-worker.js`); bundlers cannot follow a
 * worker given as a path, hence the separate entry.
 */
export function flusherWorkerLocation(moduleUrl: string = import.meta.url): FlusherWorkerLocation {
  return { script: new URL('./flusher-worker.js', moduleUrl), options: {} };
}
