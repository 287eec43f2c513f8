/**
 * The first connection to NATS against real nats-servers: a token written in
 * the URL authenticates as a token, `tls://` means TLS (refused before any
 * credential is sent when the server has none), an unreachable broker fails
 * after its deadline with one report per attempt, an abort ends the wait, and
 * a JetStream stream that does not capture the publish subjects is refused at
 * connect.
 */
import { createServer } from 'node:net';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { type RecordingProxy, startRecordingProxy } from '@marketpipe/test-support/recording-proxy';
import { createTestCertificates, type TestCertificates } from '@marketpipe/test-support/tls-certs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamSubjectsError, TransportConnectError } from '../../src/errors.js';
import { JetStreamTransport } from '../../src/transport/jetstream-transport.js';
import type { NatsConnectAttempt } from '../../src/transport/nats-connect.js';
import { describeNatsConnection } from '../../src/transport/nats-connection.js';
import { NatsTransport } from '../../src/transport/nats-transport.js';

const TOKEN = 'T0ken-5a1e-secret';
const PASSWORD = 'Pw-77c1-secret';

let tokenServer: NatsServerHandle;
let plainServer: NatsServerHandle;
let tlsServer: NatsServerHandle;
let jetstreamServer: NatsServerHandle;
let certs: TestCertificates;

beforeAll(async () => {
  certs = createTestCertificates();
  [tokenServer, plainServer, tlsServer, jetstreamServer] = await Promise.all([
    startNatsServer({ args: ['--auth', TOKEN] }),
    startNatsServer({ args: ['--user', 'alice', '--pass', PASSWORD] }),
    startNatsServer({ args: ['--user', 'alice', '--pass', PASSWORD, ...certs.serverArgs] }),
    startNatsServer({ jetstream: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([tokenServer, plainServer, tlsServer, jetstreamServer].map((s) => s?.dispose()));
  certs?.dispose();
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function roundTrip(transport: NatsTransport): Promise<void> {
  const got: string[] = [];
  transport.subscribe('probe.>', (_payload, subject) => {
    got.push(subject);
  });
  transport.publish('probe.one', new Uint8Array([1]));
  await transport.flush();
  for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(got).toEqual(['probe.one']);
}

describe('a token in the server URL', () => {
  it('authenticates as a token (as nats.go and nats.java read it), and is never described', async () => {
    const servers = `nats://${TOKEN}@127.0.0.1:${tokenServer.port}`;
    const transport = await NatsTransport.connect({ servers, firstConnectTimeoutMs: 5_000 });
    try {
      await roundTrip(transport);
    } finally {
      await transport.close();
    }
    const description = describeNatsConnection({ servers });
    expect(description).toBe(`nats://127.0.0.1:${tokenServer.port} (auth: token)`);
    expect(description).not.toContain(TOKEN.slice(0, 4));
  });
});

describe('tls:// means TLS', () => {
  let proxy: RecordingProxy;
  beforeAll(async () => {
    proxy = await startRecordingProxy(plainServer.port);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('is refused at once by a server without TLS, before any credential is sent', async () => {
    const attempts: NatsConnectAttempt[] = [];
    const started = Date.now();
    const failure = await NatsTransport.connect(
      { servers: `tls://alice:${PASSWORD}@127.0.0.1:${proxy.port}`, firstConnectTimeoutMs: 10_000 },
      { connect: { onAttemptFailed: (attempt) => attempts.push(attempt) } },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure instanceof TransportConnectError).toBe(true);
    expect(String((failure as Error).message)).not.toContain(PASSWORD);
    // Permanent: no retry loop until the deadline.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, retryInMs: undefined });
    expect(proxy.connections).toBeGreaterThan(0);
    const sent = proxy.clientBytes().toString('latin1');
    expect(sent).not.toContain('CONNECT');
    expect(sent).not.toContain(PASSWORD);
  });

  it('connects to a TLS server whose certificate the given CA signed', async () => {
    const transport = await NatsTransport.connect({
      servers: `tls://alice:${PASSWORD}@127.0.0.1:${tlsServer.port}`,
      tls: { caFile: certs.caFile },
      firstConnectTimeoutMs: 5_000,
    });
    try {
      await roundTrip(transport);
    } finally {
      await transport.close();
    }
  });

  it('refuses a TLS server whose certificate it cannot verify', async () => {
    const failure = await NatsTransport.connect({
      servers: `tls://alice:${PASSWORD}@127.0.0.1:${tlsServer.port}`,
      firstConnectTimeoutMs: 10_000,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure instanceof TransportConnectError).toBe(true);
  });
});

describe('an unreachable broker', () => {
  it('fails after firstConnectTimeoutMs, reporting every attempt', async () => {
    const port = await closedPort();
    const attempts: NatsConnectAttempt[] = [];
    const started = Date.now();
    const failure = await NatsTransport.connect(
      { servers: `nats://127.0.0.1:${port}`, firstConnectTimeoutMs: 1_500, reconnectTimeWaitMs: 200 },
      { connect: { onAttemptFailed: (attempt) => attempts.push(attempt) } },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    const elapsed = Date.now() - started;
    expect(failure instanceof TransportConnectError).toBe(true);
    expect((failure as Error).message).toContain('gave up after');
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(6_000);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.at(-1)?.retryInMs).toBeUndefined();
    expect(attempts.slice(0, -1).every((a) => typeof a.retryInMs === 'number')).toBe(true);
  });

  it('stops waiting when aborted', async () => {
    const port = await closedPort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop requested')), 300);
    const started = Date.now();
    const failure = await NatsTransport.connect(
      { servers: `nats://127.0.0.1:${port}`, firstConnectTimeoutMs: 60_000 },
      { connect: { signal: controller.signal } },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure instanceof TransportConnectError).toBe(true);
    expect((failure as Error).message).toContain('stopped while connecting');
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('a JetStream stream that does not capture the publish subjects', () => {
  it('is refused at connect, naming the stream, its subjects and what is missing', async () => {
    const nc = await connect({ servers: jetstreamServer.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ELSEWHERE', subjects: ['other.>'] });
    await jsm.streams.add({ name: 'WIDE', subjects: ['x.>', 'dev.*.trade.*'] });
    await nc.close();

    const failure = await JetStreamTransport.connect(
      { servers: jetstreamServer.url },
      {
        stream: { name: 'ELSEWHERE', subjects: ['dev.kraken.trade.>'] },
        requireSubjects: ['dev.kraken.trade.*'],
      },
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure instanceof StreamSubjectsError).toBe(true);
    expect(failure).toMatchObject({ stream: 'ELSEWHERE', streamSubjects: ['other.>'] });
    expect((failure as Error).message).toContain('dev.kraken.trade.*');

    // A stream whose subjects capture every publish subject is accepted.
    const wide = await JetStreamTransport.connect(
      { servers: jetstreamServer.url },
      { stream: { name: 'WIDE', subjects: [] }, requireSubjects: ['dev.kraken.trade.*'] },
    );
    await wide.close();
  });
});
