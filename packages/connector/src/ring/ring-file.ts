/**
 * Creating, validating and memory-mapping a ring file. Everything here runs
 * once per `RingBuffer.open`, never on the hot path.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { threadId } from 'node:worker_threads';
import { RingFormatError, RingGeometryError } from '../errors.js';
import { allocateFile, mapFile } from './file-mapping.js';
import { type RingGeometry, resolveRingGeometry } from './ring-geometry.js';
import { decodeHeader, encodeHeader, HEADER_BYTES, type RingFormatVersion } from './ring-header.js';

/** A ring file mapped into this thread, with the geometry read from its header. */
export interface MappedRingFile {
  /** The whole file (header + data), mapped `PROT_READ | PROT_WRITE`, `MAP_SHARED`; unmap with `unmapFile`. */
  mapping: ArrayBuffer;
  /** Geometry stored in the file's header. */
  geometry: RingGeometry;
  /** Format version stored in the file's header. */
  formatVersion: RingFormatVersion;
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/**
 * Creates the file with its header complete, or does nothing when another
 * creator won the race. The file is built under a temporary name and
 * hard-linked into place, so nobody ever opens a half-initialised ring, and
 * two racing creators cannot both win (`link` fails with `EEXIST`).
 */
function createRingFile(path: string, geometry: RingGeometry): void {
  const temporary = `${path}.${process.pid}.${threadId}.${Date.now()}.tmp`;
  const fd = openSync(temporary, 'wx', 0o644);
  try {
    try {
      const header = encodeHeader(geometry);
      writeSync(fd, header, 0, header.length, 0);
      // Not a sparse extension (ftruncate): every block is allocated now, so a full disk fails here with ENOSPC
      // instead of a SIGBUS at the first store into an unbacked page of the mapping, and every commit word reads
      // "not committed". fallocate allocates them without writing (~1 ms for the app's 16 MiB ring, against
      // 10-15 ms to write and sync the zeros here; docs/design/ring-buffer.md, "Creating the file"); where the file
      // system cannot, the zeros are written.
      const dataBytes = geometry.slotSize * geometry.slotCount;
      if (!allocateFile(fd, HEADER_BYTES, dataBytes)) writeZeros(fd, HEADER_BYTES, dataBytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, path);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  } finally {
    // On every path, success included: a half-written temporary left on a full disk keeps it full.
    unlinkSync(temporary);
  }
}

const ZERO_CHUNK = new Uint8Array(1 << 20);

function writeZeros(fd: number, position: number, length: number): void {
  for (let done = 0; done < length; ) {
    const n = writeSync(fd, ZERO_CHUNK, 0, Math.min(ZERO_CHUNK.length, length - done), position + done);
    done += n;
  }
}

function openExisting(path: string): number | undefined {
  try {
    return openSync(path, 'r+');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Opens (creating it first when missing) and maps the ring file at `path`.
 * Only the geometry fields the caller set are compared with the file's, so a
 * consumer can open a ring without knowing how the producer sized it.
 *
 * @throws {@link RingGeometryError} when the requested geometry is invalid or differs from the file's.
 * @throws {@link RingFormatError} when the file is not a ring of a format version this code reads.
 */
export function mapRingFile(path: string, requested: Partial<RingGeometry> = {}): MappedRingFile {
  const wanted = resolveRingGeometry(path, requested);
  let fd = openExisting(path);
  if (fd === undefined) {
    createRingFile(path, wanted);
    fd = openSync(path, 'r+');
  }
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(64);
    if (size < HEADER_BYTES || readSync(fd, header, 0, header.length, 0) !== header.length) {
      throw new RingFormatError(path, `file of ${size} bytes is too small to be a ring`);
    }
    const { geometry, formatVersion } = decodeHeader(path, header);
    try {
      resolveRingGeometry(path, geometry);
    } catch (err) {
      throw new RingFormatError(path, 'header holds an invalid geometry', { cause: err });
    }
    for (const field of ['slotSize', 'slotCount'] as const) {
      const asked = requested[field];
      if (asked !== undefined && asked !== geometry[field]) {
        throw new RingGeometryError(
          path,
          `opened with ${field} ${asked} but the file was created with ${field} ${geometry[field]}`,
        );
      }
    }
    const expectedSize = HEADER_BYTES + geometry.slotSize * geometry.slotCount;
    if (size !== expectedSize) {
      throw new RingFormatError(path, `file is ${size} bytes but its geometry needs ${expectedSize}`);
    }
    return { mapping: mapFile(fd, size), geometry, formatVersion };
  } finally {
    // The mapping keeps its own reference to the file; the descriptor is not needed any more.
    closeSync(fd);
  }
}
