/**
 * A ring file as a long run leaves it: empty, its consumer (and so its producer, at the next claim) standing at
 * `start` slots and records. For tests of positions past 2^31 and 2^32 without writing that many records.
 */

import { RingBuffer } from '../../src/ring/ring-buffer.js';
import type { RingGeometry } from '../../src/ring/ring-geometry.js';
import * as header from '../../src/ring/ring-header.js';

/** Creates the ring at `path` with `geometry`, its consumer state set to `start` slots and records, and closes it. */
export function createRingAt(path: string, geometry: RingGeometry, start: number): void {
  const ring = RingBuffer.open(path, geometry);
  const words = (ring as unknown as { words: Int32Array }).words;
  header.publishConsumerState(words, start, start);
  Atomics.store(words, header.RECLAIM_WORD, start | 0);
  ring.close();
}
