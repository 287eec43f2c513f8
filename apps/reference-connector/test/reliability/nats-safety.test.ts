/**
 * The NATS connection as a careless or hostile user meets it, through the
 * real `marketpipe` executable and real nats-servers: a token written in the
 * URL, `tls://` against a server without TLS (and with it), an unreachable
 * broker, a JetStream stream that does not capture the trade subjects, and a
 * broker that goes away and comes back while the app runs.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamJournal } from '@marketpipe/middleware/journal';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { startRecordingProxy } from '@marketpipe/test-support/recording-proxy';
import { createTestCertificates, type TestCertificates } from '@marketpipe/test-support/tls-certs';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { createHarness } from '../support/cli-harness.js';
import { startCli } from './support/cli-process.js';
import { readSummary } from './support/recordings.js';

const TOKEN = 'T0ken-3f9d-secret';
const PASSWORD = 'Pw-b2e4-secret';

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

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs `marketpipe run` on the simulator to completion; returns its exit, output and JSON summary text. */
async function runCli(args: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-nats-safety-'));
  const started = Date.now();
  const cli = startCli(
    [
      'run',
      '--rate',
      '200',
      '--log-level',
      'trace',
      '--status-interval',
      '100ms',
      '--data-dir',
      join(dir, 'data'),
      '--json-summary',
      join(dir, 'summary.json'),
      ...args,
    ],
    env,
  );
  const exit = await cli.exited;
  const elapsedMs = Date.now() - started;
  let summary = '(no summary)';
  try {
    summary = JSON.stringify(readSummary(join(dir, 'summary.json')));
  } catch {
    // Checked by the callers that expect one.
  }
  const everything = `${cli.stdout()}\n${cli.stderr()}\n${summary}`;
  const logs = cli
    .stderr()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { exit, everything, summary, logs, elapsedMs };
}

function expectNoSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(encodeURIComponent(secret));
  // Not even a part of it (the first 6 characters are already unique here).
  expect(text).not.toContain(secret.slice(0, 6));
}

describe('a token in the NATS URL', () => {
  it('authenticates as a token, and no part of it is printed anywhere', async () => {
    const run = await runCli([
      '--transport',
      `nats://${TOKEN}@127.0.0.1:${tokenServer.port}`,
      '--duration',
      '1500ms',
    ]);
    expect(run.exit.code, run.everything).toBe(0);
    expect(run.summary).toContain('"outcome":"clean"');
    expect(run.summary).toContain('(auth: token)');
    expect(JSON.parse(run.summary).published).toBeGreaterThan(0);
    expectNoSecret(run.everything, TOKEN);
  }, 30_000);
});

describe('tls:// means TLS', () => {
  it('a server without TLS: exit 1 at once, no credential sent, none printed', async () => {
    const proxy = await startRecordingProxy(plainServer.port);
    try {
      const run = await runCli([
        '--transport',
        `tls://alice:${PASSWORD}@127.0.0.1:${proxy.port}`,
        '--duration',
        '20s',
      ]);
      expect(run.exit.code, run.everything).toBe(1);
      expect(run.elapsedMs).toBeLessThan(15_000);
      expect(run.summary).toContain('"outcome":"error"');
      expect(run.everything).toContain('could not connect');
      expect(run.summary).not.toContain('"outcome":"clean"');
      expect(proxy.connections).toBeGreaterThan(0);
      const sent = proxy.clientBytes().toString('latin1');
      expect(sent).not.toContain('CONNECT');
      expect(sent).not.toContain(PASSWORD);
      expectNoSecret(run.everything, PASSWORD);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('a TLS server with --nats-ca: connects, publishes, and says tls', async () => {
    const run = await runCli([
      '--transport',
      `tls://alice:${PASSWORD}@127.0.0.1:${tlsServer.port}`,
      '--nats-ca',
      certs.caFile,
      '--duration',
      '1500ms',
    ]);
    expect(run.exit.code, run.everything).toBe(0);
    expect(run.summary).toContain(`tls://127.0.0.1:${tlsServer.port} (auth: user alice, tls)`);
    expect(JSON.parse(run.summary).published).toBeGreaterThan(0);
    expectNoSecret(run.everything, PASSWORD);
  }, 30_000);
});

describe('an unreachable NATS', () => {
  it.each([
    ['a closed port', (port: number) => [`nats://127.0.0.1:${port}`], {}],
    ['a closed port on [::1]', (port: number) => [`nats://[::1]:${port}`], {}],
    [
      'MARKETPIPE_NATS_TLS against a server without TLS',
      () => [`nats://127.0.0.1:${plainServer.port}`, '--nats-user', 'alice'],
      { MARKETPIPE_NATS_TLS: 'true', MARKETPIPE_NATS_PASS: PASSWORD },
    ],
  ])(
    '%s: --duration 2s ends it, one log line per attempt, exit 1 "could not connect"',
    async (_name, args, env) => {
      const port = await closedPort();
      const [transport, ...rest] = args(port);
      const run = await runCli(['--transport', transport as string, ...rest, '--duration', '2s'], env);
      expect(run.exit.code, run.everything).toBe(1);
      expect(run.elapsedMs).toBeLessThan(12_000);
      expect(run.everything).toContain('could not connect');
      expect(run.summary).toContain('"outcome":"error"');
      const attempts = run.logs.filter((log) => String(log.msg).startsWith('NATS connection attempt failed'));
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(attempts.map((log) => log.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expectNoSecret(run.everything, PASSWORD);
    },
    30_000,
  );

  it('without --duration, gives up after --nats-connect-timeout with exit 1', async () => {
    const port = await closedPort();
    const run = await runCli(['--transport', `nats://127.0.0.1:${port}`, '--nats-connect-timeout', '1500ms']);
    expect(run.exit.code, run.everything).toBe(1);
    expect(run.elapsedMs).toBeLessThan(12_000);
    const attempts = run.logs.filter((log) => String(log.msg).startsWith('NATS connection attempt failed'));
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.at(-1)?.msg).toBe('NATS connection attempt failed; giving up');
    expect(run.everything).toContain('gave up after');
  }, 30_000);
});

describe('a JetStream stream that does not capture the trade subjects', () => {
  it('is refused at start with one clear error, exit 1', async () => {
    const journal = await JetStreamJournal.open({
      connection: { servers: jetstreamServer.url },
      stream: { name: 'NOT_TRADES', subjects: ['audit.>'] },
    });
    await journal.close();
    const run = await runCli([
      '--transport',
      jetstreamServer.url,
      '--jetstream-stream',
      'NOT_TRADES',
      '--duration',
      '3s',
    ]);
    expect(run.exit.code, run.everything).toBe(1);
    expect(run.everything).toContain("stream 'NOT_TRADES'");
    expect(run.everything).toContain('dev.binance.trade.*');
    expect(run.summary).toContain('"outcome":"error"');
    // No warning per trade: nothing was started.
    expect(run.logs.filter((log) => log.level === 40).length).toBeLessThan(5);
  }, 30_000);
});

describe('a broker that goes away while the app runs', () => {
  it('logs the disconnect at warn and the reconnect at info', async () => {
    const server = await startNatsServer();
    try {
      const harness = createHarness({ realPipeline: true, cwd: mkdtempSync(join(tmpdir(), 'mp-flap-')) });
      const running = main(
        ['run', '--transport', server.url, '--rate', '200', '--data-dir', 'data', '--duration', '8s'],
        harness.context,
      );
      const messages = () => harness.stderr.logs.map((log) => String(log.msg));
      await waitFor('the connection', () => messages().includes('transport connected'));
      await server.stop();
      await waitFor('a disconnect warning', () =>
        messages().some((m) => m.startsWith('transport disconnected')),
      );
      await server.restart();
      await waitFor('a reconnect line', () => messages().includes('transport reconnected'), {
        timeoutMs: 10_000,
      });
      await running;
      const disconnect = harness.stderr.logs.find((log) =>
        String(log.msg).startsWith('transport disconnected'),
      );
      const reconnect = harness.stderr.logs.find((log) => log.msg === 'transport reconnected');
      expect(disconnect?.level).toBe(40);
      expect(reconnect?.level).toBe(30);
      expect(typeof reconnect?.outageMs).toBe('number');
    } finally {
      await server.dispose();
    }
  }, 40_000);
});
