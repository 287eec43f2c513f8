import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// One build entry per `exports` subpath. `errors` stays its own light entry so code that only needs the error
// base class (the CLI's `--help`, the flusher worker) does not load NATS and the histogram library; splitting
// keeps one copy of each class shared by all entries, so `instanceof` holds across subpaths.
export default defineConfig(
  packageBuild(
    {
      index: 'src/index.ts',
      transport: 'src/transport/index.ts',
      journal: 'src/journal/index.ts',
      latency: 'src/latency/index.ts',
      errors: 'src/errors.ts',
      internal: 'src/internal.ts',
    },
    { splitting: true },
  ),
);
