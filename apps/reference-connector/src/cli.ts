#!/usr/bin/env node
/**
 * The `marketpipe` executable (`dist/cli.js`). Exits through `process.exitCode`
 * so pending output is flushed; a short unref'd timer then forces the exit if
 * some handle (a stuck socket) would keep the process alive.
 */
import nodeModule from 'node:module';
import { InvalidOptionError } from './cli-errors.js';
import { ExitCode } from './exit-codes.js';
import { unsupportedNodeMessage } from './node-version.js';
import { applyV8Tuning } from './v8-tuning.js';

const EXIT_GRACE_MS = 2_000;

// A reader that goes away (`marketpipe cat | head`, a log collector that died) is not an error: without these
// handlers the first log line or summary written after it killed a run at once, with no drain and no summary file.
// What is written after that is dropped; `--json-summary` still gets the summary.
function ignoreGoneReader(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
}
process.stdout.on('error', ignoreGoneReader);
process.stderr.on('error', ignoreGoneReader);

/** Applies V8's inlining budget for the hot path (v8-tuning.ts); returns the message of a bad setting, if any. */
function tuneV8(): string | undefined {
  try {
    applyV8Tuning();
    return undefined;
  } catch (err) {
    if (err instanceof InvalidOptionError) return err.message;
    throw err;
  }
}

const tooOld = unsupportedNodeMessage(process.versions.node);
const badTuning = tooOld === undefined ? tuneV8() : undefined;
if (tooOld !== undefined) {
  process.stderr.write(`marketpipe: ${tooOld}\n`);
  process.exitCode = ExitCode.error;
} else if (badTuning !== undefined) {
  process.stderr.write(`marketpipe: ${badTuning}\n`);
  process.exitCode = ExitCode.usage;
} else {
  // Node 22.1+ keeps compiled code in a cache on disk (under os.tmpdir(), as npm and tsc do), so later runs skip
  // compiling the modules they load; Node 20 has no such cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // Loaded only now (a chunk of its own in the split build), so an old Node meets the check above first.
  import('./main.js')
    .then(({ main }) => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
        setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
      },
      (err: unknown) => {
        process.stderr.write(`marketpipe: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
}
