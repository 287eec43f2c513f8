// `@marketpipe/connector/simulator`: a venue simulator to test consumers against: a local WebSocket server
// speaking each venue's protocol, and the generator of its seeded synthetic market.
export { InvalidSimBatchError, SimulatorLogError } from './errors.js';
export type { SimTrade } from './feeds/venue-feed.js';
export type { SimulateMessagesOptions } from './sources/simulate-messages.js';
export { simulateMessages } from './sources/simulate-messages.js';
export type { ReceivedFrame, SentFrame, SimulatorOptions, SimulatorStats } from './sources/simulator.js';
export { SimulatorServer } from './sources/simulator.js';
