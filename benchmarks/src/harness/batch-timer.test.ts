import { describe, expect, it } from 'vitest';
import { calibrate, measureSideBySide, median } from './batch-timer.js';
import { SMOKE_PROFILE } from './bench-profile.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('measureSideBySide', () => {
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

  it('never calibrates past the cap', () => {
    expect(calibrate({ body: (n) => n, maxIterations: 5 }, SMOKE_PROFILE)).toBeLessThanOrEqual(5);
  });
});
