// `@marketpipe/middleware/internal`: for the sibling `@marketpipe/connector` only. Not part of the public
// API: names here may change in any release.

export { DOUBLE_FIELD, doubleArray } from './double-field.js';
export { OutageBuffer } from './transport/outage-buffer.js';
