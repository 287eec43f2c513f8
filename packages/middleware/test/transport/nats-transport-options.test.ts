import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { NatsTransport } from '../../src/transport/nats-transport.js';

describe('NatsTransport options', () => {
  it.each([
    [{ confirmIntervalMs: 0 }, 'confirmIntervalMs'],
    [{ confirmIntervalMs: Number.NaN }, 'confirmIntervalMs'],
    [{ maxUnconfirmedMessages: 0 }, 'maxUnconfirmedMessages'],
    [{ maxUnconfirmedMessages: 1.5 }, 'maxUnconfirmedMessages'],
    [{ maxUnconfirmedBytes: 0 }, 'maxUnconfirmedBytes'],
    [{ maxCachedSubjects: -1 }, 'maxCachedSubjects'],
  ])('refuses %j before connecting, naming the option', async (options, argument) => {
    // A listener that counts connections: a refused option must not open one.
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await NatsTransport.connect({ servers: `nats://127.0.0.1:${port}` }, options).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe(argument);
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
