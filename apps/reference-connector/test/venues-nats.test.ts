/**
 * End to end, per venue: a simulator speaking the venue's protocol -> `marketpipe run` over the real WebSocket
 * path -> a real nats-server -> an independent subscriber that decodes every trade. The trades decoded from
 * NATS equal, in order, the trades a full `JSON.parse` reference finds in what the simulator sent, and the
 * recording read back with `marketpipe cat` equals the simulator's frames byte for byte.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradeView, type VenueName } from '@marketpipe/connector';
import { createParser, type ParsedTrade, venueProtocol } from '@marketpipe/connector/feeds';
import { SimulatorServer } from '@marketpipe/connector/simulator';
import { VENUE_NAMES, VENUES } from '@marketpipe/connector/venues';
import { NatsTransport } from '@marketpipe/middleware';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { RunSummary } from '../src/run/run-summary.js';
import { createHarness } from './support/cli-harness.js';

const decoder = new TextDecoder();

interface TradeKey {
  ticker: string;
  tradeId: string;
  price: number;
  size: number;
  side: number;
}

/** The trades a full JSON.parse of each frame finds (the reference the fast parser must agree with). */
function referenceTrades(venue: VenueName, frames: Buffer[]): TradeKey[] {
  const parser = createParser(venue, { backend: 'json' });
  const out: TradeKey[] = [];
  const sink = {
    onTrade(t: ParsedTrade) {
      out.push({
        ticker: t.symbol ?? decoder.decode(t.bytes.subarray(t.symbolStart, t.symbolEnd)),
        tradeId: t.tradeId ?? decoder.decode(t.bytes.subarray(t.tradeIdStart, t.tradeIdEnd)),
        price: t.price,
        size: t.size,
        side: t.side,
      });
    },
  };
  for (const frame of frames) parser.parse(frame, 0, frame.length, sink);
  return out;
}

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.dispose();
});

describe('simulator -> marketpipe run -> NATS -> independent subscriber, per venue', () => {
  it.each(VENUE_NAMES)(
    '%s: every trade decoded from NATS, every frame recorded byte for byte',
    async (venue) => {
      const dir = mkdtempSync(join(tmpdir(), `mp-e2e-${venue}-`));
      const symbols = [...VENUES[venue].defaultSymbols];
      const sentLog = join(dir, 'sent.log');
      const simulator = new SimulatorServer({
        protocol: venueProtocol(venue),
        symbols,
        messagesPerSecond: 250,
        seed: 11,
        log: { maxEntries: 0, file: sentLog },
      });
      const url = await simulator.start();

      const observer = await NatsTransport.connect({ servers: server.url, name: 'e2e-observer' });
      const received: TradeKey[] = [];
      const view = new TradeView();
      observer.subscribe(`e2e.${venue}.trade.>`, (payload) => {
        view.wrap(payload);
        received.push({
          ticker: view.ticker,
          tradeId: view.tradeId,
          price: view.price,
          size: view.size,
          side: view.side,
        });
      });
      await observer.flush();

      // Timed from the first trade seen on NATS, not from the test's start, so a slow start-up on a loaded
      // machine still leaves a second of trading. The market is quieted before the stop, so no frame is in
      // flight when the connection closes.
      const runner = createHarness({ realPipeline: true });
      const stopAfterTrading = (async () => {
        const giveUpAt = Date.now() + 20_000; // then the assertions below say what was missing
        while (received.length === 0 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 1_000));
        simulator.setRate(0);
        await new Promise((r) => setTimeout(r, 500));
        runner.signals.fire('SIGTERM');
      })();
      const code = await main(
        [
          'run',
          '--venue',
          venue,
          '--source',
          'live',
          '--url',
          url,
          '--transport',
          server.url,
          '--env',
          'e2e',
          '--data-dir',
          join(dir, 'data'),
          '--json-summary',
          join(dir, 'summary.json'),
          '--log-level',
          'warn',
        ],
        runner.context,
      );
      await stopAfterTrading;
      await simulator.stop();
      expect(code, runner.stderr.text).toBe(0);
      const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;

      const deadline = Date.now() + 10_000;
      while (received.length < summary.trades && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await observer.close();

      const frames = readFileSync(sentLog)
        .toString('latin1')
        .split('\n')
        .slice(0, -1)
        .map((line) => Buffer.from(line, 'latin1'));
      const expected = referenceTrades(venue, frames);
      expect(summary.trades).toBeGreaterThan(100);
      expect(summary.published).toBe(summary.trades);
      expect(received).toEqual(expected);

      const cat = createHarness();
      expect(await main(['cat', '--data-dir', join(dir, 'data'), '--venue', venue], cat.context)).toBe(0);
      expect(cat.stdout.bytes.equals(readFileSync(sentLog))).toBe(true);
    },
  );
});
