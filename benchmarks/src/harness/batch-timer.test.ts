import { describe, expect, it } from 'vitest';
import { calibrate, measureSideBySide, median } from './batch-timer.js';
import { FULL_PROFILE, SMOKE_PROFILE } from './bench-profile.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('measureSideBySide', () => {
  it('calls beforeTimedRounds once, after calibration and warm-up, so a recorder it clears holds the timed rounds only', () => {
    let batches = 0;
    let batchesBeforeTimed = -1;
    let calls = 0;
    const [result] = measureSideBySide(
      [
        {
          body: (n) => {
            batches++;
            return n;
          },
          maxIterations: 4,
          beforeTimedRounds: () => {
            calls++;
            batchesBeforeTimed = batches;
          },
        },
      ],
      SMOKE_PROFILE,
    );
    expect(calls).toBe(1);
    // Calibration and the warm-up rounds ran first; exactly the timed rounds ran after.
    expect(batchesBeforeTimed).toBeGreaterThanOrEqual(SMOKE_PROFILE.warmupRounds + 1);
    expect(batches - batchesBeforeTimed).toBe(SMOKE_PROFILE.rounds);
    expect(result!.roundsNsPerOp).toHaveLength(SMOKE_PROFILE.rounds);
  });

  it('runs every case for the same number of rounds and calls reset before each batch', () => {
    let resets = 0;
    let ran = 0;
    const results = measureSideBySide(
      [
        { body: (n) => (ran += n), reset: () => resets++ },
        { body: (n) => n, maxIterations: 8 },
      ],
      SMOKE_PROFILE,
    );
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.roundsNsPerOp).toHaveLength(SMOKE_PROFILE.rounds);
      expect(result.nsPerOp).toBeGreaterThan(0);
    }
    expect(results[1]!.iterations).toBeLessThanOrEqual(8);
    expect(ran).toBeGreaterThan(0);
    expect(resets).toBeGreaterThanOrEqual(SMOKE_PROFILE.rounds + SMOKE_PROFILE.warmupRounds);
  });

  it('does not extrapolate from a cold first call', () => {
    // A case whose first call is slow (lazy compilation, first page touches) and whose later calls are cheap: its
    // first batch, one call, outlasts an eighth of the 40 ms round on its own. Calibrated from that batch, each
    // round would time a handful of calls (40 / 12 ms: 3); warm, the round holds ~2 000 calls of ~20 µs.
    let calls = 0;
    const spin = (ns: number) => {
      const until = process.hrtime.bigint() + BigInt(ns);
      while (process.hrtime.bigint() < until);
    };
    const body = (n: number) => {
      for (let i = 0; i < n; i++) spin(calls++ === 0 ? 12_000_000 : 20_000);
      return n;
    };
    const iterations = calibrate({ body }, { ...FULL_PROFILE, maxIterations: 4_096 });
    // The warm count, with a margin of 10x for a loaded machine; the cold extrapolation gives 3.
    expect(iterations).toBeGreaterThan(200);
  });

  it('never calibrates past the cap', () => {
    expect(calibrate({ body: (n) => n, maxIterations: 5 }, SMOKE_PROFILE)).toBeLessThanOrEqual(5);
  });
});
