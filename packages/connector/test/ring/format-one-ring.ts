/**
 * A ring file of format version 1 (16-byte record headers, no receive time), as builds before version 2 left it,
 * written here byte by byte rather than by the RingBuffer that reads it.
 */

import { writeFileSync } from 'node:fs';
import type { RingGeometry } from '../../src/ring/ring-geometry.js';
import * as header from '../../src/ring/ring-header.js';

const V1_RECORD_HEADER_BYTES = 16;

/** Writes a version 1 ring at `path` holding `payloads` committed and unreleased, numbered from `firstSequence`. */
export function createFormatOneRing(
  path: string,
  geometry: RingGeometry,
  payloads: readonly Uint8Array[],
  firstSequence = 0,
): void {
  const file = Buffer.alloc(header.HEADER_BYTES + geometry.slotSize * geometry.slotCount);
  header.encodeHeader(geometry).copy(file);
  file.writeUInt32LE(1, 8); // the format version
  file.writeUInt32LE(V1_RECORD_HEADER_BYTES, 24); // the record header's size
  const words = new Int32Array(file.buffer, file.byteOffset, file.length / 4);
  let slot = 0;
  let sequence = firstSequence;
  for (const payload of payloads) {
    const frameBytes = V1_RECORD_HEADER_BYTES + payload.length;
    const at = header.HEADER_BYTES + slot * geometry.slotSize;
    file.writeInt32LE(frameBytes, at);
    file.writeUInt32LE(sequence % 2 ** 32, at + 8);
    file.writeUInt32LE(Math.floor(sequence / 2 ** 32), at + 12);
    file.set(payload, at + V1_RECORD_HEADER_BYTES);
    slot += Math.ceil(frameBytes / geometry.slotSize);
    sequence++;
    if (slot > geometry.slotCount) throw new Error('the payloads do not fit the ring without wrapping');
  }
  header.publishConsumerState(words, 0, firstSequence);
  header.publishWriteSequence(words, sequence);
  words[header.TAIL_WORD] = slot;
  writeFileSync(path, file);
}
