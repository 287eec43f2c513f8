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
 * The `flusher-worker` tsup entry next to this bundle, in its CommonJS build (`dist/flusher-worker.cjs`) from
 * either format: a worker started on a CommonJS script skips booting Node's ES module loader, which took Node 20
 * about 25 ms per start (docs/design/startup.md). Bundlers cannot follow a worker given as a path, hence the
 * separate entry.
 */
export function flusherWorkerLocation(moduleUrl: string = import.meta.url): FlusherWorkerLocation {
  return { script: new URL('./flusher-worker.cjs', moduleUrl), options: {} };
}
