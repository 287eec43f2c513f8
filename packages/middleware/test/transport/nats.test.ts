import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../../src/errors.js';
import { NatsTransport } from '../../src/transport/nats-transport.js';
import { DELIVERY, transportContract } from './transport-contract.js';

let server: NatsServerHandle;
let configDir: string;
const open: NatsTransport[] = [];

async function connectTransport(url = server.url): Promise<NatsTransport> {
  const transport = await NatsTransport.connect({ servers: url, name: 'contract' });
  open.push(transport);
  return transport;
}

beforeAll(async () => {
  // nats-server has no command-line flag for max_payload; its default (1 MiB)
  // is exactly the largest contract payload, so raise it to leave headroom.
  configDir = mkdtempSync(join(tmpdir(), 'marketpipe-transport-'));
  const config = join(configDir, 'nats.conf');
  writeFileSync(config, 'max_payload: 2MB\n');
  server = await startNatsServer({ args: ['-c', config] });
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await server?.dispose();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

transportContract('NatsTransport', () => connectTransport());

describe('NatsTransport specifics', () => {
  it('rejects a payload above the server max_payload before sending anything', async () => {
    const transport = await connectTransport();
    const received: number[] = [];
    transport.subscribe('big.>', (payload) => received.push(payload.byteLength));
    let caught: unknown;
    try {
      transport.publish('big.one', new Uint8Array(2 * 1024 * 1024 + 1));
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof PayloadTooLargeError).toBe(true);
    expect((caught as PayloadTooLargeError).limit).toBe(2 * 1024 * 1024);
    transport.publish('big.two', new Uint8Array(2 * 1024 * 1024));
    await transport.flush();
    await waitFor('the 2 MiB message', () => received.length === 1, DELIVERY);
    expect(received).toEqual([2 * 1024 * 1024]);
    expect(transport.counters().published).toBe(1);
    expect(transport.outageCounters().unconfirmed).toBe(0);
    await transport.close();
  });

  it('delivers between two connections and releases acknowledged copies on flush', async () => {
    const publisher = await connectTransport();
    const subscriber = await connectTransport();
    const received: string[] = [];
    subscriber.subscribe('pair.*', (_payload, subject) => received.push(subject));
    await subscriber.flush();
    const target = publisher.prepare('pair.a');
    for (let i = 0; i < 100; i++) publisher.publish(target, new Uint8Array([i]));
    await publisher.flush();
    expect(publisher.outageCounters()).toMatchObject({ unconfirmed: 0, buffered: 0, outages: 0 });
    await waitFor('100 messages on the second connection', () => received.length === 100, DELIVERY);
    await publisher.close();
    await subscriber.close();
  });

  it('authenticates with user and password through NatsConnectionOptions', async () => {
    const secured = await startNatsServer({ args: ['--user', 'mp', '--pass', 's3cret'] });
    try {
      const transport = await NatsTransport.connect({ servers: secured.url, user: 'mp', pass: 's3cret' });
      open.push(transport);
      const received: number[] = [];
      transport.subscribe('auth.ok', (payload) => received.push(payload[0] ?? -1));
      transport.publish('auth.ok', new Uint8Array([7]));
      await transport.flush();
      await waitFor('authenticated round trip', () => received.length === 1, DELIVERY);
      expect(received).toEqual([7]);
      await transport.close();
    } finally {
      await secured.dispose();
    }
  });
});
