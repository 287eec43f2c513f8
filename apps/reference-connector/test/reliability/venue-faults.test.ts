/**
 * The venue misbehaves while the real app (a child process, `--source live
 * --url`) is connected to a local simulator: dropped connections (1006), a
 * clean close (1001), a stall, a stall ended by a drop, garbage text and
 * binary frames, and skipped trade ids (on command and at random). The app
 * must reconnect and resubscribe each time, record every frame it received
 * byte for byte, and report the gaps exactly: `gaps.missing` equals the
 * simulator's own count of skipped ids.
 *
 * Stale detection itself (60 s for every venue, not configurable from the
 * CLI) is covered by `packages/connector/test/sources/websocket-source.test.ts`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binanceProtocol } from '@marketpipe/connector/feeds';
import { type SentFrame, SimulatorServer } from '@marketpipe/connector/simulator';
import { WebSocketSource } from '@marketpipe/connector/sources';
import { sleep, waitFor } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { catBytes, readSummary, verify } from './support/recordings.js';
import { reliabilitySeed } from './support/seeded-random.js';

/** Trade ids missing between consecutive trades of each symbol, in the frames the simulator sent. */
function missingInTape(sent: readonly SentFrame[]): number {
  const last = new Map<string, number>();
  let missing = 0;
  for (const frame of sent) {
    const match = /"s":"([A-Z]+)","t":(\d+),/.exec(frame.data.toString('latin1'));
    if (match === null) continue;
    const [, symbol = '', id] = match;
    const before = last.get(symbol);
    if (before !== undefined) missing += Number(id) - before - 1;
    last.set(symbol, Number(id));
  }
  return missing;
}

let current: CliProcess | undefined;
let simulator: SimulatorServer | undefined;
afterEach(async () => {
  killIfRunning(current);
  await simulator?.stop();
});

describe('venue faults (child process against a local simulator)', () => {
  it('reconnects through drops, closes and stalls, survives garbage, records every frame and counts gaps exactly', async () => {
    const seed = reliabilitySeed('venue-faults');
    const dir = mkdtempSync(join(tmpdir(), 'mp-venue-'));
    const dataDir = join(dir, 'data');
    const sim = new SimulatorServer({
      protocol: binanceProtocol,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      messagesPerSecond: 300,
      seed,
      skipProbability: 0.003,
      log: { maxEntries: 1_000_000 },
    });
    simulator = sim;
    const url = await sim.start();
    const cli = startCli([
      'run',
      '--source',
      'live',
      '--url',
      url,
      '--data-dir',
      dataDir,
      '--json-summary',
      join(dir, 'summary.json'),
    ]);
    current = cli;

    const framesOn = (connection: number) => sim.sent.filter((f) => f.connection === connection).length;
    const connected = async (connection: number) => {
      await waitFor(
        `connection ${connection} to stream`,
        () => sim.stats().connectionsAccepted === connection && framesOn(connection) > 20,
        { describe: cli.stderr },
      );
    };

    await connected(1);
    sim.skipTradeIds('BTCUSDT', 5);
    await sleep(200);
    expect(sim.dropConnections()).toBe(1);
    await connected(2);
    sim.sendGarbage('text', 6);
    sim.sendGarbage('binary', 4);
    sim.skipTradeIds('ETHUSDT', 2);
    await sleep(200);
    expect(sim.closeConnections(1001, 'maintenance')).toBe(1);
    await connected(3);
    sim.stallConnections();
    await sleep(800);
    sim.resumeConnections();
    await sleep(200);
    sim.stallConnections();
    await sleep(300);
    sim.dropConnections();
    await connected(4);
    sim.skipTradeIds('BTCUSDT', 3);
    await sleep(300);
    // Silence the market before the app goes: the walk goes on without listeners, and a random skip drawn after
    // the app has stopped is counted but never sent (seen in CI on a loaded machine: tape 10, skipped 12).
    sim.setRate(0);
    await sleep(100);
    const skipped = [...sim.skippedTradeIds().values()].reduce((a, b) => a + b, 0);

    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    const summary = readSummary(join(dir, 'summary.json'));
    // Gaps are loss from the venue's side: exit code 3, and nothing else was lost.
    expect(exit, cli.stderr()).toEqual({ code: 3, signal: null });
    // Exact against the tape the venue really sent; see the last test for why that can exceed `skipped`.
    const tapeMissing = missingInTape(sim.sent);
    expect(summary.gaps.missing).toBe(tapeMissing);
    expect(tapeMissing).toBeGreaterThanOrEqual(skipped);
    expect(summary.lossReasons).toEqual([`gaps.missing: ${tapeMissing}`]);
    expect(summary.lost).toBe(0);
    expect(summary.parseErrors).toBeGreaterThanOrEqual(8);

    // Every frame the venue sent arrived, in order, and is recorded byte for byte.
    const sent = sim.sent;
    expect(sim.stats().logTruncated).toBe(false);
    expect(summary.received).toBe(sent.length);
    expect(summary.recordsWritten).toBe(sent.length);
    const expected = Buffer.concat(sent.flatMap((frame) => [frame.data, Buffer.from('\n')]));
    expect((await catBytes(dataDir)).equals(expected)).toBe(true);
    expect((await verify(dataDir)).code).toBe(0);

    // Three reconnects, each seen with the venue's close code.
    const logs = cli
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; code?: number });
    expect(logs.filter((l) => l.msg === 'source reconnected')).toHaveLength(3);
    expect(
      logs
        .filter((l) => l.msg === 'source disconnected')
        .map((l) => l.code)
        .slice(0, 3),
    ).toEqual([1006, 1001, 1006]);
    expect(sim.stats().connectionsAccepted).toBe(4);
  }, 60_000);

  // Guards a fixed simulator bug: `dropConnections()` and `closeConnections()` left the client in the simulator's
  // set until its 'close' event, so a tick in between drew trades for it and sent them nowhere: ids neither sent
  // nor counted in `skippedTradeIds()`, a gap the simulator did not report.
  it('simulator: a dropped connection never costs trade ids that were not sent (every id sent or counted as skipped)', async () => {
    const sim = new SimulatorServer({
      protocol: binanceProtocol,
      symbols: ['BTCUSDT'],
      messagesPerSecond: 20_000,
      tickMs: 1,
      log: { maxEntries: 1_000_000 },
    });
    simulator = sim;
    const url = await sim.start();
    const source = new WebSocketSource({
      protocol: binanceProtocol,
      symbols: ['BTCUSDT'],
      url,
      backoff: { initialDelayMs: 5, maxDelayMs: 5 },
    });
    source.onMessage(() => undefined);
    source.start();
    try {
      for (let drop = 1; drop <= 15; drop++) {
        await waitFor(
          `connection ${drop} to stream`,
          () => sim.sent.filter((f) => f.connection === drop).length > 50,
        );
        sim.dropConnections();
      }
    } finally {
      await source.stop();
    }
    expect(sim.skippedTradeIds().get('BTCUSDT') ?? 0).toBe(0);
    expect(missingInTape(sim.sent)).toBe(0);
  }, 30_000);
});
