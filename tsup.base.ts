import type { Options } from 'tsup';

/**
 * Shared tsup settings for every workspace package: ESM + CJS with matching
 * `.d.ts` / `.d.cts`, source maps, Node 20 target. Each package's own
 * `tsup.config.ts` only names its entry points.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    ...overrides,
  };
}
