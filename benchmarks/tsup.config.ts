import { defineConfig } from 'tsup';
import { packageBuild } from '../tsup.base';

// One entry per suite: `run` starts each as its own process from dist/suites/<id>.js.
export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    run: 'src/run.ts',
    'nats-cost': 'src/nats-cost.ts',
    'hot-path-steps': 'src/hot-path-steps.ts',
    // How much machine code a message runs (perf), for comparing builds.
    'hot-path-footprint': 'src/hot-path-footprint.ts',
    // The hot-path suite's floor, in a process of its own.
    'hot-path-floor': 'src/hot-path-floor.ts',
    // The books suite's trade comparison, one stack per process.
    'books-trade': 'src/books-trade.ts',
    'suites/design-table': 'src/suites/design-table.ts',
    'suites/hot-path': 'src/suites/hot-path.ts',
    'suites/books': 'src/suites/books.ts',
    'suites/peers': 'src/suites/peers.ts',
    'suites/nats': 'src/suites/nats.ts',
    'suites/nats-clients': 'src/suites/nats-clients.ts',
    'suites/flusher': 'src/suites/flusher.ts',
    'suites/live-path': 'src/suites/live-path.ts',
    // The live-path suite's helper processes.
    'live/venue-server': 'src/live/venue-server.ts',
    'live/relay': 'src/live/relay.ts',
    'live/subscriber': 'src/live/subscriber.ts',
    'live/naive-replay': 'src/live/naive-replay.ts',
    'live/report-rss': 'src/live/report-rss.ts',
    'live/first-read': 'src/live/first-read.ts',
  }),
);
