import { InMemoryTransport } from '../../src/transport/in-memory-transport.js';
import { transportContract } from './transport-contract.js';

transportContract('InMemoryTransport', async () => new InMemoryTransport());
