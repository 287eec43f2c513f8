// `@marketpipe/connector/sources`: where raw venue messages come from: a live WebSocket, a replay of
// captured lines, or a replay of record files, all on one `MessageSource` interface.

export {
  MessageHandlerError,
  ReplayFileError,
  ReplayLineTooLongError,
  SourceConnectionError,
  SourceStateError,
} from '../errors.js';
export type { VenueName, VenueProtocol } from '../feeds/venue-feed.js';
export type { LineReplayOptions, LineReplayStatus } from './line-replay-source.js';
export { LineReplaySource } from './line-replay-source.js';
export type { LineTimestampFormat } from './line-timestamp.js';
export type {
  BackpressureCheck,
  MessageSource,
  RawMessageHandler,
  SourceEnd,
  SourceEvent,
  SourceEventListener,
  SourceState,
  SourceStatus,
} from './message-source.js';
export type { BackoffOptions } from './reconnect-backoff.js';
export { DEFAULT_BACKOFF } from './reconnect-backoff.js';
export type { RecordReplayOptions, RecordReplayStatus } from './record-replay-source.js';
export { RecordReplaySource } from './record-replay-source.js';
export type { WebSocketSourceOptions, WebSocketSourceStatus } from './websocket-source.js';
export { WebSocketSource } from './websocket-source.js';
