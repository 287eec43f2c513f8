import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every workspace package. Each project resolves
 * `@marketpipe/*` imports to TypeScript source through the
 * `@marketpipe/source` export condition, so tests never need a build.
 */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'benchmarks'],
  },
});
