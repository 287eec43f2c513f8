export type { TradeData } from './codec/trade-data.js';
export { TradeSide, tradeSideName } from './codec/trade-data.js';
