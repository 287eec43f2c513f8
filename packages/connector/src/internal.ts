// `@marketpipe/connector/internal`: for the workspace's own app and tests only. Not part of the public API:
// names here may change in any release.
export { createSeededRandom } from './sources/seeded-random.js';
