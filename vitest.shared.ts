import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** One temporary folder per test run, removed at its end (tools/test-support/src/scratch-tmpdir.ts). */
const scratchTmpdir = fileURLToPath(new URL('./tools/test-support/src/scratch-tmpdir.ts', import.meta.url));

/** Per-package vitest project: test source through the `@marketpipe/source` condition. */
export function packageProject(name: string, overrides: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions: ['@marketpipe/source'] },
    ssr: { resolve: { conditions: ['@marketpipe/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 20_000,
      hookTimeout: 60_000,
      globalSetup: [scratchTmpdir],
    },
  });
}
