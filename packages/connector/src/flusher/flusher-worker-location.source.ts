/**
 * Where the flusher's worker script lives when the connector runs from TypeScript source (vitest, tsx): the
 * `#flusher-worker-location` import map picks this file under the `@marketpipe/source` condition. It loads
 * tsx, a dev dependency, so it is never part of the build (see flusher-worker-location.ts).
 */
import type { FlusherWorkerLocation } from './flusher-worker-location.js';

/**
 * Locates the flusher worker. Run from TypeScript source (vitest, tsx: this module's URL ends in `.ts`)
 * it is the `.ts` file. Node 20 ignores `--import tsx` in a worker's
 * `execArgv` for the worker's own entry script, so a tiny bootstrap registers
 * tsx's loader in the worker and then imports the entry; the
 * `@marketpipe/source` condition makes workspace packages resolve to source
 * there as they do for the caller.
 */
export function flusherWorkerLocation(moduleUrl: string = import.meta.url): FlusherWorkerLocation {
  if (!moduleUrl.endsWith('.ts')) {
    return { script: new URL('./flusher-worker.cjs', moduleUrl), options: {} };
  }
  const entry = JSON.stringify(new URL('./flusher-worker.ts', moduleUrl).href);
  const loading = moduleLoadingArgs(process.execArgv);
  const execArgv = loading.includes('--conditions=@marketpipe/source')
    ? loading
    : [...loading, '--conditions=@marketpipe/source'];
  return {
    script: `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`,
    options: { eval: true, execArgv },
  };
}

const MODULE_LOADING_FLAG = /^(--conditions|-C|--import|--require|-r|--loader|--experimental-loader)(=|$)/;

/**
 * The module-loading flags of `argv` (with their values), the only ones worth
 * passing to the worker: workers reject V8 and process-wide flags such as
 * `--expose-gc` or `--max-semi-space-size`.
 */
function moduleLoadingArgs(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = MODULE_LOADING_FLAG.exec(arg);
    if (!match) continue;
    kept.push(arg);
    if (match[2] === '' && i + 1 < argv.length) kept.push(argv[++i]!);
  }
  return kept;
}
