export type { TradeTextField } from './codec/codec-errors.js';
export {
  CapnpFormatError,
  CodecOptionError,
  InvalidTradeFieldError,
  TradeTextTooLongError,
} from './codec/codec-errors.js';
export type { TradeData } from './codec/trade-data.js';
export { TradeSide, tradeSideName } from './codec/trade-data.js';
export type { TradeEncoderOptions } from './codec/trade-encoder.js';
export { TradeEncoder } from './codec/trade-encoder.js';
export { TradeView } from './codec/trade-view.js';
export type { PublisherCounters, PublisherOptions } from './publisher/publisher.js';
export { Publisher, SubjectCollisionError } from './publisher/publisher.js';
export { InvalidNameError, tickerToSubjectToken, validateName } from './publisher/subject-token.js';
