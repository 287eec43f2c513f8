// `@marketpipe/connector/internal`: for the reference app only (its tests write record fixtures with it). Not part
// of the public API: names here may change in any release.

export {
  createRecordFileWriter,
  type RecordFileWriterInternalOptions,
} from './flusher/record-file-writer.js';
