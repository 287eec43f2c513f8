/**
 * A vitest global setup that gives one test run a temporary folder of its own and deletes it at the end.
 *
 * The suites create their data dirs, rings, day files and nats-server stores with `mkdtemp` under `os.tmpdir()`,
 * and most of them never remove them: one full run left about 4 800 folders in `/tmp`. Setting `TMPDIR` here,
 * in vitest's main process before it starts the test workers, sends every one of them (and those of the
 * processes the tests spawn, which inherit the environment) into one folder that the teardown removes.
 *
 * Every project of the workspace lists this setup, and vitest runs each project's global setups in the same
 * main process: the first call creates the folder and owns it, the others find it and do nothing, so a
 * single-package run (`pnpm --filter ... test`) and the whole workspace's run behave the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set while a run's folder exists; its value is the folder. */
const OWNER_VARIABLE = 'MARKETPIPE_TEST_TMPDIR';

/** Creates the run's folder and points `TMPDIR` at it; returns the teardown that removes it. */
export default function setup(): (() => void) | undefined {
  if (process.env[OWNER_VARIABLE] !== undefined) return undefined;
  const previous = process.env.TMPDIR;
  // A short name under the real temporary folder: some tests put Unix sockets in it (108-byte path limit).
  const dir = mkdtempSync(join(tmpdir(), 'mp-test-'));
  process.env[OWNER_VARIABLE] = dir;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[OWNER_VARIABLE];
    if (process.env.MARKETPIPE_KEEP_TEST_TMPDIR === '1') {
      console.log(`test files kept in ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
