/**
 * Plain-JavaScript entry for test workers written in TypeScript. On Node 20,
 * `--import tsx` in a worker's `execArgv` does not reach the worker's module
 * loader (the import of a `.ts` file fails with ERR_UNKNOWN_FILE_EXTENSION),
 * so this entry registers tsx's hooks itself and then imports the real worker
 * named by `workerData.entry`.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
