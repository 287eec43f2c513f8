// `@marketpipe/middleware/internal`: for the sibling `@marketpipe/connector` and the reference app only. Not part
// of the public API: names here may change in any release.

export { DOUBLE_FIELD, doubleArray } from './double-field.js';
export { createMonotonicClock, type MonotonicClockInternalOptions } from './latency/clock.js';
export { fastPublishOf } from './transport/fast-publish.js';
export { withoutCredentials } from './transport/nats-connection.js';
export { OutageBuffer } from './transport/outage-buffer.js';
export { checkInteger, checkNumber, checkOneOf } from './validate.js';
