import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// One build entry per `exports` subpath; splitting keeps one copy of each class shared by all entries, so
// `instanceof` holds across subpaths. The flusher runs on a worker thread: its entry is built as its own file
// and loaded by URL next to the bundle (see src/flusher/flusher-worker-location.ts). The venue registry is an
// entry of its own so the CLI can list venues without loading the pipeline.
export default defineConfig(
  packageBuild(
    {
      index: 'src/index.ts',
      venues: 'src/feeds/venues.ts',
      pipeline: 'src/pipeline.ts',
      codec: 'src/codec/index.ts',
      books: 'src/books/index.ts',
      feeds: 'src/feeds/index.ts',
      sources: 'src/sources/index.ts',
      recording: 'src/recording.ts',
      simulator: 'src/simulator/index.ts',
      errors: 'src/errors-entry.ts',
      internal: 'src/internal.ts',
      'flusher-worker': 'src/flusher/flusher-worker.ts',
    },
    { splitting: true },
  ),
);
