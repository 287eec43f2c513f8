/**
 * Ring geometry: how the data area of a ring file is cut into slots, and the
 * limits that follow from it.
 */

import { RingGeometryError } from '../errors.js';
import { RECORD_HEADER_BYTES } from './record-frame.js';

/**
 * Shape of a ring's data area: `slotCount` slots of `slotSize` bytes each.
 * Both are powers of two so slot arithmetic is masks and shifts, and so a
 * 32-bit wrapping slot counter stays a multiple of `slotCount` when it wraps.
 */
export interface RingGeometry {
  /** Bytes per slot; a power of two from 64 (one cache line) to 16 MiB. */
  slotSize: number;
  /** Number of slots; a power of two, at least 2. */
  slotCount: number;
}

/**
 * 256-byte slots x 65 536 = 16 MiB of data: a trade message (150-450 bytes) takes one or two slots, so consecutive
 * records sit close together; a large snapshot spans several (the largest record is 8 MiB). Measured against the
 * same 16 MiB in 1 KiB slots, `tryWrite` costs 2-3x less: the 1 KiB stride touches a new page every 4 messages.
 */
export const DEFAULT_RING_GEOMETRY: Readonly<RingGeometry> = Object.freeze({
  slotSize: 256,
  slotCount: 65_536,
});

const MIN_SLOT_SIZE = 64;
const MAX_SLOT_SIZE = 1 << 24;
/** 1 GiB of data at most: the limit every ring of this format was built for (the first mmap binding took a C `int` size). */
const MAX_DATA_BYTES = 1 << 30;

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;
}

/**
 * Fills unset fields from {@link DEFAULT_RING_GEOMETRY} and checks the result.
 *
 * @throws {@link RingGeometryError} when a value is not a power of two or the data area would exceed 1 GiB.
 */
export function resolveRingGeometry(path: string, requested: Partial<RingGeometry> = {}): RingGeometry {
  const slotSize = requested.slotSize ?? DEFAULT_RING_GEOMETRY.slotSize;
  const slotCount = requested.slotCount ?? DEFAULT_RING_GEOMETRY.slotCount;
  if (!isPowerOfTwo(slotSize) || slotSize < MIN_SLOT_SIZE || slotSize > MAX_SLOT_SIZE) {
    throw new RingGeometryError(
      path,
      `slotSize must be a power of two from ${MIN_SLOT_SIZE} to ${MAX_SLOT_SIZE}, got ${slotSize}`,
    );
  }
  if (!isPowerOfTwo(slotCount) || slotCount < 2) {
    throw new RingGeometryError(path, `slotCount must be a power of two of at least 2, got ${slotCount}`);
  }
  if (slotSize * slotCount > MAX_DATA_BYTES) {
    throw new RingGeometryError(
      path,
      `slotSize x slotCount must not exceed ${MAX_DATA_BYTES} bytes, got ${slotSize * slotCount}`,
    );
  }
  return { slotSize, slotCount };
}

/**
 * Largest payload a ring of this geometry accepts: half the ring, minus the
 * record header.
 *
 * Why half: a record must occupy contiguous slots, so one that does not fit
 * before the end of the ring is preceded by a padding record that fills the
 * tail. With records of at most half the ring, an empty ring can always take
 * the next record wherever the write position happens to be (either it fits
 * before the end, or the padding is shorter than the record and both fit), so
 * a producer that waits for the consumer always makes progress.
 */
export function maxRecordSizeOf(geometry: RingGeometry): number {
  return (geometry.slotCount / 2) * geometry.slotSize - RECORD_HEADER_BYTES;
}
