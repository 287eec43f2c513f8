// `@marketpipe/middleware/latency`: the hot path's building blocks: clocks, the string interner and the
// latency recorder.

export {
  InternerFullError,
  type InternerLimit,
  type InvalidArgumentCode,
  InvalidArgumentError,
  type InvalidArgumentOptions,
  InvalidUnicodeError,
  MarketpipeError,
  UnknownInternIdError,
} from '../errors.js';
export { type Clock, clock, MonotonicClock, type MonotonicClockOptions, type WallParts } from './clock.js';
export { Interner, type InternerOptions } from './interner.js';
export { LatencyRecorder, type LatencyRecorderOptions, type LatencySummary } from './latency-recorder.js';
export { ManualClock, type ManualClockOptions } from './manual-clock.js';
