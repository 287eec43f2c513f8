// `@marketpipe/connector/errors`: every error the connector throws, with the base class, the invalid-argument
// error and the code guard of `@marketpipe/middleware/errors` they build on, so that a user can catch any of
// them by class (`instanceof`, across package copies too) or by `code` from one import.
export {
  hasErrorCode,
  type InvalidArgumentCode,
  InvalidArgumentError,
  type InvalidArgumentOptions,
  MarketpipeError,
} from '@marketpipe/middleware/errors';
export * from './errors.js';
export type { VenueName } from './feeds/venue-feed.js';
