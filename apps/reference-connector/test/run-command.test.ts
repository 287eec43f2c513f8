import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport, type Transport } from '@marketpipe/middleware';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import { createHarness, type FakePipeline, type Harness } from './support/cli-harness.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mp-run-'));
}

/** The harness runs in this process: anything it does shows within a few seconds. */
const IN_PROCESS = { timeoutMs: 5_000, everyMs: 10 };

function logMessages(harness: Harness): unknown[] {
  return harness.stderr.logs.map((log) => log.msg);
}

describe('marketpipe run lifecycle', () => {
  it('starts the pipeline with the defaults, stops after --duration, closes the transport, writes the summary', async () => {
    const dir = tempDir();
    const events: string[] = [];
    const harness = createHarness({
      cwd: dir,
      setup: (pipeline) => {
        pipeline.current = {
          ...pipeline.current,
          received: 3,
          trades: 2,
          nonTrade: 1,
          tradesPerSymbol: { BTCUSDT: 2 },
        };
        pipeline.final = { recordsWritten: 3 };
        const stop = pipeline.stop.bind(pipeline);
        pipeline.stop = async () => {
          events.push('pipeline.stop');
          return stop();
        };
      },
      connectTransport: async () => {
        const transport = new InMemoryTransport();
        const close = transport.close.bind(transport);
        transport.close = () => {
          events.push('transport.close');
          return close();
        };
        return transport;
      },
    });
    mkdirSync(join(dir, 'out'));
    const code = await main(
      ['run', '--duration', '50ms', '--json-summary', 'out/summary.json'],
      harness.context,
    );
    expect(code).toBe(0);
    const pipeline = harness.pipelines[0] as FakePipeline;
    expect(pipeline.options).toMatchObject({
      venue: 'binance',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      source: { kind: 'sim', rate: 1000, seed: 1 },
      env: 'dev',
      dataDir: join(dir, 'data'),
    });
    expect(pipeline.options.transport).toBeInstanceOf(InMemoryTransport);
    expect(typeof pipeline.options.logger?.info).toBe('function');
    expect(events).toEqual(['pipeline.stop', 'transport.close']);
    const summary = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({
      stopReason: 'duration',
      outcome: 'clean',
      exitCode: 0,
      received: 3,
      trades: 2,
      nonTrade: 1,
      parseErrors: 0,
      recordsWritten: 3,
      tradesPerSymbol: { BTCUSDT: 2 },
      drops: {},
      gaps: { events: 0, missing: 0 },
    });
    expect(harness.stdout.text).toContain('marketpipe run summary: binance BTCUSDT,ETHUSDT');
    expect(harness.stdout.text).toContain('exit code     0 (clean: nothing lost)');
    expect(logMessages(harness)).toEqual(
      expect.arrayContaining(['starting', 'stopping: draining the ring and flushing', 'stopped']),
    );
    expect(harness.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('stops on SIGINT, and a second signal while draining forces exit 130', async () => {
    let release!: () => void;
    const harness = createHarness({
      setup: (pipeline) => {
        const stop = pipeline.stop.bind(pipeline);
        pipeline.stop = async () => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return stop();
        };
      },
    });
    const running = main(['run', '--data-dir', tempDir()], harness.context);
    const pipeline = await harness.started;
    harness.signals.fire('SIGINT');
    await waitFor('the stop to begin', () => pipeline.stopCalls === 0 && release !== undefined, IN_PROCESS);
    harness.signals.fire('SIGINT');
    expect(harness.forcedExits).toEqual([130]);
    release();
    expect(await running).toBe(0);
    expect(harness.stdout.text).toContain('stopped by SIGINT');
  });

  it('stops on SIGTERM', async () => {
    const harness = createHarness();
    const running = main(['run', '--data-dir', tempDir()], harness.context);
    await harness.started;
    harness.signals.fire('SIGTERM');
    expect(await running).toBe(0);
    expect(harness.stdout.text).toContain('stopped by SIGTERM');
  });

  it('ends by itself when a replay is exhausted', async () => {
    const dir = tempDir();
    const replay = join(dir, 'messages.txt');
    writeFileSync(replay, '{}\n');
    const harness = createHarness({ setup: (pipeline) => setImmediate(() => pipeline.finish()) });
    const code = await main(
      ['run', '--source', `replay:${replay}`, '--pace', 'recorded', '--data-dir', dir],
      harness.context,
    );
    expect(code).toBe(0);
    expect(harness.pipelines[0]?.options.source).toEqual({ kind: 'replay', path: replay, pace: 'recorded' });
    expect(harness.pipelines[0]?.stopCalls).toBe(1);
    expect(harness.stdout.text).toContain('stopped by source-finished');
  });

  it('exits 3 when something was dropped or lost, and says why', async () => {
    const dir = tempDir();
    const harness = createHarness({
      setup: (pipeline) => {
        pipeline.current = { ...pipeline.current, drops: { ringOverflow: 5 } };
        pipeline.final = { lost: 2 };
      },
    });
    const code = await main(
      ['run', '--duration', '10ms', '--data-dir', dir, '--json-summary', join(dir, 's.json')],
      harness.context,
    );
    expect(code).toBe(3);
    const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as RunSummary;
    expect(summary.lossReasons).toEqual(['lost: 2', 'drops.ringOverflow: 5']);
    expect(summary.outcome).toBe('lost');
  });

  it('exits 1 when the source fails, after stopping the pipeline', async () => {
    const harness = createHarness({
      setup: (pipeline) => setImmediate(() => pipeline.fail(new Error('venue refused'))),
    });
    expect(await main(['run', '--data-dir', tempDir()], harness.context)).toBe(1);
    expect(harness.pipelines[0]?.stopCalls).toBe(1);
    expect(harness.stdout.text).toContain('error         MP_ERR_UNEXPECTED: venue refused');
    expect(logMessages(harness)).toContain('run failed');
  });

  it('exits 1 when the JSON summary cannot be written, and the text summary, printed last, says so', async () => {
    const dir = tempDir();
    const summaryPath = join(dir, 'summary.json');
    // A folder appears where the summary file should go once the run has started (a folder given up front is
    // refused as an invalid option): the atomic rename onto it fails.
    const harness = createHarness({
      cwd: dir,
      setup: () => {
        mkdirSync(summaryPath);
        writeFileSync(join(summaryPath, 'data'), '');
      },
    });
    const code = await main(
      ['run', '--duration', '20ms', '--data-dir', join(dir, 'd'), '--json-summary', summaryPath],
      harness.context,
    );
    expect(code).toBe(1);
    expect(logMessages(harness)).toContain('could not write the JSON summary');
    expect(harness.stdout.text.trimEnd().split('\n').at(-1)).toBe('  exit code     1 (error)');
    // The temporary the write went through is not left beside it.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 1 when the pipeline cannot stop cleanly, and still closes the transport', async () => {
    let closed = false;
    const harness = createHarness({
      setup: (pipeline) => {
        pipeline.stopError = Object.assign(new Error('flusher gone'), { code: 'MP_ERR_FLUSHER_WORKER' });
      },
      connectTransport: async () => {
        const transport: Transport = new InMemoryTransport();
        transport.onStatus((status) => {
          closed = status === 'closed';
        });
        return transport;
      },
    });
    expect(await main(['run', '--duration', '10ms', '--data-dir', tempDir()], harness.context)).toBe(1);
    expect(closed).toBe(true);
    expect(harness.stdout.text).toContain('MP_ERR_FLUSHER_WORKER: flusher gone');
  });

  it('ends the run with exit 1 when the recorder fails to start after intake began', async () => {
    const failure = Object.assign(new Error('flusher worker failed to start: not a record file'), {
      code: 'MP_ERR_FLUSHER_WORKER',
    });
    const harness = createHarness({
      setup: (pipeline) => {
        pipeline.recorderReady = Promise.reject(failure);
        pipeline.stopError = failure;
      },
    });
    // No --duration and a source that never ends: only the recorder's failure stops this run.
    expect(await main(['run', '--data-dir', tempDir()], harness.context)).toBe(1);
    expect(logMessages(harness)).toContain('run failed');
    expect(harness.stdout.text).toContain('MP_ERR_FLUSHER_WORKER: flusher worker failed to start');
  });

  it('exits 1 when the transport cannot connect, without starting a pipeline', async () => {
    const harness = createHarness({
      connectTransport: async () => {
        throw Object.assign(new Error('could not connect to nats://127.0.0.1:1'), {
          code: 'MP_ERR_TRANSPORT_CONNECT',
        });
      },
    });
    expect(await main(['run', '--data-dir', tempDir()], harness.context)).toBe(1);
    expect(harness.pipelines).toHaveLength(0);
    expect(harness.stderr.logs.find((log) => log.msg === 'run failed')).toMatchObject({
      error: { code: 'MP_ERR_TRANSPORT_CONNECT' },
    });
  });

  // A run that never connected published nothing: exit 1 "could not connect", never 0 "clean".
  it('gives up a connect that never finishes on Ctrl-C, and exits 1', async () => {
    const harness = createHarness({ connectTransport: () => new Promise<Transport>(() => undefined) });
    const running = main(['run', '--data-dir', tempDir()], harness.context);
    await waitFor('the start log', () => logMessages(harness).includes('starting'), IN_PROCESS);
    harness.signals.fire('SIGINT');
    expect(await running).toBe(1);
    expect(harness.pipelines).toHaveLength(0);
    expect(harness.stdout.text).toContain('could not connect');
  });

  it('honours --duration while the transport is still connecting', async () => {
    const harness = createHarness({ connectTransport: () => new Promise<Transport>(() => undefined) });
    const started = Date.now();
    expect(await main(['run', '--data-dir', tempDir(), '--duration', '300ms'], harness.context)).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(harness.pipelines).toHaveLength(0);
  });
});

describe('marketpipe run status output', () => {
  it('logs structured status lines when stdout is not a terminal', async () => {
    const harness = createHarness({
      setup: (pipeline) => {
        pipeline.current = { ...pipeline.current, received: 100, parseErrors: 1 };
        // What the hot path would record, into the recorder the run gave the pipeline.
        for (let i = 0; i < 5; i++) pipeline.options.latency?.record(1_500);
      },
    });
    const running = main(['run', '--data-dir', tempDir(), '--status-interval', '20ms'], harness.context);
    await harness.started;
    await waitFor('a status log', () => logMessages(harness).includes('status'), IN_PROCESS);
    harness.signals.fire('SIGTERM');
    await running;
    const statuses = harness.stderr.logs.filter((log) => log.msg === 'status');
    expect(statuses[0]).toMatchObject({ level: 30, parseErrors: 1, transport: 'connected', received: 100 });
    // The latency of each interval: the five samples in the first, none after.
    expect(statuses[0]?.latencyNs).toEqual({ count: 5, p50: 1_500, p99: 1_500, p999: 1_500, max: 1_500 });
    for (const later of statuses.slice(1)) expect(later.latencyNs).toMatchObject({ count: 0 });
    expect(harness.stdout.text).not.toContain('\r');
  });

  it('redraws one status line per second on a terminal and clears it before the summary', async () => {
    const harness = createHarness({ tty: true });
    const running = main(['run', '--data-dir', tempDir()], harness.context);
    await harness.started;
    await waitFor('a status line', () => harness.stdout.text.includes('msg/s'), IN_PROCESS);
    harness.signals.fire('SIGINT');
    await running;
    const text = harness.stdout.text;
    expect(text.startsWith('\r\x1b[2Krunning 0 msg/s 0 trades/s | p50 - p99 - p99.9 - |')).toBe(true);
    expect(text).toContain('\r\x1b[2Kmarketpipe run summary');
    expect(logMessages(harness)).not.toContain('status');
  });

  it('--log-format pretty writes readable lines even to a pipe; json and pretty are the only choices', async () => {
    const harness = createHarness();
    expect(
      await main(
        ['run', '--data-dir', tempDir(), '--duration', '20ms', '--log-format', 'pretty'],
        harness.context,
      ),
    ).toBe(0);
    const lines = harness.stderr.text.trimEnd().split('\n');
    expect(lines.some((line) => /^\d\d:\d\d:\d\d\.\d{3} INFO {2}starting venue=binance /.test(line))).toBe(
      true,
    );
    expect(harness.stderr.logs).toEqual([]);
    const refused = createHarness();
    expect(await main(['run', '--log-format', 'xml'], refused.context)).toBe(2);
    expect(refused.stderr.text).toMatch(/--log-format.*json, pretty/);
  });

  it('serves Prometheus metrics while running', async () => {
    const harness = createHarness({
      setup: (pipeline) => {
        pipeline.current = { ...pipeline.current, trades: 77 };
        // The hot path's latency, into the recorder the run gave the pipeline.
        pipeline.options.latency?.record(1_500);
      },
    });
    const running = main(['run', '--data-dir', tempDir(), '--metrics-port', '0'], harness.context);
    await waitFor(
      'the metrics endpoint',
      () => logMessages(harness).includes('metrics endpoint listening'),
      IN_PROCESS,
    );
    const url = harness.stderr.logs.find((log) => log.msg === 'metrics endpoint listening')?.url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // Bound before the pipeline starts: scrapes get 503 until it runs.
    await waitFor('the pipeline', () => harness.pipelines.length === 1, IN_PROCESS);
    const text = await (await fetch(url)).text();
    expect(text).toContain('marketpipe_trades_total 77');
    expect(text).toContain('marketpipe_hot_path_latency_seconds_bucket{le="0.0000025"} 1');
    harness.signals.fire('SIGTERM');
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('marketpipe run --metrics-port', () => {
  it('fails on a port in use before it connects or starts the pipeline', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const harness = createHarness();
      const code = await main(
        ['run', '--data-dir', tempDir(), '--metrics-port', String(port)],
        harness.context,
      );
      expect(code).toBe(1);
      expect(harness.pipelines).toHaveLength(0);
      expect(harness.stderr.text).toContain('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe('marketpipe run options', () => {
  it('exits 2 with a message naming the option and the allowed values', async () => {
    const harness = createHarness({ env: { MARKETPIPE_VENUE: 'nyse' } });
    expect(await main(['run'], harness.context)).toBe(2);
    expect(harness.stderr.text).toBe(
      'marketpipe: invalid --venue "nyse" (from environment variable MARKETPIPE_VENUE): expected one of binance, coinbase, kraken, bybit, okx\n',
    );
    expect(harness.pipelines).toHaveLength(0);
  });

  it('exits 2 for an unknown flag and for a bad config file', async () => {
    const harness = createHarness();
    expect(await main(['run', '--venu', 'okx'], harness.context)).toBe(2);
    expect(harness.stderr.text).toContain("unknown option '--venu'");
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), '{"rate": "x"}');
    const second = createHarness({ cwd: dir });
    expect(await main(['run', '--config', 'c.json'], second.context)).toBe(2);
    expect(second.stderr.text).toContain('invalid --rate "x" (from config file c.json, key "rate")');
  });

  it('reads the config file named by MARKETPIPE_CONFIG, under the environment and flags', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'mp.json'),
      JSON.stringify({ venue: 'kraken', env: 'staging', rate: 50, duration: '10ms' }),
    );
    const harness = createHarness({
      cwd: dir,
      env: { MARKETPIPE_CONFIG: 'mp.json', MARKETPIPE_ENV: 'prod' },
    });
    expect(await main(['run', '--rate', '75'], harness.context)).toBe(0);
    expect(harness.pipelines[0]?.options).toMatchObject({
      venue: 'kraken',
      symbols: ['BTC/USD', 'ETH/USD'],
      env: 'prod',
      source: { kind: 'sim', rate: 75 },
      dataDir: join(dir, 'data'),
    });
  });

  it('prints help with the exit codes', async () => {
    const harness = createHarness();
    expect(await main(['run', '--help'], harness.context)).toBe(0);
    expect(harness.stdout.text).toContain('--nats-nkey-seed <seed>');
    expect(harness.stdout.text).toContain('[MARKETPIPE_NATS_PASS]');
    expect(harness.stdout.text).toContain('3  finished, but something was lost or dropped');
  });

  it('exits 2 for an unknown command', async () => {
    const harness = createHarness();
    expect(await main(['frobnicate'], harness.context)).toBe(2);
    expect(harness.stderr.text).toMatch(/unknown command/i);
  });
});

describe('secrets', () => {
  const pass = 'pa55-SECRET-word';
  const token = 'tok-SECRET-en';

  it('never appear in logs, status, summaries or error messages', async () => {
    const dir = tempDir();
    let connectedWith: unknown;
    const harness = createHarness({
      env: { MARKETPIPE_NATS_PASS: pass, MARKETPIPE_NATS_TOKEN: token },
      setup: (pipeline) => {
        pipeline.fail(new Error(`broker said: bad password ${pass}`));
      },
      connectTransport: async (config) => {
        connectedWith = config;
        return new InMemoryTransport();
      },
    });
    const code = await main(
      [
        'run',
        '--transport',
        'nats://127.0.0.1:4222',
        '--nats-user',
        'alice',
        '--data-dir',
        dir,
        '--json-summary',
        join(dir, 'summary.json'),
        '--status-interval',
        '10ms',
        '--log-level',
        'trace',
      ],
      harness.context,
    );
    expect(code).toBe(1);
    expect(connectedWith).toMatchObject({ kind: 'nats', connection: { user: 'alice', pass, token } });
    const everything =
      harness.stdout.text + harness.stderr.text + readFileSync(join(dir, 'summary.json'), 'utf8');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(pass);
    expect(everything).not.toContain(token);
  });
});
