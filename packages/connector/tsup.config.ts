import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// The flusher runs on a worker thread: its entry is built as its own file and
// loaded by URL next to the bundle (see src/flusher/flusher-worker-location.ts). The venue registry is an entry
// of its own so the CLI can list venues without loading the pipeline.
export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    venues: 'src/feeds/venues.ts',
    'flusher-worker': 'src/flusher/flusher-worker.ts',
  }),
);
