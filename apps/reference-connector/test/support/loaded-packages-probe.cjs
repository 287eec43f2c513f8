// Preloaded with --require into the CLI by startup-loading.test.ts, and so into its worker threads: appends to
// $MARKETPIPE_LOADED_PROBE, per thread, the heavy CommonJS packages loaded when the replay file is opened (the
// first message is read right after) and at the thread's exit, and whether the thread runs the flusher's
// CommonJS build (an ES module script would make the worker boot Node's ES module loader).
const { appendFileSync } = require('node:fs');
const fsPromises = require('node:fs/promises');
const { syncBuiltinESMExports } = require('node:module');
const { isMainThread, threadId } = require('node:worker_threads');

const out = process.env.MARKETPIPE_LOADED_PROBE;
const HEAVY = /[\\/]node_modules[\\/](@nats-io[\\/][^\\/]+|hdr-histogram-js|pako|ws|sorted-btree)[\\/]/;
const CJS_FLUSHER = /[\\/]dist[\\/]flusher-worker\.cjs$/;

function write(moment) {
  const packages = new Set();
  let cjsFlusher = false;
  for (const path of Object.keys(require.cache)) {
    const match = HEAVY.exec(path);
    if (match) packages.add(match[1]);
    if (CJS_FLUSHER.test(path)) cjsFlusher = true;
  }
  const thread = isMainThread ? 'main' : `worker ${threadId}`;
  appendFileSync(out, `${JSON.stringify({ thread, moment, packages: [...packages].sort(), cjsFlusher })}\n`);
}

if (out !== undefined) {
  if (isMainThread) {
    const open = fsPromises.open;
    let seen = false;
    fsPromises.open = function openAndNote(path, ...rest) {
      if (!seen && String(path).endsWith('.jsonl')) {
        seen = true;
        write('first message');
      }
      return open.call(this, path, ...rest);
    };
    // The replay source imports `open` as an ES module binding: make it see the wrapper.
    syncBuiltinESMExports();
  }
  process.on('exit', () => write('exit'));
}
