// `@marketpipe/connector/codec`: the Cap'n Proto trade codec (encoder, zero-copy view) and its errors.
export {
  CapnpFormatError,
  InvalidTradeFieldError,
  type TradeTextField,
  TradeTextTooLongError,
} from '../errors.js';
export type { TradeData } from './trade-data.js';
export { TradeSide, tradeSideName } from './trade-data.js';
export type { EpochMsParts, TradeEncoderOptions, TradeNumbers } from './trade-encoder.js';
export { TradeEncoder } from './trade-encoder.js';
export { TradeView } from './trade-view.js';
