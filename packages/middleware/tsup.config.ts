import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `errors` is its own entry so code that only needs the error base class (the CLI's `--help`, the flusher worker)
// does not load NATS and the histogram library; splitting keeps one copy of the class shared by both entries.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', errors: 'src/errors.ts' }, { splitting: true }),
);
