/**
 * SIGKILL at random moments, then a restart on the same data dir, 20 times
 * over: the ring file and the flusher's recovery must bring every message
 * that entered the ring to disk exactly once, in order.
 *
 * Each round replays its own file of numbered messages (round r carries the
 * trade ids (r + 1) * 1e6 + 0 .. K - 1), so the recording is exact to check:
 * the numbers must rise strictly (no duplicate, no reordering), each round
 * must be recorded as a prefix of its file without holes (a message enters the
 * ring only after every earlier line did), and the ring sequence numbers must
 * be contiguous across all rounds (`verify`), which rules out a recorded
 * message vanishing at the tail of a round.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '@marketpipe/test-support/wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliExit, type CliProcess, killIfRunning, startCli } from './support/cli-process.js';
import { numberOf, writeNumberedReplay } from './support/numbered-replay.js';
import { catLines, readSummary, verify } from './support/recordings.js';
import { reliabilitySeed, seededRandom } from './support/seeded-random.js';

const KILLED_ROUNDS = 20;
// Long enough that each kill window below falls inside a run, on the fastest Node line too.
const PER_ROUND = 40_000;
const ROUND_BASE = 1_000_000;

let current: CliProcess | undefined;
afterEach(() => killIfRunning(current));

interface RoundResult {
  round: number;
  killed: boolean;
  exit: CliExit;
}

describe('crash and restart (child processes, SIGKILL)', () => {
  it(`${KILLED_ROUNDS} SIGKILLs at random moments: every message that entered the ring is recorded once, in order`, async () => {
    const seed = reliabilitySeed('crash-restart');
    const random = seededRandom(seed);
    const dir = mkdtempSync(join(tmpdir(), 'mp-crash-'));
    const dataDir = join(dir, 'data');
    const results: RoundResult[] = [];

    for (let round = 0; round <= KILLED_ROUNDS; round++) {
      const replay = join(dir, `round-${round}.jsonl`);
      writeNumberedReplay(replay, (round + 1) * ROUND_BASE, PER_ROUND);
      const cli = startCli([
        'run',
        '--source',
        `replay:${replay}`,
        '--symbols',
        'BTCUSDT',
        '--data-dir',
        dataDir,
        '--json-summary',
        join(dir, `summary-${round}.json`),
      ]);
      current = cli;
      let killed = false;
      if (round < KILLED_ROUNDS) {
        // A quarter of the kills land in start-up (the flusher's recovery of the previous round; "pipeline
        // started" comes 65-210 ms after spawn on an idle machine), the rest while the replay streams into the
        // ring or the run drains and flushes: a 40 000-line run ends 90-150 ms after "pipeline started" (the
        // shorter after a crash, when start waits for the recovery first; Node 26 the fastest), so the kill
        // comes within 80 ms of it. A loaded machine only stretches the run.
        if (random() < 0.25) {
          await sleep(Math.floor(random() * 150));
        } else {
          await cli.waitForLog('"msg":"pipeline started"').catch(() => undefined);
          await sleep(Math.floor(random() * 80));
        }
        killed = cli.child.exitCode === null;
        if (killed) cli.child.kill('SIGKILL');
      }
      const exit = await cli.exited;
      results.push({ round, killed, exit });
      if (!killed) expect(exit, `round ${round}:\n${cli.stderr()}`).toEqual({ code: 0, signal: null });
    }

    const numbers = (await catLines(dataDir)).map(numberOf);
    const perRound = new Array<number>(KILLED_ROUNDS + 1).fill(0);
    let previous = 0;
    for (const n of numbers) {
      const round = Math.floor(n / ROUND_BASE) - 1;
      // Strictly rising: no duplicate, nothing out of order, nothing foreign.
      expect(n).toBeGreaterThan(previous);
      expect(round).toBeGreaterThanOrEqual(0);
      // A round's messages are a prefix of its file: the first one, then each the next.
      expect(n).toBe((round + 1) * ROUND_BASE + (perRound[round] ?? 0));
      perRound[round] = (perRound[round] ?? 0) + 1;
      previous = n;
    }

    // Runs that ended by themselves account for their whole file, in their summaries too.
    for (const { round, killed } of results) {
      if (killed) continue;
      const summary = readSummary(join(dir, `summary-${round}.json`));
      expect(summary).toMatchObject({ received: PER_ROUND, lost: 0, outcome: 'clean' });
      expect(perRound[round]).toBe(PER_ROUND);
    }
    const last = readSummary(join(dir, `summary-${KILLED_ROUNDS}.json`));
    expect(last.stopReason).toBe('source-finished');
    // The last run wrote its own messages plus whatever the previous kill left in the ring.
    expect(last.recordsWritten).toBeGreaterThanOrEqual(PER_ROUND);

    const check = await verify(dataDir);
    expect(check.code, check.report).toBe(0);

    const killedRounds = results.filter((r) => r.killed).map((r) => r.round);
    const midIntake = killedRounds.filter((r) => (perRound[r] ?? 0) > 0 && (perRound[r] ?? 0) < PER_ROUND);
    console.log(
      `[crash-restart] ${killedRounds.length} kills (${midIntake.length} mid-intake), ` +
        `${numbers.length} records, per round: ${perRound.join(' ')}`,
    );
    // The kills must hit the interesting moments, or the test proves little.
    expect(killedRounds.length).toBeGreaterThanOrEqual(KILLED_ROUNDS - 3);
    expect(midIntake.length).toBeGreaterThanOrEqual(5);
  }, 180_000);
});
