/**
 * Preloaded (`--import`) into the start-up runs of the whole-process part: prints, as one JSON line on stderr, the
 * wall time (epoch ms) at which the first read of a `.jsonl` file returned bytes. The replay source splits that
 * chunk and hands its first line to the pipeline in the same turn, so this is start-up to the first message,
 * measured from outside without changing the app.
 */
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const open = fsp.open;
let stamped = false;

fsp.open = async function openAndWatch(...args: Parameters<typeof open>) {
  const handle = await open(...args);
  if (!stamped && String(args[0]).endsWith('.jsonl')) {
    const read = handle.read.bind(handle) as (...readArgs: unknown[]) => Promise<{ bytesRead: number }>;
    // biome-ignore lint/suspicious/noExplicitAny: the overloads of FileHandle.read cannot be named one by one
    (handle as any).read = async (...readArgs: unknown[]) => {
      const result = await read(...readArgs);
      if (!stamped && result.bytesRead > 0) {
        stamped = true;
        const firstReadEpochMs = performance.timeOrigin + performance.now();
        process.stderr.write(`${JSON.stringify({ firstReadEpochMs })}\n`);
      }
      return result;
    };
  }
  return handle;
} as typeof open;
// The app imports `open` by name from `node:fs/promises`: make the ES module bindings see the wrapper.
syncBuiltinESMExports();
