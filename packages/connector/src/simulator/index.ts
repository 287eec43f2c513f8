// `@marketpipe/connector/simulator`: a venue simulator to test consumers against: a local WebSocket server
// speaking each venue's protocol, the generator of its seeded synthetic market, and each venue's server-side
// emulation (trade messages, acks, control frames), which the venue feeds themselves do not carry.
export { InvalidSimBatchError, SimulatorLogError } from '../errors.js';
export type { VenueName, VenueProtocol } from '../feeds/venue-feed.js';
export type { ReceivedFrame, SentFrame, SimulatorOptions, SimulatorStats } from '../sources/simulator.js';
export { SimulatorServer } from '../sources/simulator.js';
export { binanceEmulation } from './binance-emulation.js';
export type { SimulatorBookOptions, SimulatorBookStats } from './book-channel.js';
export { bybitEmulation } from './bybit-emulation.js';
export { coinbaseEmulation } from './coinbase-emulation.js';
export { venueEmulation } from './emulations.js';
export { krakenEmulation } from './kraken-emulation.js';
export { okxEmulation } from './okx-emulation.js';
export { type SimBookChanges, SimBookSide, type SimBookState } from './sim-book.js';
export type { SimulateMessagesOptions } from './simulate-messages.js';
export { simulateMessages } from './simulate-messages.js';
export type {
  BookChannelEmulation,
  BookFaultKind,
  BookFormatContext,
  BookSubscription,
  SimTrade,
  VenueEmulation,
} from './venue-emulation.js';
