/**
 * The benchmark suites `pnpm bench` runs, in order, with the Node flags each process needs.
 */
import { HEAP_PROBE_FLAGS } from './harness/heap-probe.js';

/** One suite: a module under `suites/` run as its own process. */
export interface SuiteSpec {
  /** Module name under `suites/` and key of the result. */
  id: string;
  /** Node/V8 flags of the suite process. */
  nodeFlags: readonly string[];
}

/** Every suite, in the order of the report. */
export const SUITES: readonly SuiteSpec[] = Object.freeze([
  { id: 'design-table', nodeFlags: HEAP_PROBE_FLAGS },
  { id: 'hot-path', nodeFlags: HEAP_PROBE_FLAGS },
  { id: 'books', nodeFlags: HEAP_PROBE_FLAGS },
  { id: 'peers', nodeFlags: [] },
  { id: 'nats', nodeFlags: [] },
  { id: 'nats-clients', nodeFlags: [] },
  { id: 'flusher', nodeFlags: [] },
  { id: 'live-path', nodeFlags: [] },
]);
