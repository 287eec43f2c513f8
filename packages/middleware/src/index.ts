export { hasErrorCode, MarketpipeError } from './errors.js';
