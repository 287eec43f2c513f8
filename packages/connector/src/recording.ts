// `@marketpipe/connector/recording`: every raw message kept: the memory-mapped ring, the disk flusher that
// drains it on a worker thread, and the record files it writes and their readers.

export type { EpochMsParts } from './codec/trade-encoder.js';
export {
  CpuPlacementError,
  FlusherStopTimeoutError,
  FlusherWorkerError,
  InvalidDayError,
  InvalidVenueError,
  RecordFileHeaderError,
  RecordTooLargeError,
  RingBindingError,
  RingClosedError,
  RingCorruptError,
  RingFormatError,
  RingGeometryError,
} from './errors.js';
export { ThreadSyncer } from './flusher/background-sync.js';
export type { DiskFlusherOptions, FlusherStatus } from './flusher/disk-flusher.js';
export { DiskFlusher } from './flusher/disk-flusher.js';
export type { FlusherRecovery } from './flusher/flusher-messages.js';
export type { FsyncPolicy } from './flusher/fsync-policy.js';
export { DEFAULT_FSYNC_POLICY } from './flusher/fsync-policy.js';
export type {
  RecordFileWriterOptions,
  SetAsideRange,
  WriterRecovery,
} from './flusher/record-file-writer.js';
export { RecordFileWriter } from './flusher/record-file-writer.js';
export {
  DEFAULT_RECORD_FILE_EXTENSION,
  RECORD_FILE_MAGIC,
  RECORD_FILE_VERSION,
  type RecordFileVersion,
} from './flusher/record-format.js';
export type {
  FlushedRecord,
  ReadRecordsOptions,
  RecordDamage,
  RecordFileSummary,
  VenueRecordRange,
} from './flusher/record-reader.js';
export { listRecordDays, readRecordFile, readVenueRecords, scanRecordFile } from './flusher/record-reader.js';
export { RECORD_HEADER_BYTES as RING_RECORD_HEADER_BYTES } from './ring/record-frame.js';
export type { RecordVisitor } from './ring/ring-buffer.js';
export { RingBuffer } from './ring/ring-buffer.js';
export type { RingGeometry } from './ring/ring-geometry.js';
export { DEFAULT_RING_GEOMETRY } from './ring/ring-geometry.js';
export type { RingFormatVersion } from './ring/ring-header.js';
