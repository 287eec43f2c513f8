// Module hooks (registered by resolved-modules-register.mjs, for startup-loading.test.ts): append every module URL
// the program resolves, ES modules and CommonJS packages imported from them, to $MARKETPIPE_RESOLVED_PROBE.
import { appendFileSync } from 'node:fs';

const out = process.env.MARKETPIPE_RESOLVED_PROBE;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (out !== undefined) appendFileSync(out, `${resolved.url}\n`);
  return resolved;
}
