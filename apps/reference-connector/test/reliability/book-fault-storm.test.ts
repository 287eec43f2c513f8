/**
 * Book faults at random, overlapping: a simulator serving two symbols' books with skipped sequences,
 * corrupted checksums (where the venue has one) and stale snapshots drawn per message, one after another
 * while earlier ones are still being resynchronized. `marketpipe run` (child process) -> real nats-server
 * -> independent subscriber: whatever the faults, the subscriber's rebuilt book equals the JSON.parse
 * reference after every update (no delta published out of sync), no fault is detected that was not injected,
 * and every loss is resynced except, at most, one per symbol still waiting when the run stops.
 * The exact count per fault kind is proven one fault at a time in test/books-sim-nats.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelProtocol, type VenueName, venueBookDepth, venueProtocol } from '@marketpipe/connector/feeds';
import { type BookFaultKind, SimulatorServer } from '@marketpipe/connector/simulator';
import { type NatsServerHandle, startNatsServer } from '@marketpipe/test-support/nats-server';
import { waitFor } from '@marketpipe/test-support/wait-for';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/run/run-summary.js';
import { checkAgainstRecording, simulatorSourceArgs, subscribeBooks } from '../support/book-check.js';
import { type CliProcess, killIfRunning, startCli } from './support/cli-process.js';

const DEPTH = 10;

let server: NatsServerHandle;
let cli: CliProcess | undefined;

beforeAll(async () => {
  server = await startNatsServer();
});

afterEach(() => {
  killIfRunning(cli);
  cli = undefined;
});

afterAll(async () => {
  await server?.dispose();
});

const CASES: Array<{ venue: VenueName; symbols: string[]; faults: Partial<Record<BookFaultKind, number>> }> =
  [
    { venue: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'], faults: { skipSequence: 0.01, staleSnapshot: 0.3 } },
    {
      venue: 'kraken',
      symbols: ['BTC/USD', 'ETH/USD'],
      faults: { skipSequence: 0.01, corruptChecksum: 0.01, staleSnapshot: 0.3 },
    },
    { venue: 'bybit', symbols: ['BTCUSDT', 'ETHUSDT'], faults: { skipSequence: 0.01, staleSnapshot: 0.3 } },
    {
      venue: 'okx',
      symbols: ['BTC-USDT', 'ETH-USDT'],
      faults: { skipSequence: 0.01, corruptChecksum: 0.01, staleSnapshot: 0.3 },
    },
  ];

describe('random overlapping book faults -> marketpipe run -> NATS -> subscriber', () => {
  it.each(CASES)(
    '$venue: the book equals the reference after every update; every loss counted and resynced',
    async ({ venue, symbols, faults }) => {
      const dir = mkdtempSync(join(tmpdir(), `mp-book-storm-${venue}-`));
      const protocol = channelProtocol(venueProtocol(venue), ['books'], DEPTH);
      const sim = new SimulatorServer({
        protocol,
        symbols,
        messagesPerSecond: 500,
        seed: 9,
        books: { depth: venueBookDepth(venue, DEPTH), faults },
        log: { maxEntries: 0 },
      });
      try {
        await sim.start();
        const subscriber = await subscribeBooks(server.url, 'storm', venue);
        cli = startCli([
          'run',
          '--venue',
          venue,
          '--symbols',
          symbols.join(','),
          ...simulatorSourceArgs(sim, protocol, symbols),
          '--channels',
          'books',
          '--depth',
          String(DEPTH),
          '--transport',
          server.url,
          '--env',
          'storm',
          '--data-dir',
          join(dir, 'data'),
          '--json-summary',
          join(dir, 'summary.json'),
          '--log-level',
          'warn',
          '--duration',
          '3s',
        ]);
        const exit = await cli.exited;
        await sim.stop();
        expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
        const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
        const books = summary.books!;
        await waitFor('every update on NATS', () => subscriber.updates.length >= books.updates, {
          timeoutMs: 30_000,
          everyMs: 10,
        });
        await subscriber.close();
        const check = checkAgainstRecording(venue, join(dir, 'data'), DEPTH, subscriber.updates);

        expect(check.mismatches).toEqual([]);
        expect(books.updates).toBe(subscriber.updates.length);
        const injected = sim.stats().books!.faults;
        const totalInjected = injected.skipSequence + injected.corruptChecksum + injected.staleSnapshot;
        const losses = books.gaps + books.checksumFailures;
        // A storm, not a drizzle: several losses, and never one the simulator did not cause (a fault that
        // lands while its symbol already waits for a snapshot goes unseen, as it should).
        expect(losses).toBeGreaterThanOrEqual(5);
        expect(losses + (books.outOfSync.staleSnapshot ?? 0)).toBeLessThanOrEqual(totalInjected);
        expect(books.resyncs).toBeLessThanOrEqual(losses);
        expect(books.resyncs).toBeGreaterThanOrEqual(losses - symbols.length);
        expect(books).toMatchObject({ malformed: 0, publishErrors: 0, snapshotErrors: 0 });
      } finally {
        await sim.stop();
      }
    },
    120_000,
  );
});
